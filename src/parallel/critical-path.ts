// How parallel a block is, given each transaction's weight (its own sequential time, or its gas)
// and its data dependencies (ParallelStats.dependencies): the most any executor could gain on a
// number of threads, and what scheduling in block order with no overhead at all would gain.
import { BraidError } from "../encoding/errors.js";

export interface PathBound {
  threads: number;
  /** The sum of the weights: the sequential time. */
  work: number;
  /** The heaviest chain of transactions each of which depends on the one before. */
  criticalPath: number;
  /** work / max(criticalPath, work / threads): no schedule on `threads` threads is faster. */
  bound: number;
  /**
   * work / the length of a list schedule in block order: a thread that comes free takes the
   * lowest-numbered transaction whose dependencies have all finished, and costs nothing else.
   */
  inOrder: number;
}

/** A binary min-heap of numbers ordered by `key`. */
class Heap {
  private items: number[] = [];
  constructor(private readonly key: (x: number) => number) {}
  get size(): number { return this.items.length; }
  peek(): number { return this.items[0]!; }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (this.key(a[p]!) <= this.key(a[i]!)) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): number {
    const a = this.items, top = a[0]!, last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && this.key(a[l]!) < this.key(a[m]!)) m = l;
        if (r < a.length && this.key(a[r]!) < this.key(a[m]!)) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

function check(weights: readonly number[], deps: readonly (readonly number[])[], threads: number): void {
  if (deps.length !== weights.length) throw new BraidError("INVALID_ARGUMENT", `critical path: ${weights.length} weights but ${deps.length} dependency lists`);
  if (!Number.isInteger(threads) || threads < 1) throw new BraidError("INVALID_ARGUMENT", `critical path: threads must be a positive integer, got ${threads}`);
  weights.forEach((w, i) => {
    if (!(w >= 0)) throw new BraidError("INVALID_ARGUMENT", `critical path: weight ${i} is ${w}`);
    for (const d of deps[i]!) {
      if (!Number.isInteger(d) || d < 0 || d >= i) throw new BraidError("INVALID_ARGUMENT", `critical path: transaction ${i} depends on ${d}, not an earlier transaction`);
    }
  });
}

/** The bound and the in-order schedule of a block whose transaction i weighs weights[i] and reads from deps[i]. */
export function pathBound(weights: readonly number[], deps: readonly (readonly number[])[], threads: number): PathBound {
  check(weights, deps, threads);
  const n = weights.length;
  let work = 0, criticalPath = 0;
  const chain = new Float64Array(n); // heaviest chain ending with transaction i
  for (let i = 0; i < n; i++) {
    let before = 0;
    for (const d of deps[i]!) before = Math.max(before, chain[d]!);
    chain[i] = before + weights[i]!;
    work += weights[i]!;
    criticalPath = Math.max(criticalPath, chain[i]!);
  }
  const makespan = listSchedule(weights, deps, threads);
  const ratio = (t: number) => (t > 0 ? work / t : 1);
  return { threads, work, criticalPath, bound: ratio(Math.max(criticalPath, work / threads)), inOrder: ratio(makespan) };
}

/** The length of the block-order list schedule (see PathBound.inOrder). */
function listSchedule(weights: readonly number[], deps: readonly (readonly number[])[], threads: number): number {
  const n = weights.length;
  const waiting = new Int32Array(n); // unfinished dependencies
  const dependents: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const own = new Set(deps[i]);
    waiting[i] = own.size;
    for (const d of own) dependents[d]!.push(i);
  }
  const finish = new Float64Array(n);
  const ready = new Heap((i) => i);
  const running = new Heap((i) => finish[i]!);
  for (let i = 0; i < n; i++) if (waiting[i] === 0) ready.push(i);
  let now = 0, free = threads;
  for (let done = 0; done < n;) {
    while (free > 0 && ready.size > 0) {
      const i = ready.pop();
      finish[i] = now + weights[i]!;
      running.push(i);
      free--;
    }
    // The next finishes: their threads come free, and their dependents may become ready.
    now = finish[running.peek()]!;
    while (running.size > 0 && finish[running.peek()]! === now) {
      const i = running.pop();
      free++;
      done++;
      for (const j of dependents[i]!) if (--waiting[j]! === 0) ready.push(j);
    }
  }
  return now;
}
