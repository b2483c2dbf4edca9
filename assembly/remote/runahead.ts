// Run-ahead (out-of-order issue of state reads). When a read stalls on remote state, the
// interpreter keeps executing ahead on scratch copies of its stack and memory, with every value
// that depends on the pending read marked unknown, and puts each further read whose key is known
// on the request list. It stops at a jump or branch on an unknown value, at a write to an unknown
// memory offset, at CREATE, or after RA_MAX_STEPS instructions; it descends into calls whose
// target code is local. It never writes the real state, stack or memory: only the request list
// changes. The same engine pre-executes a transaction from its first instruction (ra_prefetch_tx)
// so that reads known before execution are issued in one batch for the whole block.
import * as L from "../layout";
import * as F from "../fork";
import * as G from "../globals";
import { OPI_IN_SHIFT, OPI_UNDEFINED, OPI_OUT } from "../opcodes";
import { u256_load_be_n } from "../math/u256";
import { u256_op } from "../math/u256_op";
import { acct_find } from "../state/accounts";
import { slot_find, tslot_find } from "../state/storage";
import { base_account, base_slot } from "../stm/load";
import { keccak256 } from "../crypto/keccak";
import { g_frame, g_code, g_code_len, g_bitmap, g_stack_base, g_mem, g_mem_size } from "../interpreter/frame";
import { word_from_addr, addr_from_word, word_set_u64, word_copy, word_zero, word_from_be, word_to_be, word_fits_u64, word_is_zero } from "../interpreter/words";
import { empty_code_hash } from "../interpreter/environment";
import { code_hash } from "../state/code";
import { precompile_id } from "../interpreter/precompiles";
import { req_push } from "./request";

const RA_MAX_STEPS: u32 = 20_000;
const RA_DEPTH: u32 = 8;
const MEM_CAP: u32 = 32768; // scratch memory per frame; beyond it values are unknown
const CD_CAP: u32 = 4096; // calldata of a descended call
const RD_CAP: u32 = 8192; // return data kept from a descended call
const WRITTEN_CAP: u32 = 64;

// Region layout (RA_REGION bytes at CTX_RA)
const O_STACK: usize = 0; // 1024 words
const O_TAINT: usize = 32768; // 1024 bytes: 1 = unknown
const O_FRAMES: usize = 34816; // RA_DEPTH * FR_SIZE
const O_WRITTEN: usize = 36864; // WRITTEN_CAP * 128: [addr 20][kind u8][taint u8][pad][key 32][value 32]
const O_RDATA: usize = 49152; // RD_CAP bytes, then RD_CAP taint bytes
const O_MEMS: usize = 65536; // per frame: MEM_CAP bytes then MEM_CAP taint bytes
const O_CDS: usize = O_MEMS + <usize>RA_DEPTH * 2 * <usize>MEM_CAP; // per frame: CD_CAP bytes + taint

// Scratch frame record
const FR_CODE: usize = 0; // u32 code start (padded)
const FR_CODE_LEN: usize = 4;
const FR_BITMAP: usize = 8;
const FR_PC: usize = 12; // u32 absolute
const FR_BASE: usize = 16; // u32 stack base (address in O_STACK)
const FR_MEM: usize = 20; // u32 scratch memory (taint at +MEM_CAP)
const FR_MSIZE: usize = 24; // u32 memory size in bytes (may exceed MEM_CAP)
const FR_CD: usize = 28; // u32 calldata
const FR_CD_TAINT: usize = 32; // u32 calldata taint (0: all known)
const FR_CD_LEN: usize = 36;
const FR_RET_OFF: usize = 40; // caller's output area
const FR_RET_SIZE: usize = 44;
const FR_VALUE_UNKNOWN: usize = 48;
const FR_ADDR: usize = 52; // [20] storage and ADDRESS
const FR_CALLER: usize = 72; // [20]
const FR_VALUE: usize = 96; // word
const FR_SIZE: usize = 128;

let R: usize = 0; // region base
let sp: usize = 0; // next free scratch stack slot
let depth: u32 = 0;
let fr: usize = 0; // running scratch frame
let rd_len: u32 = 0; // return data of the last call
let rd_unknown: bool = true;
let written: u32 = 0;
let wild_store: bool = false; // an SSTORE to an unknown key happened
let wild_tstore: bool = false;
let from_start: bool = false; // pre-executing from the first instruction: transient storage is empty
let found: u32 = 0;

