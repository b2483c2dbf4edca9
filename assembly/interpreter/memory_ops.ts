// Memory instructions, copies into memory, KECCAK256 and LOG.
import * as L from "../layout";
import { g_ctx, g_scratch, set_fatal, g_log_end, g_log_count } from "../globals";
import { keccak256_memo } from "../crypto/keccak_memo";
import { g_frame, g_mem, g_mem_size, g_code, g_code_len, mem_expand, mem_range, g_off, g_len, word_cost } from "./frame";
import { word_from_be, word_to_be, word_fits_u64, copy_padded, word_sat_u64 } from "./words";

/** Expands memory for a 32-byte (or 1-byte) access at the offset word `w`; g_off gets the offset. */
@inline function access(gas: i64, w: usize, width: u64): i64 {
  if (!word_fits_u64(w) || load<u64>(w) >= 0xffffffff) return -1;
  g_off = load<u64>(w);
  return mem_expand(gas, g_off + width);
}

export function op_mload(sp: usize, gas: i64): i64 {
  const w = sp - 32;
  gas = access(gas, w, 32);
  if (gas < 0) return -1;
  word_from_be(w, g_mem + <usize>g_off);
  return gas;
}

export function op_mstore(sp: usize, gas: i64): i64 {
  gas = access(gas, sp - 32, 32);
  if (gas < 0) return -1;
  word_to_be(g_mem + <usize>g_off, sp - 64);
  return gas;
}

export function op_mstore8(sp: usize, gas: i64): i64 {
  gas = access(gas, sp - 32, 1);
  if (gas < 0) return -1;
  store<u8>(g_mem + <usize>g_off, load<u8>(sp - 64));
  return gas;
}

export function op_keccak(sp: usize, gas: i64): i64 {
  gas = mem_range(gas, sp - 32, sp - 64);
  if (gas < 0) return -1;
  gas -= word_cost(g_len, 6);
  if (gas < 0) return -1;
  keccak256_memo(g_mem + <usize>g_off, <usize>g_len, g_scratch);
  word_from_be(sp - 64, g_scratch);
  return gas;
}

export function op_calldataload(sp: usize): void {
  const w = sp - 32;
  const input = <usize>load<u32>(g_frame + L.F_INPUT);
  const len = <u64>load<u32>(g_frame + L.F_INPUT_LEN);
  copy_padded(g_scratch, input, len, word_sat_u64(w), 32);
  word_from_be(w, g_scratch);
}

/** CALLDATACOPY, CODECOPY and RETURNDATACOPY's shared body: (memOffset, srcOffset, size). */
function copy_in(sp: usize, gas: i64, src: usize, srcLen: u64): i64 {
  gas = mem_range(gas, sp - 32, sp - 96);
  if (gas < 0) return -1;
  gas -= word_cost(g_len, 3);
  if (gas < 0) return -1;
  copy_padded(g_mem + <usize>g_off, src, srcLen, word_sat_u64(sp - 64), g_len);
  return gas;
}

export function op_calldatacopy(sp: usize, gas: i64): i64 {
  return copy_in(sp, gas, <usize>load<u32>(g_frame + L.F_INPUT), <u64>load<u32>(g_frame + L.F_INPUT_LEN));
}

export function op_codecopy(sp: usize, gas: i64): i64 {
  return copy_in(sp, gas, g_code, <u64>g_code_len);
}

export function op_returndatacopy(sp: usize, gas: i64): i64 {
  const rdLen = <u64>load<u32>(g_frame + L.F_RDATA_LEN);
  const off = sp - 64, size = sp - 96;
  // Reading past the end of the return data is an exceptional halt (EIP-211).
  if (!word_fits_u64(off) || !word_fits_u64(size)) return -1;
  const end = load<u64>(off) + load<u64>(size);
  if (end < load<u64>(off) || end > rdLen) return -1;
  return copy_in(sp, gas, <usize>load<u32>(g_frame + L.F_RDATA), rdLen);
}

export function op_mcopy(sp: usize, gas: i64): i64 {
  // dst, src, size
  const size = sp - 96;
  if (!word_fits_u64(size)) return -1;
  const len = load<u64>(size);
  if (len == 0) return gas;
  if (!word_fits_u64(sp - 32) || !word_fits_u64(sp - 64)) return -1;
  const dst = load<u64>(sp - 32), src = load<u64>(sp - 64);
  if (dst >= 0xffffffff || src >= 0xffffffff || len >= 0xffffffff) return -1;
  gas -= word_cost(len, 3);
  if (gas < 0) return -1;
  gas = mem_expand(gas, (dst > src ? dst : src) + len);
  if (gas < 0) return -1;
  memory.copy(g_mem + <usize>dst, g_mem + <usize>src, <usize>len);
  return gas;
}

/**
 * LOGn. A log record in the arena: [size u32][topics u32][dataLen u32][address 20]
 * [topics 32*n big-endian][data], padded to 8 bytes.
 */
export function op_log(sp: usize, gas: i64, n: u32): i64 {
  if (load<u32>(g_frame + L.F_STATIC)) return -1;
  gas = mem_range(gas, sp - 32, sp - 64);
  if (gas < 0) return -1;
  gas -= <i64>(g_len * 8);
  if (gas < 0) return -1;
  const size64 = (<u64>32 + (<u64>n << 5) + g_len + 7) & ~<u64>7;
  const rec = g_log_end;
  // In 64 bits: a record of gigabytes past the arena's start would wrap a 32-bit address.
  if (<u64>rec + size64 > <u64>load<u32>(g_ctx + L.CTX_LOG_END_CAP)) { set_fatal(L.FATAL_LOGS); return -1; }
  const size = <u32>size64;
  store<u32>(rec, size);
  store<u32>(rec, n, 4);
  store<u32>(rec, <u32>g_len, 8);
  memory.copy(rec + 12, g_frame + L.F_ADDR, 20);
  for (let i: u32 = 0; i < n; i++) word_to_be(rec + 32 + (i << 5), sp - 96 - (i << 5));
  if (g_len > 0) memory.copy(rec + 32 + (n << 5), g_mem + <usize>g_off, <usize>g_len);
  g_log_end = rec + size;
  g_log_count++;
  return gas;
}
