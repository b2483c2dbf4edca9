// Test-only exports used by tests/u256.test.ts (re-exported from index.ts).
import {
  u256_add, u256_mul, u256_sub, u256_div, u256_sdiv, u256_mod, u256_smod,
  u256_addmod, u256_mulmod, u256_exp, u256_signextend,
  u256_lt, u256_gt, u256_slt, u256_sgt, u256_eq, u256_iszero,
  u256_and, u256_or, u256_xor, u256_not, u256_byte,
  u256_shl, u256_shr, u256_sar, u256_clz,
  u256_is_zero, u256_fits_u64, u256_set_u64, u256_copy, u256_eq_bool, u256_lt_bool,
  u256_byte_len, u256_load_be, u256_store_be, u256_load_be_n,
} from "./math/u256";

/**
 * Runs the u256 op whose code equals the EVM opcode byte, with the interpreter
 * operand convention: binary ops write b, ternary ops (ADDMOD, MULMOD) write c,
 * unary ops (ISZERO, NOT, CLZ) write a. Unknown ops abort via unreachable.
 */
export function test_u256(op: u32, a: usize, b: usize, c: usize): void {
  switch (op) {
    case 0x01: u256_add(a, b); break;
    case 0x02: u256_mul(a, b); break;
    case 0x03: u256_sub(a, b); break;
    case 0x04: u256_div(a, b); break;
    case 0x05: u256_sdiv(a, b); break;
    case 0x06: u256_mod(a, b); break;
    case 0x07: u256_smod(a, b); break;
    case 0x08: u256_addmod(a, b, c); break;
    case 0x09: u256_mulmod(a, b, c); break;
    case 0x0a: u256_exp(a, b); break;
    case 0x0b: u256_signextend(a, b); break;
    case 0x10: u256_lt(a, b); break;
    case 0x11: u256_gt(a, b); break;
    case 0x12: u256_slt(a, b); break;
    case 0x13: u256_sgt(a, b); break;
    case 0x14: u256_eq(a, b); break;
    case 0x15: u256_iszero(a); break;
    case 0x16: u256_and(a, b); break;
    case 0x17: u256_or(a, b); break;
    case 0x18: u256_xor(a, b); break;
    case 0x19: u256_not(a); break;
    case 0x1a: u256_byte(a, b); break;
    case 0x1b: u256_shl(a, b); break;
    case 0x1c: u256_shr(a, b); break;
    case 0x1d: u256_sar(a, b); break;
    case 0x1e: u256_clz(a); break;
    default: unreachable();
  }
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
