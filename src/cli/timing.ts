// How the CLI times repeated runs: machines are noisy, so one run says little, and a process's
// first runs are slower while V8 compiles and optimises.

/**
 * Untimed runs of each mode before `braid block` (--compare, --runs) and `braid demo` time
 * theirs. Timed one by one in a fresh process (2026-11-23, 2 threads, mainnet blocks 19934116
 * and 13217637), each mode's first run took 4-8x as long as the later ones, and most of the
 * difference was gone after 10-15 runs.
 */
export const WARM_UP_RUNS = 15;

/** One side of a timed comparison: runs once; `timed` says whether this run is the measured one. */
export type Side<T> = (timed: boolean) => T | Promise<T>;

/**
 * Times sides the way `braid block --compare` and `braid demo` do: `warmUp` untimed runs of each
 * side, then `runs` rounds in which each side runs in turn, its timed run right after an untimed
 * one of its own when there was a warm-up (so that it finds its own data in the caches, as the
 * benchmarks time it). Returns each side's timed results, in order. `onRound` hears of each round.
 */
export async function timeAlternating<T>(sides: Side<T>[], runs: number, warmUp: number, onRound?: (round: number) => void): Promise<T[][]> {
  const timed = sides.map((): T[] => []);
  for (let r = 0; r < warmUp; r++) for (const side of sides) await side(false);
  for (let r = 0; r < runs; r++) {
    onRound?.(r);
    for (const [k, side] of sides.entries()) {
      if (warmUp > 0) await side(false);
      timed[k]!.push(await side(true));
    }
  }
  return timed;
}

/** The median of a non-empty list (the upper middle one for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
