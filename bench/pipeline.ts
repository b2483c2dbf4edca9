// Suite "pipeline": does independent work run faster than a dependent chain of the same length?
//
// Pure opcodes (bench/pipeline/pure.ts): for each opcode, N steps as one dependent chain and as K
// interleaved independent streams, run through runCode (warm SLOAD: the same call with the slots
// in the pre-state and the access list); ns per opcode = (program - baseline) / N, where the
// baseline has the same shuffling with stand-ins for the measured opcodes. Overlap = chain / streams.
// A wasm interpreter executes one opcode after another, so expect about 1.0. Timed in several
// child processes (bench/pipeline/pure-run.ts), best of them.
//
// Cold SLOAD via a slow provider (bench/pipeline/remote.ts): a one-transaction block making M
// SLOADs, chained or independent, executed by executeRemote against a MemoryStateProvider that
// waits `latency` ms per round trip, in order and out of order (run-ahead). Receipts must match.
//
// Usage: npm run bench -- pipeline [pure|remote|<opcode>...]
// Env:   BENCH_PIPELINE_N (4096), BENCH_PIPELINE_PROCS (5), BENCH_PIPELINE_MS (300),
//        BENCH_PIPELINE_M (64), BENCH_PIPELINE_ITERS (5), BENCH_PIPELINE_LATENCIES ("2,0.5,0")
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Vm } from "../dist/vm/vm.js";
import { loadBraidModule } from "../dist/node/load.js";
import { NodeWorkerPool } from "../dist/node/pool.js";
import { executeRemote } from "../dist/remote/execute.js";
import { MemoryStateProvider } from "../dist/remote/memory-provider.js";
import { PURE_CASES, K, SHAPES, STAND_IN, UNROLL, type PureCase, type Shape } from "./pipeline/pure.js";
import { type PureRunConfig, type PureSample } from "./pipeline/pure-run.js";
import { CHAIN, REMOTE_SHAPES, remoteFixture, receiptSummary, type RemoteShape } from "./pipeline/remote.js";
import { banner, benchCommand, fmtMs, fmtNum, formatTable, load1, log, machineInfo, median, sig, writeResults, type Column } from "./report.js";

const num = (name: string, dflt: number) => (process.env[name] !== undefined ? Number(process.env[name]) : dflt);
const CFG = {
  steps: num("BENCH_PIPELINE_N", 4096),
  streams: K,
  unroll: UNROLL,
  /** Child processes timing the pure opcodes (best of them). */
  processes: num("BENCH_PIPELINE_PROCS", 5),
  /** Per program and process, split over `rounds`. */
  timeMs: num("BENCH_PIPELINE_MS", 300),
  rounds: 2,
  minSamples: 10,
  warmupMs: 1000,
  sloads: num("BENCH_PIPELINE_M", 64),
  remoteIterations: num("BENCH_PIPELINE_ITERS", 5),
  latenciesMs: (process.env.BENCH_PIPELINE_LATENCIES ?? "2,0.5,0").split(",").map(Number),
};

// ---------------------------------------------------------------------------------------------- pure

interface PureRow {
  op: string;
  standIn: string;
  /** The lowest, across processes, of the median ms per run. */
  baselineMs: number;
  chainMs: number;
  streamsMs: number;
  /** ns per measured opcode (per MLOAD+MSTORE pair), baseline subtracted. */
  chainNs: number;
  streamsNs: number;
  /** Lowest and highest chain ns/op seen in one process. */
  chainNsRange: [number, number];
  overlap: number;
  /** chain ms / streams ms, overhead included (less noisy where the opcode is cheap). */
  runRatio: number;
  /** Everything else per step (shuffling, loop, runCode's fixed cost spread over N). */
  overheadNs: number;
  gasPerOp: number;
  rmePct: number;
}

