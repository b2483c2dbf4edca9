// The dispatch loop: one big switch (a br_table) over the opcode byte. Static gas and stack
// bounds come from the per-fork opcode table; instruction bodies live with their family.
import * as L from "../layout";
import * as F from "../fork";
import { g_ctx, g_fork, g_opinfo, g_fatal } from "../globals";
import * as G from "../globals";
import { OPI_GAS_MASK, OPI_IN_SHIFT, OPI_GROWS_SHIFT, OPI_UNDEFINED_SHIFT } from "../opcodes";
import {
  u256_add, u256_mul, u256_sub, u256_div, u256_sdiv, u256_mod, u256_smod, u256_addmod, u256_mulmod,
  u256_exp, u256_signextend, u256_lt, u256_gt, u256_slt, u256_sgt, u256_eq, u256_iszero, u256_and,
  u256_or, u256_xor, u256_not, u256_byte, u256_shl, u256_shr, u256_sar, u256_clz, u256_byte_len, u256_load_be_n,
} from "../math/u256";
import { g_frame, g_code, g_code_len, g_bitmap, g_stack_base, g_mem_size, g_pc, g_sp, g_gas } from "./frame";
import { word_from_addr, word_set_u64, word_copy, word_is_zero, word_fits_u64, word_from_be, word_zero } from "./words";
import * as M from "./memory_ops";
import * as E from "./environment";
import * as S from "./storage_ops";
import { op_call, op_create, op_return, op_selfdestruct, frame_return, halt, DONE } from "./system";
import { g_profile, profile_hit, profile_fall } from "../analysis/profile";

@inline function bad_jump(dest: usize): bool {
  if (!word_fits_u64(dest) || load<u64>(dest) >= <u64>g_code_len) return true;
  const d = <u32>load<u64>(dest);
  return (load<u8>(g_bitmap + (d >> 3)) & (1 << (d & 7))) == 0;
}

// V8 moves a wasm function to optimized code only between calls, so the loop returns to its
// caller every JUMP_BUDGET taken jumps (only loops run long) and is called again.
const JUMP_BUDGET: u32 = 100_000;

