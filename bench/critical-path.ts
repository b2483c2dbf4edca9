// A block's own limit on parallel speedup (src/parallel/measure-path.ts), rounded for the
// results: shared by the "blocks" and "parallel" suites.
import type { BlockInput, PreState } from "../dist/block/types.js";
import type { ParallelExecutor } from "../dist/parallel/execute.js";
import { measurePath as measure, type PathFigures } from "../dist/parallel/measure-path.js";
import type { Vm } from "../dist/vm/vm.js";
import { sig } from "./report.js";

export type { PathFigures };
export const PATH_THREADS = [2, 4];

const roundAll = (r: PathFigures["byTime"]) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { bound: sig(v.bound), inOrder: sig(v.inOrder) }]));

export async function measurePath(vm: Vm, par: ParallelExecutor, block: BlockInput, pre: PreState, rounds: number): Promise<PathFigures> {
  const p = await measure(vm, par, block, pre, { rounds, threads: PATH_THREADS });
  return {
    rounds: p.rounds, byTime: roundAll(p.byTime), byGas: roundAll(p.byGas),
    criticalShare: sig(p.criticalShare), longestShare: sig(p.longestShare), transactionsMs: sig(p.transactionsMs),
  };
}