@inline function taint(w: usize): usize { return R + O_TAINT + ((w - R - O_STACK) >> 5); }
@inline function top(n: u32): usize { return sp - (<usize>n << 5); }
@inline function unknown(n: u32): bool { return load<u8>(taint(top(n))) != 0; }
function any_unknown(n: u32): bool {
  for (let i: u32 = 1; i <= n; i++) if (unknown(i)) return true;
  return false;
}
@inline function push_known(): usize { const w = sp; store<u8>(taint(w), 0); sp += 32; return w; }
@inline function push_unknown(): void { word_zero(sp); store<u8>(taint(sp), 1); sp += 32; }
@inline function pop(n: u32): void { sp -= <usize>n << 5; }
/** Replaces the top `n` items by one unknown result. */
@inline function result_unknown(n: u32): void { pop(n); push_unknown(); }

function request(kind: u32, addr: usize, key: usize): void {
  if (req_push(kind, addr, key)) found++;
}

// ---- Local state, read without side effects ----

/** An account entry that holds the account's state (local table, else shared pre-state). */
function local_account(addr: usize): usize {
  const e = acct_find(addr);
  if (e != 0) return e;
  return G.g_parallel ? base_account(addr) : 0;
}

/** The account at the address in word `w`, or 0 after requesting it. */
function account_or_request(w: usize): usize {
  const a = G.g_scratch + 960;
  addr_from_word(a, w);
  const e = local_account(a);
  if (e == 0) request(L.REQ_ACCOUNT, a, 0);
  return e;
}

// Storage and transient writes made while running ahead, so that later reads see them.
const W_STORAGE: u8 = 0, W_TRANSIENT: u8 = 1;

/** The latest value written ahead to (kind, addr, key): 0 none, 1 known (into out), 2 unknown. */
function written_value(kind: u8, addr: usize, key: usize, out: usize): u32 {
  for (let i = <i32>written - 1; i >= 0; i--) {
    const p = R + O_WRITTEN + (<usize>i << 7);
    if (load<u8>(p + 20) != kind || memory.compare(p, addr, 20) != 0 || memory.compare(p + 32, key, 32) != 0) continue;
    if (load<u8>(p + 21) != 0) return 2;
    word_copy(out, p + 64);
    return 1;
  }
  return 0;
}

/** Records a write made ahead; false when the list is full (later reads must be unknown). */
function write_ahead(kind: u8, addr: usize, key: usize, value: usize, isUnknown: bool): bool {
  if (written >= WRITTEN_CAP) return false;
  const p = R + O_WRITTEN + (<usize>written << 7);
  memory.copy(p, addr, 20);
  store<u8>(p + 20, kind);
  store<u8>(p + 21, isUnknown ? 1 : 0);
  memory.copy(p + 32, key, 32);
  word_copy(p + 64, value);
  written++;
  return true;
}

/** The value of slot `key` of `addr` into `out` when known locally; else requests it. */
function slot_value(addr: usize, key: usize, out: usize): bool {
  const a = acct_find(addr);
  if (a != 0) {
    const s = slot_find(a, key);
    if (s != 0) { word_copy(out, s + L.S_VALUE); return true; }
    if (!G.g_parallel && (load<u32>(a + L.A_FLAGS) & L.AF_HAS_STORAGE) == 0) { word_zero(out); return true; }
  }
  if (G.g_parallel) {
    const b = base_account(addr);
    if (b != 0) {
      const s = base_slot(b, key);
      if (s != 0) { word_copy(out, s + L.S_VALUE); return true; }
      if ((load<u32>(b + L.A_FLAGS) & L.AF_HAS_STORAGE) == 0) { word_zero(out); return true; }
    } else request(L.REQ_ACCOUNT, addr, 0);
  } else if (a == 0) request(L.REQ_ACCOUNT, addr, 0);
  request(L.REQ_SLOT, addr, key);
  return false;
}

/** The transient value of (addr, key) as the running transaction holds it. */
function transient_value(addr: usize, key: usize, out: usize): bool {
  word_zero(out);
  if (from_start) return true;
  const a = acct_find(addr);
  if (a == 0) return true;
  const t = tslot_find(a, key);
  if (t != 0) word_copy(out, t + L.S_VALUE);
  return true;
}

// ---- Scratch memory with a taint byte per byte ----

/** Marks [off, off+len) of the frame's memory unknown (clipped to the scratch size). */
function mem_taint(off: u64, len: u64): void {
  if (off >= <u64>MEM_CAP || len == 0) return;
  const n = off + len > <u64>MEM_CAP ? <u64>MEM_CAP - off : len;
  memory.fill(<usize>load<u32>(fr + FR_MEM) + <usize>MEM_CAP + <usize>off, 1, <usize>n);
}

@inline function mem_grow(end: u64): void {
  const words = (end + 31) >> 5;
  if (words << 5 > <u64>load<u32>(fr + FR_MSIZE)) store<u32>(fr + FR_MSIZE, <u32>(words << 5));
}

