// Suite "blocks": replay of the 48 real mainnet blocks in ../shared/fixtures/mainnet-blocks (Frontier → Cancun)
// on Braid (sequential executeBlock) and on @ethereumjs/vm 10.1.3 runBlock, same process, same pre-state.
//
// Braid:  one `new Vm(loadBraidModule())` reused for every block; each run is
//         executeBlock(vm, block, pre, { verifySenders: false }), which re-loads the pre-state into the wasm
//         state (inside the timed region), executes, and builds receipts, receiptsRoot and the state diff.
//         Fixture loading/parsing is outside. Senders come from the RPC `from`; sender recovery
//         (recoverSenders, ecrecover of every tx) is timed on its own.
// ethjs:  see blocks-ethjs.ts (fresh state per run, built outside the timed region; no state root).
// Checks: gasUsed == header.gasUsed, logsBloom == header.logsBloom and, from Byzantium on,
//         receiptsRoot == header.receiptsRoot, for both engines. Mismatches and errors are printed and recorded.
//
// Usage: npm run bench -- blocks [filters...]   (a filter is a block number or a fork name, e.g. `cancun`)
// Env:   BENCH_BLOCKS_BRAID_MS / _MIN / _MAX   Braid time budget per block (ms) / min / max samples
//        BENCH_BLOCKS_ETHJS_MS / _MIN / _MAX   ethjs budget per block / min / max samples
//        BENCH_BLOCKS_SENDERS_MS / _MIN        sender-recovery budget / min samples
//        BENCH_BLOCKS_NO_ETHJS=1               Braid only
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Vm } from "../dist/vm/vm.js";
import { loadBraidModule } from "../dist/node/load.js";
import { loadBlockFixture } from "../dist/node/fixture.js";
import { executeBlock, recoverSenders } from "../dist/block/execute.js";
import { MAINNET, forkAt } from "../dist/block/chain.js";
import { Fork, forkName } from "../dist/fork.js";
import { bytesToHex, fixturesDir } from "./fixtures.js";
import { banner, fmtMs, fmtNum, formatTable, geomean, log, machineInfo, mgasPerS, sig, writeResults, type Column } from "./report.js";
import { prepareEthjs, recoverEthjsSenders, runEthjsOnce, type Alloc } from "./blocks-ethjs.js";

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
};

const gc = (globalThis as { gc?: () => void }).gc;

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `fn` (which returns its own ms) until both `minSamples` and `timeMs` are reached, or `maxSamples`. */
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
    /** stats.executionMs: pre-state load + execution, without receiptsRoot and state diff. */
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
  /** Reserved for the parallel executor: { "1": {medianMs, mgasPerS}, "2": ..., "4": ... }. */
  braidParallel: null;
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
  const wanted = nums.filter((n) => {
    if (filters.length === 0) return true;
    const fork = forkName(forkAt(MAINNET, BigInt(n), 0n)).toLowerCase();
    return filters.some((f) => f === String(n) || fork.includes(f.toLowerCase()));
  });
  return wanted.map((n) => join(root, String(n)));
}

