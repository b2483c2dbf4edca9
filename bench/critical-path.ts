// A block's own limit on parallel speedup, measured: each transaction's sequential time (the
// median over `rounds` runs of executeBlock with timeTransactions) or its gas, over the data
// dependencies Block-STM found in one run (ParallelStats.dependencies, every transaction on
// Block-STM), fed to pathBound (src/parallel/critical-path.ts). Shared by the "blocks" and
// "parallel" suites.
import { executeBlock } from "../dist/block/execute.js";
import type { BlockInput, PreState, Receipt } from "../dist/block/types.js";
import type { ParallelExecutor } from "../dist/parallel/execute.js";
import { pathBound, type PathBound } from "../dist/parallel/critical-path.js";
import type { Vm } from "../dist/vm/vm.js";
import { median, sig } from "./report.js";

export const PATH_THREADS = [2, 4];

export interface PathFigures {
  /** Timed sequential runs behind the per-transaction times. */
  rounds: number;
  /** Per thread count ("2", "4"): bound and block-order schedule, each transaction weighted by its median time. */
  byTime: Record<string, { bound: number; inOrder: number }>;
  /** The same with each transaction weighted by its gas. */
  byGas: Record<string, { bound: number; inOrder: number }>;
  /** The critical path's share of the block's summed transaction time (1: one chain is everything). */
  criticalShare: number;
  /** The longest transaction's share of that time. */
  longestShare: number;
  /** Summed median transaction times (ms). */
  transactionsMs: number;
}

const figures = (b: PathBound) => ({ bound: sig(b.bound), inOrder: sig(b.inOrder) });

export async function measurePath(vm: Vm, par: ParallelExecutor, block: BlockInput, pre: PreState, rounds: number): Promise<PathFigures> {
  const n = block.transactions.length;
  const times: number[][] = Array.from({ length: n }, () => []);
  let receipts: readonly Receipt[] = [];
  for (let r = 0; r < rounds; r++) {
    const res = executeBlock(vm, block, pre, { verifySenders: false, timeTransactions: true });
    res.stats.transactionMs!.forEach((ms, i) => times[i]!.push(ms));
    receipts = res.receipts;
  }
  const weights = times.map((t) => median(t));
  const gas = receipts.map((rc, i) => Number(rc.cumulativeGasUsed - (i > 0 ? receipts[i - 1]!.cumulativeGasUsed : 0n)));
  let deps: number[][] = Array.from({ length: n }, () => []);
  if (n >= 2) {
    const r = await par.execute(block, pre, { verifySenders: false, threads: 2, policy: "always", serialFallback: false, dependencies: true });
    if (!r.parallel.dependencies) throw new Error(`no dependencies reported (${r.parallel.fallbackReason ?? "sequential path"})`);
    deps = r.parallel.dependencies;
  }
  const byTime = Object.fromEntries(PATH_THREADS.map((t) => [String(t), figures(pathBound(weights, deps, t))]));
  const byGas = Object.fromEntries(PATH_THREADS.map((t) => [String(t), figures(pathBound(gas, deps, t))]));
  const one = pathBound(weights, deps, 1);
  return {
    rounds, byTime, byGas,
    criticalShare: sig(one.work > 0 ? one.criticalPath / one.work : 1),
    longestShare: sig(one.work > 0 ? Math.max(...weights) / one.work : 1),
    transactionsMs: sig(one.work),
  };
}
