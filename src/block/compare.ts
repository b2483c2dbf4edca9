// Compares two executions of the same block: receipts and state diffs must be identical.
import { equalBytes } from "../encoding/hex.js";
import type { LogEntry } from "../vm/types.js";
import { RecordedReceipt } from "./receipt.js";
import type { BlockResult, Receipt, StateDiffEntry } from "./types.js";

function sameLogs(a: LogEntry[], b: LogEntry[]): boolean {
  return a.length === b.length && a.every((l, i) => {
    const m = b[i]!;
    return equalBytes(l.address, m.address) && equalBytes(l.data, m.data)
      && l.topics.length === m.topics.length && l.topics.every((t, j) => equalBytes(t, m.topics[j]!));
  });
}

/**
 * Whether the receipts' blooms agree. Two receipts that compute their blooms from their logs (the
 * executors' RecordedReceipt), whose logs are equal, have equal blooms: hashing every address and
 * topic of both again was most of the time of comparing two results of a block of token transfers.
 */
function sameBloom(a: Receipt, b: Receipt): boolean {
  if (a instanceof RecordedReceipt && b instanceof RecordedReceipt && a.bloomFromLogs && b.bloomFromLogs) return true;
  return equalBytes(a.logsBloom, b.logsBloom);
}

function sameAddress(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a === null || b === null ? a === b : equalBytes(a, b);
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
  if (!equalBytes(a.logsBloom, b.logsBloom)) out.push("logsBloom differs");
  if (a.receipts.length !== b.receipts.length) out.push(`receipt count ${a.receipts.length} vs ${b.receipts.length}`);
  a.receipts.forEach((r, i) => {
    const s = b.receipts[i];
    if (!s) return;
    if (r.status !== s.status || r.gasUsed !== s.gasUsed || r.cumulativeGasUsed !== s.cumulativeGasUsed || !sameLogs(r.logs, s.logs)
      || !sameBloom(r, s) || !sameAddress(r.contractAddress, s.contractAddress)) {
      out.push(`receipt ${i}: ${r.status}/${r.gasUsed} vs ${s.status}/${s.gasUsed}`);
    }
  });
  for (const [k, v] of a.stateDiff) if (!sameEntry(v, b.stateDiff.get(k))) out.push(`state of ${k} differs`);
  for (const k of b.stateDiff.keys()) if (!a.stateDiff.has(k)) out.push(`state of ${k} only in the second result`);
  return out;
}
