// Shared by the "blocks" and "parallel" suites: Braid sequential (executeBlock) vs Block-STM
// (ParallelExecutor) on the same block, measured in interleaved rounds in one process.
//
// A round runs the sequential executor once and the parallel executor once per thread count (each
// timed run right after an untimed one of the same side; the sequential one on the parallel
// executor's own Vm: see below), in an
// order rotated every round (so neither side always runs first, and slow drift of the machine hits
// both sides alike). The time compared is `stats.executionMs` of both executors, as they report it:
//   sequential  from after the pre-state load (vm.reset + putAccounts) to the end of the last
//               transaction and the rewards/withdrawals (EIP-4788 system call included);
//   Block-STM   from the workers' start (after vm.reset + putAccounts + EIP-4788 call + staging of
//               the messages and worker contexts, reported as setupMs) through the in-order commit
//               (and any serial rest), reading the receipts and rewards/withdrawals.
// Receipts decode their logs on first access, outside both; neither includes receiptsRoot or the
// state diff. Each side first runs WARMUPS untimed times; then all runs follow one another
// without a forced gc(). speedup = median sequential executionMs / median parallel executionMs
// over the same rounds. Every parallel result (warm-up and timed runs) is compared with the
// sequential reference result by compareResults. The end-to-end time of each call (pre-state load,
// staging, execution, receipts root and state diff: what a caller waits for) is recorded beside
// it: wallSpeedup = median sequential call / median Block-STM call.
import { cpus, loadavg } from "node:os";
import { executeBlock } from "../dist/block/execute.js";
import { compareResults } from "../dist/block/compare.js";
import type { BlockInput, BlockResult, PreState } from "../dist/block/types.js";
import type { ParallelExecutor, ParallelStats } from "../dist/parallel/execute.js";
import type { Vm } from "../dist/vm/vm.js";
import { geomean, median, sig } from "./report.js";



export { median };

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 300);

/** Per thread count: the Block-STM figures of one block. */
export interface ThreadResult {
  threads: number;
  /** "always": Block-STM on every block of 2+ transactions; "auto": the default policy (small or serial blocks run sequentially). */
  policy: "always" | "auto";
  /** Median stats.executionMs of the parallel executor over the rounds. */
  executionMedianMs: number;
  executionMinMs: number;
  /** Median stats.executionMs of the sequential executor over the SAME rounds. */
  sequentialExecutionMedianMs: number;
  /** sequentialExecutionMedianMs / executionMedianMs (> 1: Block-STM is faster). */
  speedup: number;
  /** Median over rounds of (sequential ms / parallel ms) of the round: a drift-robust cross-check. */
  pairedSpeedupMedian: number;
  /** Median stats.setupMs (vm.reset + pre-state load + staging transactions and worker contexts; not in executionMs). */
  setupMedianMs: number;
  /** Median time of the whole execute() call (setup, execution, receipts root, state diff) and of the sequential executeBlock call, same rounds. */
  wallMedianMs: number;
  sequentialWallMedianMs: number;
  /** sequentialWallMedianMs / wallMedianMs: the end-to-end speedup a caller sees. */
  wallSpeedup: number;
  runs: number;
  /** Block-STM counters: medians over the timed runs (they vary from run to run), and the range of aborts. */
  executions: number;
  validations: number;
  aborts: number;
  abortsMin: number;
  abortsMax: number;
  waits: number;
  /** Value transfers credited lazily (lazy recipient credits; median). */
  credits: number;
  /** Parts of pairing checks an idle worker ran for another (help desk; median). */
  helped: number;
  /** Medians of the executor's phase timings (ms): workers, in-order commit, receipt decoding. */
  workersMs: number;
  commitMs: number;
  receiptsMs: number;
  /** true when any run took the sequential path (small block, region exhausted, ...). */
  sequential: boolean;
  /** true when any run ran partitioned (plain transfers in groups sharing no account, src/parallel/partition.ts). */
  partitioned: boolean;
  fallbackReason: string | null;
  /** Every parallel result (warm-up + timed) equal to the sequential one under compareResults. */
  identical: boolean;
  /** First differences, when not identical. */
  diffs: string[];
  error: string | null;
}

export interface StmComparison {
  rounds: number;
  sequential: { executionMedianMs: number; executionMinMs: number; setupMedianMs: number; wallMedianMs: number; runs: number };
  /** Keyed by thread count ("1", "2", "4"). */
  threads: Record<string, ThreadResult>;
  /** The sequential reference result (untimed first run). */
  reference: BlockResult;
}

