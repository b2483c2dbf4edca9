// The 2048-bit log bloom of the Yellow Paper (section 4.3.1): for the address and each topic of
// every log, three bits chosen by the low 11 bits of the first three byte pairs of its Keccak-256.
import { keccak256 } from "../trie/mpt.js";
import type { LogEntry } from "../vm/types.js";

/** The bloom of `logs` (256 bytes, all zero when there are none). */
export function logsBloom(logs: readonly LogEntry[]): Uint8Array {
  const bloom = new Uint8Array(256);
  for (const log of logs) {
    addToBloom(bloom, log.address);
    for (const topic of log.topics) addToBloom(bloom, topic);
  }
  return bloom;
}

function addToBloom(bloom: Uint8Array, item: Uint8Array): void {
  const h = keccak256(item);
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
    bloom[255 - (bit >> 3)]! |= 1 << (bit & 7);
  }
}
