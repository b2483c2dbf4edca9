// Braid's wasm module: the exports the host calls.
import * as L from "./layout";
import * as G from "./globals";
import { build_opinfo } from "./opcodes";
import * as F from "./fork";
import { acct_get, acct_find, acct_add_balance, acct_sub_balance, acct_touch, acct_is_empty, remember_as_loaded } from "./state/accounts";
import { delete_account } from "./tx";
import { slot_get } from "./state/storage";
import { code_intern, code_hash } from "./state/code";
import { word_from_be } from "./interpreter/words";

export { tx_execute } from "./tx";
export { diff_next_account, diff_next_slot } from "./state/diff";
export { hex_ranges, hex_words } from "./state/diff_hex";
export { stm_worker, stm_run } from "./stm/worker";
export { stm_commit, stm_commit_share } from "./stm/commit";
export { seq_run_block } from "./stm/sequential";
export { part_plan_scratch, part_plan_stage, part_plan_staged, part_run, part_finish } from "./stm/partition";
export { accounts_have_room } from "./state/accounts";
export { keccak256 } from "./crypto/keccak";
export { keccak256_memo } from "./crypto/keccak_memo";
export { receipts_root, receipts_root_scratch, receipts_root_staged, receipts_snapshot, receipts_snapshot_size } from "./block/receipts";
export { gas_allowance_exceeded, staged_max_gas_limit } from "./block/gas_allowance";
export { remote_put_account, remote_put_slot, remote_put_blockhash } from "./remote/insert";
export { ra_prefetch_tx } from "./remote/runahead";
export { load_message } from "./stm/worker";
export { test_u256, test_u256_helper } from "./testing";
export { test_blake2f } from "./precompiles/testing";
export { test_mv } from "./stm/testing";
export { profile_start, profile_stop, profile_dropped } from "./analysis/profile";

/** Address where host-managed memory may begin (after static data). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~15;
}

/** Binds this instance (thread) to the worker context at `ctx`, for the fork stored there. */
export function worker_init(ctx: usize): void {
  G.load_globals(ctx);
  G.g_txid = load<u32>(ctx + L.CTX_TXID);
  // Instances sharing a context (the host's and a worker's) continue one another's stamps.
  const epochs = load<u32>(ctx + L.CTX_EPOCHS);
  if (epochs > G.g_epoch_counter) G.g_epoch_counter = epochs;
  if (load<u32>(ctx + L.CTX_OPINFO_FORK) != G.g_fork + 1) {
    build_opinfo(ctx + L.CTX_OPINFO, G.g_fork);
    store<u32>(ctx + L.CTX_OPINFO_FORK, G.g_fork + 1);
  }
}

/**
 * Puts `count` storage slots of an account entry, staged at `pairs` as (key, value) words in limb
 * order; returns 0 when the table is full, else 1.
 */
export function state_put_slots(acct: usize, pairs: usize, count: u32): u32 {
  for (let i: u32 = 0; i < count; i++) {
    const p = pairs + (<usize>i << 6);
    const s = slot_get(acct, p);
    if (s == 0) return 0;
    memory.copy(s + L.S_VALUE, p + 32, 32);
    memory.copy(s + L.S_ORIG, p + 32, 32);
    memory.copy(s + L.S_PRE, p + 32, 32);
  }
  if (count > 0) store<u32>(acct + L.A_FLAGS, load<u32>(acct + L.A_FLAGS) | L.AF_HAS_STORAGE);
  return 1;
}

/** The code record for code bytes (interned). */
export function code_put(code: usize, len: u32): usize {
  return code_intern(code, len);
}

/** Where a code record's keccak256 lies, computed on first use. */
export function code_hash_of(rec: usize): usize {
  return code_hash(rec);
}

export function fatal_reason(): u32 {
  return G.g_fatal;
}

/** The account entry for a 20-byte address, or 0 when it is not in the state. */
export function state_find_account(addr: usize): usize {
  return acct_find(addr);
}

/** Credits a balance outside any transaction (withdrawals, block rewards). */
export function state_credit(addr: usize, amountBE: usize): usize {
  const e = acct_get(addr);
  if (e == 0) return 0;
  const w = G.g_scratch + 576;
  word_from_be(w, amountBE);
  G.g_journal_len = 0;
  acct_add_balance(e, w);
  store<u32>(e + L.A_FLAGS, load<u32>(e + L.A_FLAGS) & ~L.AF_TOUCHED);
  // EIP-161: a credit that leaves the account empty (a withdrawal of 0 to an empty or missing
  // account) deletes it, as the end of a transaction deletes a touched empty account.
  if (G.g_fork >= F.SPURIOUS && acct_is_empty(e)) delete_account(e);
  G.g_journal_len = 0;
  return e;
}

/**
 * Moves the whole balance of `from` to `to` outside any transaction (the DAO fork's irregular
 * state change). Both accounts exist afterwards, as the clients that made the fork leave them.
 */
export function state_drain(from: usize, to: usize): usize {
  const e = acct_get(from);
  const t = acct_get(to);
  if (e == 0 || t == 0) return 0;
  const w = G.g_scratch + 576;
  memory.copy(w, e + L.A_BALANCE, 32);
  G.g_journal_len = 0;
  acct_touch(e);
  acct_sub_balance(e, w);
  acct_add_balance(t, w);
  store<u32>(e + L.A_FLAGS, load<u32>(e + L.A_FLAGS) & ~L.AF_TOUCHED);
  store<u32>(t + L.A_FLAGS, load<u32>(t + L.A_FLAGS) & ~L.AF_TOUCHED);
  G.g_journal_len = 0;
  return 1;
}

/** Zeroes `len` bytes (the host's typed-array fill is slow on shared memory). */
export function mem_zero(ptr: usize, len: usize): void {
  memory.fill(ptr, 0, len);
}

/**
 * Puts `count` accounts into the state, staged at `recs` as L.PUT_ACCOUNT_SIZE-byte records:
 * address (20 bytes), interned code record (u32, code_put; 0: no code), nonce (u64), balance
 * (a word in limb order). Each record's code field is overwritten with the account's entry (for
 * state_put_slots). Returns 0 when the table is full, 2 + i when record i's account was put
 * before (listed twice), else 1.
 */
export function state_put_accounts(recs: usize, count: u32): u32 {
  for (let i: u32 = 0; i < count; i++) {
    const r = recs + <usize>i * L.PUT_ACCOUNT_SIZE;
    const e = acct_get(r);
    if (e == 0) return 0;
    if ((load<u32>(e + L.A_FLAGS) & L.AF_EXISTS) != 0) return 2 + i; // put before: listed twice
    store<u32>(e + L.A_FLAGS, L.AF_EXISTS);
    store<u64>(e + L.A_NONCE, load<u64>(r, 24));
    memory.copy(e + L.A_BALANCE, r + 32, 32);
    store<u32>(e + L.A_CODE, load<u32>(r, 20));
    remember_as_loaded(e);
    store<u32>(r, <u32>e, 20);
  }
  return 1;
}
