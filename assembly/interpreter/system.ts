// Calls, contract creation, frame return and SELFDESTRUCT. Frames are not nested on the wasm
// stack: entering a call writes a new frame record and the dispatch loop carries on with it.
import * as L from "../layout";
import * as F from "../fork";
import { g_ctx, g_fork, g_scratch, g_journal_len, g_epoch, g_epoch_counter, g_refund, g_log_end, g_log_count, g_fatal, set_fatal } from "../globals";
import { acct_get, acct_exists, acct_is_dead, acct_is_empty, acct_touch, acct_add_balance, acct_sub_balance, acct_balance_ge, acct_set_nonce, acct_set_code, acct_set_flags, addr_copy } from "../state/accounts";
import { warm_account } from "../state/access";
import { journal_revert } from "../state/journal";
import { code_intern, code_anonymous } from "../state/code";
import { keccak256 } from "../crypto/keccak";
import { precompile_id, call_precompile } from "./precompiles";
import { g_frame, g_depth, g_mem, g_mem_size, g_pc, g_sp, g_gas, frame_at, frame_load, frame_save, mem_range, g_off, g_len, word_cost } from "./frame";
import { addr_from_word, word_from_addr, word_set_u64, word_is_zero, word_fits_u64, word_copy, word_zero } from "./words";

export const MAX_CODE_SIZE: u32 = 24576;
export const MAX_INITCODE_SIZE: u32 = 49152;

// Outcome of an instruction that may switch frames.
export const NEXT: i32 = 0; // carry on with the (possibly new) running frame
export const DONE: i32 = 1; // the outermost frame finished: the transaction is over

/** Opens a checkpoint in the new frame record `f` (journal, logs, refund, epoch). */
export function checkpoint(f: usize): void {
  store<u32>(f + L.F_CP_JOURNAL, g_journal_len);
  store<u32>(f + L.F_CP_LOG_END, <u32>g_log_end);
  store<u32>(f + L.F_CP_LOG_COUNT, g_log_count);
  store<i64>(f + L.F_CP_REFUND, g_refund);
  store<u32>(f + L.F_CP_EPOCH, g_epoch);
  g_epoch_counter++;
  g_epoch = g_epoch_counter;
  store<u32>(f + L.F_EPOCH, g_epoch);
}

function rollback(f: usize): void {
  journal_revert(load<u32>(f + L.F_CP_JOURNAL));
  g_log_end = load<u32>(f + L.F_CP_LOG_END);
  g_log_count = load<u32>(f + L.F_CP_LOG_COUNT);
  g_refund = load<i64>(f + L.F_CP_REFUND);
}

/**
 * Fills the frame record at `depth` for running `rec`'s code. The caller has already saved its
 * own registers. Memory and return data start after the parent's.
 */
export function frame_enter(depth: u32, kind: u32, rec: usize, code: usize, codeLen: u32, bitmap: usize,
  addr: usize, caller: usize, value: usize, input: usize, inputLen: u32, isStatic: u32, gas: i64): usize {
  const f = frame_at(depth);
  store<u32>(f + L.F_KIND, kind);
  store<u32>(f + L.F_DEPTH, depth);
  store<u32>(f + L.F_CODE_REC, <u32>rec);
  store<u32>(f + L.F_CODE, <u32>code);
  store<u32>(f + L.F_CODE_LEN, codeLen);
  store<u32>(f + L.F_BITMAP, <u32>bitmap);
  store<u32>(f + L.F_PC, <u32>code);
  const stack = <usize>load<u32>(g_ctx + L.CTX_STACK) + <usize>depth * L.STACK_BYTES;
  store<u32>(f + L.F_STACK, <u32>stack);
  store<u32>(f + L.F_SP, <u32>stack);
  store<i64>(f + L.F_GAS, gas);
  if (depth == 0) {
    store<u32>(f + L.F_MEM, load<u32>(g_ctx + L.CTX_MEM));
    store<u32>(f + L.F_RDATA, load<u32>(g_ctx + L.CTX_RDATA));
  } else {
    const p = f - L.FRAME_SIZE;
    store<u32>(f + L.F_MEM, load<u32>(p + L.F_MEM) + load<u32>(p + L.F_MEM_SIZE));
    store<u32>(f + L.F_RDATA, load<u32>(p + L.F_RDATA) + load<u32>(p + L.F_RDATA_LEN));
  }
  store<u32>(f + L.F_MEM_SIZE, 0);
  store<u32>(f + L.F_RDATA_LEN, 0);
  store<u32>(f + L.F_INPUT, <u32>input);
  store<u32>(f + L.F_INPUT_LEN, inputLen);
  store<u32>(f + L.F_STATIC, isStatic);
  addr_copy(f + L.F_ADDR, addr);
  addr_copy(f + L.F_CALLER, caller);
  word_copy(f + L.F_VALUE, value);
  store<u32>(f + L.F_ACCT, <u32>acct_get(addr));
  return f;
}

