#!/usr/bin/env node
// The `braid` command.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseFork, forkName, Fork, SUPPORTED_FORKS } from "../fork.js";
import { bytesToHex } from "../encoding/hex.js";
import { loadBraidModule } from "../node/load.js";
import { Vm } from "../vm/vm.js";
import { runCode } from "../vm/run-code.js";
import { runStateTests, type EntryOutcome } from "../statetest/run.js";
import { loadBlockFixture } from "../node/fixture.js";
import { executeBlock } from "../block/execute.js";
import { isBraidError } from "../encoding/errors.js";
import { equalBytes } from "../encoding/hex.js";
import { availableParallelism } from "node:os";
import { NodeWorkerPool } from "../node/pool.js";
import { ParallelExecutor, type ParallelStats } from "../parallel/execute.js";
import { compareResults } from "../block/compare.js";
import { demo, DEMO_DEFAULTS } from "./demo.js";
import type { BlockInput, BlockResult, PreState } from "../block/types.js";
import { measurePath, type PathFigures } from "../parallel/measure-path.js";
import { parseSynthArgs, runSynth, MAX_SYNTH_TXS } from "../synth/index.js";
import { rpcBlockCommand } from "./rpc-block.js";
import { runIlp } from "./ilp.js";
import { remoteBlock, REMOTE_DEFAULT_THREADS } from "./remote-block.js";
import { UsageError, parseArgs, hexOption, positiveOption, MAX_THREADS } from "./args.js";
import { median, timeAlternating, WARM_UP_RUNS, type Side } from "./timing.js";


const USAGE = `usage:
  braid statetest [--fork NAME] [--json] <file|dir>...
  braid run (--code HEX | --codefile FILE) [--input HEX] [--gas N] [--fork NAME] [--bench]
  braid demo [--txs N] [--threads N] [--runs N] [--json]
  braid block <fixture dir> [--threads N] [--sequential] [--compare] [--runs N] [--json] [--trust-senders] [--critical-path]
  braid block <fixture dir> --latency MS [--no-ooo] [--sequential] [--threads N] [--json]   (remote state, simulated latency)
  braid block --rpc URL --number N [--json] [--no-ooo] [--threads N] [--max-batch N]
  braid synth <kind> --txs N --out DIR [--seed S]   (kinds: raw-transfers erc20 erc20-hot amm amm-one-pool chain mixed)
  braid ilp (--code HEX | --codefile FILE | <fixture dir>) [--input HEX] [--json] [--out FILE] [--top N] [--contracts N]`;

function forkOption(v: string | true | undefined): Fork | undefined {
  if (v === undefined) return undefined;
  const f = parseFork(String(v));
  if (f === undefined) throw new UsageError(`unknown fork '${v}'`);
  if (!SUPPORTED_FORKS.includes(f)) throw new UsageError(`fork '${v}' is not supported yet (Braid runs Frontier to Cancun)`);
  return f;
}

function listJson(paths: string[]): string[] {
  const files: string[] = [];
  const walk = (p: string) => {
    let st;
    try { st = statSync(p); } catch { throw new UsageError(`no such file or directory: ${p}`); }
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n));
    else if (p.endsWith(".json")) files.push(p);
  };
  for (const p of paths) walk(p);
  return files;
}

function statetest(argv: string[]): number {
  const { opts, rest } = parseArgs(argv, ["json"], ["fork"]);
  if (rest.length === 0) throw new UsageError("statetest needs at least one file or directory");
  const fork = forkOption(opts.fork);
  const files = listJson(rest);
  const vm = new Vm(loadBraidModule());
  let passed = 0, failed = 0;
  const skipped: Array<EntryOutcome & { file: string }> = [];
  const failures: Array<EntryOutcome & { file: string }> = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      failed++;
      failures.push({ file, test: "-", fork: "-", index: 0, status: "failed", reason: `cannot parse JSON: ${(e as Error).message}` });
      continue;
    }
    for (const o of runStateTests(vm, parsed as never, fork)) {
      if (o.status === "passed") passed++;
      else if (o.status === "failed") { failed++; failures.push({ ...o, file }); }
      else skipped.push({ ...o, file });
    }
  }
  if (opts.json) {
    console.log(JSON.stringify({ passed, failed, skipped: skipped.length, failures, skippedEntries: skipped }, null, 1));
  } else {
    for (const f of failures) console.log(`FAIL ${f.file} ${f.test} ${f.fork}[${f.index}]: ${f.reason}`);
    for (const s of skipped) console.log(`SKIP ${s.file} ${s.test} ${s.fork}[${s.index}]: ${s.reason}`);
  }
  console.log(`${passed} passed, ${failed} failed` + (skipped.length ? `, ${skipped.length} skipped` : ""));
  return failed > 0 ? 1 : 0;
}

