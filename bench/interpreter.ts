// Suite "interpreter": ipsilon/evm-benchmarks (main + micro) on Braid and on @ethereumjs/evm, same process.
//
// Braid:  runCode(vm, { code, input, gas }) — a fresh call against an empty state holding the contract
//         (the per-run state reset is inside the timed region).
// ethjs:  evm.runCall on a prepared Cancun EVM with the contract code at the same address; the state is
//         checkpointed before and reverted after every run in untimed hooks (setup kept out of timing).
// Both must return the same status, output bytes and gas used; a mismatch is printed and recorded.
import { createHash } from "node:crypto";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { EVMError, createEVM, getActivePrecompiles } from "@ethereumjs/evm";
import type { EVM, EVMRunCallOpts } from "@ethereumjs/evm";
import { Account, Address, createZeroAddress } from "@ethereumjs/util";
import { Vm } from "../dist/vm/vm.js";
import { RUN_CALLER, RUN_TARGET, runCode } from "../dist/vm/run-code.js";
import { loadBraidModule } from "../dist/node/load.js";
import { bytesToHex, loadInterpreterCases, type InterpreterCase } from "./fixtures.js";
import { banner, benchCommand, fmtMs, fmtNum, formatTable, geomean, load1, log, machineInfo, mgasPerS, sig, writeResults, type Column } from "./report.js";
import { measure, type Measurement } from "./timing.js";

/** Timing budgets (ms) and minimum sample counts; env overrides for quick runs. */
const num = (name: string, dflt: number) => (process.env[name] !== undefined ? Number(process.env[name]) : dflt);
const CFG = {
  braidTimeMs: num("BENCH_BRAID_MS", 3000),
  braidMinSamples: num("BENCH_BRAID_MIN", 10),
  braidWarmupMs: num("BENCH_BRAID_WARMUP_MS", 200),
  ethjsTimeMs: num("BENCH_ETHJS_MS", 5000),
  /** ethjs warmup budget, skipped for cases whose first (correctness) run took over 1 s. */
  ethjsWarmupMs: num("BENCH_ETHJS_WARMUP_MS", 500),
  ethjsMinSamples: num("BENCH_ETHJS_MIN", 3),
  /** ethjs cases whose single run exceeds this many ms get only `ethjsCappedSamples` samples. */
  ethjsCapAboveMs: num("BENCH_ETHJS_CAP_ABOVE_MS", 30000),
  ethjsCappedSamples: num("BENCH_ETHJS_CAPPED_SAMPLES", 1),
};

type Status = "success" | "revert" | "halt";
interface Outcome {
  status: Status;
  output: Uint8Array;
  gasUsed: bigint;
}

export interface InterpreterCaseResult {
  suite: string;
  name: string;
  gasUsed: number;
  braidMs: number;
  ethjsMs: number;
  braidMgasPerS: number;
  ethjsMgasPerS: number;
  ratio: number;
  match: boolean;
  status: Status;
  outputBytes: number;
  outputSha256: string; // first 16 hex digits
  braidSamples: number;
  ethjsSamples: number;
  braidRmePct: number;
  ethjsRmePct: number;
  ethjsCapped?: string;
  mismatch?: { braid: { status: Status; gasUsed: string; output: string }; ethjs: { status: Status; gasUsed: string; output: string } };
}

const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex").slice(0, 16);
const shortHex = (b: Uint8Array) => (b.length <= 64 ? bytesToHex(b) : `${bytesToHex(b.subarray(0, 32))}… (${b.length} bytes, sha256 ${digest(b)})`);
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

// ---------------------------------------------------------------------------------------------- Braid

class BraidEngine {
  private readonly vm = new Vm(loadBraidModule());
  run(c: InterpreterCase): Outcome {
    const r = runCode(this.vm, { code: c.code, input: c.input, gas: c.gasLimit });
    return { status: r.status, output: r.output, gasUsed: r.gasUsed };
  }
}

// ---------------------------------------------------------------------------------------------- ethjs

type EthBlock = NonNullable<EVMRunCallOpts["block"]>;