export interface StmOptions {
  threads: number[];
  /** Thread counts also measured with the default "auto" policy (keyed "<n>auto"): what a caller gets by default. */
  autoThreads?: number[];
  minRounds: number;
  maxRounds: number;
  /** Keep adding rounds while the rounds' wall time is under this (and maxRounds not reached). */
  timeMs: number;
  /** Untimed warm-up runs of each side before the rounds (default WARMUPS). */
  warmups?: number;
}

/** Default untimed warm-up runs of each side. */
export const WARMUPS = 4;

/**
 * Thread counts to time Block-STM at: BENCH_THREADS ("1,2,4,8,16" on a machine with more cores),
 * else `dflt`. The reports' 2-thread columns need 2 among them.
 */
export function benchThreads(dflt: number[]): number[] {
  const env = process.env.BENCH_THREADS;
  if (env === undefined) return dflt;
  const list = env.split(",").map((x) => Number(x.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 1 || n > 64) || !list.includes(2)) {
    throw new Error(`BENCH_THREADS=${env}: expected a comma-separated list of thread counts (1..64) that includes 2`);
  }
  return [...new Set(list)].sort((a, b) => a - b);
}

/** Runs the interleaved comparison; errors of the parallel executor are recorded, not thrown. */
export async function compareSeqPar(seqVm: Vm, par: ParallelExecutor, block: BlockInput, pre: PreState, o: StmOptions): Promise<StmComparison> {
  const reference = executeBlock(seqVm, block, pre, { verifySenders: false });
  type Side = { key: string; threads: number; policy: "always" | "auto" };
  const parSides: Side[] = [
    ...o.threads.map((t): Side => ({ key: String(t), threads: t, policy: "always" })),
    ...(o.autoThreads ?? []).map((t): Side => ({ key: `${t}auto`, threads: t, policy: "auto" })),
  ];
  interface Acc { exec: number[]; setup: number[]; wall: number[]; ratio: number[]; stats: ParallelStats[]; diffs: string[]; identical: boolean; error: string | null }
  const acc = new Map<string, Acc>();
  const check = (a: Acc, r: BlockResult) => {
    const d = compareResults(reference, r);
    if (d.length) { a.identical = false; if (a.diffs.length === 0) a.diffs = d.slice(0, 5); }
  };
  // Warm-up (untimed) runs of every side, the parallel ones checked as well: the workers' code
  // reaches its steady speed only after a few blocks (JIT tiering), later than the coordinator's.
  for (const side of parSides) acc.set(side.key, { exec: [], setup: [], wall: [], ratio: [], stats: [], diffs: [], identical: true, error: null });
  for (let w = 0; w < (o.warmups ?? WARMUPS); w++) {
    for (const side of parSides) {
      const a = acc.get(side.key)!;
      if (a.error !== null) continue;
      try {
        check(a, await par.execute(block, pre, { verifySenders: false, threads: side.threads, policy: side.policy }));
      } catch (e) {
        a.error = errText(e);
      }
    }
  }
  // The sequential side runs on the parallel executor's own Vm, in the region sizes its Block-STM
  // path laid out (so neither side moves the other's tables): each Vm's memory lands on other
  // physical pages, and the same sequential replay ran up to 10% faster or slower on one Vm than
  // on another in the same process (A/A, amm kind), a bias that used to stay with a whole run.
  // The result's reference stays the separate run on seqVm.
  const seqSizes = { ...par.vm.regionSizes };
  const runSeq = () => executeBlock(par.vm, block, pre, { verifySenders: false, sizes: seqSizes });
  for (let w = 1; w < (o.warmups ?? WARMUPS); w++) runSeq();
  const seqExec: number[] = [];
  const seqSetup: number[] = [];
  const seqWall: number[] = [];
  const sides: Array<Side | "seq"> = ["seq", ...parSides];
  let rounds = 0;
  const t0 = performance.now();
  while (rounds < o.maxRounds && (rounds < o.minRounds || performance.now() - t0 < o.timeMs)) {
    const order = sides.map((_, i) => sides[(i + rounds) % sides.length]!);
    let seqMs = NaN;
    const parMs = new Map<string, number>();
    // Each timed run comes right after an untimed run of the same side, so that every side finds
    // its own data in the caches, as an executor replaying block after block does. Timed straight
    // after another side's run, the sequential side (then on a Vm of its own) always started cold
    // and the parallel sides mostly warm: on blocks where both run the same sequential path (one
    // transaction, or one sender's run) that read as 1.01-1.13x in favour of Block-STM.
    // Runs follow one another without a forced gc() or a pause, as in a replay loop: both leave
    // the worker cores idle, and a VM parks idle vCPUs (measured on the erc20 kind: Block-STM's
    // worker phase 6.8 ms back to back, 9.1 ms after a 15 ms pause, 11.4 ms after gc(); on
    // block 17034869 at 2 threads, 1.21x back to back and 0.77x with a gc() before each round).
    for (const side of order) {
      if (side === "seq") {
        runSeq(); // its own run first (see above)
        const tCall = performance.now();
        const r = runSeq();
        seqWall.push(performance.now() - tCall);
        seqMs = r.stats.executionMs;
        seqExec.push(seqMs);
        seqSetup.push(r.stats.setupMs ?? NaN);
        continue;
      }
      const a = acc.get(side.key)!;
      if (a.error) continue;
      try {
        const first = await par.execute(block, pre, { verifySenders: false, threads: side.threads, policy: side.policy }); // its own run first
        const tCall = performance.now();
        const r = await par.execute(block, pre, { verifySenders: false, threads: side.threads, policy: side.policy });
        a.wall.push(performance.now() - tCall);
        a.exec.push(r.stats.executionMs);
        a.setup.push(r.stats.setupMs ?? NaN);
        a.stats.push(r.parallel);
        parMs.set(side.key, r.stats.executionMs);
        check(a, first);
        check(a, r);
      } catch (e) {
        a.error = errText(e);
      }
    }
    for (const [t, ms] of parMs) acc.get(t)!.ratio.push(seqMs / ms);
    rounds++;
  }
  const seqMedian = median(seqExec);
  const seqWallMedian = median(seqWall);
  const threads: Record<string, ThreadResult> = {};
  for (const side of parSides) {
    const a = acc.get(side.key)!;
    const t = side.threads;
    const st = a.stats;
    const med = (f: (s: ParallelStats) => number | undefined) => median(st.map((s) => f(s) ?? NaN).filter((x) => Number.isFinite(x)));
    const fallback = st.find((s) => s.sequential);
    const m = median(a.exec);
    threads[side.key] = {
      threads: t,
      policy: side.policy,
      executionMedianMs: m,
      executionMinMs: a.exec.length ? Math.min(...a.exec) : NaN,
      sequentialExecutionMedianMs: seqMedian,
      speedup: seqMedian / m,
      pairedSpeedupMedian: median(a.ratio),
      setupMedianMs: median(a.setup),
      wallMedianMs: median(a.wall),
      sequentialWallMedianMs: seqWallMedian,
      wallSpeedup: seqWallMedian / median(a.wall),
      runs: a.exec.length,
      executions: med((s) => s.executions),
      validations: med((s) => s.validations),
      aborts: med((s) => s.aborts),
      abortsMin: st.length ? Math.min(...st.map((s) => s.aborts)) : NaN,
      abortsMax: st.length ? Math.max(...st.map((s) => s.aborts)) : NaN,
      waits: med((s) => s.waits),
      credits: med((s) => s.credits),
      helped: med((s) => s.helped ?? 0),
      workersMs: med((s) => s.workersMs),
      commitMs: med((s) => s.commitMs),
      receiptsMs: med((s) => s.receiptsMs),
      sequential: fallback !== undefined,
      partitioned: st.some((s) => s.partitioned !== undefined),
      fallbackReason: fallback?.fallbackReason ?? null,
      identical: a.error === null && a.identical,
      diffs: a.diffs,
      error: a.error,
    };
  }
  return {
    rounds,
    sequential: { executionMedianMs: seqMedian, executionMinMs: Math.min(...seqExec), setupMedianMs: median(seqSetup), wallMedianMs: seqWallMedian, runs: seqExec.length },
    threads,
    reference,
  };
}