async function benchBlock(vm: Vm, dir: string): Promise<BlockRow> {
  const fx = loadBlockFixture(dir);
  const h = fx.block.header;
  const fork: Fork = forkAt(MAINNET, h.number, h.timestamp);
  const gas = Number(h.gasUsed);
  const txs = fx.block.transactions.length;
  const row: BlockRow = {
    number: Number(h.number), fork: forkName(fork), ethjsHardfork: null, txs, gasUsed: gas,
    braid: { medianMs: NaN, minMs: NaN, executionMedianMs: NaN, runs: 0, mgasPerS: NaN, check: null, error: null },
    senderRecovery: { medianMs: NaN, perTxMs: NaN, runs: 0, error: null },
    ethjs: null, ratio: null, braidParallel: null,
  };

  // Braid: a first (untimed) run for the checks, then timed runs.
  try {
    const r = executeBlock(vm, fx.block, fx.pre, { verifySenders: false });
    row.braid.check = check(r.gasUsed, bytesToHex(r.logsBloom), r.receiptsRoot ? bytesToHex(r.receiptsRoot) : null, h, fork);
    gc?.();
    const exec: number[] = [];
    const samples = await sample(() => {
      const t0 = performance.now();
      const res = executeBlock(vm, fx.block, fx.pre, { verifySenders: false });
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
      /** Sum of stats.executionMs medians (pre-state load + execution; no receiptsRoot / state diff). */
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
    braidParallel: null,
  };
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
  ];
  console.log(formatTable<R>(cols, rows, [{ total: true }]));
  for (const r of rows) {
    if (r.braid.error) console.log(`  ${r.number}: braid error: ${r.braid.error}`);
    if (r.senderRecovery.error) console.log(`  ${r.number}: sender recovery error: ${r.senderRecovery.error}`);
    if (r.ethjs?.error) console.log(`  ${r.number}: ethjs error: ${r.ethjs.error}`);
  }
}

export async function run(args: string[]): Promise<void> {
  const dirs = blockDirs(args);
  if (dirs.length === 0) throw new Error(`no block fixture matches ${args.join(" ")}`);
  console.log(banner(`blocks: ${dirs.length} mainnet blocks, Braid (sequential) vs @ethereumjs/vm runBlock`));
  const vm = new Vm(loadBraidModule());
  const started = Date.now();
  const loadStart = loadavg();
  const rows: BlockRow[] = [];
  for (const dir of dirs) {
    const t0 = Date.now();
    const row = await benchBlock(vm, dir);
    rows.push(row);
    log(
      `  ${String(row.number).padStart(8)} ${row.fork.padEnd(16)} ${String(row.txs).padStart(4)} tx  braid ${fmtMs(row.braid.medianMs)} ms (${row.braid.runs}) ${row.braid.error ?? checkText(row.braid.check)}` +
        (row.ethjs ? `  ethjs ${fmtMs(row.ethjs.medianMs)} ms (${row.ethjs.ethjsRuns}) ${row.ethjs.error ?? checkText(row.ethjs.check)}` : "") +
        `  [${((Date.now() - t0) / 1000).toFixed(1)} s]`,
    );
    gc?.();
  }
  const t = totals(rows);
  console.log("");
  printTable(rows, t);
  console.log(
    `\nBraid ${fmtNum(t.braid.mgasPerS, 1)} Mgas/s overall` +
      (t.ethjs ? `; ethjs ${fmtNum(t.ethjs.mgasPerS, 2)} Mgas/s over ${t.ethjs.blocks} blocks (Braid ${fmtNum(t.braid.mgasPerSOnEthjsBlocks, 1)} on those); ` +
        `geometric-mean ratio ${fmtNum(t.geomeanRatio ?? NaN, 1)}x, total-time ratio ${fmtNum(t.totalTimeRatio ?? NaN, 1)}x` : "") +
      `; sender recovery ${fmtNum(t.senderRecovery.perTxMs * 1000, 0)} µs/tx. Suite took ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  );
  const loadEnd = loadavg();
  if (Math.max(loadStart[0]!, loadEnd[0]!) > cpus().length) {
    console.log(`warning: load average ${loadStart[0]!.toFixed(1)} at start, ${loadEnd[0]!.toFixed(1)} at end on ${cpus().length} cores: other processes competed for the CPU`);
  }
  const round = (x: number) => sig(x);
  const data = {
    suite: "blocks",
    date: new Date().toISOString(),
    machine: machineInfo(),
    /** os.loadavg() (1, 5, 15 min) when the suite started and ended: above `cores` means a busy machine. */
    machineLoad: { start: loadStart.map((x) => sig(x, 3)), end: loadEnd.map((x) => sig(x, 3)) },
    command: `npm run bench -- blocks${args.length ? " " + args.join(" ") : ""}`,
    filters: args,
    config: CFG,
    method: {
      braid: "executeBlock(vm, block, pre, { verifySenders: false }) on one reused Vm; pre-state load, receiptsRoot and state diff inside the timed region; median of runs after one untimed check run",
      senderRecovery: "recoverSenders(block, fork): ecrecover of every transaction, median of runs",
      ethjs: "@ethereumjs/vm 10.1.3 runBlock({ generate: true, skipBlockValidation, skipHeaderValidation, skipHardForkValidation }) on a fresh MerkleStateManager (+Caches) per run, pre-state load outside the timed region, outer checkpoint so no end-of-block trie flush, getStateRoot stubbed; senders pre-recovered (ethjsSenderRecoveryMs); first timed run is also the check run",
      ratio: "ethjs median ms / Braid median ms, per block; geomeanRatio is their geometric mean",
      checks: "gasUsed and logsBloom vs header; receiptsRoot vs header from Byzantium on (null before)",
      braidParallel: "reserved: per block and in totals, { \"1\": { medianMs, mgasPerS }, \"2\": ..., \"4\": ... }",
    },
    totals: t,
    blocks: rows.map((r) => ({
      ...r,
      braid: { ...r.braid, medianMs: round(r.braid.medianMs), minMs: round(r.braid.minMs), executionMedianMs: round(r.braid.executionMedianMs), mgasPerS: round(r.braid.mgasPerS) },
      senderRecovery: { ...r.senderRecovery, medianMs: round(r.senderRecovery.medianMs), perTxMs: round(r.senderRecovery.perTxMs) },
      ethjs: r.ethjs && { ...r.ethjs, medianMs: round(r.ethjs.medianMs), minMs: round(r.ethjs.minMs), mgasPerS: round(r.ethjs.mgasPerS), senderRecoveryMs: round(r.ethjs.senderRecoveryMs) },
      ratio: r.ratio === null ? null : round(r.ratio),
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