/** Copies `len` bytes (with taint; srcTaint 0 = known) into memory at `off`. */
function mem_write(off: u64, src: usize, srcTaint: usize, len: u64): void {
  mem_grow(off + len);
  if (off >= <u64>MEM_CAP) return;
  const n = <usize>(off + len > <u64>MEM_CAP ? <u64>MEM_CAP - off : len);
  const m = <usize>load<u32>(fr + FR_MEM) + <usize>off;
  memory.copy(m, src, n);
  if (srcTaint == 0) memory.fill(m + MEM_CAP, 0, n);
  else memory.copy(m + MEM_CAP, srcTaint, n);
}

/** Whether [off, off+len) is within scratch memory and fully known. */
function mem_known(off: u64, len: u64): bool {
  if (off + len > <u64>MEM_CAP) return false;
  const t = <usize>load<u32>(fr + FR_MEM) + <usize>MEM_CAP + <usize>off;
  for (let i: usize = 0; i < <usize>len; i++) if (load<u8>(t + i) != 0) return false;
  return true;
}

/** Offset and size words to u64 (false when unknown or absurdly large). */
let r_off: u64 = 0, r_len: u64 = 0;
function range(offW: u32, lenW: u32): bool {
  if (unknown(offW) || unknown(lenW)) return false;
  const o = top(offW), l = top(lenW);
  if (!word_fits_u64(l) || load<u64>(l) > 0xffffffff) return false;
  r_len = load<u64>(l);
  if (r_len == 0) { r_off = 0; return true; }
  if (!word_fits_u64(o) || load<u64>(o) > 0xffffffff) return false;
  r_off = load<u64>(o);
  return true;
}

/** Copies from a source buffer (zero-padded past srcLen) into memory at r_off, r_len bytes. */
function copy_to_mem(memOff: u64, len: u64, src: usize, srcTaint: usize, srcLen: u64, srcOff: u64): void {
  mem_grow(memOff + len);
  if (memOff >= <u64>MEM_CAP || len == 0) return;
  const n = memOff + len > <u64>MEM_CAP ? <u64>MEM_CAP - memOff : len;
  const m = <usize>load<u32>(fr + FR_MEM) + <usize>memOff;
  for (let i: u64 = 0; i < n; i++) {
    const k = srcOff + i;
    const inside = k < srcLen;
    store<u8>(m + <usize>i, inside ? load<u8>(src + <usize>k) : 0);
    store<u8>(m + MEM_CAP + <usize>i, inside && srcTaint != 0 ? load<u8>(srcTaint + <usize>k) : 0);
  }
}

// ---- Frames ----

function frame_init(f: usize, code: usize, codeLen: u32, bitmap: usize, base: usize): void {
  store<u32>(f + FR_CODE, <u32>code);
  store<u32>(f + FR_CODE_LEN, codeLen);
  store<u32>(f + FR_BITMAP, <u32>bitmap);
  store<u32>(f + FR_PC, <u32>code);
  store<u32>(f + FR_BASE, <u32>base);
  const mem = R + O_MEMS + <usize>(depth * 2 * MEM_CAP);
  memory.fill(mem, 0, <usize>(2 * MEM_CAP)); // fresh memory reads as known zeros
  store<u32>(f + FR_MEM, <u32>mem);
  store<u32>(f + FR_MSIZE, 0);
  store<u32>(f + FR_VALUE_UNKNOWN, 0);
}

function begin(): void {
  R = <usize>load<u32>(G.g_ctx + L.CTX_RA);
  depth = 0;
  fr = R + O_FRAMES;
  written = 0;
  wild_store = false;
  wild_tstore = false;
  from_start = false;
  found = 0;
}

