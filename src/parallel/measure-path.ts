// A block's critical path, measured: each transaction's sequential time (the median over `rounds`
// runs of executeBlock with timeTransactions) or its gas, over the data dependencies Block-STM
// found in one run with every transaction on Block-STM (ParallelStats.dependencies), through
// pathBound. Used by `braid block --critical-path` and the benchmarks.
import { BraidError } from "../encoding/errors.js";
import { executeBlock } from "../block/execute.js";
import type { ChainConfig } from "../block/chain.js";
import type { BlockInput, PreState, Receipt } from "../block/types.js";
import type { Vm } from "../vm/vm.js";
import { pathBound, type PathBound } from "./critical-path.js";
import type { ParallelExecutor } from "./execute.js";

export interface PathFigures {
  /** Timed sequential runs behind the per-transaction times. */
  rounds: number;
  /** Per thread count: bound and block-order schedule (PathBound), each transaction weighted by its median time. */
  byTime: Record<string, { bound: number; inOrder: number }>;
  /** The same with each transaction weighted by its gas. */
  byGas: Record<string, { bound: number; inOrder: number }>;
  /** The critical path's share of the summed transaction time (1: one chain is everything). */
  criticalShare: number;
  /** The longest transaction's share of that time. */
  longestShare: number;
  /** Summed median transaction times (ms). */
  transactionsMs: number;
}

export interface MeasurePathOptions {
  /** Timed sequential runs (default 9). */
  rounds?: number;
  /** Thread counts to give figures for (default 2 and 4). */
  threads?: number[];
  chain?: ChainConfig;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Runs the block `rounds` times on `vm` (after one untimed run) timing each transaction, and once
 * on `executor` (two threads, no serial fallback) for its dependencies. Senders must be set (no
 * recovery here).
 */
export async function measurePath(vm: Vm, executor: ParallelExecutor, block: BlockInput, pre: PreState, opts: MeasurePathOptions = {}): Promise<PathFigures> {
  const rounds = Math.max(1, opts.rounds ?? 9);
  const n = block.transactions.length;
  const times: number[][] = Array.from({ length: n }, () => []);
  let receipts: readonly Receipt[] = [];
  // One untimed run first: the block's first run compiles and loads what later runs find ready.
  for (let r = -1; r < rounds; r++) {
    const res = executeBlock(vm, block, pre, { chain: opts.chain, verifySenders: false, timeTransactions: true });
    if (r >= 0) res.stats.transactionMs!.forEach((ms, i) => times[i]!.push(ms));
    receipts = res.receipts;
  }
  const weights = times.map(median);
  const gas = receipts.map((rc, i) => Number(rc.cumulativeGasUsed - (i > 0 ? receipts[i - 1]!.cumulativeGasUsed : 0n)));
  let deps: number[][] = Array.from({ length: n }, () => []);
  if (n >= 2) {
    const r = await executor.execute(block, pre, { chain: opts.chain, verifySenders: false, threads: 2, policy: "always", serialFallback: false, dependencies: true });
    if (!r.parallel.dependencies) throw new BraidError("PATH_UNAVAILABLE", `Block-STM reported no dependencies (it took the sequential path: ${r.parallel.fallbackReason ?? "unknown reason"})`);
    deps = r.parallel.dependencies;
  }
  const threads = opts.threads?.length ? opts.threads : [2, 4];
  const byTime = threads.map((t) => pathBound(weights, deps, t));
  const figures = (bounds: PathBound[]) => Object.fromEntries(bounds.map((b) => [String(b.threads), { bound: b.bound, inOrder: b.inOrder }]));
  const { work, criticalPath } = byTime[0]!; // the same for every thread count
  return {
    rounds, byTime: figures(byTime), byGas: figures(threads.map((t) => pathBound(gas, deps, t))),
    criticalShare: work > 0 ? criticalPath / work : 1,
    longestShare: work > 0 ? Math.max(...weights) / work : 1,
    transactionsMs: work,
  };
}