function run(argv: string[]): number {
  const { opts, rest } = parseArgs(argv, ["bench"], ["code", "codefile", "input", "gas", "fork"]);
  if (rest.length) throw new UsageError(`run takes no positional arguments, got '${rest[0]}'`);
  let codeHex: string;
  if (typeof opts.code === "string") codeHex = opts.code;
  else if (typeof opts.codefile === "string") {
    try { codeHex = readFileSync(opts.codefile, "utf8"); } catch (e) { throw new UsageError(`cannot read ${opts.codefile}: ${(e as Error).message}`); }
  } else throw new UsageError("run needs --code HEX or --codefile FILE");
  const code = hexOption(codeHex, "code");
  const input = typeof opts.input === "string" ? hexOption(opts.input, "input") : new Uint8Array(0);
  let gas: bigint | undefined;
  if (typeof opts.gas === "string") {
    if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(opts.gas)) throw new UsageError(`--gas must be a number, got '${opts.gas}'`);
    gas = BigInt(opts.gas);
    if (gas > (1n << 63n) - 1n) throw new UsageError("--gas is too large (at most 2^63-1)");
  }
  const fork = forkOption(opts.fork) ?? Fork.Cancun;
  const vm = new Vm(loadBraidModule());
  const r = runCode(vm, { code, input, gas, fork });
  const out: Record<string, unknown> = { output: bytesToHex(r.output), gasUsed: Number(r.gasUsed), status: r.status };
  if (opts.bench) {
    const times: number[] = [];
    const deadline = performance.now() + 2000;
    for (let i = 0; i < 3; i++) runCode(vm, { code, input, gas, fork }); // warm-up
    while (times.length < 5 || (performance.now() < deadline && times.length < 1000)) {
      const t0 = performance.now();
      runCode(vm, { code, input, gas, fork });
      times.push(performance.now() - t0);
    }
    out.medianMs = median(times);
    out.runs = times.length;
  }
  console.log(JSON.stringify(out));
  return 0;
}