/** Sets the running frame's return data to `len` bytes from `src`. */
function set_return_data(f: usize, src: usize, len: u32): bool {
  const dst = <usize>load<u32>(f + L.F_RDATA);
  if (<u64>dst + <u64>len > <u64>load<u32>(g_ctx + L.CTX_RDATA_END)) { set_fatal(L.FATAL_RDATA); return false; } // no 32-bit wrap
  if (len > 0) memory.copy(dst, src, len);
  store<u32>(f + L.F_RDATA_LEN, len);
  return true;
}

// ---------------------------------------------------------------------------------------------
// CALL, CALLCODE, DELEGATECALL, STATICCALL
// ---------------------------------------------------------------------------------------------

/** Executes a call instruction of the running frame (registers in g_pc/g_sp/g_gas). */
export function op_call(kind: u32): i32 {
  const f = g_frame;
  const sp = g_sp;
  let gas = g_gas;
  const hasValueArg = kind == L.FK_CALL || kind == L.FK_CALLCODE;
  const nargs: u32 = hasValueArg ? 7 : 6;
  const gasW = sp - 32, addrW = sp - 64;
  const valueW: usize = hasValueArg ? sp - 96 : 0;
  const argsOffW = hasValueArg ? sp - 128 : sp - 96;
  const argsSizeW = argsOffW - 32, retOffW = argsOffW - 64, retSizeW = argsOffW - 96;
  const hasValue = hasValueArg && !word_is_zero(valueW);
  if (kind == L.FK_CALL && hasValue && load<u32>(f + L.F_STATIC)) return halt();

  // Memory for the input and the output, each only when non-empty.
  gas = mem_range(gas, argsOffW, argsSizeW);
  if (gas < 0) return halt();
  const argsOff = g_off, argsLen = g_len;
  gas = mem_range(gas, retOffW, retSizeW);
  if (gas < 0) return halt();
  const retOff = g_off, retLen = g_len;

  const target = g_scratch + 64;
  addr_from_word(target, addrW);
  const te = acct_get(target);
  if (te == 0) return halt();
  if (g_fork >= F.BERLIN && warm_account(te)) gas -= 2500;
  if (hasValue) gas -= 9000;
  if (kind == L.FK_CALL) {
    if (g_fork < F.SPURIOUS) { if (!acct_exists(te)) gas -= 25000; }
    else if (hasValue && acct_is_dead(te)) gas -= 25000;
  }
  if (gas < 0) return halt();
  let callGas: i64;
  if (g_fork >= F.TANGERINE) {
    const cap = gas - gas / 64;
    callGas = word_fits_u64(gasW) && load<u64>(gasW) < <u64>cap ? <i64>load<u64>(gasW) : cap;
  } else {
    if (!word_fits_u64(gasW) || load<u64>(gasW) > <u64>gas) return halt();
    callGas = <i64>load<u64>(gasW);
  }
  gas -= callGas;
  if (hasValue) callGas += 2300;

  const resultW = sp - (<usize>nargs << 5);
  g_sp = resultW + 32;
  g_pc += 1;
  store<u32>(f + L.F_RDATA_LEN, 0);
  const self = f + L.F_ADDR;
  const value = g_scratch + 96;
  if (hasValue) word_copy(value, valueW); else word_zero(value);

  // Early failures return the call's gas (the stipend included) to the caller.
  if (g_depth >= L.MAX_DEPTH || (hasValue && !acct_balance_ge(<usize>load<u32>(f + L.F_ACCT), value))) {
    word_zero(resultW);
    g_gas = gas + callGas;
    return NEXT;
  }

  const pid = precompile_id(target);
  if (kind == L.FK_CALL && !acct_exists(te) && pid == 0 && g_fork >= F.SPURIOUS && !hasValue) {
    word_set_u64(resultW, 1); // EIP-158: calling a missing account without value creates nothing
    g_gas = gas + callGas;
    return NEXT;
  }

  // The callee frame record holds the checkpoint even when no frame runs (precompiles).
  const child = frame_at(g_depth + 1);
  checkpoint(child);
  if (kind == L.FK_CALL) {
    if (hasValue) acct_sub_balance(<usize>load<u32>(f + L.F_ACCT), value);
    acct_add_balance(te, value);
  } else if (kind == L.FK_CALLCODE) {
    acct_touch(<usize>load<u32>(f + L.F_ACCT)); // a transfer to itself
  } else if (kind == L.FK_STATICCALL) {
    acct_touch(te);
  }

  if (pid != 0) {
    const out = <usize>load<u32>(f + L.F_RDATA);
    const cap = <u32>(<usize>load<u32>(g_ctx + L.CTX_RDATA_END) - out);
    const used = call_precompile(pid, g_mem + <usize>argsOff, <u32>argsLen, callGas, out, cap, g_ctx + L.CTX_PC_OUT_LEN);
    g_epoch = load<u32>(child + L.F_CP_EPOCH);
    if (used < 0) {
      rollback(child);
      word_zero(resultW);
      g_gas = gas;
      return NEXT;
    }
    const outLen = load<u32>(g_ctx + L.CTX_PC_OUT_LEN);
    store<u32>(f + L.F_RDATA_LEN, outLen);
    const n = <u64>outLen < retLen ? <u64>outLen : retLen;
    if (n > 0) memory.copy(g_mem + <usize>retOff, out, <usize>n);
    word_set_u64(resultW, 1);
    g_gas = gas + callGas - used;
    return NEXT;
  }

  const rec = <usize>load<u32>(te + L.A_CODE);
  if (rec == 0) {
    g_epoch = load<u32>(child + L.F_CP_EPOCH);
    word_set_u64(resultW, 1);
    g_gas = gas + callGas;
    return NEXT;
  }

  g_gas = gas;
  frame_save();
  const isStatic = kind == L.FK_STATICCALL ? 1 : load<u32>(f + L.F_STATIC);
  let addr = target, caller = self, val = value;
  if (kind == L.FK_CALLCODE) { addr = self; }
  else if (kind == L.FK_DELEGATECALL) { addr = self; caller = f + L.F_CALLER; val = f + L.F_VALUE; }
  const c = frame_enter(g_depth + 1, kind, rec, <usize>load<u32>(rec + L.C_CODE), load<u32>(rec + L.C_LEN),
    <usize>load<u32>(rec + L.C_BITMAP), addr, caller, val, g_mem + <usize>argsOff, <u32>argsLen, isStatic, callGas);
  store<u32>(c + L.F_RET_OFF, <u32>retOff);
  store<u32>(c + L.F_RET_SIZE, <u32>retLen);
  if (load<u32>(c + L.F_ACCT) == 0) return halt_child(c);
  frame_load(c);
  return NEXT;
}

