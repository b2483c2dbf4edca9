// Test-only exports used by tests/u256.test.ts (re-exported from index.ts).
import { u256_op } from "./math/u256_op";
import {
  u256_is_zero, u256_fits_u64, u256_set_u64, u256_copy, u256_eq_bool, u256_lt_bool,
  u256_byte_len, u256_load_be, u256_store_be, u256_load_be_n,
} from "./math/u256";

/** The u256 op whose code equals the EVM opcode byte (see math/u256_op.ts). */
export function test_u256(op: u32, a: usize, b: usize, c: usize): void {
  u256_op(op, a, b, c);
}

/**
 * Runs a u256 helper (the non-opcode functions the interpreter uses) and
 * returns its result (0 for void helpers):
 *   0 is_zero(a)   1 fits_u64(a)   2 set_u64(a, v)   3 copy(dst = a, src = b)
 *   4 eq_bool(a, b)   5 lt_bool(a, b)   6 byte_len(a)
 *   7 load_be(dst = a, src = b)   8 store_be(dst = a, src = b)
 *   9 load_be_n(dst = a, src = b, n = v)
 */
export function test_u256_helper(op: u32, a: usize, b: usize, v: u64): u64 {
  switch (op) {
    case 0: return <u64>u256_is_zero(a);
    case 1: return <u64>u256_fits_u64(a);
    case 2: u256_set_u64(a, v); return 0;
    case 3: u256_copy(a, b); return 0;
    case 4: return <u64>u256_eq_bool(a, b);
    case 5: return <u64>u256_lt_bool(a, b);
    case 6: return <u64>u256_byte_len(a);
    case 7: u256_load_be(a, b); return 0;
    case 8: u256_store_be(a, b); return 0;
    case 9: u256_load_be_n(a, b, <u32>v); return 0;
    default: unreachable();
  }
  return 0;
}