/** Runs ahead from the instruction that stalled (g_op_pc) in the running frame. */
export function run_ahead_from_stall(): void {
  if (load<u32>(G.g_ctx + L.CTX_RA) == 0) return;
  if (G.g_op_sp < g_stack_base || G.g_op_sp - g_stack_base > (1024 << 5)) return;
  begin();
  const height = <u32>((G.g_op_sp - g_stack_base) >> 5);
  sp = R + O_STACK;
  memory.copy(sp, g_stack_base, <usize>height << 5);
  memory.fill(R + O_TAINT, 0, height);
  sp += <usize>height << 5;
  frame_init(fr, g_code, g_code_len, g_bitmap, R + O_STACK);
  // Memory as it is (the stalled instruction may have expanded it: harmless).
  const msize = <u32>g_mem_size;
  const copy = msize < MEM_CAP ? msize : MEM_CAP;
  memory.copy(R + O_MEMS, g_mem, copy);
  memory.fill(R + O_MEMS + MEM_CAP, 0, copy);
  store<u32>(fr + FR_MSIZE, msize);
  store<u32>(fr + FR_CD, load<u32>(g_frame + L.F_INPUT));
  store<u32>(fr + FR_CD_TAINT, 0);
  store<u32>(fr + FR_CD_LEN, load<u32>(g_frame + L.F_INPUT_LEN));
  memory.copy(fr + FR_ADDR, g_frame + L.F_ADDR, 20);
  memory.copy(fr + FR_CALLER, g_frame + L.F_CALLER, 20);
  word_copy(fr + FR_VALUE, g_frame + L.F_VALUE);
  // The stalled instruction completes with an unknown result.
  const op = <u32>load<u8>(G.g_op_pc);
  const info = load<u32>(G.g_opinfo + (op << 2));
  pop((info >> OPI_IN_SHIFT) & 31);
  if ((info & OPI_OUT) != 0) push_unknown();
  rd_unknown = true;
  store<u32>(fr + FR_PC, <u32>(G.g_op_pc + 1));
  run();
  const c = G.g_ctx;
  store<u32>(c + L.CTX_RA_RUNS, load<u32>(c + L.CTX_RA_RUNS) + 1);
  store<u32>(c + L.CTX_RA_FOUND, load<u32>(c + L.CTX_RA_FOUND) + found);
}

/**
 * Pre-executes the message in the context (load_message) from its first instruction against
 * local state, requesting what it reads; the host calls this for every transaction of a block
 * before executing it, and again after each answer, to fetch state known before execution.
 * Returns the number of requests added.
 */
export function ra_prefetch_tx(): u32 {
  const c = G.g_ctx;
  if (load<u32>(c + L.CTX_RA) == 0) return 0;
  begin();
  if (local_account(c + L.CTX_CALLER) == 0) request(L.REQ_ACCOUNT, c + L.CTX_CALLER, 0);
  if (load<u32>(c + L.CTX_IS_CREATE) != 0) return found;
  const to = c + L.CTX_TO;
  const e = local_account(to);
  if (e == 0) { request(L.REQ_ACCOUNT, to, 0); return found; }
  const rec = <usize>load<u32>(e + L.A_CODE);
  if (rec == 0 || precompile_id(to) != 0) return found;
  sp = R + O_STACK;
  frame_init(fr, <usize>load<u32>(rec + L.C_CODE), load<u32>(rec + L.C_LEN), <usize>load<u32>(rec + L.C_BITMAP), sp);
  store<u32>(fr + FR_CD, load<u32>(c + L.CTX_DATA_PTR));
  store<u32>(fr + FR_CD_TAINT, 0);
  store<u32>(fr + FR_CD_LEN, load<u32>(c + L.CTX_DATA_LEN));
  memory.copy(fr + FR_ADDR, to, 20);
  memory.copy(fr + FR_CALLER, c + L.CTX_CALLER, 20);
  word_copy(fr + FR_VALUE, c + L.CTX_VALUE);
  rd_unknown = false;
  rd_len = 0;
  from_start = true;
  run();
  store<u32>(c + L.CTX_RA_RUNS, load<u32>(c + L.CTX_RA_RUNS) + 1);
  return found;
}

/** Enters the callee of a CALL-family instruction whose inputs are on the stack; false: cannot. */
function descend(op: u32, target: usize, e: usize): bool {
  if (depth + 1 >= RA_DEPTH) return false;
  const rec = <usize>load<u32>(e + L.A_CODE);
  if (rec == 0) return false;
  const hasValue = op == 0xf1 || op == 0xf2;
  const argsOffW: u32 = hasValue ? 4 : 3;
  if (!range(argsOffW, argsOffW + 1)) return false;
  const argsOff = r_off, argsLen = r_len;
  if (argsLen > <u64>CD_CAP || argsOff + argsLen > <u64>MEM_CAP) return false;
  if (!range(argsOffW + 2, argsOffW + 3)) return false;
  const retOff = r_off, retLen = r_len;
  const valueUnknown = hasValue && unknown(3);
  const caller = fr;
  const callee = fr + FR_SIZE;
  const cd = R + O_CDS + <usize>((depth + 1) * 2 * CD_CAP);
  const m = <usize>load<u32>(caller + FR_MEM);
  memory.copy(cd, m + <usize>argsOff, <usize>argsLen);
  memory.copy(cd + CD_CAP, m + MEM_CAP + <usize>argsOff, <usize>argsLen);
  mem_grow(argsOff + argsLen);
  // Inputs leave the caller's stack now; the result is pushed on return.
  const value = G.g_scratch + 928;
  if (hasValue) word_copy(value, top(3)); else word_copy(value, caller + FR_VALUE);
  pop(op == 0xf1 || op == 0xf2 ? 7 : 6);
  store<u32>(caller + FR_RET_OFF, <u32>retOff);
  store<u32>(caller + FR_RET_SIZE, <u32>retLen);
  depth++;
  fr = callee;
  frame_init(fr, <usize>load<u32>(rec + L.C_CODE), load<u32>(rec + L.C_LEN), <usize>load<u32>(rec + L.C_BITMAP), sp);
  store<u32>(fr + FR_CD, <u32>cd);
  store<u32>(fr + FR_CD_TAINT, <u32>(cd + CD_CAP));
  store<u32>(fr + FR_CD_LEN, <u32>argsLen);
  // DELEGATECALL and CALLCODE run the target's code on the caller's storage.
  const own = op == 0xf4 || op == 0xf2;
  memory.copy(fr + FR_ADDR, own ? caller + FR_ADDR : target, 20);
  memory.copy(fr + FR_CALLER, op == 0xf4 ? caller + FR_CALLER : caller + FR_ADDR, 20);
  word_copy(fr + FR_VALUE, value);
  store<u32>(fr + FR_VALUE_UNKNOWN, valueUnknown || (op == 0xf4 && load<u32>(caller + FR_VALUE_UNKNOWN) != 0) ? 1 : 0);
  return true;
}