// ---------------------------------------------------------------------------------------------
// CREATE, CREATE2
// ---------------------------------------------------------------------------------------------

/** CREATE's address: keccak256(rlp([sender, nonce]))[12:], written to `out`. */
function create_address(out: usize, sender: usize, nonce: u64): void {
  const b = g_scratch + 160;
  let n: u32 = 0;
  if (nonce == 0) { store<u8>(b + 22, 0x80); n = 1; }
  else if (nonce < 0x80) { store<u8>(b + 22, <u8>nonce); n = 1; }
  else {
    let len: u32 = 0;
    for (let x = nonce; x != 0; x >>= 8) len++;
    store<u8>(b + 22, <u8>(0x80 + len));
    for (let i: u32 = 0; i < len; i++) store<u8>(b + 23 + i, <u8>(nonce >> (<u64>(len - 1 - i) * 8)));
    n = 1 + len;
  }
  store<u8>(b, <u8>(0xc0 + 21 + n));
  store<u8>(b + 1, 0x94);
  memory.copy(b + 2, sender, 20);
  keccak256(b, 22 + n, b + 64);
  memory.copy(out, b + 64 + 12, 20);
}

/** CREATE2's address: keccak256(0xff ++ sender ++ salt ++ keccak256(initcode))[12:]. */
function create2_address(out: usize, sender: usize, saltW: usize, code: usize, len: u32): void {
  const b = g_scratch + 160;
  store<u8>(b, 0xff);
  memory.copy(b + 1, sender, 20);
  // salt is a stack word: write it big-endian
  store<u64>(b + 21, bswap<u64>(load<u64>(saltW, 24)));
  store<u64>(b + 29, bswap<u64>(load<u64>(saltW, 16)));
  store<u64>(b + 37, bswap<u64>(load<u64>(saltW, 8)));
  store<u64>(b + 45, bswap<u64>(load<u64>(saltW)));
  keccak256(code, len, b + 53);
  keccak256(b, 85, b + 96);
  memory.copy(out, b + 96 + 12, 20);
}

