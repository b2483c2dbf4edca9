// Accounts: an open-addressing table keyed by the 20-byte address, with linear probing.
import * as L from "../layout";
import { g_acct_table, g_acct_mask, g_ctx, g_txid, g_gen, g_parallel, g_partition, g_remote, set_fatal } from "../globals";
import { stm_load_account } from "../stm/load";
import { shared_acct_get } from "../stm/insert";
import { base_account } from "../stm/load";
import { fetch_account } from "../remote/request";
import { journal_account } from "./journal";
import { list_entry } from "./diff";

@inline export function addr_hash(a: usize): u32 {
  const h = load<u64>(a) * 0x9e3779b97f4a7c15 ^ load<u64>(a, 8) * 0xc2b2ae3d27d4eb4f ^ <u64>load<u32>(a, 16) * 0x165667b19e3779f9;
  return <u32>(h ^ (h >> 29));
}

/**
 * Whether this context's account table has room for `extra` more accounts (a table is full at
 * three quarters, as acct_get inserts).
 */
export function accounts_have_room(extra: u32): bool {
  return load<u32>(g_ctx + L.CTX_ACCT_COUNT) + extra <= ((g_acct_mask + 1) >> 2) * 3;
}

@inline export function addr_eq(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8) && load<u32>(a, 16) == load<u32>(b, 16);
}

@inline export function addr_copy(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
  store<u32>(dst, load<u32>(src, 16), 16);
}

/**
 * Records an account entry's current fields as its values as loaded (A_ORIG_*): before the block
 * in the host's tables (state diff), per incarnation in a worker's (write-set diff).
 */
export function remember_as_loaded(e: usize): void {
  store<u32>(e + L.A_ORIG_FLAGS, load<u32>(e + L.A_FLAGS));
  store<u64>(e + L.A_ORIG_NONCE, load<u64>(e + L.A_NONCE));
  store<u32>(e + L.A_ORIG_CODE, load<u32>(e + L.A_CODE));
  store<u32>(e + L.A_ORIG_WIPE, load<u32>(e + L.A_WIPE));
  memory.copy(e + L.A_ORIG_BALANCE, e + L.A_BALANCE, 32);
}

/** The entry for `addr`, created (as a non-existent account) when missing; 0 if the table is full. */
export function acct_get(addr: usize): usize {
  // Partitioned mode: the pre-state tables, which other threads insert into meanwhile.
  if (g_partition) return shared_acct_get(addr, g_ctx);
  let i = addr_hash(addr) & g_acct_mask;
  while (true) {
    const e = g_acct_table + <usize>i * L.ACCT_SIZE;
    if (load<u32>(e + L.A_USED) != g_gen) {
      // Remote state, sequential mode: the host inserts the account (existing or not) here.
      if (g_remote && !g_parallel) return acct_fetch(addr);
      const count = load<u32>(g_ctx + L.CTX_ACCT_COUNT);
      if (count + 1 > ((g_acct_mask + 1) >> 2) * 3) { set_fatal(L.FATAL_ACCOUNTS); return 0; }
      store<u32>(g_ctx + L.CTX_ACCT_COUNT, count + 1);
      list_entry(L.CTX_ACCT_LIST, count, e);
      memory.fill(e, 0, L.ACCT_SIZE);
      addr_copy(e + L.A_ADDR, addr);
      store<u32>(e + L.A_USED, g_gen);
      // In parallel mode the first access reads the account through multi-version memory.
      if (g_parallel && !stm_load_account(e)) return 0;
      return e;
    }
    if (addr_eq(e + L.A_ADDR, addr)) return e;
    i = (i + 1) & g_acct_mask;
  }
}

function acct_fetch(addr: usize): usize {
  fetch_account(addr);
  const e = acct_find(addr);
  if (e == 0) set_fatal(L.FATAL_REMOTE);
  return e;
}

/** The entry for `addr` if present, else 0 (never creates). */
export function acct_find(addr: usize): usize {
  if (g_partition) return base_account(addr);
  let i = addr_hash(addr) & g_acct_mask;
  while (true) {
    const e = g_acct_table + <usize>i * L.ACCT_SIZE;
    if (load<u32>(e + L.A_USED) != g_gen) return 0;
    if (addr_eq(e + L.A_ADDR, addr)) return e;
    i = (i + 1) & g_acct_mask;
  }
}

