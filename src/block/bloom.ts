// The 2048-bit logs bloom filter (Yellow Paper, section 4.3.1).
import { keccak256 } from "../trie/mpt.js";
import type { LogEntry } from "../vm/types.js";

export function bloomAdd(bloom: Uint8Array, item: Uint8Array): void {
  const h = keccak256(item);
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i] << 8) | h[i + 1]) & 2047;
    bloom[255 - (bit >> 3)] |= 1 << (bit & 7);
  }
}

export function logsBloom(logs: readonly LogEntry[]): Uint8Array {
  const bloom = new Uint8Array(256);
  for (const log of logs) {
    bloomAdd(bloom, log.address);
    for (const t of log.topics) bloomAdd(bloom, t);
  }
  return bloom;
}

export function bloomOr(into: Uint8Array, other: Uint8Array): void {
  for (let i = 0; i < 256; i++) into[i] |= other[i];
}
