// Suite "blocks": replay of the 48 real mainnet blocks in ../shared/fixtures/mainnet-blocks (Frontier → Cancun)
// on Braid (sequential executeBlock) and on @ethereumjs/vm 10.1.3 runBlock, same process, same pre-state.
//
// Braid:  one `new Vm(loadBraidModule())` reused for every block; each run is
//         executeBlock(vm, block, pre, { verifySenders: false }), which re-loads the pre-state into the wasm
//         state (inside the timed region), executes, and builds receipts, receiptsRoot and the state diff.
//         Each timed run gets fresh copies of the code arrays (withFreshCode): code is found by its
//         bytes in the Vm's code table, which the block's first (untimed) run filled.
//         Fixture loading/parsing is outside. Senders come from the RPC `from`; sender recovery
//         (recoverSenders, ecrecover of every tx) is timed on its own.
// ethjs:  see blocks-ethjs.ts (fresh state per run, built outside the timed region; no state root).
// Block-STM: ParallelExecutor on a NodeWorkerPool of max(threads) workers (its own Vm, the pool built
//         on that Vm's memory), run with threads = 1, 2, 4 (BENCH_THREADS) in rounds interleaved with sequential
//         executeBlock runs (see stm.ts); per thread count: median stats.executionMs, speedup vs the
//         sequential stats.executionMs of the same rounds, Block-STM counters, and whether every
//         parallel result equals the sequential one (compareResults).
// Checks: gasUsed == header.gasUsed, logsBloom == header.logsBloom and, from Byzantium on,
//         receiptsRoot == header.receiptsRoot, for both engines. Mismatches and errors are printed and recorded.
//
// Usage: npm run bench -- blocks [filters...]   (a filter is a block number or a fork name, e.g. `cancun`)
// Env:   BENCH_BLOCKS_BRAID_MS / _MIN / _MAX   Braid time budget per block (ms) / min / max samples
//        BENCH_BLOCKS_ETHJS_MS / _MIN / _MAX   ethjs budget per block / min / max samples
//        BENCH_BLOCKS_SENDERS_MS / _MIN        sender-recovery budget / min samples
//        BENCH_BLOCKS_NO_ETHJS=1               Braid only
//        BENCH_BLOCKS_PAR_MS / _MIN / _MAX     Block-STM rounds per block: budget (ms) / min / max rounds
//        BENCH_BLOCKS_NO_PARALLEL=1            no Block-STM measurements
//        BENCH_BLOCKS_PATH_ROUNDS              timed runs behind each block's per-transaction times (critical-path.ts)
//        BENCH_THREADS ("1,2,4")              Block-STM thread counts; BENCH_RESULTS_DIR (bench/results) where the JSON goes
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Vm } from "../dist/vm/vm.js";
import { loadBraidModule } from "../dist/node/load.js";
import { loadBlockFixture } from "../dist/node/fixture.js";
import { executeBlock, recoverSenders } from "../dist/block/execute.js";
import type { PreState } from "../dist/block/types.js";
import { MAINNET, forkAt } from "../dist/block/chain.js";
import { Fork, forkName } from "../dist/fork.js";
import { bytesToHex, fixturesDir } from "./fixtures.js";
import { banner, benchCommand, fmtMs, fmtNum, formatTable, geomean, log, machineInfo, median, mgasPerS, sig, writeResults, type Column } from "./report.js";
import { prepareEthjs, recoverEthjsSenders, runEthjsOnce, type Alloc } from "./blocks-ethjs.js";
import { ParallelExecutor } from "../dist/parallel/execute.js";
import { secp256k1Backend } from "../dist/crypto/secp256k1.js";
import { bn254Backend } from "../dist/crypto/bn254.js";
import { kzgBackend } from "../dist/crypto/kzg.js";
import { NodeWorkerPool } from "../dist/node/pool.js";
import { measurePath, PATH_THREADS, type PathFigures } from "./critical-path.js";
import { WARMUPS, benchThreads, compareSeqPar, fmtSpeedup, loadStart, roundThread, speedupTotals, type ThreadResult } from "./stm.js";