class EthjsEngine {
  private constructor(
    private readonly evm: EVM,
    private readonly warm: string[],
  ) {}
  private readonly caller = new Address(RUN_CALLER);
  private readonly to = new Address(RUN_TARGET);
  private block!: EthBlock;
  private checkpointed = false;

  static async create(): Promise<EthjsEngine> {
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
    const evm = await createEVM({ common });
    const coinbase = createZeroAddress();
    // Transaction-level warm set (EIP-2929 origin/to/precompiles, EIP-3651 coinbase), as Braid applies it.
    const warm: string[] = [RUN_CALLER, RUN_TARGET, coinbase.bytes].map((b) => new Address(b).toString());
    for (const [a] of getActivePrecompiles(common)) warm.push(a.startsWith("0x") ? a : `0x${a}`);
    const e = new EthjsEngine(evm, warm);
    // Same accounts as Braid's runCode: caller (nonce 0, balance 0) and the contract (nonce 1).
    await evm.stateManager.putAccount(e.caller, new Account(0n, 0n));
    await evm.stateManager.putAccount(e.to, new Account(1n, 0n));
    return e;
  }

  /** Installs the case's code (untimed) and the block matching Braid's runCode environment. */
  async prepare(c: InterpreterCase): Promise<void> {
    await this.evm.stateManager.putCode(this.to, c.code);
    this.block = {
      header: {
        number: 1n, coinbase: createZeroAddress(), timestamp: 1n, difficulty: 0n, prevRandao: new Uint8Array(32),
        gasLimit: c.gasLimit, baseFeePerGas: 0n, getBlobGasPrice: () => 1n,
      },
    };
  }

  /** Untimed: snapshot the state and start a fresh transaction-level journal. */
  async before(): Promise<void> {
    await this.evm.stateManager.checkpoint();
    this.checkpointed = true;
    this.evm.journal.cleanJournal();
    this.evm.transientStorage.clear();
    for (const a of this.warm) this.evm.journal.addAlwaysWarmAddress(a);
  }

  /** Untimed: drop everything the run wrote. */
  async after(): Promise<void> {
    if (this.checkpointed) await this.evm.stateManager.revert();
    this.checkpointed = false;
  }

  /** Timed: the call itself. */
  async call(c: InterpreterCase): Promise<Outcome> {
    const r = await this.evm.runCall({
      caller: this.caller, origin: this.caller, to: this.to, data: c.input, gasLimit: c.gasLimit,
      value: 0n, gasPrice: 0n, block: this.block,
    });
    const err = r.execResult.exceptionError;
    const status: Status = err === undefined ? "success" : err.error === EVMError.errorMessages.REVERT ? "revert" : "halt";
    return { status, output: r.execResult.returnValue, gasUsed: r.execResult.executionGasUsed };
  }

  async runOnce(c: InterpreterCase): Promise<Outcome> {
    await this.before();
    try {
      return await this.call(c);
    } finally {
      await this.after();
    }
  }
}

// ---------------------------------------------------------------------------------------------- suite