function pure(cases: PureCase[]): PureRow[] {
  const child = fileURLToPath(new URL("./pipeline/pure-run.js", import.meta.url));
  const cfg: PureRunConfig = {
    names: cases.map((c) => c.name), steps: CFG.steps, timeMs: CFG.timeMs, rounds: CFG.rounds, minSamples: CFG.minSamples, warmupMs: CFG.warmupMs,
  };
  const runs: PureSample[][] = [];
  for (let i = 0; i < CFG.processes; i++) {
    const out = execFileSync(process.execPath, ["--expose-gc", child, JSON.stringify(cfg)], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
    runs.push(JSON.parse(out) as PureSample[]);
    log(`  pure opcodes: process ${i + 1}/${CFG.processes} done`);
  }
  const n = CFG.steps;
  return cases.map((c) => {
    const samples = runs.map((r) => r.find((s) => s.name === c.name)!);
    // Best of the processes: a process where a dispatch pattern runs slow says nothing about the opcode.
    const ms = Object.fromEntries(SHAPES.map((sh) => [sh, Math.min(...samples.map((s) => s.ms[sh]))])) as Record<Shape, number>;
    const perOp = (x: number, base = ms.baseline) => ((x - base) * 1e6) / n;
    const perProcess = samples.map((s) => perOp(s.ms.chain, s.ms.baseline));
    const gas = samples[0]!.gas;
    const row: PureRow = {
      op: c.name, standIn: c.ops.map((o) => STAND_IN[o]!.join(" ") || "-").join(", "),
      baselineMs: sig(ms.baseline), chainMs: sig(ms.chain), streamsMs: sig(ms.streams),
      chainNs: sig(perOp(ms.chain), 3), streamsNs: sig(perOp(ms.streams), 3),
      chainNsRange: [sig(Math.min(...perProcess), 3), sig(Math.max(...perProcess), 3)],
      overlap: sig(perOp(ms.chain) / perOp(ms.streams), 3), runRatio: sig(ms.chain / ms.streams, 3),
      overheadNs: sig((ms.baseline * 1e6) / n, 3), gasPerOp: Number(BigInt(gas.chain) - BigInt(gas.baseline)) / n,
      rmePct: sig(Math.max(...samples.map((s) => s.rmePct)), 2),
    };
    log(`  ${c.name.padEnd(14)} chain ${fmtNum(row.chainNs)} ns/op  streams ${fmtNum(row.streamsNs)} ns/op  overlap ${fmtNum(row.overlap, 2)}`);
    return row;
  });
}

// ---------------------------------------------------------------------------------------------- remote

interface RemoteRun {
  wallMs: number;
  roundTrips: number;
  prefetchRoundTrips: number;
  stalls: number;
  fetchMs: number;
}

interface RemoteRow {
  latencyMs: number;
  shape: RemoteShape;
  inOrder: RemoteRun;
  outOfOrder: RemoteRun;
  /** Wall ns per SLOAD (the whole block over M). */
  inOrderNsPerSload: number;
  outOfOrderNsPerSload: number;
  /** in-order wall / out-of-order wall */
  runAheadSpeedup: number;
  receipt: string;
}

async function remote(): Promise<RemoteRow[]> {
  const module = loadBraidModule();
  const vm = new Vm(module);
  const pool = new NodeWorkerPool(1, module, vm.memory);
  const m = CFG.sloads;
  const fx = remoteFixture(m);
  const rows: RemoteRow[] = [];
  try {
    await pool.whenReady();
    for (const latencyMs of CFG.latenciesMs) {
      const provider = new MemoryStateProvider(fx.pre, { latencyMs });
      const runs = new Map<string, RemoteRun[]>();
      const receipts = new Map<RemoteShape, string>();
      // Iteration 0 is warmup; modes alternate within an iteration so drift hits all alike.
      for (let it = 0; it <= CFG.remoteIterations; it++) {
        for (const shape of REMOTE_SHAPES) {
          for (const ooo of [false, true]) {
            const t0 = performance.now();
            const r = await executeRemote(vm, fx.blocks[shape], provider, { chain: CHAIN, ooo, pool, threads: 1, verifySenders: false });
            const wallMs = performance.now() - t0;
            const got = r.receipts.length === 1 ? receiptSummary(r.receipts[0]!) : `${r.receipts.length} receipts`;
            const want = receipts.get(shape);
            if (want === undefined) {
              const log0 = r.receipts[0]?.logs[0]?.data;
              const value = log0 ? BigInt("0x" + Buffer.from(log0).toString("hex")) : undefined;
              if (r.receipts[0]?.status !== "success" || value !== fx.expected[shape]) {
                throw new Error(`pipeline remote ${shape} (ooo ${ooo}, ${latencyMs} ms): ${got}, expected a success logging ${fx.expected[shape].toString(16)}`);
              }
              receipts.set(shape, got);
            } else if (got !== want) {
              throw new Error(`pipeline remote ${shape}: RECEIPTS DIFFER between runs (ooo ${ooo}, ${latencyMs} ms)\n  ${got}\n  first run: ${want}`);
            }
            if (it === 0) continue;
            const key = `${shape}/${ooo}`;
            const s = r.remote;
            runs.set(key, [...(runs.get(key) ?? []), { wallMs, roundTrips: s.roundTrips, prefetchRoundTrips: s.prefetchRoundTrips, stalls: s.stalls, fetchMs: s.fetchMs }]);
          }
        }
      }
      const summarize = (xs: RemoteRun[]): RemoteRun => ({
        wallMs: sig(median(xs.map((x) => x.wallMs))), roundTrips: median(xs.map((x) => x.roundTrips)),
        prefetchRoundTrips: median(xs.map((x) => x.prefetchRoundTrips)), stalls: median(xs.map((x) => x.stalls)),
        fetchMs: sig(median(xs.map((x) => x.fetchMs))),
      });
      for (const shape of REMOTE_SHAPES) {
        const io = summarize(runs.get(`${shape}/false`)!), oo = summarize(runs.get(`${shape}/true`)!);
        const row: RemoteRow = {
          latencyMs, shape, inOrder: io, outOfOrder: oo,
          inOrderNsPerSload: sig((io.wallMs * 1e6) / m, 3), outOfOrderNsPerSload: sig((oo.wallMs * 1e6) / m, 3),
          runAheadSpeedup: sig(io.wallMs / oo.wallMs, 3), receipt: receipts.get(shape)!,
        };
        rows.push(row);
        log(`  ${latencyMs} ms ${shape.padEnd(5)} in order ${fmtMs(io.wallMs)} ms (${io.roundTrips} RT)  ` +
          `out of order ${fmtMs(oo.wallMs)} ms (${oo.roundTrips} RT)  x${fmtNum(row.runAheadSpeedup, 2)}`);
      }
    }
  } finally {
    await pool.close();
  }
  return rows;
}

/** Per latency: chain wall / independent wall in each mode, and the measured wait per round trip. */
function remoteOverlap(rows: RemoteRow[]) {
  return CFG.latenciesMs.map((latencyMs) => {
    const [c, i] = REMOTE_SHAPES.map((s) => rows.find((r) => r.latencyMs === latencyMs && r.shape === s)!);
    return {
      latencyMs, inOrder: sig(c!.inOrder.wallMs / i!.inOrder.wallMs, 3), outOfOrder: sig(c!.outOfOrder.wallMs / i!.outOfOrder.wallMs, 3),
      msPerRoundTrip: sig(i!.inOrder.fetchMs / i!.inOrder.roundTrips, 3),
    };
  });
}

// ---------------------------------------------------------------------------------------------- suite

export async function run(args: string[]): Promise<void> {
  const filters = args.filter((a) => !a.startsWith("--")).map((a) => a.toLowerCase());
  const wantRemote = filters.length === 0 || filters.includes("remote");
  const cases = filters.length === 0 || filters.includes("pure")
    ? PURE_CASES
    : PURE_CASES.filter((c) => filters.some((f) => c.name.toLowerCase().includes(f)));
  if (cases.length === 0 && !wantRemote) throw new Error(`pipeline: nothing matches ${filters.join(" ")}`);
  const started = Date.now();
  const loadAtStart = load1();
  log(`pipeline: ${cases.length} opcodes x ${CFG.steps} steps (chain / ${K} streams / baseline), ` +
    `${wantRemote ? `${CFG.sloads} cold SLOADs at ${CFG.latenciesMs.join(", ")} ms` : "no slow-provider cases"}`);

  const pureRows = cases.length ? pure(cases) : [];
  const remoteRows = wantRemote ? await remote() : [];
  const overlap = remoteRows.length ? remoteOverlap(remoteRows) : [];

  if (pureRows.length) {
    const cols: Column<PureRow>[] = [
      { header: "opcode", value: (r) => r.op, align: "left" },
      { header: "chain ns/op", value: (r) => fmtNum(r.chainNs) },
      { header: `${K} streams ns/op`, value: (r) => fmtNum(r.streamsNs) },
      { header: "overlap", value: (r) => fmtNum(r.overlap, 2) },
      { header: "whole-run ratio", value: (r) => fmtNum(r.runRatio, 3) },
      { header: "stand-in", value: (r) => r.standIn, align: "left" },
      { header: `chain ns/op, ${CFG.processes} procs`, value: (r) => `${fmtNum(r.chainNsRange[0])}..${fmtNum(r.chainNsRange[1])}` },
      { header: "overhead ns/step", value: (r) => fmtNum(r.overheadNs) },
      { header: "gas/op", value: (r) => String(r.gasPerOp) },
    ];
    console.log(banner(`pipeline: dependent chain vs ${K} independent streams, ${CFG.steps} ops per run (runCode)`));
    console.log(formatTable(cols, pureRows));
    console.log("ns/op = (run - baseline) / N: the baseline has the same shuffling (DUP/PUSH/SWAP/POP, loop)\n" +
      "with each measured opcode replaced by its stand-in, so ns/op and gas/op are net of the stand-in (warm SLOAD gas:\n" +
      "100 - 1 for JUMPDEST). overlap = chain ns/op / streams ns/op (1.0: no overlap; meaningless where ns/op is ~0);\n" +
      "whole-run ratio = chain ms / streams ms. Each program's time is the best of its per-process medians (one\n" +
      "process, or load from others, can run a dispatch pattern ~10 ns/step slower); the range is chain ns/op as\n" +
      "computed within each process alone.\n" +
      "Both shapes' results are checked against a JS model.");
  }
  if (remoteRows.length) {
    const cols: Column<RemoteRow>[] = [
      { header: "latency", value: (r) => `${r.latencyMs} ms`, align: "left" },
      { header: "keys", value: (r) => r.shape, align: "left" },
      { header: "in-order ms", value: (r) => fmtMs(r.inOrder.wallMs) },
      { header: "RT", value: (r) => String(r.inOrder.roundTrips) },
      { header: "stalls", value: (r) => String(r.inOrder.stalls) },
      { header: "run-ahead ms", value: (r) => fmtMs(r.outOfOrder.wallMs) },
      { header: "RT", value: (r) => String(r.outOfOrder.roundTrips) },
      { header: "stalls", value: (r) => String(r.outOfOrder.stalls) },
      { header: "in-order ns/SLOAD", value: (r) => Math.round(r.inOrderNsPerSload).toLocaleString("en-US") },
      { header: "run-ahead ns/SLOAD", value: (r) => Math.round(r.outOfOrderNsPerSload).toLocaleString("en-US") },
      { header: "run-ahead speedup", value: (r) => `x${fmtNum(r.runAheadSpeedup, 2)}` },
    ];
    console.log(banner(`pipeline: ${CFG.sloads} cold SLOADs via a slow provider, one transaction (executeRemote, 1 worker)`));
    console.log(formatTable(cols, remoteRows));
    console.log("\n" + formatTable<(typeof overlap)[number]>([
      { header: "latency", value: (r) => `${r.latencyMs} ms`, align: "left" },
      { header: "measured ms/RT", value: (r) => fmtNum(r.msPerRoundTrip, 2) },
      { header: "overlap in order (chain/indep)", value: (r) => fmtNum(r.inOrder, 2) },
      { header: "overlap run-ahead (chain/indep)", value: (r) => fmtNum(r.outOfOrder, 2) },
    ], overlap));
    console.log("RT = provider round trips (median), stalls = reads that stopped the transaction; ms are medians of " +
      `${CFG.remoteIterations} runs after a warmup; measured ms/RT is the provider's wait (setTimeout: at least ~1 ms).\n` +
      `Receipts (status, gas, logged value) identical in order and out of order: ${remoteRows.map((r) => `${r.shape}: ${r.receipt}`).filter((v, i, a) => a.indexOf(v) === i).join("; ")}`);
  }
  console.log(`1-min load average: ${loadAtStart} at start, ${load1()} at end (${machineInfo().cores} cores)`);

  const path = writeResults("pipeline", {
    suite: "pipeline",
    command: benchCommand("pipeline", args),
    description: "Dependent chain vs independent streams. Pure opcodes: runCode on hand-assembled loops (K accumulators, " +
      "UNROLL steps per iteration), tinybench median per run, lowest across `processes` child processes; " +
      "ns/op = (run - baseline)/N, overlap = chain/streams. " +
      "Slow provider: one-transaction Cancun block of M cold SLOADs via executeRemote on a MemoryStateProvider with " +
      "latencyMs per round trip (setTimeout: sub-ms latencies round up to ~1 ms), 1 worker, in order vs out of order; medians.",
    date: new Date().toISOString(),
    machine: machineInfo(),
    config: CFG,
    filters,
    durationS: Math.round((Date.now() - started) / 1000),
    loadAverage1m: { start: loadAtStart, end: load1() },
    pure: pureRows,
    remote: remoteRows,
    remoteOverlap: overlap,
  });
  console.log(`\nresults: ${path}  (${Math.round((Date.now() - started) / 1000)} s)`);
}
