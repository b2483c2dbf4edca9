// Suite "parallel": Block-STM (ParallelExecutor on worker_threads) vs Braid's sequential executeBlock on
// the synthetic blocks of `braid synth` (src/synth), one per kind, 2,000 transactions each, fixed seed.
//
// Each block is generated once, untimed (signing and the generator's own sequential run take seconds).
// Then, per kind: one untimed sequential reference run and WARMUPS untimed warm-up runs of every
// side, followed by interleaved rounds (sequential, then each of BENCH_THREADS; order rotated each round;
// see stm.ts). Compared: stats.executionMs of both executors (medians over the same rounds);
// speedup = sequential / parallel. Every parallel result is compared with the sequential one
// (compareResults), and the sequential gasUsed with the generated header.
//
// Usage: npm run bench -- parallel [kinds...]     (e.g. `npm run bench -- parallel erc20 amm`)
// Env:   BENCH_PARALLEL_TXS (2000), BENCH_PARALLEL_SEED ("bench-parallel"),
//        BENCH_PARALLEL_MIN / _MAX / _MS   min rounds (7) / max rounds (40) / time budget per kind (4000 ms)
//        BENCH_PARALLEL_CEILING=0   skip the machine-ceiling measurement (bench/ceiling.ts)
//        BENCH_PARALLEL_PATH_ROUNDS runs timing each transaction, for the critical-path bound (bench/critical-path.ts)
//        BENCH_THREADS ("1,2,4") thread counts; BENCH_RESULTS_DIR (bench/results) where the JSON goes
import { cpus } from "node:os";
import { Vm } from "../dist/vm/vm.js";
import { loadBraidModule } from "../dist/node/load.js";
import { NodeWorkerPool } from "../dist/node/pool.js";
import { ParallelExecutor } from "../dist/parallel/execute.js";
import { blockFromRpc, preStateFromAlloc } from "../dist/block/parse.js";
import { SYNTH_KINDS, synthesizeBlock, type SynthKind, type SynthMeta } from "../dist/synth/index.js";
import { banner, benchCommand, fmtMs, fmtNum, formatTable, log, machineInfo, mgasPerS, sig, writeResults, type Column } from "./report.js";
import { measureCeiling, SLOW, type Ceiling } from "./ceiling.js";
import { measurePath, type PathFigures } from "./critical-path.js";
import { WARMUPS, benchThreads, compareSeqPar, fmtSpeedup, loadStart, roundThread, speedupTotals, type ThreadResult } from "./stm.js";

const num = (name: string, dflt: number) => (process.env[name] !== undefined ? Number(process.env[name]) : dflt);
const CFG = {
  txs: num("BENCH_PARALLEL_TXS", 2000),
  seed: process.env.BENCH_PARALLEL_SEED ?? "bench-parallel",
  minRounds: num("BENCH_PARALLEL_MIN", 7),
  maxRounds: num("BENCH_PARALLEL_MAX", 40),
  timeMs: num("BENCH_PARALLEL_MS", 4000),
  threads: benchThreads([1, 2, 4]),
  /** Measure the machine's 2-thread ceiling per kind (BENCH_PARALLEL_CEILING=0 skips it). */
  ceiling: num("BENCH_PARALLEL_CEILING", 1) !== 0,
  /** Sequential runs timing each transaction, for the block's critical-path bound. */
  pathRounds: num("BENCH_PARALLEL_PATH_ROUNDS", 9),
};

const gc = (globalThis as { gc?: () => void }).gc;
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 300);

interface KindRow {
  kind: SynthKind;
  txs: number;
  gasUsed: number;
  categories: SynthMeta["categories"] | null;
  generationMs: number;
  rounds: number;
  sequential: { executionMedianMs: number; executionMinMs: number; setupMedianMs: number; wallMedianMs: number; runs: number; mgasPerS: number; gasUsedMatchesHeader: boolean } | null;
  /** Keyed by thread count. */
  parallel: Record<string, ThreadResult> | null;
  /** Two independent sequential replays at once against one (bench/ceiling.ts). */
  ceiling: Ceiling | null;
  /** The block's own limit: its critical path at 2 and 4 threads (bench/critical-path.ts). */
  path: PathFigures | null;
  error: string | null;
}