/**
 * Starts a contract creation from the running frame (or, with depth 0, from the transaction).
 * Returns NEXT with the new frame running, or NEXT with g_create_result set when it ended
 * without running (early failure).
 */
export let g_create_failed: bool = false;
export let g_create_gas_back: i64 = 0;
export function begin_create(depth: u32, kind: u32, caller: usize, callerAcct: usize, value: usize,
  code: usize, codeLen: u32, saltW: usize, gas: i64): usize {
  g_create_failed = true;
  g_create_gas_back = gas;
  if (depth > L.MAX_DEPTH) return 0;
  if (!acct_balance_ge(callerAcct, value)) return 0;
  const nonce = load<u64>(callerAcct + L.A_NONCE);
  if (nonce == U64.MAX_VALUE) return 0;
  const addr = g_scratch + 128;
  if (kind == L.FK_CREATE2) create2_address(addr, caller, saltW, code, codeLen);
  else create_address(addr, caller, nonce);
  acct_set_nonce(callerAcct, nonce + 1);
  const ne = acct_get(addr);
  if (ne == 0) return 0;
  if (g_fork >= F.BERLIN) warm_account(ne);
  if (load<u64>(ne + L.A_NONCE) != 0 || load<u32>(ne + L.A_CODE) != 0 || (load<u32>(ne + L.A_FLAGS) & L.AF_HAS_STORAGE) != 0) {
    g_create_gas_back = 0; // address collision consumes the gas
    return 0;
  }
  const f = frame_at(depth);
  checkpoint(f);
  acct_touch(ne);
  acct_set_flags(ne, load<u32>(ne + L.A_FLAGS) | L.AF_EXISTS | L.AF_CREATED);
  if (g_fork >= F.SPURIOUS) acct_set_nonce(ne, 1);
  acct_sub_balance(callerAcct, value);
  acct_add_balance(ne, value);
  const rec = code_anonymous(code, codeLen);
  if (rec == 0) return 0;
  frame_enter(depth, kind, 0, <usize>load<u32>(rec + L.C_CODE), codeLen, <usize>load<u32>(rec + L.C_BITMAP),
    addr, caller, value, 0, 0, 0, gas);
  g_create_failed = false;
  return f;
}

export function op_create(kind: u32): i32 {
  const f = g_frame;
  const sp = g_sp;
  let gas = g_gas;
  if (load<u32>(f + L.F_STATIC)) return halt();
  const valueW = sp - 32;
  gas = mem_range(gas, sp - 64, sp - 96);
  if (gas < 0) return halt();
  const off = g_off, len = g_len;
  if (g_fork >= F.SHANGHAI) {
    if (len > <u64>MAX_INITCODE_SIZE) return halt();
    gas -= word_cost(len, 2);
  }
  if (kind == L.FK_CREATE2) gas -= word_cost(len, 6);
  if (gas < 0) return halt();
  const callGas = g_fork >= F.TANGERINE ? gas - gas / 64 : gas;
  gas -= callGas;
  const resultW = kind == L.FK_CREATE2 ? sp - 128 : sp - 96;
  g_sp = resultW + 32;
  g_pc += 1;
  store<u32>(f + L.F_RDATA_LEN, 0);
  const value = g_scratch + 96;
  word_copy(value, valueW);
  g_gas = gas;
  frame_save();
  const c = begin_create(g_depth + 1, kind, f + L.F_ADDR, <usize>load<u32>(f + L.F_ACCT), value,
    g_mem + <usize>off, <u32>len, sp - 128, callGas);
  if (c == 0) {
    if (g_fatal != 0) return halt();
    word_zero(resultW);
    g_gas = gas + g_create_gas_back;
    store<i64>(f + L.F_GAS, g_gas);
    return NEXT;
  }
  frame_load(c);
  return NEXT;
}

// ---------------------------------------------------------------------------------------------
// Frame return
// ---------------------------------------------------------------------------------------------

export let g_result_status: u32 = 0;
export let g_result_out: usize = 0;
export let g_result_len: u32 = 0;

/**
 * Ends the running frame with `status` (L.STATUS_*), output memory [out, out+len) and the gas
 * left. Resumes the parent frame, or returns DONE when the outermost frame ended.
 */