/** Rounds the floating-point fields of a ThreadResult for JSON. */
export function roundThread(r: ThreadResult): ThreadResult {
  const s = (x: number) => sig(x);
  return {
    ...r,
    executionMedianMs: s(r.executionMedianMs), executionMinMs: s(r.executionMinMs), sequentialExecutionMedianMs: s(r.sequentialExecutionMedianMs),
    speedup: s(r.speedup), pairedSpeedupMedian: s(r.pairedSpeedupMedian), setupMedianMs: s(r.setupMedianMs),
    wallMedianMs: s(r.wallMedianMs), sequentialWallMedianMs: s(r.sequentialWallMedianMs), wallSpeedup: s(r.wallSpeedup),
    workersMs: s(r.workersMs), commitMs: s(r.commitMs), receiptsMs: s(r.receiptsMs),
  };
}

export interface SpeedupTotals {
  /** Rows with a speedup (no error); identical counts those whose every parallel result matched. */
  blocks: number;
  identical: number;
  /** Of `blocks`, how many ran on the sequential path (too small, ...). */
  sequentialPath: number;
  geomeanSpeedup: number;
  /** Geometric mean over the rows that did run in parallel (sequential path excluded). */
  geomeanSpeedupParallelPath: number;
  /** sum(gas_i * speedup_i) / sum(gas_i). */
  gasWeightedSpeedup: number;
  /** sum(sequential ms) / sum(parallel ms): time-weighted. */
  totalTimeSpeedup: number;
  /** Geometric mean of the end-to-end (whole call) speedups. */
  geomeanWallSpeedup: number;
  minSpeedup: number;
  minSpeedupAt: string | null;
  maxSpeedup: number;
  maxSpeedupAt: string | null;
}