/** Leaves a descended frame with `success`, its output at [off, off+len) of its memory. */
function ascend(success: bool, off: u64, len: u64, outKnown: bool): void {
  const m = <usize>load<u32>(fr + FR_MEM);
  // Keep the output as the caller's return data.
  rd_unknown = !outKnown || len > <u64>RD_CAP;
  rd_len = rd_unknown ? 0 : <u32>len;
  if (!rd_unknown) copy_rdata(m, off, len);
  sp = <usize>load<u32>(fr + FR_BASE);
  depth--;
  fr -= FR_SIZE;
  const retOff = <u64>load<u32>(fr + FR_RET_OFF), retSize = <u64>load<u32>(fr + FR_RET_SIZE);
  if (retSize > 0) {
    if (rd_unknown) { mem_grow(retOff + retSize); mem_taint(retOff, retSize); }
    else copy_to_mem(retOff, retSize < <u64>rd_len ? retSize : <u64>rd_len, R + O_RDATA, R + O_RDATA + RD_CAP, <u64>rd_len, 0);
  }
  const w = push_known();
  word_set_u64(w, success ? 1 : 0);
}

function copy_rdata(m: usize, off: u64, len: u64): void {
  for (let i: u64 = 0; i < len; i++) {
    const k = off + i;
    const inside = k < <u64>MEM_CAP;
    store<u8>(R + O_RDATA + <usize>i, inside ? load<u8>(m + <usize>k) : 0);
    store<u8>(R + O_RDATA + RD_CAP + <usize>i, inside ? load<u8>(m + MEM_CAP + <usize>k) : 1);
  }
}

@inline function valid_jump(w: usize): bool {
  if (!word_fits_u64(w) || load<u64>(w) >= <u64>load<u32>(fr + FR_CODE_LEN)) return false;
  const d = <u32>load<u64>(w);
  return (load<u8>(<usize>load<u32>(fr + FR_BITMAP) + (d >> 3)) & (1 << (d & 7))) != 0;
}