const num = (name: string, dflt: number) => (process.env[name] !== undefined ? Number(process.env[name]) : dflt);
const CFG = {
  braidTimeMs: num("BENCH_BLOCKS_BRAID_MS", 1500),
  braidMinSamples: num("BENCH_BLOCKS_BRAID_MIN", 5),
  braidMaxSamples: num("BENCH_BLOCKS_BRAID_MAX", 200),
  sendersTimeMs: num("BENCH_BLOCKS_SENDERS_MS", 400),
  sendersMinSamples: num("BENCH_BLOCKS_SENDERS_MIN", 2),
  /** ethjs: at least `ethjsMinSamples` runs, more while the block's cumulative ethjs time is under `ethjsTimeMs`. */
  ethjsTimeMs: num("BENCH_BLOCKS_ETHJS_MS", 5000),
  ethjsMinSamples: num("BENCH_BLOCKS_ETHJS_MIN", 2),
  ethjsMaxSamples: num("BENCH_BLOCKS_ETHJS_MAX", 5),
  noEthjs: process.env.BENCH_BLOCKS_NO_ETHJS === "1",
  /** Block-STM: interleaved rounds (1 sequential + 1 parallel run per thread count) per block. */
  parTimeMs: num("BENCH_BLOCKS_PAR_MS", 1500),
  parMinRounds: num("BENCH_BLOCKS_PAR_MIN", 7),
  parMaxRounds: num("BENCH_BLOCKS_PAR_MAX", 60),
  parThreads: benchThreads([1, 2, 4]),
  /** Thread counts also measured with the default "auto" policy (the sequential path for small or serial blocks). */
  autoThreads: [2],
  noParallel: process.env.BENCH_BLOCKS_NO_PARALLEL === "1",
  /** Sequential runs timing each transaction, for the block's critical-path bound (with Block-STM only). */
  pathRounds: num("BENCH_BLOCKS_PATH_ROUNDS", 9),
};

const gc = (globalThis as { gc?: () => void }).gc;
/** Keys of the Block-STM results: "1", "2", "4" (policy "always") and "2auto" (default policy). */
const PAR_KEYS = [...CFG.parThreads.map(String), ...CFG.autoThreads.map((n) => `${n}auto`)];
const keyLabel = (k: string) => (k.endsWith("auto") ? `auto x${k.slice(0, -4)}` : `stm x${k}`);


/** Runs `fn` (which returns its own ms) until both `minSamples` and `timeMs` are reached, or `maxSamples`. */
/**
 * The pre-state with copies of its code arrays: the Vm remembers the record of each code array it
 * loaded, so a timed run on the same arrays would skip finding its code. With copies, each run
 * finds every contract's record by its bytes, as a replay of consecutive blocks does for the
 * contracts they share (the block's first load, untimed, copies and analyses the code).
 */
function withFreshCode(pre: PreState): PreState {
  return { ...pre, accounts: pre.accounts.map(([a, acc]) => [a, { ...acc, code: acc.code.slice() }]) };
}

async function sample(fn: () => number | Promise<number>, timeMs: number, minSamples: number, maxSamples: number): Promise<number[]> {
  const out: number[] = [];
  let spent = 0;
  while (out.length < maxSamples && (out.length < minSamples || spent < timeMs)) {
    const ms = await fn();
    out.push(ms);
    spent += ms;
  }
  return out;
}

