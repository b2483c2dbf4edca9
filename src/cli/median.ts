// The statistic the CLI reports for repeated timings: machines are noisy, so one run says little.

/** The median of a non-empty list (the upper middle one for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
