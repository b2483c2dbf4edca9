// Times the pure-opcode programs in one process; run as a child of the pipeline suite:
//   node --expose-gc dist-bench/pipeline/pure-run.js '<PureRunConfig as JSON>'   -> PureSample[] on stdout
// The suite runs several such processes and takes medians across them: how fast a given
// dispatch pattern runs differs from one process to the next (seen: the same program at 140 and
// 190 µs), by more than the cost of a cheap opcode.
import { fileURLToPath } from "node:url";
import { Vm } from "../../dist/vm/vm.js";
import { loadBraidModule } from "../../dist/node/load.js";
import { PURE_CASES, K, SHAPES, program, expected, decodeWords, runPure, type PureCase, type Shape } from "./pure.js";
import { measure } from "../timing.js";
import { log, median } from "../report.js";

export interface PureRunConfig {
  names: string[];
  steps: number;
  /** Per program, split over `rounds`. */
  timeMs: number;
  rounds: number;
  minSamples: number;
  /** Untimed runs of every program before the first round. */
  warmupMs: number;
}

export interface PureSample {
  name: string;
  /** Median ms per run: the median over the rounds of tinybench's median. */
  ms: Record<Shape, number>;
  gas: Record<Shape, string>;
  rmePct: number;
}


/** Runs `code` once and checks its result against the JS model; returns the gas it used. */
function check(vm: Vm, c: PureCase, shape: Shape, code: Uint8Array, steps: number): bigint {
  const r = runPure(vm, c, code);
  if (r.status !== "success") throw new Error(`pipeline ${c.name} ${shape}: status ${r.status}`);
  if (shape !== "baseline") {
    const got = decodeWords(r.output), want = expected(c, shape, steps);
    if (got.length !== K || got.some((w, i) => w !== want[i])) {
      throw new Error(`pipeline ${c.name} ${shape}: wrong result\n  got  ${got.map((w) => w.toString(16)).join(" ")}\n  want ${want.map((w) => w.toString(16)).join(" ")}`);
    }
  }
  return r.gasUsed;
}

export async function measurePure(cfg: PureRunConfig): Promise<PureSample[]> {
  const vm = new Vm(loadBraidModule());
  const progs = PURE_CASES.filter((c) => cfg.names.includes(c.name)).map((c) => {
    const code = {} as Record<Shape, Uint8Array>, gas = {} as Record<Shape, bigint>;
    for (const shape of SHAPES) gas[shape] = check(vm, c, shape, (code[shape] = program(c, shape, cfg.steps)), cfg.steps);
    if (gas.chain !== gas.streams) throw new Error(`pipeline ${c.name}: chain and streams use different gas (${gas.chain} vs ${gas.streams})`);
    return { c, code, gas, medians: { baseline: [], chain: [], streams: [] } as Record<Shape, number[]>, rme: 0 };
  });
  // V8 tiers the interpreter up to optimized code while it runs: warm everything before timing.
  const t0 = performance.now();
  do for (const p of progs) for (const shape of SHAPES) runPure(vm, p.c, p.code[shape]);
  while (performance.now() - t0 < cfg.warmupMs);
  // Rounds over every program, so that load from other processes hits all shapes alike.
  for (let round = 0; round < cfg.rounds; round++) {
    for (const p of progs) {
      for (const shape of SHAPES) {
        const m = await measure(`${p.c.name} ${shape}`, () => runPure(vm, p.c, p.code[shape]), {
          timeMs: cfg.timeMs / cfg.rounds, iterations: cfg.minSamples, warmupMs: 20, warmupIterations: 3,
        });
        p.medians[shape].push(m.medianMs);
        p.rme = Math.max(p.rme, m.rmePct);
      }
    }
  }
  return progs.map(({ c, gas, medians, rme }) => ({
    name: c.name,
    ms: { baseline: median(medians.baseline), chain: median(medians.chain), streams: median(medians.streams) },
    gas: { baseline: String(gas.baseline), chain: String(gas.chain), streams: String(gas.streams) },
    rmePct: rme,
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(JSON.stringify(await measurePure(JSON.parse(process.argv[2]!) as PureRunConfig)) + "\n");
  } catch (e) {
    log(e instanceof Error ? e.stack ?? e.message : String(e));
    process.exitCode = 1;
  }
}