function readJson(dir: string, name: string): unknown {
  for (const f of [join(dir, name + ".gz"), join(dir, name)]) {
    if (!existsSync(f)) continue;
    const raw = readFileSync(f);
    return JSON.parse((f.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8"));
  }
  return undefined;
}

interface Check {
  gasUsed: string;
  gasUsedOk: boolean;
  logsBloomOk: boolean;
  /** null: not checkable (before Byzantium). */
  receiptsRootOk: boolean | null;
}

interface BlockRow {
  number: number;
  fork: string;
  ethjsHardfork: string | null;
  txs: number;
  gasUsed: number;
  braid: {
    medianMs: number;
    minMs: number;
    /** stats.executionMs: execution after the pre-state load, without receiptsRoot and state diff. */
    executionMedianMs: number;
    runs: number;
    mgasPerS: number;
    check: Check | null;
    error: string | null;
  };
  senderRecovery: { medianMs: number; perTxMs: number; runs: number; error: string | null };
  ethjs: {
    medianMs: number;
    minMs: number;
    ethjsRuns: number;
    mgasPerS: number;
    senderRecoveryMs: number;
    check: Check | null;
    error: string | null;
  } | null;
  /** ethjs median / Braid median (how many times faster Braid is). */
  ratio: number | null;
  /** Block-STM per thread count ("1", "2", "4"); null with BENCH_BLOCKS_NO_PARALLEL=1. */
  braidParallel: Record<string, ThreadResult> | null;
  /** Interleaved rounds behind braidParallel, and the pool setup error if any. */
  braidParallelRounds: number;
  braidParallelError: string | null;
  /** The block's own limit: its critical path at 2 and 4 threads (critical-path.ts); null without Block-STM. */
  path: PathFigures | null;
  pathError: string | null;
}

function check(gasUsed: bigint, bloom: string, receiptsRoot: string | null, header: { gasUsed: bigint; logsBloom: Uint8Array; receiptsRoot: Uint8Array }, fork: Fork): Check {
  return {
    gasUsed: gasUsed.toString(),
    gasUsedOk: gasUsed === header.gasUsed,
    logsBloomOk: bloom === bytesToHex(header.logsBloom),
    receiptsRootOk: fork >= Fork.Byzantium ? receiptsRoot === bytesToHex(header.receiptsRoot) : null,
  };
}
const checkOk = (c: Check | null) => c !== null && c.gasUsedOk && c.logsBloomOk && c.receiptsRootOk !== false;
const checkText = (c: Check | null) =>
  c === null ? "-" : checkOk(c) ? "ok" : [!c.gasUsedOk && `gas ${c.gasUsed}`, !c.logsBloomOk && "bloom", c.receiptsRootOk === false && "receiptsRoot"].filter(Boolean).join(",");
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 300);

function blockDirs(filters: string[]): string[] {
  const root = join(fixturesDir(), "mainnet-blocks");
  if (!existsSync(root)) throw new Error(`fixtures not found: ${root} (set BRAID_FIXTURES)`);
  const nums = readdirSync(root).filter((d) => /^\d+$/.test(d)).map(Number).sort((a, b) => a - b);
  const byName = filters.filter((f) => !/^\d+$/.test(f)).map((f) => f.toLowerCase());
  const wanted = nums.filter((n) => {
    if (filters.length === 0 || filters.includes(String(n))) return true;
    if (byName.length === 0) return false;
    // Forks from Shanghai on are scheduled by timestamp: read it from the block.
    const timestamp = (readJson(join(root, String(n)), "block.json") as { timestamp?: string } | undefined)?.timestamp;
    const fork = forkName(forkAt(MAINNET, BigInt(n), BigInt(timestamp ?? 0))).toLowerCase();
    return byName.some((f) => fork.includes(f));
  });
  return wanted.map((n) => join(root, String(n)));
}

async function benchBlock(vm: Vm, par: ParallelExecutor | null, dir: string): Promise<BlockRow> {
  const fx = loadBlockFixture(dir);
  const h = fx.block.header;
  const fork: Fork = forkAt(MAINNET, h.number, h.timestamp);
  const gas = Number(h.gasUsed);
  const txs = fx.block.transactions.length;
  const row: BlockRow = {
    number: Number(h.number), fork: forkName(fork), ethjsHardfork: null, txs, gasUsed: gas,
    braid: { medianMs: NaN, minMs: NaN, executionMedianMs: NaN, runs: 0, mgasPerS: NaN, check: null, error: null },
    senderRecovery: { medianMs: NaN, perTxMs: NaN, runs: 0, error: null },
    ethjs: null, ratio: null, braidParallel: null, braidParallelRounds: 0, braidParallelError: null, path: null, pathError: null,
  };

  // Braid: a first (untimed) run for the checks, then timed runs.
  try {
    const r = executeBlock(vm, fx.block, fx.pre, { verifySenders: false });
    row.braid.check = check(r.gasUsed, bytesToHex(r.logsBloom), r.receiptsRoot ? bytesToHex(r.receiptsRoot) : null, h, fork);
    gc?.();
    const exec: number[] = [];
    const samples = await sample(() => {
      const pre = withFreshCode(fx.pre);
      const t0 = performance.now();
      const res = executeBlock(vm, fx.block, pre, { verifySenders: false });
      const ms = performance.now() - t0;
      exec.push(res.stats.executionMs);
      return ms;
    }, CFG.braidTimeMs, CFG.braidMinSamples, CFG.braidMaxSamples);
    Object.assign(row.braid, {
      medianMs: median(samples), minMs: Math.min(...samples), executionMedianMs: median(exec), runs: samples.length,
      mgasPerS: mgasPerS(gas, median(samples)),
    });
  } catch (e) {
    row.braid.error = errText(e);
  }

  // Block-STM vs sequential, interleaved rounds (stm.ts).
  if (par) {
    try {
      gc?.();
      const c = await compareSeqPar(vm, par, fx.block, fx.pre, { threads: CFG.parThreads, autoThreads: CFG.autoThreads, minRounds: CFG.parMinRounds, maxRounds: CFG.parMaxRounds, timeMs: CFG.parTimeMs });
      row.braidParallel = c.threads;
      row.braidParallelRounds = c.rounds;
    } catch (e) {
      row.braidParallelError = errText(e);
    }
    try {
      row.path = await measurePath(vm, par, fx.block, fx.pre, CFG.pathRounds);
    } catch (e) {
      row.pathError = errText(e);
    }
  }

  // Sender recovery (Braid's recoverSenders: ecrecover + comparison with `from`).
  try {
    const samples = await sample(() => recoverSenders(fx.block, fork), CFG.sendersTimeMs, CFG.sendersMinSamples, 1000);
    const m = median(samples);
    row.senderRecovery = { medianMs: m, perTxMs: txs ? m / txs : NaN, runs: samples.length, error: null };
  } catch (e) {
    row.senderRecovery.error = errText(e);
  }

  if (!CFG.noEthjs) {
    const ej: NonNullable<BlockRow["ethjs"]> = { medianMs: NaN, minMs: NaN, ethjsRuns: 0, mgasPerS: NaN, senderRecoveryMs: NaN, check: null, error: null };
    row.ethjs = ej;
    try {
      const rpc = readJson(dir, "block.json");
      const p = prepareEthjs(rpc, readJson(dir, "alloc.json") as Alloc, readJson(dir, "block_hashes.json") as Record<string, string> | undefined);
      row.ethjsHardfork = p.hardfork;
      ej.senderRecoveryMs = recoverEthjsSenders(p, rpc);
      let first = true;
      const samples = await sample(async () => {
        const r = await runEthjsOnce(p);
        if (first) {
          ej.check = check(r.gasUsed, r.logsBloom, r.receiptsRoot, h, fork);
          first = false;
        }
        return r.ms;
      }, CFG.ethjsTimeMs, CFG.ethjsMinSamples, CFG.ethjsMaxSamples);
      Object.assign(ej, { medianMs: median(samples), minMs: Math.min(...samples), ethjsRuns: samples.length, mgasPerS: mgasPerS(gas, median(samples)) });
      if (Number.isFinite(row.braid.medianMs)) row.ratio = ej.medianMs / row.braid.medianMs;
    } catch (e) {
      ej.error = errText(e);
    }
  }
  return row;
}

function totals(rows: BlockRow[]) {
  const ok = rows.filter((r) => r.braid.error === null && Number.isFinite(r.braid.medianMs));
  const both = ok.filter((r) => r.ethjs && r.ethjs.error === null && Number.isFinite(r.ethjs.medianMs));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const gasAll = sum(ok.map((r) => r.gasUsed));
  const gasBoth = sum(both.map((r) => r.gasUsed));
  const braidMs = sum(ok.map((r) => r.braid.medianMs));
  const braidMsBoth = sum(both.map((r) => r.braid.medianMs));
  const ethjsMs = sum(both.map((r) => r.ethjs!.medianMs));
  const senders = rows.filter((r) => r.senderRecovery.error === null && Number.isFinite(r.senderRecovery.medianMs));
  const senderMs = sum(senders.map((r) => r.senderRecovery.medianMs));
  const senderTxs = sum(senders.map((r) => r.txs));
  return {
    blocks: rows.length,
    transactions: sum(rows.map((r) => r.txs)),
    gasUsed: sum(rows.map((r) => r.gasUsed)),
    braid: {
      blocks: ok.length,
      totalMs: sig(braidMs, 6),
      /** Sum of stats.executionMs medians (execution after the pre-state load; no receiptsRoot / state diff). */
      executionTotalMs: sig(sum(ok.map((r) => r.braid.executionMedianMs)), 6),
      mgasPerS: sig(mgasPerS(gasAll, braidMs)),
      /** Over the blocks ethjs also completed (same set as the ethjs figure). */
      mgasPerSOnEthjsBlocks: sig(mgasPerS(gasBoth, braidMsBoth)),
      checksPassed: ok.filter((r) => checkOk(r.braid.check)).length,
    },
    ethjs: both.length
      ? { blocks: both.length, totalMs: sig(ethjsMs, 6), mgasPerS: sig(mgasPerS(gasBoth, ethjsMs)), checksPassed: both.filter((r) => checkOk(r.ethjs!.check)).length }
      : null,
    /** Geometric mean over blocks of ethjs median / Braid median. */
    geomeanRatio: both.length ? sig(geomean(both.map((r) => r.ratio!))) : null,
    /** Total ethjs time / total Braid time over the same blocks (gas-weighted). */
    totalTimeRatio: both.length ? sig(ethjsMs / braidMsBoth) : null,
    senderRecovery: { totalMs: sig(senderMs, 6), perTxMs: sig(senderTxs ? senderMs / senderTxs : NaN), transactions: senderTxs },
    /** ethjs tx.getSenderAddress() over the same blocks, one (first, cold) run each. */
    ethjsSenderRecovery: (() => {
      const e = rows.filter((r) => r.ethjs && Number.isFinite(r.ethjs.senderRecoveryMs));
      const ms = sum(e.map((r) => r.ethjs!.senderRecoveryMs));
      const n = sum(e.map((r) => r.txs));
      return { totalMs: sig(ms, 6), perTxMs: sig(n ? ms / n : NaN), transactions: n };
    })(),
    /** Block-STM per thread count: speedup = sequential / parallel stats.executionMs medians of the same rounds. */
    braidParallel: rows.some((r) => r.braidParallel)
      ? Object.fromEntries(PAR_KEYS.map((k) => [k, speedupTotals(rows.map((r) => [String(r.number), r.gasUsed, r.braidParallel?.[k]]))]))
      : null,
    /** Geometric means over the blocks of their critical-path figures (critical-path.ts), per thread count. */
    path: rows.some((r) => r.path) ? pathTotals(rows.filter((r) => r.path).map((r) => r.path!)) : null,
  };
}

function pathTotals(paths: PathFigures[]) {
  const gm = (f: (p: PathFigures) => number) => sig(geomean(paths.map(f)));
  return {
    blocks: paths.length,
    ...Object.fromEntries(PATH_THREADS.map((t) => [String(t), {
      boundByTime: gm((p) => p.byTime[t]!.bound), inOrderByTime: gm((p) => p.byTime[t]!.inOrder),
      boundByGas: gm((p) => p.byGas[t]!.bound), inOrderByGas: gm((p) => p.byGas[t]!.inOrder),
    }])),
  } as { blocks: number } & Record<string, { boundByTime: number; inOrderByTime: number; boundByGas: number; inOrderByGas: number }>;
}

function printTable(rows: BlockRow[], t: ReturnType<typeof totals>): void {
  type R = BlockRow | { total: true };
  const isT = (r: R): r is { total: true } => "total" in r;
  const cols: Column<R>[] = [
    { header: "block", align: "left", value: (r) => (isT(r) ? "total" : String(r.number)) },
    { header: "fork", align: "left", value: (r) => (isT(r) ? "" : r.fork) },
    { header: "txs", value: (r) => String(isT(r) ? t.transactions : r.txs) },
    { header: "Mgas", value: (r) => fmtNum((isT(r) ? t.gasUsed : r.gasUsed) / 1e6, 2) },
    { header: "braid ms", value: (r) => (isT(r) ? fmtMs(t.braid.totalMs) : r.braid.error ? "ERR" : fmtMs(r.braid.medianMs)) },
    { header: "exec ms", value: (r) => fmtMs(isT(r) ? t.braid.executionTotalMs : r.braid.executionMedianMs) },
    { header: "braid Mgas/s", value: (r) => fmtNum(isT(r) ? t.braid.mgasPerS : r.braid.mgasPerS, 1) },
    { header: "runs", value: (r) => (isT(r) ? "" : String(r.braid.runs)) },
    { header: "check", align: "left", value: (r) => (isT(r) ? `${t.braid.checksPassed}/${t.braid.blocks}` : r.braid.error ? "error" : checkText(r.braid.check)) },
    { header: "ethjs ms", value: (r) => (isT(r) ? (t.ethjs ? fmtMs(t.ethjs.totalMs) : "-") : !r.ethjs ? "-" : r.ethjs.error ? "ERR" : fmtMs(r.ethjs.medianMs)) },
    { header: "ethjs Mgas/s", value: (r) => fmtNum(isT(r) ? (t.ethjs?.mgasPerS ?? NaN) : (r.ethjs?.mgasPerS ?? NaN), 2) },
    { header: "runs", value: (r) => (isT(r) ? "" : r.ethjs ? String(r.ethjs.ethjsRuns) : "-") },
    { header: "check", align: "left", value: (r) => (isT(r) ? (t.ethjs ? `${t.ethjs.checksPassed}/${t.ethjs.blocks}` : "-") : !r.ethjs ? "-" : r.ethjs.error ? "error" : checkText(r.ethjs.check)) },
    { header: "ratio", value: (r) => (isT(r) ? (t.geomeanRatio ? `${fmtNum(t.geomeanRatio, 1)}x gm` : "-") : r.ratio ? `${fmtNum(r.ratio, 1)}x` : "-") },
    { header: "senders ms", value: (r) => fmtMs(isT(r) ? t.senderRecovery.totalMs : r.senderRecovery.medianMs) },
    { header: "µs/tx", value: (r) => fmtNum((isT(r) ? t.senderRecovery.perTxMs : r.senderRecovery.perTxMs) * 1000, 0) },
    ...PAR_KEYS.map((k): Column<R> => ({
      header: keyLabel(k),
      value: (r) => (isT(r) ? (t.braidParallel ? `${fmtNum(t.braidParallel[k]!.geomeanSpeedup, 2)}gm` : "-") : r.braidParallelError ? "ERR" : fmtSpeedup(r.braidParallel?.[k])),
    })),
    { header: "bound x2", value: (r) => (isT(r) ? (t.path ? `${fmtNum(t.path["2"]!.boundByTime, 2)}gm` : "-") : r.path ? fmtNum(r.path.byTime["2"]!.bound, 2) : r.pathError ? "ERR" : "-") },
    { header: "in-order x2", value: (r) => (isT(r) ? (t.path ? `${fmtNum(t.path["2"]!.inOrderByTime, 2)}gm` : "-") : r.path ? fmtNum(r.path.byTime["2"]!.inOrder, 2) : "-") },
    { header: "ab@2", value: (r) => (isT(r) ? "" : fmtNum(r.braidParallel?.["2"]?.aborts ?? NaN, 0)) },
    { header: "same", align: "left", value: (r) => {
      if (isT(r)) return t.braidParallel ? `${Math.min(...PAR_KEYS.map((k) => t.braidParallel![k]!.identical))}/${t.blocks}` : "-";
      if (!r.braidParallel) return "-";
      const v = Object.values(r.braidParallel);
      return v.some((x) => x.error) ? "error" : v.every((x) => x.identical) ? "yes" : "NO";
    } },
  ];
  console.log(formatTable<R>(cols, rows, [{ total: true }]));
  for (const r of rows) {
    if (r.braid.error) console.log(`  ${r.number}: braid error: ${r.braid.error}`);
    if (r.senderRecovery.error) console.log(`  ${r.number}: sender recovery error: ${r.senderRecovery.error}`);
    if (r.ethjs?.error) console.log(`  ${r.number}: ethjs error: ${r.ethjs.error}`);
    if (r.braidParallelError) console.log(`  ${r.number}: Block-STM error: ${r.braidParallelError}`);
    if (r.pathError) console.log(`  ${r.number}: critical path error: ${r.pathError}`);
    for (const [n, p] of Object.entries(r.braidParallel ?? {})) {
      if (p.error) console.log(`  ${r.number}: Block-STM (${n} threads) error: ${p.error}`);
      else if (!p.identical) console.log(`  ${r.number}: Block-STM (${n} threads) result differs from sequential: ${p.diffs.join("; ")}`);
    }
  }
  if (t.braidParallel) {
    console.log("stm xN: median sequential stats.executionMs / median Block-STM stats.executionMs on N threads, same interleaved rounds;" +
      " s = block ran on the sequential path (fewer than 2 transactions), p = partitioned (plain transfers in groups that share no account), ! = result differs; ab@2 = median aborts at 2 threads");
    console.log("bound x2: the block's own limit at 2 threads, summed transaction time / max(critical path, half of it), each transaction weighted by its" +
      " median sequential time over the dependencies Block-STM found; in-order x2: the same weights scheduled in block order with no overhead (critical-path.ts)." +
      " Both count whole transactions: a block whose long pairing check two threads share (help desk) can go past them");
  }
}

export async function run(args: string[]): Promise<void> {
  const dirs = blockDirs(args);
  if (dirs.length === 0) throw new Error(`no block fixture matches ${args.join(" ")}`);
  console.log(banner(`blocks: ${dirs.length} mainnet blocks, Braid (sequential; Block-STM on 1/2/4 threads) vs @ethereumjs/vm runBlock`));
  const load = loadStart("blocks");
  const module = loadBraidModule();
  console.log(`Braid's crypto backends: secp256k1 ${secp256k1Backend()}, bn254 ${bn254Backend()}, KZG ${kzgBackend()} (ethjs: @noble/curves; KZG micro-eth-signer)`);
  const vm = new Vm(module);
  // Block-STM: its own Vm, one pool of max(threads) workers on that Vm's memory; `threads` picks how many run.
  let parVm: Vm | null = null, pool: NodeWorkerPool | null = null, par: ParallelExecutor | null = null;
  if (!CFG.noParallel) {
    parVm = new Vm(module);
    pool = new NodeWorkerPool(Math.max(...CFG.parThreads), module, parVm.memory);
    await pool.whenReady();
    par = new ParallelExecutor(parVm, pool);
  }
  const started = Date.now();
  const rows: BlockRow[] = [];
  for (const dir of dirs) {
    const t0 = Date.now();
    const row = await benchBlock(vm, par, dir);
    rows.push(row);
    const p = row.braidParallel;
    log(
      `  ${String(row.number).padStart(8)} ${row.fork.padEnd(16)} ${String(row.txs).padStart(4)} tx  braid ${fmtMs(row.braid.medianMs)} ms (${row.braid.runs}) ${row.braid.error ?? checkText(row.braid.check)}` +
        (row.ethjs ? `  ethjs ${fmtMs(row.ethjs.medianMs)} ms (${row.ethjs.ethjsRuns}) ${row.ethjs.error ?? checkText(row.ethjs.check)}` : "") +
        (p ? `  stm ${PAR_KEYS.map((k) => fmtSpeedup(p[k])).join("/")} (${row.braidParallelRounds} rounds)` : row.braidParallelError ? `  stm error: ${row.braidParallelError}` : "") +
        `  [${((Date.now() - t0) / 1000).toFixed(1)} s]`,
    );
    gc?.();
  }
  await pool?.close();
  const t = totals(rows);
  console.log("");
  printTable(rows, t);
  console.log(
    `\nBraid ${fmtNum(t.braid.mgasPerS, 1)} Mgas/s overall` +
      (t.ethjs ? `; ethjs ${fmtNum(t.ethjs.mgasPerS, 2)} Mgas/s over ${t.ethjs.blocks} blocks (Braid ${fmtNum(t.braid.mgasPerSOnEthjsBlocks, 1)} on those); ` +
        `geometric-mean ratio ${fmtNum(t.geomeanRatio ?? NaN, 1)}x, total-time ratio ${fmtNum(t.totalTimeRatio ?? NaN, 1)}x` : "") +
      `; sender recovery ${fmtNum(t.senderRecovery.perTxMs * 1000, 0)} µs/tx. Suite took ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  );
  if (t.path) {
    for (const n of PATH_THREADS) {
      const p = t.path[String(n)]!;
      console.log(
        `Critical path at ${n} threads, geometric mean over ${t.path.blocks} blocks: bound ${fmtNum(p.boundByTime, 3)}x, block order with no overhead ${fmtNum(p.inOrderByTime, 3)}x` +
          ` (transactions weighted by their time); by gas: ${fmtNum(p.boundByGas, 3)}x and ${fmtNum(p.inOrderByGas, 3)}x`,
      );
    }
  }
  if (t.braidParallel) {
    for (const k of PAR_KEYS) {
      const b = t.braidParallel[k]!;
      const n = parseInt(k, 10);
      console.log(
        `Block-STM ${n} thread${n > 1 ? "s" : ""}${k.endsWith("auto") ? ' (default "auto" policy)' : ""}: geometric-mean speedup ${fmtNum(b.geomeanSpeedup, 3)}x over ${b.blocks} blocks` +
          ` (${fmtNum(b.geomeanSpeedupParallelPath, 3)}x over the ${b.blocks - b.sequentialPath} that ran in parallel), gas-weighted mean ${fmtNum(b.gasWeightedSpeedup, 3)}x,` +
          ` total-time ${fmtNum(b.totalTimeSpeedup, 3)}x, min ${fmtNum(b.minSpeedup, 3)}x (block ${b.minSpeedupAt}), max ${fmtNum(b.maxSpeedup, 3)}x (block ${b.maxSpeedupAt}); whole call ${fmtNum(b.geomeanWallSpeedup, 3)}x geometric mean; identical ${b.identical}/${b.blocks}`,
      );
    }
  }
  const machineLoad = load.finish();
  console.log(`load average (1 min): ${machineLoad.load1Start} at start, ${machineLoad.load1End} at end (${machineLoad.cores} cores; the end figure includes this suite)`);
  if (Math.max(machineLoad.load1Start, machineLoad.load1End) > cpus().length) {
    console.log(`warning: load average ${machineLoad.load1Start.toFixed(1)} at start, ${machineLoad.load1End.toFixed(1)} at end on ${cpus().length} cores: other processes competed for the CPU`);
  }
  const round = (x: number) => sig(x);
  const data = {
    suite: "blocks",
    date: new Date().toISOString(),
    machine: machineInfo(),
    /** os.loadavg() (1, 5, 15 min) when the suite started and ended, and the 1-minute figures: above `cores` means a busy machine. */
    machineLoad,
    command: benchCommand("blocks", args),
    filters: args,
    config: CFG,
    /** Which library recovers secp256k1 public keys in Braid (ECRECOVER and senders); ethjs uses @noble/curves. */
    secp256k1: secp256k1Backend(),
    /** Braid's bn254 (0x06-0x08) and KZG (0x0a) backends; ethjs uses @noble/curves and micro-eth-signer. */
    bn254: bn254Backend(),
    kzg: kzgBackend(),
    method: {
      braid: "executeBlock(vm, block, pre, { verifySenders: false }) on one reused Vm; pre-state load, receiptsRoot and state diff inside the timed region; each timed run gets fresh copies of the code arrays, so it finds every contract's interned record by its bytes (the untimed check run, the block's first, copies and analyses the code); median of runs after one untimed check run",
      senderRecovery: "recoverSenders(block, fork): ecrecover of every transaction, median of runs",
      ethjs: "@ethereumjs/vm 10.1.3 runBlock({ generate: true, skipBlockValidation, skipHeaderValidation, skipHardForkValidation }) on a fresh MerkleStateManager (+Caches) per run, pre-state load outside the timed region, outer checkpoint so no end-of-block trie flush, getStateRoot stubbed; senders pre-recovered (ethjsSenderRecoveryMs); first timed run is also the check run",
      ratio: "ethjs median ms / Braid median ms, per block; geomeanRatio is their geometric mean",
      checks: "gasUsed and logsBloom vs header; receiptsRoot vs header from Byzantium on (null before)",
      braidParallel:
        `ParallelExecutor(vm2, NodeWorkerPool(${Math.max(...CFG.parThreads)} workers on vm2.memory)).execute(block, pre, { verifySenders: false, threads }) for threads ${CFG.parThreads.join(", ")}, ` +
        "and with the default policy (\"2auto\": threads 2, policy auto: small or serial blocks take the sequential path) " +
        `in interleaved rounds with sequential executeBlock on vm2 itself, in the region sizes of the Block-STM path (the reference result for the checks: executeBlock on the first Vm) (order rotated each round; ${WARMUPS} untimed warm-up runs of each first; each timed run right after an untimed run of the same side; at least parMinRounds rounds, more while under parTimeMs). ` +
        "Per thread count: executionMedianMs = median Block-STM stats.executionMs; sequentialExecutionMedianMs = median sequential stats.executionMs of the same rounds; speedup = their ratio; " +
        "executions/validations/aborts/waits/credits/helped = medians of the Block-STM counters (credits: value transfers credited lazily; helped: pairing-check parts an idle worker ran for another); sequential = the block took the sequential path; identical = every parallel result (warm-up and timed) equals the sequential one (compareResults). " +
        "wallSpeedup: median whole sequential executeBlock call / median whole execute() call (pre-state load, staging, execution, receipts root, state diff), same rounds. " +
        "Totals: geomeanSpeedup over blocks, geomeanWallSpeedup of the wallSpeedups, gasWeightedSpeedup = sum(gas*speedup)/sum(gas), totalTimeSpeedup = sum(seq ms)/sum(par ms), min/max per block.",
      path:
        `bench/critical-path.ts: each transaction's median time over pathRounds runs of executeBlock(..., { timeTransactions: true }) after one untimed run (the staged loop entered once per transaction) and its gas, ` +
        "over the dependencies of one Block-STM run at 2 threads with every transaction on Block-STM (ParallelStats.dependencies: the writers of the versions each final incarnation read, every fee payer before a coinbase read, the lazy credits a balance read added); " +
        "pathBound: bound = summed weight / max(critical path, summed weight / threads), inOrder = summed weight / length of the list schedule in block order (a free thread takes the lowest ready transaction; no cost but the transactions' own); " +
        "criticalShare / longestShare = critical path / longest transaction over the summed time. Totals: geometric means over blocks.",
    },
    totals: t,
    blocks: rows.map((r) => ({
      ...r,
      braid: { ...r.braid, medianMs: round(r.braid.medianMs), minMs: round(r.braid.minMs), executionMedianMs: round(r.braid.executionMedianMs), mgasPerS: round(r.braid.mgasPerS) },
      senderRecovery: { ...r.senderRecovery, medianMs: round(r.senderRecovery.medianMs), perTxMs: round(r.senderRecovery.perTxMs) },
      ethjs: r.ethjs && { ...r.ethjs, medianMs: round(r.ethjs.medianMs), minMs: round(r.ethjs.minMs), mgasPerS: round(r.ethjs.mgasPerS), senderRecoveryMs: round(r.ethjs.senderRecoveryMs) },
      ratio: r.ratio === null ? null : round(r.ratio),
      braidParallel: r.braidParallel && Object.fromEntries(Object.entries(r.braidParallel).map(([k, v]) => [k, roundThread(v)])),
    })),
  };
  // Partial runs (filters) go to a scratch file so they do not replace the full results.
  const path = writeResults(args.length ? "blocks.tmp" : "blocks", data);
  log(`results written to ${path}`);
}

// Standalone: node --expose-gc dist-bench/blocks.js [filters...]
if (import.meta.url === `file://${process.argv[1]}`) {
  await run(process.argv.slice(2));
}