/** Totals over rows for one thread count; `rows` are [label, gas, result]. */
export function speedupTotals(rows: Array<[string, number, ThreadResult | undefined]>): SpeedupTotals {
  const ok = rows.filter((r): r is [string, number, ThreadResult] => r[2] !== undefined && r[2].error === null && Number.isFinite(r[2].speedup));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const gas = sum(ok.map((r) => r[1]));
  let min: [string, number, ThreadResult] | undefined, max: typeof min;
  for (const r of ok) {
    if (!min || r[2].speedup < min[2].speedup) min = r;
    if (!max || r[2].speedup > max[2].speedup) max = r;
  }
  return {
    blocks: ok.length,
    identical: ok.filter((r) => r[2].identical).length,
    sequentialPath: ok.filter((r) => r[2].sequential).length,
    geomeanSpeedup: sig(geomean(ok.map((r) => r[2].speedup))),
    geomeanSpeedupParallelPath: sig(geomean(ok.filter((r) => !r[2].sequential).map((r) => r[2].speedup))),
    gasWeightedSpeedup: sig(gas ? sum(ok.map((r) => r[1] * r[2].speedup)) / gas : NaN),
    totalTimeSpeedup: sig(sum(ok.map((r) => r[2].sequentialExecutionMedianMs)) / sum(ok.map((r) => r[2].executionMedianMs))),
    geomeanWallSpeedup: sig(geomean(ok.map((r) => r[2].wallSpeedup))),
    minSpeedup: sig(min ? min[2].speedup : NaN),
    minSpeedupAt: min ? min[0] : null,
    maxSpeedup: sig(max ? max[2].speedup : NaN),
    maxSpeedupAt: max ? max[0] : null,
  };
}

/** Speedup for a table cell: "1.23", "1.01s" on the sequential path, "1.30p" partitioned, "ERR", "1.23!" when not identical. */
export function fmtSpeedup(r: ThreadResult | undefined): string {
  if (!r) return "-";
  if (r.error) return "ERR";
  const x = Number.isFinite(r.speedup) ? r.speedup.toFixed(2) : "-";
  return (r.identical ? x : `${x}!`) + (r.sequential ? "s" : "") + (r.partitioned ? "p" : "");
}

export interface LoadInfo {
  /** os.loadavg() (1, 5, 15 min) at the start and the end of the suite. */
  start: number[];
  end: number[];
  /** 1-minute load average at start / end (above ~1 on this 2-core machine: something else was running). */
  load1Start: number;
  load1End: number;
  cores: number;
}

export function loadStart(suite: string): { start: number[]; finish: () => LoadInfo } {
  const start = loadavg();
  const cores = cpus().length;
  if (start[0]! > 1.5) {
    console.log(`warning: 1-minute load average is ${start[0]!.toFixed(2)} at the start of "${suite}" (${cores} cores): other processes compete for the CPU, timings and speedups are skewed`);
  }
  return {
    start,
    finish: () => {
      const end = loadavg();
      return { start: start.map((x) => sig(x, 3)), end: end.map((x) => sig(x, 3)), load1Start: sig(start[0]!, 3), load1End: sig(end[0]!, 3), cores };
    },
  };
}