async function block(argv: string[]): Promise<number> {
  const { opts, rest } = parseArgs(argv, ["json", "trust-senders", "sequential", "compare", "no-ooo", "critical-path"], ["threads", "latency", "runs"]);
  if (rest.length !== 1) throw new UsageError("block needs exactly one fixture directory");
  if (opts.latency !== undefined) {
    const latencyMs = Number(opts.latency);
    if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new UsageError(`--latency must be a number of milliseconds, got '${opts.latency}'`);
    if (opts.compare) throw new UsageError("--compare does not combine with --latency");
    if (opts["critical-path"]) throw new UsageError("--critical-path does not combine with --latency");
    if (opts.runs !== undefined) throw new UsageError("--runs does not combine with --latency");
    const chosen = positiveOption(opts.threads, "threads", REMOTE_DEFAULT_THREADS, MAX_THREADS);
    const threads = opts.sequential ? 1 : chosen;
    try {
      return await remoteBlock(rest[0], { latencyMs, ooo: !opts["no-ooo"], threads, json: !!opts.json, verifySenders: !opts["trust-senders"] });
    } catch (e) { if (isBraidError(e)) throw new UsageError(e.message); throw e; }
  }
  if (opts["no-ooo"]) throw new UsageError("--no-ooo applies to remote state (--latency MS or --rpc URL)");
  const threads = positiveOption(opts.threads, "threads", availableParallelism(), MAX_THREADS);
  const load = () => {
    try { return loadBlockFixture(rest[0]); } catch (e) { if (isBraidError(e)) throw new UsageError(e.message); throw e; }
  };
  const fx = load();
  const module = loadBraidModule();
  const verifySenders = !opts["trust-senders"];
  const runSequential = opts.sequential || opts.compare;
  const runParallel = !opts.sequential || opts.compare;
  let seq: BlockResult | undefined, par: (BlockResult & { parallel: ParallelStats }) | undefined, path: PathFigures | undefined;
  const ms: { sequential?: number; parallel?: number; senderRecovery?: number } = {};
  // Timed runs: with --compare (5 by default) or --runs N, after WARM_UP_RUNS untimed runs of each
  // mode, the modes alternating on a Vm each, as a replay would reuse it (timeAlternating); each
  // time is the median of its runs. Every timed run parses the block afresh and recovers its
  // senders; the untimed ones skip both (sender recovery needs no warming up).
  const runs = positiveOption(opts.runs, "runs", opts.compare ? 5 : 1, 1000);
  const warmUp = opts.compare || opts.runs !== undefined ? WARM_UP_RUNS : 0;
  try {
    const seqVm = runSequential ? new Vm(module) : undefined;
    const parVm = runParallel ? new Vm(module) : undefined;
    const pool = parVm ? new NodeWorkerPool(threads, module, parVm.memory) : undefined;
    try {
      if (pool) await pool.whenReady();
      const blockFor = (timed: boolean) => (timed ? load().block : fx.block);
      const sides: Side<BlockResult>[] = [];
      if (seqVm) sides.push((timed) => executeBlock(seqVm, blockFor(timed), fx.pre, { verifySenders: verifySenders && timed }));
      if (parVm && pool) {
        const ex = new ParallelExecutor(parVm, pool);
        sides.push((timed) => ex.execute(blockFor(timed), fx.pre, { verifySenders: verifySenders && timed, threads, policy: opts.compare ? "always" : "auto" }));
      }
      const timed = await timeAlternating(sides, runs, warmUp);
      const seqRuns = seqVm ? timed[0]! : [];
      const parRuns = (parVm ? timed.at(-1)! : []) as (BlockResult & { parallel: ParallelStats })[];
      seq = seqRuns.at(-1);
      par = parRuns.at(-1);
      if (seq) ms.sequential = round(median(seqRuns.map((r) => r.stats.executionMs)));
      if (par) ms.parallel = round(median(parRuns.map((r) => r.stats.executionMs)));
      ms.senderRecovery = round(median([...seqRuns, ...parRuns].map((r) => r.stats.senderRecoveryMs)));
    } finally {
      await pool?.close();
    }
    if (opts["critical-path"]) path = await criticalPath(module, load().block, fx.pre);
  } catch (e) {
    if (isBraidError(e)) { console.error(`braid: block ${Number(fx.block.header.number)}: ${e.message}`); return 1; }
    throw e;
  }
  const r = (par ?? seq)!;
  const h = fx.block.header;
  const checks = {
    gasUsed: r.gasUsed === h.gasUsed,
    logsBloom: equalBytes(r.logsBloom, h.logsBloom),
    receiptsRoot: r.receiptsRoot === null ? null : equalBytes(r.receiptsRoot, h.receiptsRoot),
  };
  const differences = seq && par ? compareResults(seq, par) : [];
  const identical = seq && par ? differences.length === 0 : null;
  const ok = checks.gasUsed && checks.logsBloom && checks.receiptsRoot !== false && identical !== false;
  const out = {
    number: Number(h.number), fork: forkName(r.fork), txs: fx.block.transactions.length, gasUsed: Number(r.gasUsed), checks,
    threads: par ? threads : 1, runs, ms,
    speedup: ms.sequential !== undefined && ms.parallel !== undefined ? round(ms.sequential / ms.parallel) : null,
    identical,
    stats: par
      ? { executions: par.parallel.executions, validations: par.parallel.validations, aborts: par.parallel.aborts, waits: par.parallel.waits,
          held: par.parallel.held, early: par.parallel.early, credits: par.parallel.credits, helped: par.parallel.helped ?? 0, sequentialPath: par.parallel.sequential, ...(par.parallel.fallbackReason ? { fallbackReason: par.parallel.fallbackReason } : {}),
          ...(par.parallel.serialFrom !== undefined ? { serialFrom: par.parallel.serialFrom } : {}),
          ...(par.parallel.partitioned ? { partitioned: par.parallel.partitioned } : {}) }
      : { executions: fx.block.transactions.length, validations: 0, aborts: 0, waits: 0, held: 0, early: 0, credits: 0, helped: 0, sequentialPath: true },
    ...(r.stats.unclesNotRewarded ? { unclesNotRewarded: r.stats.unclesNotRewarded } : {}),
    ...(path ? { criticalPath: JSON.parse(JSON.stringify(path, (_, v: unknown) => (typeof v === "number" ? Number(v.toPrecision(4)) : v))) as PathFigures } : {}),
  };
  if (opts.json) console.log(JSON.stringify(out));
  else {
    console.log(`block ${out.number} (${out.fork}): ${out.txs} txs, ${out.gasUsed} gas`);
    const of = runs > 1 ? ` (median of ${runs} runs)` : "";
    if (ms.sequential !== undefined) console.log(`  sequential: ${ms.sequential} ms${of}`);
    if (ms.parallel !== undefined) {
      const serial = par?.parallel.serialFrom !== undefined ? `; conflicts: transactions from ${par.parallel.serialFrom} ran in order` : "";
      const largest = par?.parallel.partitioned?.largestGroup;
      const groups = largest !== undefined ? `; partitioned: plain transfers in groups that share no account, largest group ${largest} transaction${largest === 1 ? "" : "s"}` : "";
      console.log(`  parallel:   ${ms.parallel} ms${of} on ${threads} threads (executions ${out.stats.executions}, validations ${out.stats.validations}, aborts ${out.stats.aborts}, waits ${out.stats.waits}, held ${out.stats.held}, early ${out.stats.early}, lazy credits ${out.stats.credits}, helped ${out.stats.helped}${serial}${groups})`);
    }
    console.log(`  gasUsed ${checks.gasUsed ? "ok" : `MISMATCH (got ${r.gasUsed}, header ${h.gasUsed})`}, logsBloom ${checks.logsBloom ? "ok" : "MISMATCH"}, receiptsRoot ${checks.receiptsRoot === null ? "not checkable (pre-Byzantium)" : checks.receiptsRoot ? "ok" : "MISMATCH"}`);
    if (identical !== null) console.log(`  sequential and parallel ${identical ? "identical" : "DIFFER: " + differences.slice(0, 5).join("; ")}`);
    if (path) {
      const x = (v: number) => `${v.toFixed(2)}x`;
      console.log(`  critical path: at most ${x(path.byTime["2"]!.bound)} on 2 threads and ${x(path.byTime["4"]!.bound)} on 4, in block order with no overhead ${x(path.byTime["2"]!.inOrder)} and ${x(path.byTime["4"]!.inOrder)}` +
        ` (by gas: ${x(path.byGas["2"]!.bound)} and ${x(path.byGas["4"]!.bound)}); longest transaction ${(100 * path.longestShare).toFixed(0)}% of ${round(path.transactionsMs)} ms`);
    }
  }
  return ok ? 0 : 1;
}

