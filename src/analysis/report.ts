// Summaries of the dataflow analysis: per contract, per block, hot blocks and the ILP
// distribution over many contracts. "Weighted" always means weighted by executed instructions
// (times a block was entered x its instructions); without counts every block counts as entered
// once, so weights fall back to static instruction counts.
import type { CodeAnalysis } from "./cache.js";
import { analyzeCode } from "./cache.js";
import type { BlockSummary, LongLatencyOp } from "./dataflow.js";
import { PROVENANCES, type Provenance } from "./provenance.js";

/** Block start pc -> times entered. */
export type BlockCounts = Map<number, number>;

export interface BlockRow extends BlockSummary {
  /** Times the block was entered (absent without counts). */
  count?: number;
}

export interface IlpStats {
  p10: number;
  p50: number;
  p90: number;
  mean: number;
}

export interface ContractSummary {
  codeHash: string;
  size: number;
  blocks: number;
  instructions: number;
  executedBlocks?: number;
  executedInstructions?: number;
  ilp: { mean: number; median: number; weighted: number };
  /** State reads (SLOAD, BALANCE, EXTCODE*, BLOCKHASH, CALL-family targets) by key provenance:
   *  in the code, and as executed when counts are given. */
  reads: { static: Record<Provenance, number>; executed?: Record<Provenance, number> };
  longLatencyOps: number;
}

export interface IlpDistribution {
  blocks: number;
  unweighted: IlpStats;
  weighted: IlpStats;
  /** Executed instructions / executed critical-path steps: the whole workload's ILP. */
  aggregate: number;
}

const STATE_READS = new Set(["SLOAD", "BALANCE", "EXTCODESIZE", "EXTCODEHASH", "EXTCODECOPY", "BLOCKHASH", "CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"]);

export function isStateReadOp(l: LongLatencyOp): boolean {
  return STATE_READS.has(l.op) && l.key !== undefined;
}

const zeroes = () => Object.fromEntries(PROVENANCES.map((p) => [p, 0])) as Record<Provenance, number>;

/** Percentiles and mean of `values` under `weights` (nearest rank on the cumulative weight). */
export function weightedStats(values: number[], weights: number[]): IlpStats {
  const idx = values.map((_, i) => i).filter((i) => weights[i] > 0).sort((a, b) => values[a] - values[b]);
  const total = idx.reduce((s, i) => s + weights[i], 0);
  if (total === 0) return { p10: 0, p50: 0, p90: 0, mean: 0 };
  const at = (q: number) => {
    let cum = 0;
    for (const i of idx) { cum += weights[i]; if (cum >= q * total - 1e-9) return values[i]; }
    return values[idx[idx.length - 1]];
  };
  const mean = idx.reduce((s, i) => s + values[i] * weights[i], 0) / total;
  return { p10: at(0.1), p50: at(0.5), p90: at(0.9), mean };
}

const weightOf = (b: BlockSummary, counts?: BlockCounts) => (counts ? counts.get(b.start) ?? 0 : 1) * b.instructions;

export function summarizeContract(a: CodeAnalysis, counts?: BlockCounts): ContractSummary {
  const ilps = a.blocks.map((b) => b.ilp);
  const unweighted = weightedStats(ilps, ilps.map(() => 1));
  const weighted = weightedStats(ilps, a.blocks.map((b) => weightOf(b, counts)));
  const reads = { static: zeroes(), ...(counts ? { executed: zeroes() } : {}) };
  let longOps = 0;
  for (const b of a.blocks) {
    longOps += b.longLatency.length;
    for (const l of b.longLatency) {
      if (!isStateReadOp(l)) continue;
      reads.static[l.key!.provenance]++;
      if (reads.executed) reads.executed[l.key!.provenance] += counts!.get(b.start) ?? 0;
    }
  }
  const s: ContractSummary = {
    codeHash: a.codeHash, size: a.size, blocks: a.blocks.length, instructions: a.instructions,
    ilp: { mean: unweighted.mean, median: unweighted.p50, weighted: weighted.mean }, reads, longLatencyOps: longOps,
  };
  if (counts) {
    s.executedBlocks = a.blocks.filter((b) => (counts.get(b.start) ?? 0) > 0).length;
    s.executedInstructions = a.blocks.reduce((n, b) => n + weightOf(b, counts), 0);
  }
  return s;
}

/** Blocks by executed instructions (count x instructions), or by instructions without counts. */
export function hotBlocks(a: CodeAnalysis, counts?: BlockCounts, top = Infinity): BlockRow[] {
  const rows: BlockRow[] = a.blocks
    .filter((b) => !counts || (counts.get(b.start) ?? 0) > 0)
    .map((b) => (counts ? { ...b, count: counts.get(b.start) ?? 0 } : { ...b }));
  rows.sort((x, y) => weightOf(y, counts) - weightOf(x, counts) || x.start - y.start);
  return rows.slice(0, top);
}

/** Block-ILP distribution over many codes, unweighted and weighted by executed instructions. */
export function ilpDistribution(items: Iterable<{ code: Uint8Array; counts?: BlockCounts }>): IlpDistribution {
  const ilps: number[] = [], ones: number[] = [], weights: number[] = [];
  let instrs = 0, steps = 0;
  for (const { code, counts } of items) {
    for (const b of analyzeCode(code).blocks) {
      const n = counts ? counts.get(b.start) ?? 0 : 1;
      ilps.push(b.ilp); ones.push(1); weights.push(n * b.instructions);
      instrs += n * b.instructions; steps += n * b.criticalPath;
    }
  }
  return { blocks: ilps.length, unweighted: weightedStats(ilps, ones), weighted: weightedStats(ilps, weights), aggregate: steps ? instrs / steps : 0 };
}