export async function run(args: string[]): Promise<void> {
  const filters = args.filter((a) => !a.startsWith("--"));
  let cases = loadInterpreterCases();
  if (filters.length) cases = cases.filter((c) => filters.some((f) => `${c.suite}/${c.name}`.includes(f)));
  if (cases.length === 0) throw new Error(`interpreter: no case matches ${filters.join(" ")}`);

  const started = Date.now();
  const loadAtStart = load1();
  const braid = new BraidEngine();
  const ethjs = await EthjsEngine.create();
  log(`interpreter: ${cases.length} cases; braid ≥${CFG.braidMinSamples} samples/${CFG.braidTimeMs} ms, ` +
    `ethjs ≥${CFG.ethjsMinSamples} samples/${CFG.ethjsTimeMs} ms (capped to ${CFG.ethjsCappedSamples} above ${CFG.ethjsCapAboveMs} ms/run)`);

  // Braid's fixed per-run cost: runCode on a one-byte STOP contract (state reset, account setup, call).
  const stop: InterpreterCase = { suite: "-", contract: "stop", label: "", name: "stop", code: Uint8Array.of(0), input: new Uint8Array(0), gasLimit: 1_000_000_000n };
  const baseline = await measure("braid stop", () => braid.run(stop), { timeMs: 1000, iterations: 100, warmupMs: 200, warmupIterations: 10 });
  log(`  braid runCode baseline (STOP contract): ${fmtMs(baseline.medianMs)} ms median`);

  const results: InterpreterCaseResult[] = [];
  for (const c of cases) {
    const id = `${c.suite}/${c.name}`;
    // Correctness runs (also first warmup), untimed.
    const b = braid.run(c);
    await ethjs.prepare(c);
    const t0 = performance.now();
    const e = await ethjs.runOnce(c);
    const ethjsFirstMs = performance.now() - t0;
    const match = b.status === e.status && b.gasUsed === e.gasUsed && sameBytes(b.output, e.output);
    if (!match) {
      log(`\n!!!!!!!! MISMATCH ${id} !!!!!!!!`);
      log(`  braid: status=${b.status} gasUsed=${b.gasUsed} output=${shortHex(b.output)}`);
      log(`  ethjs: status=${e.status} gasUsed=${e.gasUsed} output=${shortHex(e.output)}\n`);
    }

    const bm: Measurement = await measure(`braid ${id}`, () => braid.run(c), {
      timeMs: CFG.braidTimeMs, iterations: CFG.braidMinSamples, warmupMs: CFG.braidWarmupMs, warmupIterations: 3,
    });
    let ethjsCapped: string | undefined;
    let ethIters = CFG.ethjsMinSamples;
    let ethTime = CFG.ethjsTimeMs;
    if (ethjsFirstMs > CFG.ethjsCapAboveMs) {
      ethIters = CFG.ethjsCappedSamples;
      ethTime = 0;
      ethjsCapped = `first run took ${Math.round(ethjsFirstMs)} ms: samples capped to ${ethIters}`;
    }
    const em: Measurement = await measure(`ethjs ${id}`, () => ethjs.call(c), {
      async: true, timeMs: ethTime, iterations: ethIters, warmupMs: ethjsFirstMs > 1000 ? 0 : CFG.ethjsWarmupMs,
      beforeEach: () => ethjs.before(), afterEach: () => ethjs.after(),
    });

    const gas = Number(b.gasUsed);
    const r: InterpreterCaseResult = {
      suite: c.suite, name: c.name, gasUsed: gas,
      braidMs: sig(bm.medianMs), ethjsMs: sig(em.medianMs),
      braidMgasPerS: sig(mgasPerS(gas, bm.medianMs)), ethjsMgasPerS: sig(mgasPerS(Number(e.gasUsed), em.medianMs)),
      ratio: sig(em.medianMs / bm.medianMs), match,
      status: b.status, outputBytes: b.output.length, outputSha256: digest(b.output),
      braidSamples: bm.samples, ethjsSamples: em.samples, braidRmePct: sig(bm.rmePct, 3), ethjsRmePct: sig(em.rmePct, 3),
    };
    if (ethjsCapped) r.ethjsCapped = ethjsCapped;
    if (!match) {
      r.mismatch = {
        braid: { status: b.status, gasUsed: b.gasUsed.toString(), output: shortHex(b.output) },
        ethjs: { status: e.status, gasUsed: e.gasUsed.toString(), output: shortHex(e.output) },
      };
    }
    results.push(r);
    log(`  ${id.padEnd(40)} braid ${fmtMs(bm.medianMs).padStart(9)} ms (${bm.samples})  ethjs ${fmtMs(em.medianMs).padStart(9)} ms (${em.samples})  ` +
      `×${fmtNum(em.medianMs / bm.medianMs)}${match ? "" : "  MISMATCH"}`);
  }

  const ratios = results.map((r) => r.ratio);
  const geomeanRatio = sig(geomean(ratios));
  const minRatio = sig(Math.min(...ratios));
  const minCase = results.find((r) => r.ratio === Math.min(...ratios));
  const mismatches = results.filter((r) => !r.match);

  const cols: Column<InterpreterCaseResult>[] = [
    { header: "suite", value: (r) => r.suite, align: "left" },
    { header: "case", value: (r) => r.name, align: "left" },
    { header: "gas used", value: (r) => (r.gasUsed ? r.gasUsed.toLocaleString("en-US") : "") },
    { header: "braid ms", value: (r) => (r.braidMs ? fmtMs(r.braidMs) : "") },
    { header: "ethjs ms", value: (r) => (r.ethjsMs ? fmtMs(r.ethjsMs) : "") },
    { header: "braid Mgas/s", value: (r) => (r.braidMgasPerS ? fmtNum(r.braidMgasPerS) : "") },
    { header: "ethjs Mgas/s", value: (r) => (r.ethjsMgasPerS ? fmtNum(r.ethjsMgasPerS, 2) : "") },
    { header: "ethjs/braid", value: (r) => fmtNum(r.ratio, 1) + (r.ethjsCapped ? "*" : "") },
    { header: "match", value: (r) => (r.match ? "yes" : "NO <<<"), align: "left" },
  ];
  const blank = { suite: "", name: "", gasUsed: 0, braidMs: 0, ethjsMs: 0, braidMgasPerS: 0, ethjsMgasPerS: 0, match: true } as InterpreterCaseResult;
  const footer = [
    { ...blank, name: "geometric mean", ratio: geomeanRatio, match: mismatches.length === 0 },
    { ...blank, name: `minimum (${minCase ? `${minCase.suite}/${minCase.name}` : "-"})`, ratio: minRatio, match: minCase?.match ?? true },
  ];
  console.log(banner("interpreter: Braid vs @ethereumjs/evm 10.1.3 (Cancun), median ms per run"));
  console.log(formatTable(cols, results, footer));
  if (results.some((r) => r.ethjsCapped)) console.log("* ethjs samples capped (see JSON)");
  console.log(`1-min load average: ${loadAtStart} at start, ${load1()} at end (${machineInfo().cores} cores)`);
  console.log(`Braid runCode fixed cost (1-byte STOP contract): ${fmtMs(baseline.medianMs)} ms median per run`);
  if (mismatches.length) {
    console.log(`\n!!! ${mismatches.length} MISMATCH(ES) between Braid and ethjs:`);
    for (const m of mismatches) {
      console.log(`  ${m.suite}/${m.name}\n    braid: ${JSON.stringify(m.mismatch!.braid)}\n    ethjs: ${JSON.stringify(m.mismatch!.ethjs)}`);
    }
  } else {
    console.log(`\nall ${results.length} cases: same status, output and gas used on both engines`);
  }

  const path = writeResults("interpreter", {
    suite: "interpreter",
    command: benchCommand("interpreter", args),
    description: "ipsilon/evm-benchmarks (main, micro) from ../shared/fixtures/evm-benchmarks; gas limit per fixture (1e9). " +
      "Braid: runCode() (state reset inside timing). ethjs: @ethereumjs/evm runCall, Cancun, state checkpoint/revert outside timing. " +
      "Times are tinybench median (p50) latency per run in ms; ratio = ethjsMs / braidMs.",
    date: new Date().toISOString(),
    machine: machineInfo(),
    engines: { braid: "build/braid.wasm via dist/vm/run-code.js", ethjs: "@ethereumjs/evm 10.1.3, SimpleStateManager" },
    config: CFG,
    filters,
    durationS: Math.round((Date.now() - started) / 1000),
    loadAverage1m: { start: loadAtStart, end: load1() },
    braidStopBaselineMs: sig(baseline.medianMs),
    geomeanRatio,
    minRatio,
    minRatioCase: minCase ? `${minCase.suite}/${minCase.name}` : null,
    mismatches: mismatches.map((m) => `${m.suite}/${m.name}`),
    cases: results,
  });
  console.log(`\nresults: ${path}  (${Math.round((Date.now() - started) / 1000)} s)`);
}