/**
 * The block's critical path (src/parallel/measure-path.ts): timed sequential runs, and one
 * Block-STM run on two workers of its own for the dependencies.
 */
async function criticalPath(module: WebAssembly.Module, blk: BlockInput, pre: PreState): Promise<PathFigures> {
  const vm = new Vm(module);
  const pool = new NodeWorkerPool(2, module, vm.memory);
  try {
    await pool.whenReady();
    return await measurePath(new Vm(module), new ParallelExecutor(vm, pool), blk, pre, { threads: [2, 4] });
  } finally {
    await pool.close();
  }
}

function demoCommand(argv: string[]): Promise<number> {
  const { opts, rest } = parseArgs(argv, ["json"], ["txs", "threads", "runs"]);
  if (rest.length) throw new UsageError(`demo takes no positional arguments, got '${rest[0]}'`);
  const int = (name: string, dflt: number, max?: number) => positiveOption(opts[name], name, dflt, max);
  return demo({ txs: int("txs", DEMO_DEFAULTS.txs, MAX_SYNTH_TXS), threads: int("threads", DEMO_DEFAULTS.threads, MAX_THREADS), runs: int("runs", DEMO_DEFAULTS.runs), json: !!opts.json });
}

function synth(argv: string[]): number {
  const { opts, rest } = parseArgs(argv, [], ["txs", "out", "seed"]);
  let args;
  try { args = parseSynthArgs(rest, opts); } catch (e) { if (isBraidError(e)) throw new UsageError(e.message); throw e; }
  let summary;
  try {
    summary = runSynth(args);
  } catch (e) {
    // A file system error writing the fixture (a parent that is missing or a file, no permission).
    if (e instanceof Error && /^E[A-Z]+$/.test(String((e as NodeJS.ErrnoException).code))) throw new UsageError(`--out ${args.out}: cannot write the fixture (${e.message})`);
    throw e;
  }
  console.log(summary.line);
  return 0;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  // `braid <command> --help` as well as `braid help`.
  if (rest.includes("--help") || rest.includes("-h")) { console.log(USAGE); return 0; }
  switch (cmd) {
    case "statetest": return statetest(rest);
    case "run": return run(rest);
    case "block": return rest.includes("--rpc") ? rpcBlockCommand(rest) : block(rest);
    case "demo": return demoCommand(rest);
    case "synth": return synth(rest);
    case "ilp": return runIlp(rest);
    case undefined: case "help": case "--help": case "-h": console.log(USAGE); return cmd === undefined ? 2 : 0;
    default: throw new UsageError(`unknown command '${cmd}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (e instanceof UsageError) {
      console.error(`braid: ${e.message}`);
      process.exitCode = 2;
    } else {
      console.error(`braid: ${(e as Error).message}`);
      process.exitCode = 1;
    }
  },
);
