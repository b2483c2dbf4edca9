// The pure arithmetic, comparison and bitwise instructions by opcode byte, for code that
// evaluates them outside the dispatch loop (run-ahead, tests). The loop inlines its own.
import {
  u256_add, u256_mul, u256_sub, u256_div, u256_sdiv, u256_mod, u256_smod,
  u256_addmod, u256_mulmod, u256_exp, u256_signextend,
  u256_lt, u256_gt, u256_slt, u256_sgt, u256_eq, u256_iszero,
  u256_and, u256_or, u256_xor, u256_not, u256_byte,
  u256_shl, u256_shr, u256_sar, u256_clz,
} from "./u256";

/**
 * Runs the u256 op whose code equals the EVM opcode byte, with the interpreter
 * operand convention: binary ops write b, ternary ops (ADDMOD, MULMOD) write c,
 * unary ops (ISZERO, NOT, CLZ) write a. Other opcodes abort via unreachable.
 */
export function u256_op(op: u32, a: usize, b: usize, c: usize): void {
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
