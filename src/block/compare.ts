// Compares two executions of the same block: receipts and state diffs must be identical.
import { bytesToHex } from "../encoding/hex.js";
import type { LogEntry } from "../vm/types.js";
import type { BlockResult, StateDiffEntry } from "./types.js";

function sameLogs(a: LogEntry[], b: LogEntry[]): boolean {
  return a.length === b.length && a.every((l, i) => {
    const m = b[i]!;
    return bytesToHex(l.address) === bytesToHex(m.address) && bytesToHex(l.data) === bytesToHex(m.data)
      && l.topics.length === m.topics.length && l.topics.every((t, j) => bytesToHex(t) === bytesToHex(m.topics[j]!));
  });
}

function sameEntry(a: StateDiffEntry | null, b: StateDiffEntry | null | undefined): boolean {
  if (a === null || b === null || b === undefined) return a === b;
  if (a.nonce !== b.nonce || a.balance !== b.balance || a.codeHash !== b.codeHash || a.storage.size !== b.storage.size
    || (a.storageCleared ?? false) !== (b.storageCleared ?? false)) return false;
  for (const [k, v] of a.storage) if (b.storage.get(k) !== v) return false;
  return true;
}

/** Differences between two results (empty when identical). */
export function compareResults(a: BlockResult, b: BlockResult): string[] {
  const out: string[] = [];
  if (a.gasUsed !== b.gasUsed) out.push(`gasUsed ${a.gasUsed} vs ${b.gasUsed}`);
  if (bytesToHex(a.logsBloom) !== bytesToHex(b.logsBloom)) out.push("logsBloom differs");
  if (a.receipts.length !== b.receipts.length) out.push(`receipt count ${a.receipts.length} vs ${b.receipts.length}`);
  a.receipts.forEach((r, i) => {
    const s = b.receipts[i];
    if (!s) return;
    if (r.status !== s.status || r.gasUsed !== s.gasUsed || r.cumulativeGasUsed !== s.cumulativeGasUsed || !sameLogs(r.logs, s.logs)
      || bytesToHex(r.logsBloom) !== bytesToHex(s.logsBloom)
      || (r.contractAddress ? bytesToHex(r.contractAddress) : null) !== (s.contractAddress ? bytesToHex(s.contractAddress) : null)) {
      out.push(`receipt ${i}: ${r.status}/${r.gasUsed} vs ${s.status}/${s.gasUsed}`);
    }
  });
  for (const [k, v] of a.stateDiff) if (!sameEntry(v, b.stateDiff.get(k))) out.push(`state of ${k} differs`);
  for (const k of b.stateDiff.keys()) if (!a.stateDiff.has(k)) out.push(`state of ${k} only in the second result`);
  return out;
}