async function benchKind(kind: SynthKind, vm: Vm, par: ParallelExecutor): Promise<KindRow> {
  const row: KindRow = { kind, txs: CFG.txs, gasUsed: NaN, categories: null, generationMs: NaN, rounds: 0, sequential: null, parallel: null, ceiling: null, path: null, error: null };
  try {
    const g0 = performance.now();
    const sb = synthesizeBlock({ kind, txs: CFG.txs, seed: CFG.seed });
    row.generationMs = performance.now() - g0;
    row.gasUsed = sb.meta.gasUsed;
    row.categories = sb.meta.categories;
    const block = blockFromRpc(sb.block);
    const pre = preStateFromAlloc(sb.alloc);
    gc?.();
    const c = await compareSeqPar(vm, par, block, pre, { threads: CFG.threads, minRounds: CFG.minRounds, maxRounds: CFG.maxRounds, timeMs: CFG.timeMs });
    row.rounds = c.rounds;
    row.sequential = {
      ...c.sequential,
      mgasPerS: mgasPerS(row.gasUsed, c.sequential.executionMedianMs),
      gasUsedMatchesHeader: c.reference.gasUsed === block.header.gasUsed,
    };
    row.parallel = c.threads;
    row.path = await measurePath(vm, par, block, pre, CFG.pathRounds);
    if (CFG.ceiling) row.ceiling = await measureCeiling({ block: sb.block, alloc: sb.alloc });
  } catch (e) {
    row.error = errText(e);
  }
  return row;
}

