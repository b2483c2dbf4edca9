// `braid synth <kind> --txs N --out DIR [--seed S]`: argument checking and the one-call entry point.
import { performance } from "node:perf_hooks";
import { BraidError } from "../encoding/errors.js";
import { SYNTH_KINDS, isSynthKind, synthesizeBlock, MAX_SYNTH_TXS, writeSynthFixture, type SynthKind, type SynthMeta } from "./generate.js";

export { SYNTH_KINDS, TX_GAS_LIMIT, MAX_SYNTH_TXS, synthesizeBlock, writeSynthFixture } from "./generate.js";
export type { SynthKind, SynthOptions, SynthBlock, SynthMeta, TxCategory } from "./generate.js";
export { compileContracts } from "./solidity.js";

export interface SynthArgs {
  kind: SynthKind;
  txs: number;
  out: string;
  seed: string;
}

function usage(message: string): BraidError {
  return new BraidError("SYNTH_USAGE", message);
}

/**
 * Checks the command's arguments: `rest` the positional ones, `opts` the --txs/--out/--seed values.
 * Throws BraidError('SYNTH_USAGE') with a one-line message.
 */
export function parseSynthArgs(rest: string[], opts: Record<string, string | true>): SynthArgs {
  if (rest.length !== 1) throw usage(`synth needs exactly one kind (${SYNTH_KINDS.join(", ")})`);
  const kind = rest[0]!;
  if (!isSynthKind(kind)) throw usage(`unknown synth kind '${kind}' (one of ${SYNTH_KINDS.join(", ")})`);
  const txs = opts.txs;
  if (typeof txs !== "string") throw usage("synth needs --txs N");
  if (!/^[0-9]+$/.test(txs) || !Number.isSafeInteger(Number(txs)) || Number(txs) < 1) {
    throw usage(`--txs must be a positive integer, got '${txs}'`);
  }
  if (Number(txs) > MAX_SYNTH_TXS) throw usage(`--txs must be at most ${MAX_SYNTH_TXS.toLocaleString("en-US")}, got ${txs}`);
  if (typeof opts.out !== "string" || opts.out === "") throw usage("synth needs --out DIR");
  const seed = opts.seed === undefined ? "1" : String(opts.seed);
  if (seed === "") throw usage("--seed must not be empty");
  return { kind, txs: Number(txs), out: opts.out, seed };
}

export interface SynthSummary {
  meta: SynthMeta;
  out: string;
  ms: number;
  /** One line for the terminal. */
  line: string;
}

/** Generates the block and writes the fixture directory. */
export function runSynth(args: SynthArgs): SynthSummary {
  const t0 = performance.now();
  const sb = synthesizeBlock({ kind: args.kind, txs: args.txs, seed: args.seed });
  writeSynthFixture(args.out, sb);
  const ms = performance.now() - t0;
  const m = sb.meta;
  const line = `synth ${m.kind}: ${m.txs} txs, ${m.gasUsed} gas used (${Math.round(m.gasUsed / m.txs)}/tx), block ${m.number}, seed ${m.seed}, wrote ${args.out} in ${Math.round(ms)} ms`;
  return { meta: m, out: args.out, ms, line };
}
