// Registers of the running call frame. The dispatch loop keeps pc, sp and gas in locals and
// exchanges them through g_pc/g_sp/g_gas around frame switches and out-of-line instructions.
import * as L from "../layout";
import { g_ctx, set_fatal } from "../globals";
import { g_profile, profile_frame } from "../analysis/profile";

export let g_frame: usize = 0;
export let g_depth: u32 = 0;
export let g_code: usize = 0;
export let g_code_len: u32 = 0;
export let g_bitmap: usize = 0;
export let g_stack_base: usize = 0;
export let g_mem: usize = 0;
export let g_mem_size: u64 = 0;
export let g_mem_end: usize = 0;
export let g_pc: usize = 0;
export let g_sp: usize = 0;
export let g_gas: i64 = 0;

export function frame_at(depth: u32): usize {
  return <usize>load<u32>(g_ctx + L.CTX_FRAMES) + <usize>depth * L.FRAME_SIZE;
}

/** Makes `f` the running frame. */
export function frame_load(f: usize): void {
  g_frame = f;
  g_depth = load<u32>(f + L.F_DEPTH);
  g_code = load<u32>(f + L.F_CODE);
  g_code_len = load<u32>(f + L.F_CODE_LEN);
  g_bitmap = load<u32>(f + L.F_BITMAP);
  g_stack_base = load<u32>(f + L.F_STACK);
  g_mem = load<u32>(f + L.F_MEM);
  g_mem_size = <u64>load<u32>(f + L.F_MEM_SIZE);
  g_mem_end = load<u32>(g_ctx + L.CTX_MEM_END);
  g_pc = load<u32>(f + L.F_PC);
  g_sp = load<u32>(f + L.F_SP);
  g_gas = load<i64>(f + L.F_GAS);
  if (g_profile) profile_frame(g_pc, g_code); // counts the entry into block 0
}

/** Saves the running frame's registers into its record. */
export function frame_save(): void {
  const f = g_frame;
  store<u32>(f + L.F_PC, <u32>g_pc);
  store<u32>(f + L.F_SP, <u32>g_sp);
  store<i64>(f + L.F_GAS, g_gas);
  store<u32>(f + L.F_MEM_SIZE, <u32>g_mem_size);
}

// ---- Memory expansion ----
const MEM_LIMIT: u64 = 0x1_0000_0000;

@inline function mem_cost(words: u64): u64 {
  return words * 3 + ((words * words) >> 9);
}

/** Charges for and performs memory expansion to `end` bytes; returns the new gas or -1. */
export function mem_expand(gas: i64, end: u64): i64 {
  if (end <= g_mem_size) return gas;
  if (end > MEM_LIMIT) return -1;
  const words = (end + 31) >> 5;
  gas -= <i64>(mem_cost(words) - mem_cost(g_mem_size >> 5));
  if (gas < 0) return -1;
  const size = words << 5;
  // In 64 bits: a size of 2^32 (the limit rounded up to a word) is 0 as a 32-bit address.
  if (<u64>g_mem + size > <u64>g_mem_end) { set_fatal(L.FATAL_MEMORY); return -1; }
  memory.fill(g_mem + <usize>g_mem_size, 0, <usize>(size - g_mem_size));
  g_mem_size = size;
  return gas;
}

/**
 * Validates an (offset, size) pair of stack words and expands memory over it. A zero size
 * touches nothing whatever the offset. Returns the new gas or -1; the offset is left in g_off.
 */
export let g_off: u64 = 0;
export let g_len: u64 = 0;
export function mem_range(gas: i64, offWord: usize, sizeWord: usize): i64 {
  const size = load<u64>(sizeWord);
  if ((load<u64>(sizeWord, 8) | load<u64>(sizeWord, 16) | load<u64>(sizeWord, 24)) != 0) return -1;
  g_len = size;
  if (size == 0) { g_off = 0; return gas; }
  const off = load<u64>(offWord);
  if ((load<u64>(offWord, 8) | load<u64>(offWord, 16) | load<u64>(offWord, 24)) != 0) return -1;
  if (off >= MEM_LIMIT || size >= MEM_LIMIT) return -1;
  g_off = off;
  return mem_expand(gas, off + size);
}

/** Gas for copying `len` bytes: 3 per word (or `perWord`). */
@inline export function word_cost(len: u64, perWord: u64): i64 {
  return <i64>(((len + 31) >> 5) * perWord);
}
