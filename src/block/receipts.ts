// Receipt encoding (EIP-658 status from Byzantium, EIP-2718 typed envelopes) and receipts root.
import { rlpEncode, type RlpItem } from "../encoding/rlp.js";
import { ordinalTrieRoot } from "../trie/state-root.js";
import type { Receipt } from "./types.js";

export function encodeReceipt(r: Receipt): Uint8Array {
  const logs: RlpItem[] = r.logs.map((l) => [l.address, l.topics, l.data]);
  const body = rlpEncode([r.success ? 1n : 0n, r.cumulativeGasUsed, r.logsBloom, logs]);
  if (r.type === 0) return body;
  const out = new Uint8Array(body.length + 1);
  out[0] = r.type;
  out.set(body, 1);
  return out;
}

export function receiptsRoot(receipts: readonly Receipt[]): Uint8Array {
  return ordinalTrieRoot(receipts.map(encodeReceipt));
}
