// Suite "ooo": every mainnet fixture executed with an empty cache against a provider backed by the
// fixture (src/remote/memory-provider.ts) that takes a fixed simulated latency per round trip.
// Four runs per block: in order and out of order (run-ahead), each sequentially (one worker) and
// with the parallel executor (Block-STM on BENCH_OOO_THREADS workers, more than the cores: they
// mostly wait on state). Reported: round trips and wall time per run, and the ratios against
// in-order sequential. Every run's receipts are compared with the preloaded executeBlock.
//
// Usage: npm run bench -- ooo [block numbers...]
// Env:   BENCH_OOO_LATENCY_MS (2), BENCH_OOO_THREADS (16)
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Vm } from "../dist/vm/vm.js";
import { loadBraidModule } from "../dist/node/load.js";
import { NodeWorkerPool } from "../dist/node/pool.js";
import { loadBlockFixture } from "../dist/node/fixture.js";
import { executeBlock } from "../dist/block/execute.js";
import { executeRemote } from "../dist/remote/execute.js";
import { MemoryStateProvider } from "../dist/remote/memory-provider.js";
import { fixturesDir } from "./fixtures.js";
import { banner, benchCommand, fmtNum, formatTable, log, machineInfo, load1, median, sig, writeResults, RESULTS_DIR, type Column } from "./report.js";

const LATENCY = Number(process.env.BENCH_OOO_LATENCY_MS ?? 2);
const THREADS = Number(process.env.BENCH_OOO_THREADS ?? 16);
const MODES = [
  { key: "inorderSeq", ooo: false, threads: 1 },
  { key: "oooSeq", ooo: true, threads: 1 },
  { key: "inorderPar", ooo: false, threads: THREADS },
  { key: "oooPar", ooo: true, threads: THREADS },
] as const;
type ModeKey = (typeof MODES)[number]["key"];

interface Run { roundTrips: number; ms: number; stalls: number; prefetchRoundTrips: number; accounts: number; slots: number }
interface Row { block: string; txs: number; runs: Record<ModeKey, Run> }


