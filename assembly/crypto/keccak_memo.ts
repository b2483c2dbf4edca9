// Keccak-256 of short inputs, remembered per context. A block hashes the same short inputs many
// times: the logs bloom hashes every log's address and topics (a token's address and its Transfer
// topic in each of its logs), and contracts hash the same mapping key twice to read and then write
// a slot. A hit compares at most 64 bytes instead of running the 24-round permutation (~0.4 us in
// wasm). The memo lives in the context, so it is one thread's own; it starts empty with each
// block or call, so that a replay of the same block finds none of its own hashes there: the host
// starts a new generation (CTX_MEMO_GEN) when it resets the context (zeroing 16 KiB took a
// twentieth of a short call), and a Block-STM worker clears its own.
import * as L from "../layout";
import { g_ctx } from "../globals";
import { keccak256 } from "./keccak";
import { bytes_equal } from "../bytes";

// Entry: [len u32][generation u32][input 64][output 32]; it holds an input of this generation
// when both match (len 0: empty).
const E_IN: usize = 8;
const E_OUT: usize = 72;
const MEMO_MIN: usize = 8; // shorter inputs are rare and hashed directly
const MEMO_MAX: usize = 64;

/** The u64 word at byte i of len (8..64) bytes, the last one overlapping the one before when len is not a multiple of 8. */
@inline function word_at(p: usize, i: usize, len: usize): u64 {
  return load<u64>(p + (i + 8 <= len ? i : len - 8));
}

@inline function slot_of(src: usize, len: usize): u32 {
  let h: u64 = <u64>len * 0x9e3779b97f4a7c15;
  for (let i: usize = 0; i < len; i += 8) h = (h ^ word_at(src, i, len)) * 0xff51afd7ed558ccd;
  return <u32>(h >> 40) & (L.KECCAK_MEMO_ENTRIES - 1);
}

@inline function same_input(e: usize, src: usize, len: usize, gen: u32): bool {
  return <usize>load<u32>(e) == len && load<u32>(e, 4) == gen && bytes_equal(e + E_IN, src, len);
}

/** dst[0..32) = keccak256(src[0..len)), from this context's memo when it saw the input before. */
export function keccak256_memo(src: usize, len: usize, dst: usize): void {
  if (len < MEMO_MIN || len > MEMO_MAX) { keccak256(src, len, dst); return; }
  const e = g_ctx + L.CTX_KECCAK_MEMO + <usize>slot_of(src, len) * L.KECCAK_MEMO_ENTRY;
  const gen = load<u32>(g_ctx + L.CTX_MEMO_GEN);
  if (!same_input(e, src, len, gen)) {
    memory.copy(e + E_IN, src, len);
    keccak256(src, len, e + E_OUT);
    store<u32>(e, <u32>len);
    store<u32>(e, gen, 4);
  }
  memory.copy(dst, e + E_OUT, 32);
}

/** Empties this context's memo. */
export function keccak_memo_clear(): void {
  memory.fill(g_ctx + L.CTX_KECCAK_MEMO, 0, <usize>L.KECCAK_MEMO_ENTRIES * L.KECCAK_MEMO_ENTRY);
}
