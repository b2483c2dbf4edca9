// Human-readable tables for `braid ilp`.
import type { LongLatencyOp } from "../analysis/dataflow.js";
import type { BlockRow, ContractSummary, IlpDistribution } from "../analysis/report.js";

export interface ContractReport {
  addresses: string[];
  summary: ContractSummary;
  hotBlocks: BlockRow[];
}

const f2 = (x: number) => x.toFixed(2);
const short = (hex: string, n: number) => (hex.length > n + 1 ? hex.slice(0, n) + "…" : hex);

function table(header: string[], rows: string[][], right: boolean[]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** "SLOAD(constant 0x0)", "CALL(state)", "KECCAK256(calldata)", "CREATE". */
export function describeOp(l: LongLatencyOp): string {
  if (!l.key) return l.op;
  const v = l.key.value !== undefined ? " " + short("0x" + l.key.value.toString(16), 12) : "";
  return `${l.op}(${l.key.provenance}${v})`;
}

function reads(r: Record<string, number>): string {
  return `${r.constant}/${r.calldata}/${r["entry-stack"]}/${r.state}`;
}

export function contractsTable(cs: ContractReport[], counted: boolean): string {
  const header = ["contract", "code hash", "size", "blocks", ...(counted ? ["run", "executed instr"] : []), "ILP mean", "median", "weighted", "reads c/d/e/s"];
  const rows = cs.map(({ addresses, summary: s }) => [
    addresses.length ? addresses[0] + (addresses.length > 1 ? ` +${addresses.length - 1}` : "") : "-",
    s.codeHash.slice(0, 10), String(s.size), String(s.blocks),
    ...(counted ? [String(s.executedBlocks ?? 0), String(s.executedInstructions ?? 0)] : []),
    f2(s.ilp.mean), f2(s.ilp.median), f2(s.ilp.weighted), reads(s.reads.executed ?? s.reads.static),
  ]);
  return table(header, rows, header.map((_, i) => i >= 2));
}

export function hotTable(rows: Array<BlockRow & { contract: string }>, counted: boolean): string {
  const header = ["contract", "pc range", ...(counted ? ["count"] : []), "instr", "cp", "w.cp", "ILP", "long-latency ops"];
  const body = rows.map((b) => [
    b.contract, `${b.start}-${b.end - 1}`, ...(counted ? [String(b.count ?? 0)] : []), String(b.instructions),
    String(b.criticalPath), String(b.weightedCriticalPath), f2(b.ilp), b.longLatency.map(describeOp).join(" ") || "-",
  ]);
  return table(header, body, header.map((h, i) => i >= 2 && h !== "long-latency ops"));
}

export function distributionLine(d: IlpDistribution): string {
  const s = (x: { p10: number; p50: number; p90: number; mean: number }) => `p10 ${f2(x.p10)} p50 ${f2(x.p50)} p90 ${f2(x.p90)} mean ${f2(x.mean)}`;
  return `block ILP over ${d.blocks} blocks: unweighted ${s(d.unweighted)}; weighted ${s(d.weighted)}; aggregate ${f2(d.aggregate)}`;
}