export async function run(args: string[]): Promise<void> {
  const root = join(fixturesDir(), "mainnet-blocks");
  const blocks = readdirSync(root).filter((d) => args.length === 0 || args.includes(d)).sort((a, b) => Number(a) - Number(b));
  const module = await loadBraidModule();
  const vm = new Vm(module);
  const pool = new NodeWorkerPool(THREADS, module, vm.memory);
  await pool.whenReady();
  const rows: Row[] = [];
  try {
    for (const name of blocks) {
      const ref = loadBlockFixture(join(root, name));
      const expect = executeBlock(vm, ref.block, ref.pre, { verifySenders: false });
      const runs = {} as Record<ModeKey, Run>;
      for (const m of MODES) {
        const fx = loadBlockFixture(join(root, name));
        const provider = new MemoryStateProvider(fx.pre, { latencyMs: LATENCY });
        const t0 = performance.now();
        const r = await executeRemote(vm, fx.block, provider, { ooo: m.ooo, threads: m.threads, pool, verifySenders: false });
        const ms = performance.now() - t0;
        const same = r.gasUsed === expect.gasUsed && r.receipts.length === expect.receipts.length
          && r.receipts.every((x, i) => x.status === expect.receipts[i]!.status && x.cumulativeGasUsed === expect.receipts[i]!.cumulativeGasUsed);
        if (!same) throw new Error(`block ${name} (${m.key}): receipts differ from executeBlock`);
        runs[m.key] = {
          roundTrips: r.remote.roundTrips, ms: sig(ms), stalls: r.remote.stalls, prefetchRoundTrips: r.remote.prefetchRoundTrips,
          accounts: r.remote.accounts, slots: r.remote.slots,
        };
      }
      rows.push({ block: name, txs: ref.block.transactions.length, runs });
      const x = runs;
      log(`${name}: round trips ${x.inorderSeq.roundTrips} -> ${x.oooSeq.roundTrips}; ms ${x.inorderSeq.ms} / ${x.oooSeq.ms} / ${x.inorderPar.ms} / ${x.oooPar.ms}`);
    }
  } finally {
    await pool.close();
  }

  const ratio = (r: Row, a: ModeKey, b: ModeKey, f: "roundTrips" | "ms") => r.runs[a][f] / Math.max(r.runs[b][f], 1e-9);
  const cols: Column<Row>[] = [
    { header: "block", value: (r) => r.block, align: "left" },
    { header: "txs", value: (r) => String(r.txs) },
    { header: "RT in-order", value: (r) => String(r.runs.inorderSeq.roundTrips) },
    { header: "RT ooo", value: (r) => String(r.runs.oooSeq.roundTrips) },
    { header: "RT ÷", value: (r) => fmtNum(ratio(r, "inorderSeq", "oooSeq", "roundTrips")) },
    { header: "ms in-order", value: (r) => fmtNum(r.runs.inorderSeq.ms, 0) },
    { header: "ms ooo", value: (r) => fmtNum(r.runs.oooSeq.ms, 0) },
    { header: "ms ÷", value: (r) => fmtNum(ratio(r, "inorderSeq", "oooSeq", "ms")) },
    { header: `ms par ${THREADS}`, value: (r) => fmtNum(r.runs.inorderPar.ms, 0) },
    { header: `ms ooo+par`, value: (r) => fmtNum(r.runs.oooPar.ms, 0) },
    { header: "ooo+par ÷", value: (r) => fmtNum(ratio(r, "inorderSeq", "oooPar", "ms")) },
  ];
  // Blocks with no transactions have nothing to run ahead of: left out of the medians.
  const withTxs = rows.filter((r) => r.txs > 0);
  const summary = {
    blocks: withTxs.length,
    medianRoundTripReduction: sig(median(withTxs.map((r) => ratio(r, "inorderSeq", "oooSeq", "roundTrips")))),
    medianWallReduction: sig(median(withTxs.map((r) => ratio(r, "inorderSeq", "oooSeq", "ms")))),
    medianParallelWallReduction: sig(median(withTxs.map((r) => ratio(r, "inorderSeq", "inorderPar", "ms")))),
    medianOooParallelWallReduction: sig(median(withTxs.map((r) => ratio(r, "inorderSeq", "oooPar", "ms")))),
    totalMs: Object.fromEntries(MODES.map((m) => [m.key, sig(rows.reduce((s, r) => s + r.runs[m.key].ms, 0))])),
    totalRoundTrips: Object.fromEntries(MODES.map((m) => [m.key, rows.reduce((s, r) => s + r.runs[m.key].roundTrips, 0)])),
  };
  console.log(banner(`run-ahead on ${rows.length} mainnet blocks, ${LATENCY} ms per round trip (medians over ${withTxs.length} blocks with transactions)`));
  console.log(formatTable(cols, rows));
  console.log(`\nmedian round-trip reduction (in-order ÷ out-of-order, sequential): ${fmtNum(summary.medianRoundTripReduction, 2)}×`);
  console.log(`median wall-time reduction (run-ahead alone, sequential):        ${fmtNum(summary.medianWallReduction, 2)}×`);
  console.log(`median wall-time reduction (parallel ${THREADS} workers, in order):        ${fmtNum(summary.medianParallelWallReduction, 2)}×`);
  console.log(`median wall-time reduction (run-ahead + parallel ${THREADS} workers):      ${fmtNum(summary.medianOooParallelWallReduction, 2)}×`);

  // The ILP distribution over the corpus and the benchmark contracts: measured by the ilp suite
  // (`npm run bench -- ilp`), carried here so that one file holds the run-ahead figures.
  let ilp: unknown = null;
  const ilpFile = join(RESULTS_DIR, "ilp.json");
  if (existsSync(ilpFile)) ilp = { source: "bench/results/ilp.json (npm run bench -- ilp)", corpora: JSON.parse(readFileSync(ilpFile, "utf8")).corpora };
  const path = writeResults("ooo", {
    command: benchCommand("ooo", args),
    machine: machineInfo(), load1: load1(), latencyMs: LATENCY, threads: THREADS, date: new Date().toISOString(),
    summary, blocks: rows, ilp,
  });
  log(`wrote ${path}`);
}
