// Suite "ilp": corpus-wide distribution of basic-block ILP (src/analysis), not a timing benchmark.
//
// Corpora: the 48 mainnet blocks (every contract each block ran, executed once with block counting
// on: executeBlock, senders trusted) and the evm-benchmarks contracts (main, micro: each input run
// once through runCode). Counts of a code are summed over every block / input it ran in, so each
// distinct code counts once in the unweighted figures.
// Per corpus: block-ILP percentiles (p10/p50/p90) and mean, unweighted (every block of every code
// that ran, once) and weighted by executed instructions; "aggregate" is executed instructions /
// executed critical-path steps; "compute" is the same without the zero-latency shuffles
// (DUP/SWAP/POP/JUMPDEST) in the numerator. See src/analysis/latency.ts for the latency model.
//
// Usage: npm run bench -- ilp [mainnet|benchmarks]
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { analyzeCode } from "../dist/analysis/cache.js";
import { mergeProfiles, type CodeProfile } from "../dist/analysis/profile.js";
import { ilpDistribution, summarizeContract, type IlpDistribution } from "../dist/analysis/report.js";
import { profileBlock, profileCode } from "../dist/analysis/workload.js";
import { loadBlockFixture } from "../dist/node/fixture.js";
import { loadBraidModule } from "../dist/node/load.js";
import { Vm } from "../dist/vm/vm.js";
import { fixturesDir, loadInterpreterCases } from "./fixtures.js";
import { banner, formatTable, log, machineInfo, writeResults, type Column } from "./report.js";

interface CorpusRow extends IlpDistribution {
  corpus: string;
  codes: number;
  executedInstructions: number;
  compute: number;
  /** Executed state reads (SLOAD, BALANCE, EXTCODE*, BLOCKHASH, CALL-family targets) by key provenance. */
  reads: Record<string, number>;
}

function corpusRow(corpus: string, codes: Map<string, CodeProfile>): CorpusRow {
  const items = [...codes.values()];
  let instrs = 0, compute = 0, steps = 0;
  const reads: Record<string, number> = { constant: 0, calldata: 0, "entry-stack": 0, state: 0 };
  for (const { code, counts } of items) {
    const executed = summarizeContract(analyzeCode(code), counts).reads.executed!;
    for (const [p, n] of Object.entries(executed)) reads[p] += n;
    for (const b of analyzeCode(code).blocks) {
      const n = counts.get(b.start) ?? 0;
      instrs += n * b.instructions; compute += n * (b.instructions - b.shuffles); steps += n * b.criticalPath;
    }
  }
  return { corpus, codes: items.length, executedInstructions: instrs, compute: steps ? compute / steps : 0, reads, ...ilpDistribution(items) };
}

function mainnet(): { row: CorpusRow; perBlock: Array<{ number: number; codes: number; weightedMean: number; aggregate: number }> } {
  const root = join(fixturesDir(), "mainnet-blocks");
  const dirs = readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(a) - Number(b));
  const vm = new Vm(loadBraidModule());
  const all = new Map<string, CodeProfile>();
  const perBlock = [];
  for (const d of dirs) {
    const fx = loadBlockFixture(join(root, d));
    const w = profileBlock(vm, fx.block, fx.pre);
    const codes = new Map(w.codes.map((c) => [c.codeHash, c]));
    mergeProfiles(all, codes);
    const dist = ilpDistribution(w.codes);
    perBlock.push({ number: Number(d), codes: w.codes.length, weightedMean: dist.weighted.mean, aggregate: dist.aggregate });
    log(`  block ${d}: ${w.codes.length} codes, weighted mean ILP ${dist.weighted.mean.toFixed(2)}`);
  }
  return { row: corpusRow("mainnet blocks (48)", all), perBlock };
}

function benchmarks(): CorpusRow[] {
  const vm = new Vm(loadBraidModule());
  const bySuite = new Map<string, Map<string, CodeProfile>>();
  for (const c of loadInterpreterCases()) {
    const w = profileCode(vm, c.code, c.input, c.gasLimit);
    const codes = bySuite.get(c.suite) ?? new Map<string, CodeProfile>();
    bySuite.set(c.suite, mergeProfiles(codes, new Map(w.codes.map((p) => [p.codeHash, p]))));
  }
  const rows = [...bySuite].map(([suite, codes]) => corpusRow(`evm-benchmarks ${suite}`, codes));
  const all = new Map<string, CodeProfile>();
  for (const codes of bySuite.values()) mergeProfiles(all, codes);
  return [...rows, corpusRow("evm-benchmarks (all)", all)];
}

const f2 = (x: number) => x.toFixed(2);
const COLUMNS: Column<CorpusRow>[] = [
  { header: "corpus", value: (r) => r.corpus, align: "left" },
  { header: "codes", value: (r) => String(r.codes) },
  { header: "blocks", value: (r) => String(r.blocks) },
  { header: "exec instr", value: (r) => String(r.executedInstructions) },
  { header: "p10", value: (r) => f2(r.unweighted.p10) },
  { header: "p50", value: (r) => f2(r.unweighted.p50) },
  { header: "p90", value: (r) => f2(r.unweighted.p90) },
  { header: "mean", value: (r) => f2(r.unweighted.mean) },
  { header: "w.p10", value: (r) => f2(r.weighted.p10) },
  { header: "w.p50", value: (r) => f2(r.weighted.p50) },
  { header: "w.p90", value: (r) => f2(r.weighted.p90) },
  { header: "w.mean", value: (r) => f2(r.weighted.mean) },
  { header: "aggregate", value: (r) => f2(r.aggregate) },
  { header: "compute", value: (r) => f2(r.compute) },
  { header: "reads c/d/e/s (executed)", value: (r) => `${r.reads.constant}/${r.reads.calldata}/${r.reads["entry-stack"]}/${r.reads.state}` },
];

export async function run(args: string[]): Promise<void> {
  const want = (name: string) => args.length === 0 || args.includes(name);
  const t0 = performance.now();
  const rows: CorpusRow[] = [];
  let perBlock: ReturnType<typeof mainnet>["perBlock"] = [];
  if (want("mainnet")) { log("ilp: mainnet blocks"); const m = mainnet(); rows.push(m.row); perBlock = m.perBlock; }
  if (want("benchmarks")) { log("ilp: evm-benchmarks"); rows.push(...benchmarks()); }
  console.log(banner("basic-block ILP (unit latency; shuffles count as instructions, cost 0)"));
  console.log(formatTable(COLUMNS, rows));
  console.log("p10..mean: every block of every code that ran, once; w.*: weighted by executed instructions;\n" +
    "aggregate: executed instructions / executed critical-path steps; compute: the same without DUP/SWAP/POP/JUMPDEST;\n" +
    "reads: executed state reads by key provenance (constant / calldata / entry-stack / state)");
  const path = writeResults("ilp", { machine: machineInfo(), seconds: (performance.now() - t0) / 1000, corpora: rows, mainnetBlocks: perBlock });
  console.log(`\nwrote ${path}`);
}
