// `braid ilp (--code HEX | --codefile F | <fixture dir>) [--input HEX] [--json] [--out FILE] [--top N] [--contracts N]`
//
// Dataflow ILP report. With --code/--codefile the code is analysed statically (hot blocks = the
// largest), unless --input is given: then it also runs once as a call with that input and blocks
// are weighted by how often they ran. With a block fixture directory the block is executed
// (senders trusted) and every contract that ran is reported, weighted by executed counts.
// --json prints the JSON report to stdout instead of the tables; --out FILE also writes it to FILE
// (no file is written by default, in either mode).
import { readFileSync, writeFileSync } from "node:fs";
import { analyzeCode } from "../analysis/cache.js";
import { hotBlocks, ilpDistribution, summarizeContract, type BlockCounts, type BlockRow } from "../analysis/report.js";
import { profileBlock, profileCode, type ProfiledCode } from "../analysis/workload.js";
import { isBraidError } from "../encoding/errors.js";
import { loadBlockFixture } from "../node/fixture.js";
import { loadBraidModule } from "../node/load.js";
import { Vm } from "../vm/vm.js";
import { UsageError, parseArgs, hexOption, positiveOption } from "./args.js";
import { contractsTable, distributionLine, hotTable, type ContractReport } from "./ilp-text.js";

const FLAGS = ["json"];
const VALUED = ["code", "codefile", "input", "out", "top", "contracts"];

/** --codefile: hex text (0x optional, whitespace ignored) or raw bytecode. */
function readCodeFile(file: string): Uint8Array {
  let raw: Buffer;
  try { raw = readFileSync(file); } catch (e) { throw new UsageError(`cannot read ${file}: ${(e as Error).message}`); }
  const text = raw.toString("latin1").replace(/\s+/g, "");
  if (/^(0x)?[0-9a-fA-F]*$/.test(text)) return hexOption(text, file);
  return new Uint8Array(raw);
}

interface Subject {
  code: Uint8Array;
  counts?: BlockCounts;
  addresses: string[];
}

const jsonText = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? "0x" + x.toString(16) : x), 1);

export async function runIlp(argv: string[]): Promise<number> {
  try {
    return report(argv);
  } catch (e) {
    if (e instanceof UsageError || isBraidError(e)) { console.error(`braid: ${(e as Error).message}`); return 2; }
    throw e;
  }
}

function report(argv: string[]): number {
  const { opts, rest } = parseArgs(argv, FLAGS, VALUED);
  const top = positiveOption(opts.top, "top", 10);
  const maxContracts = positiveOption(opts.contracts, "contracts", 20);
  const sources = [opts.code !== undefined, opts.codefile !== undefined, rest.length > 0].filter(Boolean).length;
  if (sources !== 1 || rest.length > 1) throw new UsageError("ilp needs exactly one of --code HEX, --codefile FILE or a fixture directory");
  let subjects: Subject[];
  let source: Record<string, unknown>;
  let unattributed = 0;
  if (rest.length) {
    const fx = loadBlockFixture(rest[0]);
    if (opts.input !== undefined) throw new UsageError("--input applies to --code/--codefile only");
    const vm = new Vm(loadBraidModule());
    const w = profileBlock(vm, fx.block, fx.pre);
    subjects = w.codes.map((c: ProfiledCode) => ({ code: c.code, counts: c.counts, addresses: c.addresses }));
    unattributed = w.unattributed;
    source = { kind: "fixture", dir: rest[0], number: Number(fx.block.header.number), txs: fx.block.transactions.length };
  } else {
    const code = typeof opts.code === "string" ? hexOption(opts.code, "code") : readCodeFile(opts.codefile as string);
    if (opts.input !== undefined) {
      const w = profileCode(new Vm(loadBraidModule()), code, hexOption(String(opts.input), "input"));
      const hash = analyzeCode(code).codeHash;
      const counts = w.codes.find((c) => c.codeHash === hash)?.counts ?? new Map<number, number>();
      subjects = [{ code, counts, addresses: [] }];
      source = { kind: "code", size: code.length, run: { status: w.result.status, gasUsed: w.result.gasUsed.toString() } };
    } else {
      subjects = [{ code, addresses: [] }];
      source = { kind: "code", size: code.length };
    }
  }
  const counted = source.kind === "fixture" || opts.input !== undefined;
  const contracts: ContractReport[] = subjects.map((s) => {
    const a = analyzeCode(s.code);
    return { addresses: s.addresses, summary: summarizeContract(a, s.counts), hotBlocks: hotBlocks(a, s.counts, top) };
  });
  const weight = (c: ContractReport) => c.summary.executedInstructions ?? c.summary.instructions;
  contracts.sort((x, y) => weight(y) - weight(x));
  const label = (c: ContractReport) => c.addresses[0] ?? c.summary.codeHash.slice(0, 10);
  const hot: Array<BlockRow & { contract: string; codeHash: string }> = contracts
    .flatMap((c) => c.hotBlocks.map((b) => ({ contract: label(c), codeHash: c.summary.codeHash, ...b })))
    .sort((x, y) => (y.count ?? 1) * y.instructions - (x.count ?? 1) * x.instructions)
    .slice(0, top);
  const overall = ilpDistribution(subjects);
  const out = { source, overall, unattributedBlockEntries: unattributed, contracts, hotBlocks: hot };
  if (typeof opts.out === "string") {
    try { writeFileSync(opts.out, jsonText(out) + "\n"); } catch (e) { throw new UsageError(`--out ${opts.out}: cannot write (${(e as Error).message})`); }
  }
  if (opts.json) { console.log(jsonText(out)); return 0; }
  const shown = contracts.slice(0, maxContracts);
  console.log(`${contracts.length} contract${contracts.length === 1 ? "" : "s"}` +
    (source.kind === "fixture" ? ` ran in block ${source.number} (${source.txs} txs)` : "") +
    (unattributed ? `; ${unattributed} block entries in init code not attributed` : ""));
  console.log(contractsTable(shown, counted));
  if (shown.length < contracts.length) console.log(`… ${contracts.length - shown.length} more (--contracts N)`);
  console.log(`\n${distributionLine(overall)}`);
  console.log(`\ntop ${hot.length} hot blocks${counted ? " (by executed instructions)" : " (by instructions)"}:`);
  console.log(hotTable(hot, counted));
  console.log("\nreads c/d/e/s: state reads by key provenance: constant / calldata / entry-stack / state; cp: critical path, w.cp: weighted");
  return 0;
}
