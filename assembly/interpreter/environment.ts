// Instructions that read the environment: accounts, block and transaction context.
import * as L from "../layout";
import * as F from "../fork";
import { g_ctx, g_fork, g_scratch, g_remote, set_fatal } from "../globals";
import { fetch_blockhash } from "../remote/request";
import { acct_get, acct_is_dead } from "../state/accounts";
import { code_hash } from "../state/code";
import { warm_account } from "../state/access";
import { host_block_hash } from "../host";
import { g_frame, mem_range, g_off, g_len, g_mem, word_cost } from "./frame";
import { addr_from_word, word_from_be, word_set_u64, word_zero, word_copy, word_fits_u64, copy_padded, word_sat_u64 } from "./words";

// keccak256("") big-endian
const EMPTY_CODE_HASH: StaticArray<u8> = [
  0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0,
  0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70,
];
export function empty_code_hash(): usize { return changetype<usize>(EMPTY_CODE_HASH); }

/** Looks up the account named by the word at `w`, charging the EIP-2929 cold surcharge.
 *  Returns the account entry (0 on a fatal error) and updates g_acc_gas. */
export let g_acc_gas: i64 = 0;
export function access_word(w: usize, gas: i64, coldExtra: i64): usize {
  const a = g_scratch + 32;
  addr_from_word(a, w);
  const e = acct_get(a);
  if (e == 0) { g_acc_gas = -1; return 0; }
  if (g_fork >= F.BERLIN && warm_account(e)) gas -= coldExtra;
  g_acc_gas = gas;
  return e;
}

export function op_balance(sp: usize, gas: i64): i64 {
  const w = sp - 32;
  const e = access_word(w, gas, 2500);
  if (e == 0) return -1;
  word_copy(w, e + L.A_BALANCE);
  return g_acc_gas;
}

export function op_extcodesize(sp: usize, gas: i64): i64 {
  const w = sp - 32;
  const e = access_word(w, gas, 2500);
  if (e == 0) return -1;
  const rec = <usize>load<u32>(e + L.A_CODE);
  word_set_u64(w, rec == 0 ? 0 : <u64>load<u32>(rec + L.C_LEN));
  return g_acc_gas;
}

export function op_extcodehash(sp: usize, gas: i64): i64 {
  const w = sp - 32;
  const e = access_word(w, gas, 2500);
  if (e == 0) return -1;
  if (acct_is_dead(e)) { word_zero(w); return g_acc_gas; }
  const rec = <usize>load<u32>(e + L.A_CODE);
  word_from_be(w, rec == 0 ? empty_code_hash() : code_hash(rec));
  return g_acc_gas;
}

export function op_extcodecopy(sp: usize, gas: i64): i64 {
  // addr, memOffset, codeOffset, size
  const e = access_word(sp - 32, gas, 2500);
  if (e == 0) return -1;
  gas = mem_range(g_acc_gas, sp - 64, sp - 128);
  if (gas < 0) return -1;
  gas -= word_cost(g_len, 3);
  if (gas < 0) return -1;
  const rec = <usize>load<u32>(e + L.A_CODE);
  const code: usize = rec == 0 ? 0 : <usize>load<u32>(rec + L.C_CODE);
  const len: u64 = rec == 0 ? 0 : <u64>load<u32>(rec + L.C_LEN);
  copy_padded(g_mem + <usize>g_off, code, len, word_sat_u64(sp - 96), g_len);
  return gas;
}

export function op_selfbalance(sp: usize): void {
  const e = <usize>load<u32>(g_frame + L.F_ACCT);
  word_copy(sp, e + L.A_BALANCE);
}

export function op_blockhash(sp: usize): void {
  const w = sp - 32;
  const cur = load<u64>(g_ctx + L.CTX_NUMBER);
  if (!word_fits_u64(w)) { word_zero(w); return; }
  const n = load<u64>(w);
  if (n >= cur || cur - n > 256) { word_zero(w); return; }
  const ring = <usize>load<u32>(g_ctx + L.CTX_BLOCKHASHES);
  if (ring == 0) {
    host_block_hash(n, g_scratch);
    word_from_be(w, g_scratch);
    return;
  }
  // Remote state: hashes the host has put into the ring; others are fetched.
  const e = ring + <usize>(n & 255) * L.BH_SIZE;
  if (atomic.load<u64>(e + L.BH_NUMBER) != n + 1) {
    if (!g_remote) { word_zero(w); return; }
    fetch_blockhash(w);
    if (atomic.load<u64>(e + L.BH_NUMBER) != n + 1) { set_fatal(L.FATAL_REMOTE); word_zero(w); return; }
  }
  word_from_be(w, e + L.BH_HASH);
}

export function op_blobhash(sp: usize): void {
  const w = sp - 32;
  const count = <u64>load<u32>(g_ctx + L.CTX_BLOBHASHES_COUNT);
  if (!word_fits_u64(w) || load<u64>(w) >= count) { word_zero(w); return; }
  word_from_be(w, <usize>load<u32>(g_ctx + L.CTX_BLOBHASHES_PTR) + <usize>(load<u64>(w) << 5));
}