export function frame_return(status: u32, out: usize, len: u32, gasLeft: i64): i32 {
  const f = g_frame;
  const kind = load<u32>(f + L.F_KIND);
  if (g_fatal != 0) { status = L.STATUS_HALT; len = 0; }
  if (status == L.STATUS_HALT) { gasLeft = 0; len = 0; }
  if (status == L.STATUS_SUCCESS && (kind == L.FK_CREATE || kind == L.FK_CREATE2)) {
    // Code deposit.
    if ((g_fork >= F.SPURIOUS && len > MAX_CODE_SIZE) || (g_fork >= F.LONDON && len > 0 && load<u8>(out) == 0xef)) {
      status = L.STATUS_HALT; gasLeft = 0;
    } else {
      const cost = <i64>len * 200;
      if (gasLeft < cost) {
        if (g_fork >= F.HOMESTEAD) { status = L.STATUS_HALT; gasLeft = 0; }
      } else {
        gasLeft -= cost;
        if (len > 0) {
          const rec = code_intern(out, len);
          if (rec == 0) { status = L.STATUS_HALT; gasLeft = 0; }
          else acct_set_code(<usize>load<u32>(f + L.F_ACCT), rec);
        }
      }
    }
    len = 0; // a successful creation returns no data to its creator
    if (status == L.STATUS_HALT) out = 0;
  }
  if (status != L.STATUS_SUCCESS) rollback(f);
  g_epoch = load<u32>(f + L.F_CP_EPOCH);

  if (g_depth == 0) {
    g_result_status = status;
    g_result_out = out;
    g_result_len = len;
    g_gas = gasLeft;
    return DONE;
  }

  const p = f - L.FRAME_SIZE;
  frame_load(p);
  const resultW = g_sp - 32;
  if (kind == L.FK_CREATE || kind == L.FK_CREATE2) {
    if (status == L.STATUS_SUCCESS) word_from_addr(resultW, f + L.F_ADDR);
    else word_zero(resultW);
    if (status == L.STATUS_REVERT) set_return_data(p, out, len);
  } else {
    word_set_u64(resultW, status == L.STATUS_SUCCESS ? 1 : 0);
    if (status != L.STATUS_HALT) {
      set_return_data(p, out, len);
      const retSize = load<u32>(f + L.F_RET_SIZE);
      const n = len < retSize ? len : retSize;
      if (n > 0) memory.copy(g_mem + <usize>load<u32>(f + L.F_RET_OFF), out, n);
    }
  }
  g_gas += gasLeft;
  return NEXT;
}

/** Exceptional halt of the running frame. */
export function halt(): i32 {
  return frame_return(L.STATUS_HALT, 0, 0, 0);
}

/** A child frame that could not even start (fatal error): unwind it as halted. */
function halt_child(c: usize): i32 {
  frame_load(c);
  return halt();
}

/** RETURN and REVERT: (offset, size). */
export function op_return(status: u32): i32 {
  const sp = g_sp;
  const gas = mem_range(g_gas, sp - 32, sp - 64);
  if (gas < 0) return halt();
  return frame_return(status, g_mem + <usize>g_off, <u32>g_len, gas);
}

// ---------------------------------------------------------------------------------------------
// SELFDESTRUCT
// ---------------------------------------------------------------------------------------------

function destruct(self: usize): void {
  acct_touch(self);
  acct_set_flags(self, load<u32>(self + L.A_FLAGS) | L.AF_DESTRUCTED | L.AF_TOUCHED);
  memory.fill(self + L.A_BALANCE, 0, 32);
}

export function op_selfdestruct(): i32 {
  const f = g_frame;
  let gas = g_gas;
  if (load<u32>(f + L.F_STATIC)) return halt();
  const b = g_scratch + 64;
  addr_from_word(b, g_sp - 32);
  const be = acct_get(b);
  if (be == 0) return halt();
  if (g_fork >= F.BERLIN && warm_account(be)) gas -= 2600;
  const self = <usize>load<u32>(f + L.F_ACCT);
  const hasBalance = !word_is_zero(self + L.A_BALANCE);
  if (g_fork >= F.SPURIOUS) { if (hasBalance && acct_is_dead(be)) gas -= 25000; }
  else if (g_fork >= F.TANGERINE && !acct_exists(be)) gas -= 25000;
  if (gas < 0) return halt();
  const flags = load<u32>(self + L.A_FLAGS);
  if (g_fork < F.LONDON && (flags & L.AF_DESTRUCTED) == 0) g_refund += 24000;
  const bal = g_scratch + 96;
  word_copy(bal, self + L.A_BALANCE);
  if (g_fork >= F.CANCUN) {
    // EIP-6780: only an account created in this transaction is deleted.
    acct_sub_balance(self, bal);
    acct_add_balance(be, bal);
    if (flags & L.AF_CREATED) destruct(self);
  } else {
    acct_add_balance(be, bal);
    destruct(self); // the balance is gone even when it was its own beneficiary
  }
  return frame_return(L.STATUS_SUCCESS, 0, 0, gas);
}