@inline export function acct_exists(e: usize): bool {
  return (load<u32>(e + L.A_FLAGS) & L.AF_EXISTS) != 0;
}

@inline export function acct_balance_zero(e: usize): bool {
  return (load<u64>(e + L.A_BALANCE) | load<u64>(e + L.A_BALANCE + 8) | load<u64>(e + L.A_BALANCE + 16) | load<u64>(e + L.A_BALANCE + 24)) == 0;
}

/** EIP-161 "empty": no code, zero nonce, zero balance. */
@inline export function acct_is_empty(e: usize): bool {
  return load<u64>(e + L.A_NONCE) == 0 && load<u32>(e + L.A_CODE) == 0 && acct_balance_zero(e);
}

/** EIP-161 "dead": non-existent or empty. */
@inline export function acct_is_dead(e: usize): bool {
  return !acct_exists(e) || acct_is_empty(e);
}

/** Puts the account on this transaction's touched list (once). */
export function touched_list_add(e: usize): void {
  if (load<u32>(e + L.A_TOUCHLIST) == g_txid) return;
  store<u32>(e + L.A_TOUCHLIST, g_txid);
  const n = load<u32>(g_ctx + L.CTX_TOUCHED_COUNT);
  if (n >= load<u32>(g_ctx + L.CTX_TOUCHED_CAP)) { set_fatal(L.FATAL_TOUCHED); return; }
  store<u32>(load<u32>(g_ctx + L.CTX_TOUCHED) + (n << 2), <u32>e);
  store<u32>(g_ctx + L.CTX_TOUCHED_COUNT, n + 1);
}

/** Marks the account touched (EIP-161) and existing. Journaled. */
export function acct_touch(e: usize): void {
  const f = load<u32>(e + L.A_FLAGS);
  if ((f & (L.AF_TOUCHED | L.AF_EXISTS)) == (L.AF_TOUCHED | L.AF_EXISTS)) return;
  journal_account(e);
  store<u32>(e + L.A_FLAGS, f | L.AF_TOUCHED | L.AF_EXISTS);
  touched_list_add(e);
}

/** Adds a word to the balance (the account becomes touched and existing). */
export function acct_add_balance(e: usize, v: usize): void {
  acct_touch(e);
  journal_account(e);
  const b = e + L.A_BALANCE;
  let c: u64 = 0;
  for (let i = 0; i < 32; i += 8) {
    const x = load<u64>(b + i), y = load<u64>(v + i);
    const s = x + y;
    const s2 = s + c;
    c = <u64>(s < x) | <u64>(s2 < s);
    store<u64>(b + i, s2);
  }
}

/** Subtracts a word from the balance; the caller checked that it suffices. */
export function acct_sub_balance(e: usize, v: usize): void {
  acct_touch(e);
  journal_account(e);
  const b = e + L.A_BALANCE;
  let borrow: u64 = 0;
  for (let i = 0; i < 32; i += 8) {
    const x = load<u64>(b + i), y = load<u64>(v + i);
    const d = x - y;
    const d2 = d - borrow;
    borrow = <u64>(x < y) | <u64>(d < borrow);
    store<u64>(b + i, d2);
  }
}

/** balance >= v */
export function acct_balance_ge(e: usize, v: usize): bool {
  const b = e + L.A_BALANCE;
  for (let i = 24; i >= 0; i -= 8) {
    const x = load<u64>(b + i), y = load<u64>(v + i);
    if (x != y) return x > y;
  }
  return true;
}

export function acct_set_nonce(e: usize, n: u64): void {
  acct_touch(e);
  journal_account(e);
  store<u64>(e + L.A_NONCE, n);
}

export function acct_set_code(e: usize, rec: usize): void {
  acct_touch(e);
  journal_account(e);
  store<u32>(e + L.A_CODE, <u32>rec);
}

export function acct_set_flags(e: usize, flags: u32): void {
  journal_account(e);
  store<u32>(e + L.A_FLAGS, flags);
}