/** The main loop; returns when run-ahead must stop. */
function run(): void {
  const limit = <usize>R + O_STACK + (1024 << 5);
  let steps: u32 = 0;
  while (steps < RA_MAX_STEPS) {
    steps++;
    const pc = <usize>load<u32>(fr + FR_PC);
    const op = <u32>load<u8>(pc);
    const info = load<u32>(G.g_opinfo + (op << 2));
    const nin = (info >> OPI_IN_SHIFT) & 31;
    const height = <u32>((sp - <usize>load<u32>(fr + FR_BASE)) >> 5);
    if ((info & OPI_UNDEFINED) != 0 || height < nin || sp + 64 > limit) {
      if (depth == 0) break;
      ascend(false, 0, 0, true); // an exceptional halt of the callee
      continue;
    }
    let next = pc + 1;
    if ((op >= 0x01 && op <= 0x0b) || (op >= 0x10 && op <= 0x1e)) {
      if (any_unknown(nin)) result_unknown(nin);
      else { u256_op(op, sp - 32, sp - 64, sp - 96); pop(nin - 1); store<u8>(taint(sp - 32), 0); }
    } else if (op >= 0x60 && op <= 0x7f) {
      const n = op - 0x5f;
      u256_load_be_n(push_known(), pc + 1, n);
      next = pc + 1 + n;
    } else if (op >= 0x80 && op <= 0x8f) {
      const from = top(op - 0x7f);
      const t = load<u8>(taint(from));
      word_copy(sp, from); store<u8>(taint(sp), t); sp += 32;
    } else if (op >= 0x90 && op <= 0x9f) {
      const x = top(1), y = top(op - 0x8e);
      const tmp = G.g_scratch + 896;
      word_copy(tmp, x); word_copy(x, y); word_copy(y, tmp);
      const tx = load<u8>(taint(x));
      store<u8>(taint(x), load<u8>(taint(y))); store<u8>(taint(y), tx);
    } else if (op >= 0xa0 && op <= 0xa4) {
      pop(nin);
    } else {
      let stop = false;
      switch (op) {
        case 0x00: {
          if (depth == 0) { stop = true; break; }
          ascend(true, 0, 0, true); continue;
        }
        case 0xf3: case 0xfd: { // RETURN, REVERT
          if (depth == 0) { stop = true; break; }
          const ok = range(1, 2);
          ascend(op == 0xf3, ok ? r_off : 0, ok ? r_len : 0, ok && mem_known(r_off, r_len));
          continue;
        }
        case 0xff: {
          if (!unknown(1)) account_or_request(top(1));
          if (depth == 0) { stop = true; break; }
          ascend(true, 0, 0, true); continue;
        }
        case 0x20: { // KECCAK256
          if (range(1, 2) && mem_known(r_off, r_len)) {
            mem_grow(r_off + r_len);
            const h = G.g_scratch + 864;
            keccak256(<usize>load<u32>(fr + FR_MEM) + <usize>r_off, <u32>r_len, h);
            pop(2);
            word_from_be(push_known(), h);
          } else result_unknown(2);
          break;
        }
        case 0x30: { word_from_addr(push_known(), fr + FR_ADDR); break; }
        case 0x31: case 0x3b: case 0x3f: { // BALANCE, EXTCODESIZE, EXTCODEHASH
          if (unknown(1)) break; // stays unknown
          const e = account_or_request(top(1));
          if (e == 0) { result_unknown(1); break; }
          const w = top(1);
          const rec = <usize>load<u32>(e + L.A_CODE);
          if (op == 0x31) word_copy(w, e + L.A_BALANCE);
          else if (op == 0x3b) word_set_u64(w, rec == 0 ? 0 : <u64>load<u32>(rec + L.C_LEN));
          else if ((load<u32>(e + L.A_FLAGS) & L.AF_EXISTS) == 0) word_zero(w);
          else word_from_be(w, rec == 0 ? empty_code_hash() : code_hash(rec));
          break;
        }
        case 0x47: { // SELFBALANCE
          const e = local_account(fr + FR_ADDR);
          if (e == 0) push_unknown(); else word_copy(push_known(), e + L.A_BALANCE);
          break;
        }
        case 0x32: { word_from_addr(push_known(), G.g_ctx + L.CTX_ORIGIN); break; }
        case 0x33: { word_from_addr(push_known(), fr + FR_CALLER); break; }
        case 0x34: {
          if (load<u32>(fr + FR_VALUE_UNKNOWN) != 0) push_unknown(); else word_copy(push_known(), fr + FR_VALUE);
          break;
        }
        case 0x35: { // CALLDATALOAD
          const w = top(1);
          if (unknown(1)) break;
          const len = <u64>load<u32>(fr + FR_CD_LEN);
          const cd = <usize>load<u32>(fr + FR_CD), ct = <usize>load<u32>(fr + FR_CD_TAINT);
          const buf = G.g_scratch + 864;
          let t = false;
          const off = word_fits_u64(w) ? load<u64>(w) : U64.MAX_VALUE;
          for (let i: u64 = 0; i < 32; i++) {
            const k = off + i;
            const inside = off < len && k < len;
            store<u8>(buf + <usize>i, inside ? load<u8>(cd + <usize>k) : 0);
            if (inside && ct != 0 && load<u8>(ct + <usize>k) != 0) t = true;
          }
          word_from_be(w, buf);
          store<u8>(taint(w), t ? 1 : 0);
          break;
        }
        case 0x36: { word_set_u64(push_known(), <u64>load<u32>(fr + FR_CD_LEN)); break; }
        case 0x37: case 0x39: case 0x3e: { // CALLDATACOPY, CODECOPY, RETURNDATACOPY
          if (unknown(1) || unknown(3)) { stop = true; break; }
          if (!range(1, 3)) { stop = true; break; }
          const memOff = r_off, len = r_len;
          if (unknown(2) || (op == 0x3e && rd_unknown)) { mem_grow(memOff + len); mem_taint(memOff, len); pop(3); break; }
          const srcOff: u64 = word_fits_u64(top(2)) ? load<u64>(top(2)) : U64.MAX_VALUE;
          if (op == 0x37) copy_to_mem(memOff, len, <usize>load<u32>(fr + FR_CD), <usize>load<u32>(fr + FR_CD_TAINT), <u64>load<u32>(fr + FR_CD_LEN), srcOff);
          else if (op == 0x39) copy_to_mem(memOff, len, <usize>load<u32>(fr + FR_CODE), 0, <u64>load<u32>(fr + FR_CODE_LEN), srcOff);
          else copy_to_mem(memOff, len, R + O_RDATA, R + O_RDATA + RD_CAP, <u64>rd_len, srcOff);
          pop(3);
          break;
        }
        case 0x38: { word_set_u64(push_known(), <u64>load<u32>(fr + FR_CODE_LEN)); break; }
        case 0x3a: { word_copy(push_known(), G.g_ctx + L.CTX_GASPRICE); break; }
        case 0x3c: { // EXTCODECOPY
          if (!unknown(1)) account_or_request(top(1));
          if (!range(2, 4)) { stop = true; break; }
          mem_grow(r_off + r_len); mem_taint(r_off, r_len);
          pop(4);
          break;
        }
        case 0x3d: {
          if (rd_unknown) push_unknown(); else word_set_u64(push_known(), <u64>rd_len);
          break;
        }
        case 0x40: { // BLOCKHASH
          const w = top(1);
          if (!unknown(1) && word_fits_u64(w)) {
            const n = load<u64>(w), cur = load<u64>(G.g_ctx + L.CTX_NUMBER);
            const ring = <usize>load<u32>(G.g_ctx + L.CTX_BLOCKHASHES);
            if (n >= cur || cur - n > 256) { word_zero(w); break; }
            if (ring != 0) {
              const e = ring + <usize>(n & 255) * L.BH_SIZE;
              if (atomic.load<u64>(e + L.BH_NUMBER) == n + 1) { word_from_be(w, e + L.BH_HASH); break; }
              request(L.REQ_BLOCKHASH, 0, w);
            }
          }
          result_unknown(1);
          break;
        }
        case 0x41: { word_from_addr(push_known(), G.g_ctx + L.CTX_COINBASE); break; }
        case 0x42: { word_set_u64(push_known(), load<u64>(G.g_ctx + L.CTX_TIMESTAMP)); break; }
        case 0x43: { word_set_u64(push_known(), load<u64>(G.g_ctx + L.CTX_NUMBER)); break; }
        case 0x44: { word_copy(push_known(), G.g_ctx + L.CTX_PREVRANDAO); break; }
        case 0x45: { word_set_u64(push_known(), load<u64>(G.g_ctx + L.CTX_BLOCK_GAS_LIMIT)); break; }
        case 0x46: { word_copy(push_known(), G.g_ctx + L.CTX_CHAINID); break; }
        case 0x48: { word_copy(push_known(), G.g_ctx + L.CTX_BASEFEE); break; }
        case 0x49: { // BLOBHASH
          const w = top(1);
          if (unknown(1)) break;
          const count = <u64>load<u32>(G.g_ctx + L.CTX_BLOBHASHES_COUNT);
          if (!word_fits_u64(w) || load<u64>(w) >= count) word_zero(w);
          else word_from_be(w, <usize>load<u32>(G.g_ctx + L.CTX_BLOBHASHES_PTR) + <usize>(load<u64>(w) << 5));
          break;
        }
        case 0x4a: { word_copy(push_known(), G.g_ctx + L.CTX_BLOBBASEFEE); break; }
        case 0x50: { pop(1); break; }
        case 0x51: { // MLOAD
          if (!unknown(1) && word_fits_u64(top(1)) && load<u64>(top(1)) <= 0xffffffff) {
            const off = load<u64>(top(1));
            mem_grow(off + 32);
            if (mem_known(off, 32)) { word_from_be(top(1), <usize>load<u32>(fr + FR_MEM) + <usize>off); break; }
          }
          result_unknown(1);
          break;
        }
        case 0x52: case 0x53: { // MSTORE, MSTORE8
          if (unknown(1) || !word_fits_u64(top(1)) || load<u64>(top(1)) > 0xffffffff) { stop = true; break; }
          const off = load<u64>(top(1));
          const t = unknown(2);
          const buf = G.g_scratch + 864;
          if (op == 0x52) {
            word_to_be(buf, top(2));
            mem_write(off, buf, 0, 32);
            if (t) mem_taint(off, 32);
          } else {
            store<u8>(buf, <u8>load<u64>(top(2)));
            mem_write(off, buf, 0, 1);
            if (t) mem_taint(off, 1);
          }
          pop(2);
          break;
        }
        case 0x5e: { // MCOPY
          if (unknown(1) || unknown(3) || !range(1, 3)) { stop = true; break; }
          const dst = r_off, len = r_len;
          if (unknown(2) || !word_fits_u64(top(2)) || load<u64>(top(2)) > 0xffffffff) { mem_grow(dst + len); mem_taint(dst, len); pop(3); break; }
          const src = load<u64>(top(2));
          mem_grow(src + len);
          mem_grow(dst + len);
          if (src + len <= <u64>MEM_CAP && dst + len <= <u64>MEM_CAP) {
            const m = <usize>load<u32>(fr + FR_MEM);
            memory.copy(m + <usize>dst, m + <usize>src, <usize>len);
            memory.copy(m + MEM_CAP + <usize>dst, m + MEM_CAP + <usize>src, <usize>len);
          } else mem_taint(dst, len);
          pop(3);
          break;
        }
        case 0x54: { // SLOAD
          const w = top(1);
          if (unknown(1)) break;
          const v = G.g_scratch + 864;
          // Fetch it anyway when written ahead: the real SSTORE will need its original value.
          const known = slot_value(fr + FR_ADDR, w, v);
          if (wild_store) { result_unknown(1); break; }
          const wv = written_value(W_STORAGE, fr + FR_ADDR, w, v);
          if (wv == 2 || (wv == 0 && !known)) { result_unknown(1); break; }
          word_copy(w, v);
          break;
        }
        case 0x55: { // SSTORE
          if (unknown(1)) wild_store = true;
          else {
            slot_value(fr + FR_ADDR, top(1), G.g_scratch + 864);
            if (!write_ahead(W_STORAGE, fr + FR_ADDR, top(1), top(2), unknown(2))) wild_store = true;
          }
          pop(2);
          break;
        }
        case 0x56: { // JUMP
          if (unknown(1) || !valid_jump(top(1))) { stop = true; break; }
          next = <usize>load<u32>(fr + FR_CODE) + <usize>load<u64>(top(1));
          pop(1);
          break;
        }
        case 0x57: { // JUMPI
          if (unknown(2)) { stop = true; break; }
          if (word_is_zero(top(2))) { pop(2); break; }
          if (unknown(1) || !valid_jump(top(1))) { stop = true; break; }
          next = <usize>load<u32>(fr + FR_CODE) + <usize>load<u64>(top(1));
          pop(2);
          break;
        }
        case 0x58: { word_set_u64(push_known(), <u64>(pc - <usize>load<u32>(fr + FR_CODE))); break; }
        case 0x59: { word_set_u64(push_known(), <u64>load<u32>(fr + FR_MSIZE)); break; }
        case 0x5a: { push_unknown(); break; } // GAS: run-ahead does not meter
        case 0x5b: break;
        case 0x5c: { // TLOAD: transient storage starts empty in each transaction
          const w = top(1);
          if (unknown(1) || wild_tstore) { result_unknown(1); break; }
          const v = G.g_scratch + 864;
          const wv = written_value(W_TRANSIENT, fr + FR_ADDR, w, v);
          if (wv == 2) { result_unknown(1); break; }
          if (wv == 1) { word_copy(w, v); break; }
          if (!transient_value(fr + FR_ADDR, w, v)) { result_unknown(1); break; }
          word_copy(w, v);
          break;
        }
        case 0x5d: { // TSTORE
          if (unknown(1) || !write_ahead(W_TRANSIENT, fr + FR_ADDR, top(1), top(2), unknown(2))) wild_tstore = true;
          pop(2);
          break;
        }
        case 0x5f: { word_zero(push_known()); break; }
        case 0xf1: case 0xf2: case 0xf4: case 0xfa: {
          if (unknown(2)) { stop = true; break; }
          const target = G.g_scratch + 992;
          addr_from_word(target, top(2));
          const e = account_or_request(top(2));
          rd_unknown = true;
          if (e != 0 && precompile_id(target) == 0 && descend(op, target, e)) {
            store<u32>(fr - FR_SIZE + FR_PC, <u32>next);
            continue;
          }
          // Not entered: the call completes with unknown success and output.
          const hasValue = op == 0xf1 || op == 0xf2;
          const retW: u32 = hasValue ? 6 : 5;
          if (!unknown(retW) && !unknown(retW + 1) && range(retW, retW + 1)) { mem_grow(r_off + r_len); mem_taint(r_off, r_len); }
          result_unknown(hasValue ? 7 : 6);
          break;
        }
        default: { stop = true; break; } // CREATE, CREATE2 and anything else
      }
      if (stop) break;
    }
    store<u32>(fr + FR_PC, <u32>next);
  }
  const c = G.g_ctx;
  store<u32>(c + L.CTX_RA_STEPS, load<u32>(c + L.CTX_RA_STEPS) + steps);
}