/** Runs frames until the outermost one returns (true), or until the jump budget is spent (false). */
export function interpret(): bool {
  let pc = g_pc, sp = g_sp, gas = g_gas;
  let steps: u64 = 0;
  let budget = JUMP_BUDGET;
  while (true) {
    const op = <u32>load<u8>(pc);
    const info = load<u32>(g_opinfo + (op << 2));
    gas -= <i64>(info & OPI_GAS_MASK);
    const height = <i32>((sp - g_stack_base) >> 5);
    steps++;
    // Undefined at this fork (its bit shifted into the sign), stack underflow, stack overflow, out
    // of gas: an exceptional halt. One test of the sign bits instead of four branches.
    const bad = <i32>(info << (31 - OPI_UNDEFINED_SHIFT)) | (height - <i32>((info >> OPI_IN_SHIFT) & 31))
      | (1024 - <i32>((info >> OPI_GROWS_SHIFT) & 1) - height);
    if ((gas | <i64>bad) < 0) {
      g_pc = pc; g_sp = sp; g_gas = gas;
      if (halt() == DONE) break;
      pc = g_pc; sp = g_sp; gas = g_gas;
      continue;
    }
    // Every case that breaks sets r: a frame switch (NEXT or DONE), a yield (-3) or an exceptional
    // halt (-2); the rest continue the loop.
    let r: i32 = -1;
    switch (op) {
      case 0x00: { g_pc = pc; g_sp = sp; g_gas = gas; r = frame_return(L.STATUS_SUCCESS, 0, 0, gas); break; }
      case 0x01: { u256_add(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x02: { u256_mul(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x03: { u256_sub(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x04: { u256_div(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x05: { u256_sdiv(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x06: { u256_mod(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x07: { u256_smod(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x08: { u256_addmod(sp - 32, sp - 64, sp - 96); sp -= 64; pc++; continue; }
      case 0x09: { u256_mulmod(sp - 32, sp - 64, sp - 96); sp -= 64; pc++; continue; }
      case 0x0a: {
        gas -= <i64>u256_byte_len(sp - 64) * (g_fork >= F.SPURIOUS ? 50 : 10);
        if (gas < 0) { r = -2; break; }
        u256_exp(sp - 32, sp - 64); sp -= 32; pc++; continue;
      }
      case 0x0b: { u256_signextend(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x10: { u256_lt(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x11: { u256_gt(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x12: { u256_slt(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x13: { u256_sgt(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x14: { u256_eq(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x15: { u256_iszero(sp - 32); pc++; continue; }
      case 0x16: { u256_and(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x17: { u256_or(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x18: { u256_xor(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x19: { u256_not(sp - 32); pc++; continue; }
      case 0x1a: { u256_byte(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x1b: { u256_shl(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x1c: { u256_shr(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x1d: { u256_sar(sp - 32, sp - 64); sp -= 32; pc++; continue; }
      case 0x1e: { u256_clz(sp - 32); pc++; continue; }
      case 0x20: { gas = M.op_keccak(sp, gas); if (gas < 0) { r = -2; break; } sp -= 32; pc++; continue; }
      case 0x30: { word_from_addr(sp, g_frame + L.F_ADDR); sp += 32; pc++; continue; }
      case 0x31: { G.g_op_pc = pc; G.g_op_sp = sp; gas = E.op_balance(sp, gas); if (gas < 0) { r = -2; break; } pc++; continue; }
      case 0x32: { word_from_addr(sp, g_ctx + L.CTX_ORIGIN); sp += 32; pc++; continue; }
      case 0x33: { word_from_addr(sp, g_frame + L.F_CALLER); sp += 32; pc++; continue; }
      case 0x34: { word_copy(sp, g_frame + L.F_VALUE); sp += 32; pc++; continue; }
      case 0x35: { M.op_calldataload(sp); pc++; continue; }
      case 0x36: { word_set_u64(sp, <u64>load<u32>(g_frame + L.F_INPUT_LEN)); sp += 32; pc++; continue; }
      case 0x37: { gas = M.op_calldatacopy(sp, gas); if (gas < 0) { r = -2; break; } sp -= 96; pc++; continue; }
      case 0x38: { word_set_u64(sp, <u64>g_code_len); sp += 32; pc++; continue; }
      case 0x39: { gas = M.op_codecopy(sp, gas); if (gas < 0) { r = -2; break; } sp -= 96; pc++; continue; }
      case 0x3a: { word_copy(sp, g_ctx + L.CTX_GASPRICE); sp += 32; pc++; continue; }
      case 0x3b: { G.g_op_pc = pc; G.g_op_sp = sp; gas = E.op_extcodesize(sp, gas); if (gas < 0) { r = -2; break; } pc++; continue; }
      case 0x3c: { G.g_op_pc = pc; G.g_op_sp = sp; gas = E.op_extcodecopy(sp, gas); if (gas < 0) { r = -2; break; } sp -= 128; pc++; continue; }
      case 0x3d: { word_set_u64(sp, <u64>load<u32>(g_frame + L.F_RDATA_LEN)); sp += 32; pc++; continue; }
      case 0x3e: { gas = M.op_returndatacopy(sp, gas); if (gas < 0) { r = -2; break; } sp -= 96; pc++; continue; }
      case 0x3f: { G.g_op_pc = pc; G.g_op_sp = sp; gas = E.op_extcodehash(sp, gas); if (gas < 0) { r = -2; break; } pc++; continue; }
      case 0x40: { G.g_op_pc = pc; G.g_op_sp = sp; E.op_blockhash(sp); pc++; continue; }
      case 0x41: { word_from_addr(sp, g_ctx + L.CTX_COINBASE); sp += 32; pc++; continue; }
      case 0x42: { word_set_u64(sp, load<u64>(g_ctx + L.CTX_TIMESTAMP)); sp += 32; pc++; continue; }
      case 0x43: { word_set_u64(sp, load<u64>(g_ctx + L.CTX_NUMBER)); sp += 32; pc++; continue; }
      case 0x44: { word_copy(sp, g_ctx + L.CTX_PREVRANDAO); sp += 32; pc++; continue; }
      case 0x45: { word_set_u64(sp, load<u64>(g_ctx + L.CTX_BLOCK_GAS_LIMIT)); sp += 32; pc++; continue; }
      case 0x46: { word_copy(sp, g_ctx + L.CTX_CHAINID); sp += 32; pc++; continue; }
      case 0x47: { E.op_selfbalance(sp); sp += 32; pc++; continue; }
      case 0x48: { word_copy(sp, g_ctx + L.CTX_BASEFEE); sp += 32; pc++; continue; }
      case 0x49: { E.op_blobhash(sp); pc++; continue; }
      case 0x4a: { word_copy(sp, g_ctx + L.CTX_BLOBBASEFEE); sp += 32; pc++; continue; }
      case 0x50: { sp -= 32; pc++; continue; }
      case 0x51: { gas = M.op_mload(sp, gas); if (gas < 0) { r = -2; break; } pc++; continue; }
      case 0x52: { gas = M.op_mstore(sp, gas); if (gas < 0) { r = -2; break; } sp -= 64; pc++; continue; }
      case 0x53: { gas = M.op_mstore8(sp, gas); if (gas < 0) { r = -2; break; } sp -= 64; pc++; continue; }
      case 0x54: { G.g_op_pc = pc; G.g_op_sp = sp; gas = S.op_sload(sp, gas); if (gas < 0) { r = -2; break; } pc++; continue; }
      case 0x55: { G.g_op_pc = pc; G.g_op_sp = sp; gas = S.op_sstore(sp, gas); if (gas < 0) { r = -2; break; } sp -= 64; pc++; continue; }
      case 0x56: {
        if (bad_jump(sp - 32)) { r = -2; break; }
        pc = g_code + <usize>load<u32>(sp - 32); sp -= 32;
        if (--budget == 0) { r = -3; break; }
        continue;
      }
      case 0x57: {
        if (word_is_zero(sp - 64)) { sp -= 64; pc++; if (g_profile) profile_fall(pc); continue; }
        if (bad_jump(sp - 32)) { r = -2; break; }
        pc = g_code + <usize>load<u32>(sp - 32); sp -= 64;
        if (--budget == 0) { r = -3; break; }
        continue;
      }
      case 0x58: { word_set_u64(sp, <u64>(pc - g_code)); sp += 32; pc++; continue; }
      case 0x59: { word_set_u64(sp, g_mem_size); sp += 32; pc++; continue; }
      case 0x5a: { word_set_u64(sp, <u64>gas); sp += 32; pc++; continue; }
      case 0x5b: { if (g_profile) profile_hit(pc); pc++; continue; }
      case 0x5c: { if (!S.op_tload(sp)) { r = -2; break; } pc++; continue; }
      case 0x5d: { if (!S.op_tstore(sp)) { r = -2; break; } sp -= 64; pc++; continue; }
      case 0x5e: { gas = M.op_mcopy(sp, gas); if (gas < 0) { r = -2; break; } sp -= 96; pc++; continue; }
      case 0x5f: { word_zero(sp); sp += 32; pc++; continue; }
      case 0x60: {
        store<u64>(sp, <u64>load<u8>(pc, 1)); store<u64>(sp, 0, 8); store<u64>(sp, 0, 16); store<u64>(sp, 0, 24);
        sp += 32; pc += 2; continue;
      }
      case 0x61: case 0x62: case 0x63: case 0x64: case 0x65: case 0x66: case 0x67: case 0x68:
      case 0x69: case 0x6a: case 0x6b: case 0x6c: case 0x6d: case 0x6e: case 0x6f: case 0x70:
      case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77: case 0x78:
      case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: {
        const n = op - 0x5f;
        u256_load_be_n(sp, pc + 1, n); // code is padded: reading past its end gives zeros
        sp += 32; pc += n + 1; continue;
      }
      case 0x7f: { word_from_be(sp, pc + 1); sp += 32; pc += 33; continue; }
      case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86: case 0x87:
      case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x8c: case 0x8d: case 0x8e: case 0x8f: {
        word_copy(sp, sp - ((<usize>(op - 0x7f)) << 5)); sp += 32; pc++; continue;
      }
      case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
      case 0x98: case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f: {
        const a = sp - 32, b = sp - ((<usize>(op - 0x8e)) << 5);
        const x0 = v128.load(a), x1 = v128.load(a, 16);
        v128.store(a, v128.load(b)); v128.store(a, v128.load(b, 16), 16);
        v128.store(b, x0); v128.store(b, x1, 16);
        pc++; continue;
      }
      case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4: {
        const n = op - 0xa0;
        gas = M.op_log(sp, gas, n); if (gas < 0) { r = -2; break; }
        sp -= (<usize>(n + 2)) << 5; pc++; continue;
      }
      case 0xf0: { G.g_op_pc = pc; G.g_op_sp = sp; g_pc = pc; g_sp = sp; g_gas = gas; r = op_create(L.FK_CREATE); break; }
      case 0xf1: { G.g_op_pc = pc; G.g_op_sp = sp; g_pc = pc; g_sp = sp; g_gas = gas; r = op_call(L.FK_CALL); break; }
      case 0xf2: { G.g_op_pc = pc; G.g_op_sp = sp; g_pc = pc; g_sp = sp; g_gas = gas; r = op_call(L.FK_CALLCODE); break; }
      case 0xf3: { g_pc = pc; g_sp = sp; g_gas = gas; r = op_return(L.STATUS_SUCCESS); break; }
      case 0xf4: { G.g_op_pc = pc; G.g_op_sp = sp; g_pc = pc; g_sp = sp; g_gas = gas; r = op_call(L.FK_DELEGATECALL); break; }
      case 0xf5: { G.g_op_pc = pc; G.g_op_sp = sp; g_pc = pc; g_sp = sp; g_gas = gas; r = op_create(L.FK_CREATE2); break; }
      case 0xfa: { G.g_op_pc = pc; G.g_op_sp = sp; g_pc = pc; g_sp = sp; g_gas = gas; r = op_call(L.FK_STATICCALL); break; }
      case 0xfd: { g_pc = pc; g_sp = sp; g_gas = gas; r = op_return(L.STATUS_REVERT); break; }
      case 0xff: { G.g_op_pc = pc; G.g_op_sp = sp; g_pc = pc; g_sp = sp; g_gas = gas; r = op_selfdestruct(); break; }
      default: { r = -2; break; } // undefined opcode or INVALID (0xfe)
    }
    if (r == -3) { // jump budget spent: yield to the caller, which calls again
      g_pc = pc; g_sp = sp; g_gas = gas;
      store<u64>(g_ctx + L.CTX_STEPS, load<u64>(g_ctx + L.CTX_STEPS) + steps);
      return false;
    }
    if (r == -2) { // exceptional halt raised by an inline instruction
      g_pc = pc; g_sp = sp; g_gas = gas;
      r = halt();
    }
    if (r == DONE) break;
    pc = g_pc; sp = g_sp; gas = g_gas;
  }
  store<u64>(g_ctx + L.CTX_STEPS, load<u64>(g_ctx + L.CTX_STEPS) + steps);
  return true;
}

