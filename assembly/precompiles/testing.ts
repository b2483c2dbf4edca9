// Test-only exports of the native precompiles (re-exported from assembly/index.ts).
import { blake2f_precompile } from "./blake2f";

/** BLAKE2F (0x09) on `len` bytes at `input` with `gas`: output to `out` (capacity `cap`), its
 *  length to `outLenPtr`; returns the gas used or -1, as call_precompile does. */
export function test_blake2f(input: usize, len: u32, gas: i64, out: usize, cap: u32, outLenPtr: usize): i64 {
  return blake2f_precompile(input, len, gas, out, cap, outLenPtr);
}