export async function run(args: string[]): Promise<void> {
  const unknown = args.filter((a) => !(SYNTH_KINDS as readonly string[]).includes(a));
  if (unknown.length) throw new Error(`unknown kind(s) ${unknown.join(", ")}; known: ${SYNTH_KINDS.join(", ")}`);
  const kinds: SynthKind[] = args.length ? (args as SynthKind[]) : [...SYNTH_KINDS];
  console.log(banner(`parallel: Block-STM vs sequential on ${kinds.length} synthetic blocks of ${CFG.txs} transactions (threads ${CFG.threads.join(", ")})`));
  const load = loadStart("parallel");
  const module = loadBraidModule();
  const vm = new Vm(module);
  const parVm = new Vm(module);
  const pool = new NodeWorkerPool(Math.max(...CFG.threads), module, parVm.memory);
  const rows: KindRow[] = [];
  const started = Date.now();
  try {
    await pool.whenReady();
    const par = new ParallelExecutor(parVm, pool);
    for (const kind of kinds) {
      const t0 = Date.now();
      const row = await benchKind(kind, vm, par);
      rows.push(row);
      const p = row.parallel;
      log(
        `  ${kind.padEnd(13)} gen ${fmtNum(row.generationMs / 1000, 1)} s  seq ${fmtMs(row.sequential?.executionMedianMs ?? NaN)} ms` +
          (p ? `  stm ${CFG.threads.map((n) => `${n}:${fmtMs(p[String(n)]!.executionMedianMs)} ms ${fmtSpeedup(p[String(n)])}x`).join("  ")} (${row.rounds} rounds)` : "") +
          (row.error ? `  error: ${row.error}` : "") + `  [${((Date.now() - t0) / 1000).toFixed(1)} s]`,
      );
      gc?.();
    }
  } finally {
    await pool.close();
  }

  const totals = Object.fromEntries(CFG.threads.map((n) => [String(n), speedupTotals(rows.map((r) => [r.kind, r.gasUsed, r.parallel?.[String(n)]]))]));
  const ceilings = rows.map((r) => r.ceiling?.ceiling ?? NaN).filter((x) => Number.isFinite(x));
  const ceilingGeomean = ceilings.length ? Math.exp(ceilings.reduce((a, x) => a + Math.log(x), 0) / ceilings.length) : NaN;
  type R = KindRow | { total: true };
  const isT = (r: R): r is { total: true } => "total" in r;
  const th = (r: KindRow, n: number) => r.parallel?.[String(n)];
  const cols: Column<R>[] = [
    { header: "kind", align: "left", value: (r) => (isT(r) ? "geomean" : r.kind) },
    { header: "txs", value: (r) => (isT(r) ? "" : String(r.txs)) },
    { header: "Mgas", value: (r) => (isT(r) ? "" : fmtNum(r.gasUsed / 1e6, 1)) },
    { header: "seq ms", value: (r) => (isT(r) ? "" : fmtMs(r.sequential?.executionMedianMs ?? NaN)) },
    ...CFG.threads.flatMap((n): Column<R>[] => [
      { header: `stm${n} ms`, value: (r) => (isT(r) ? "" : fmtMs(th(r, n)?.executionMedianMs ?? NaN)) },
      { header: `x${n}`, value: (r) => (isT(r) ? fmtNum(totals[String(n)]!.geomeanSpeedup, 2) : fmtSpeedup(th(r, n))) },
    ]),
    { header: "wall x2", value: (r) => (isT(r) ? fmtNum(totals["2"]?.geomeanWallSpeedup ?? NaN, 2) : fmtNum(th(r, 2)?.wallSpeedup ?? NaN, 2)) },
    { header: "bound@2", value: (r) => (isT(r) ? "" : fmtNum(r.path?.byTime["2"]?.bound ?? NaN, 2)) },
    { header: "ceil@2", value: (r) => (isT(r) ? fmtNum(ceilingGeomean, 2) : fmtNum(r.ceiling?.ceiling ?? NaN, 2)) },
    { header: "exec@2", value: (r) => (isT(r) ? "" : fmtNum(th(r, 2)?.executions ?? NaN, 0)) },
    { header: "valid@2", value: (r) => (isT(r) ? "" : fmtNum(th(r, 2)?.validations ?? NaN, 0)) },
    { header: "abort@2", value: (r) => (isT(r) ? "" : fmtNum(th(r, 2)?.aborts ?? NaN, 0)) },
    { header: "wait@2", value: (r) => (isT(r) ? "" : fmtNum(th(r, 2)?.waits ?? NaN, 0)) },
    { header: "abort@4", value: (r) => (isT(r) ? "" : fmtNum(th(r, 4)?.aborts ?? NaN, 0)) },
    { header: "setup@2", value: (r) => (isT(r) ? "" : fmtMs(th(r, 2)?.setupMedianMs ?? NaN)) },
    { header: "rounds", value: (r) => (isT(r) ? "" : String(r.rounds)) },
    { header: "same", align: "left", value: (r) => {
      if (isT(r)) return `${Math.min(...CFG.threads.map((n) => totals[String(n)]!.identical))}/${rows.length}`;
      if (!r.parallel) return r.error ? "error" : "-";
      const v = Object.values(r.parallel);
      return v.some((x) => x.error) ? "error" : v.every((x) => x.identical) && r.sequential?.gasUsedMatchesHeader ? "yes" : "NO";
    } },
  ];
  console.log("");
  console.log(formatTable<R>(cols, rows, [{ total: true }]));
  console.log("seq/stmN ms: median stats.executionMs (sequential executeBlock / Block-STM on N threads) over the same interleaved rounds; xN = seq / stmN;" +
    " s = sequential path, p = partitioned (plain transfers in groups that share no account, src/parallel/partition.ts), ! = result differs; wall x2 = the same for the whole call at 2 threads (pre-state load, staging, execution, receipts root, state diff); counters at 2 threads are medians over the rounds; setup@2 = Block-STM setupMs (staging, not in stmN ms);" +
    " bound@2 = the block's own limit at 2 threads: summed transaction time / max(critical path, half of it), over the dependencies Block-STM found (bench/critical-path.ts);" +
    " ceil@2 = the machine's 2-thread ceiling: two independent sequential replays of the block at once against one (bench/ceiling.ts)");
  for (const r of rows) {
    if (r.error) console.log(`  ${r.kind}: error: ${r.error}`);
    for (const [n, p] of Object.entries(r.parallel ?? {})) {
      if (p.error) console.log(`  ${r.kind}: Block-STM (${n} threads) error: ${p.error}`);
      else if (!p.identical) console.log(`  ${r.kind}: Block-STM (${n} threads) result differs from sequential: ${p.diffs.join("; ")}`);
    }
    if (r.sequential && !r.sequential.gasUsedMatchesHeader) console.log(`  ${r.kind}: sequential gasUsed differs from the generated header`);
  }
  for (const n of CFG.threads) {
    const b = totals[String(n)]!;
    console.log(`Block-STM ${n} thread${n > 1 ? "s" : ""}: geometric-mean speedup ${fmtNum(b.geomeanSpeedup, 3)}x, gas-weighted ${fmtNum(b.gasWeightedSpeedup, 3)}x, ` +
      `min ${fmtNum(b.minSpeedup, 3)}x (${b.minSpeedupAt}), max ${fmtNum(b.maxSpeedup, 3)}x (${b.maxSpeedupAt}); whole call ${fmtNum(b.geomeanWallSpeedup, 3)}x; identical ${b.identical}/${b.blocks}`);
  }
  if (ceilings.length) {
    const x2 = totals["2"];
    console.log(`Machine ceiling at 2 threads (two independent sequential replays at once): geometric mean ${fmtNum(ceilingGeomean, 3)}x` +
      (x2 ? `; Block-STM 2 threads reaches ${fmtNum((100 * x2.geomeanSpeedup) / ceilingGeomean, 0)}% of it` : ""));
    const measured = rows.flatMap((r) => (r.ceiling ? [r.ceiling] : []));
    const pct = (f: (c: Ceiling) => number) => fmtNum((100 * measured.reduce((sum, c) => sum + f(c), 0)) / measured.length, 0);
    console.log(`Slow runs in the ceiling's phases (at least ${SLOW}x the median alone): ${pct((c) => c.slowAlone)}% of the runs alone, ` +
      `${pct((c) => c.slowPair)}% of the runs two at once (mean over the kinds; the machine's noise, which a run on two threads meets on either core)`);
  }
  const machineLoad = load.finish();
  console.log(`load average (1 min): ${machineLoad.load1Start} at start, ${machineLoad.load1End} at end (${machineLoad.cores} cores; the end figure includes this suite). Suite took ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  if (Math.max(machineLoad.load1Start, machineLoad.load1End) > cpus().length) {
    console.log(`warning: load average above the core count (${cpus().length}): other processes competed for the CPU`);
  }

  const data = {
    suite: "parallel",
    date: new Date().toISOString(),
    machine: machineInfo(),
    /** os.loadavg() (1, 5, 15 min) at start and end, and the 1-minute figures. */
    machineLoad,
    command: benchCommand("parallel", args),
    filters: args,
    config: CFG,
    method: {
      blocks: `synthesizeBlock({ kind, txs: ${CFG.txs}, seed: "${CFG.seed}" }) once per kind, untimed; blockFromRpc + preStateFromAlloc`,
      sequential: "executeBlock(vm2, block, pre, { verifySenders: false, sizes: the region sizes of the Block-STM path }) on the parallel executor's own Vm (the reference result for the checks: executeBlock on a separate vm1); time = stats.executionMs (after the pre-state load; no receiptsRoot / state diff)",
      parallel: `ParallelExecutor(vm2, NodeWorkerPool(${Math.max(...CFG.threads)} workers on vm2.memory)).execute(block, pre, { verifySenders: false, threads }); time = stats.executionMs (workers + in-order commit and any serial rest + reading the receipts, whose logs decode on first access; staging is setupMs)`,
      rounds: `one untimed sequential reference run, then ${WARMUPS} untimed warm-up runs of each side (the parallel ones checked), then rounds of (sequential, ${CFG.threads.join(", ")} threads) with the order rotated each round, each timed run right after an untimed run of the same side (every side finds its own data in the caches, as in a replay loop), no forced gc() between runs (a forced gc() or pause idles the worker cores, which the VM then parks); at least minRounds, more while under timeMs, at most maxRounds`,
      speedup: "median sequential executionMs / median parallel executionMs over the same rounds; pairedSpeedupMedian = median of the per-round ratios",
      wallSpeedup: "median time of the whole sequential executeBlock call / of the whole execute() call (pre-state load, staging, execution, receipts root, state diff), same rounds",
      identical: "every parallel result (warm-up and timed) equals the sequential reference under compareResults (receipts, gasUsed, logsBloom, state diff)",
      path: "bench/critical-path.ts: each transaction's median time over pathRounds runs of executeBlock(..., { timeTransactions: true }) after one untimed run, and its gas, over the dependencies of one Block-STM run at 2 threads with every transaction on Block-STM (ParallelStats.dependencies); bound = summed weight / max(critical path, summed weight / threads); inOrder = summed weight / length of the block-order list schedule with no overhead",
      ceiling: `bench/ceiling.ts: the block's sequential replay on two worker threads with a Vm each; 3 repeats of (15 runs on each thread alone, then 15 runs on both at once); ceiling = 2 x median alone / median at once; slowAlone / slowPair = shares of those runs taking at least ${SLOW}x the median alone`,
    },
    ceilingGeomean: sig(ceilingGeomean),
    totals,
    kinds: rows.map((r) => ({
      ...r,
      generationMs: sig(r.generationMs),
      sequential: r.sequential && {
        ...r.sequential, executionMedianMs: sig(r.sequential.executionMedianMs), executionMinMs: sig(r.sequential.executionMinMs),
        setupMedianMs: sig(r.sequential.setupMedianMs), wallMedianMs: sig(r.sequential.wallMedianMs), mgasPerS: sig(r.sequential.mgasPerS),
      },
      parallel: r.parallel && Object.fromEntries(Object.entries(r.parallel).map(([k, v]) => [k, roundThread(v)])),
      ceiling: r.ceiling && { ...r.ceiling, aloneMedianMs: sig(r.ceiling.aloneMedianMs), pairMedianMs: sig(r.ceiling.pairMedianMs), ceiling: sig(r.ceiling.ceiling), slowAlone: sig(r.ceiling.slowAlone), slowPair: sig(r.ceiling.slowPair) },
    })),
  };
  // Partial runs (kind filters) go to a scratch file so they do not replace the full results.
  const path = writeResults(args.length ? "parallel.tmp" : "parallel", data);
  log(`results written to ${path}`);
}

// Standalone: node --expose-gc dist-bench/parallel.js [kinds...]
if (import.meta.url === `file://${process.argv[1]}`) {
  await run(process.argv.slice(2));
}
