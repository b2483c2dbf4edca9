// How the CLI times repeated runs: machines are noisy, so one run says little, and a process's
// first runs are slower while V8 compiles and optimises.

/**
 * Untimed runs of each mode before `braid block` (--compare, --runs) and `braid demo` time
 * theirs. Timed one by one in a fresh process (2026-11-23, 2 threads, mainnet blocks 19934116
 * and 13217637), each mode's first run took 4-8x as long as the later ones, and most of the
 * difference was gone after 10-15 runs.
 */
export const WARM_UP_RUNS = 15;

/** The median of a non-empty list (the upper middle one for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
