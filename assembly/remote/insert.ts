// The host's side of a fetch: answers are inserted into this instance's tables (the
// coordinator's, which are the sequential state and Block-STM's shared pre-state). Workers may be
// probing the same tables meanwhile, so an entry is filled first and published last with an
// atomic store of its generation; readers load that word atomically (stm/load.ts).
import * as L from "../layout";
import { g_acct_table, g_acct_mask, g_stor_table, g_stor_mask, g_ctx, g_gen, g_scratch } from "../globals";
import { addr_hash, addr_eq, addr_copy, remember_as_loaded } from "../state/accounts";
import { slot_hash, key_eq } from "../state/storage";
import { list_entry } from "../state/diff";
import { word_from_be } from "../interpreter/words";

/** Puts a fetched account; returns its entry (the existing one if already there), 0 when full. */
export function remote_put_account(addr: usize, exists: u32, hasStorage: u32, nonce: u64, balanceBE: usize, rec: usize): usize {
  let i = addr_hash(addr) & g_acct_mask;
  while (true) {
    const e = g_acct_table + <usize>i * L.ACCT_SIZE;
    if (atomic.load<u32>(e + L.A_USED) != g_gen) {
      const count = load<u32>(g_ctx + L.CTX_ACCT_COUNT);
      if (count + 1 > ((g_acct_mask + 1) >> 2) * 3) return 0;
      store<u32>(g_ctx + L.CTX_ACCT_COUNT, count + 1);
      list_entry(L.CTX_ACCT_LIST, count, e);
      memory.fill(e, 0, L.ACCT_SIZE);
      addr_copy(e + L.A_ADDR, addr);
      store<u32>(e + L.A_FLAGS, (exists != 0 ? L.AF_EXISTS : 0) | (hasStorage != 0 ? L.AF_HAS_STORAGE : 0));
      store<u64>(e + L.A_NONCE, nonce);
      word_from_be(e + L.A_BALANCE, balanceBE);
      store<u32>(e + L.A_CODE, <u32>rec);
      remember_as_loaded(e);
      atomic.store<u32>(e + L.A_USED, g_gen);
      return e;
    }
    if (addr_eq(e + L.A_ADDR, addr)) return e;
    i = (i + 1) & g_acct_mask;
  }
}

/** Puts a fetched slot of an account entry; returns the slot entry, 0 when full. */
export function remote_put_slot(acct: usize, keyBE: usize, valueBE: usize): usize {
  const key = g_scratch + 544;
  word_from_be(key, keyBE);
  let i = slot_hash(acct, key) & g_stor_mask;
  while (true) {
    const e = g_stor_table + <usize>i * L.STOR_SIZE;
    if (atomic.load<u32>(e + L.S_USED) != g_gen) {
      const count = load<u32>(g_ctx + L.CTX_STOR_COUNT);
      if (count + 1 > ((g_stor_mask + 1) >> 2) * 3) return 0;
      store<u32>(g_ctx + L.CTX_STOR_COUNT, count + 1);
      list_entry(L.CTX_STOR_LIST, count, e);
      memory.fill(e, 0, L.STOR_SIZE);
      memory.copy(e + L.S_KEY, key, 32);
      store<u32>(e + L.S_ACCT, <u32>acct);
      word_from_be(e + L.S_VALUE, valueBE);
      memory.copy(e + L.S_ORIG, e + L.S_VALUE, 32);
      memory.copy(e + L.S_PRE, e + L.S_VALUE, 32);
      atomic.store<u32>(e + L.S_USED, g_gen);
      return e;
    }
    if (key_eq(e, acct, key)) return e;
    i = (i + 1) & g_stor_mask;
  }
}

/** Puts a block hash into the ring the BLOCKHASH instruction reads (CTX_BLOCKHASHES). */
export function remote_put_blockhash(ring: usize, n: u64, hashBE: usize): void {
  const e = ring + <usize>(n & 255) * L.BH_SIZE;
  memory.copy(e + L.BH_HASH, hashBE, 32);
  atomic.store<u64>(e + L.BH_NUMBER, n + 1);
}
