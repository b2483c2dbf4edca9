// Logs bloom filters (Yellow Paper 4.3.1). Each transaction's bloom is computed in wasm
// (assembly/tx.ts, compute_bloom); the host only ORs them into the block's.
export function bloomOr(into: Uint8Array, other: Uint8Array): void {
  for (let i = 0; i < 256; i++) into[i] |= other[i];
}
