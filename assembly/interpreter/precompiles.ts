// Which addresses hold precompiled contracts at the running fork.
import * as F from "../fork";
import { g_fork } from "../globals";
import { host_precompile } from "../host";
import { blake2f_precompile } from "../precompiles/blake2f";

export function precompile_count(): u32 {
  return precompile_count_at(g_fork);
}

/** How many precompiles (addresses 1 to that count) `fork` has. */
export function precompile_count_at(fork: u32): u32 {
  if (fork >= F.CANCUN) return 10;
  if (fork >= F.ISTANBUL) return 9;
  if (fork >= F.BYZANTIUM) return 8;
  return 4;
}

/** The precompile number at address `a`, or 0. */
export function precompile_id(a: usize): u32 {
  return precompile_id_of(a, precompile_count());
}

/** The precompile number at address `a` where precompiles are addresses 1 to `count`, or 0. */
@inline export function precompile_id_of(a: usize, count: u32): u32 {
  if (load<u64>(a) != 0 || load<u32>(a, 8) != 0 || load<u32>(a, 12) != 0 || load<u16>(a, 16) != 0 || load<u8>(a, 18) != 0) return 0;
  const n = <u32>load<u8>(a, 19);
  return n >= 1 && n <= count ? n : 0;
}

/**
 * Runs precompile `id` on `len` bytes at `input` with `gas`; writes the output to `out`
 * (capacity `cap`) and its length to `outLenPtr`. Returns the gas used, or -1 on failure.
 * Precompiles run on the host (audited libraries) unless implemented natively here:
 * 0x09 BLAKE2F (its round count is caller-chosen, up to 2^32 - 1, so it must be fast).
 */
export function call_precompile(id: u32, input: usize, len: u32, gas: i64, out: usize, cap: u32, outLenPtr: usize): i64 {
  if (id == 9) return blake2f_precompile(input, len, gas, out, cap, outLenPtr);
  return host_precompile(id, input, len, gas, g_fork, out, cap, outLenPtr);
}
