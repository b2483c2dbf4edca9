// Storage slots and transient storage (EIP-1153): open-addressing tables keyed by
// (account entry, 32-byte slot).
import * as L from "../layout";
import { g_stor_table, g_stor_mask, g_tstor_table, g_tstor_mask, g_ctx, g_txid, g_gen, g_parallel, g_partition, g_remote, set_fatal } from "../globals";
import { stm_load_slot } from "../stm/load";
import { fetch_slot } from "../remote/request";
import { journal_slot } from "./journal";
import { list_entry } from "./diff";

@inline export function slot_hash(acct: usize, key: usize): u32 {
  const h = (load<u64>(key) * 0x9e3779b97f4a7c15) ^ (load<u64>(key, 8) * 0xc2b2ae3d27d4eb4f)
    ^ (load<u64>(key, 16) * 0x165667b19e3779f9) ^ (load<u64>(key, 24) * 0x27d4eb2f165667c5)
    ^ (<u64>acct * 0x94d049bb133111eb);
  return <u32>(h ^ (h >> 31));
}

@inline export function key_eq(e: usize, acct: usize, key: usize): bool {
  return load<u32>(e + L.S_ACCT) == <u32>acct && load<u64>(e + L.S_KEY) == load<u64>(key)
    && load<u64>(e + L.S_KEY + 8) == load<u64>(key, 8) && load<u64>(e + L.S_KEY + 16) == load<u64>(key, 16)
    && load<u64>(e + L.S_KEY + 24) == load<u64>(key, 24);
}

function table_get(table: usize, mask: u32, countOff: u32, fatal: u32, acct: usize, key: usize, persistent: bool): usize {
  let i = slot_hash(acct, key) & mask;
  let fetched = false;
  while (true) {
    const e = table + <usize>i * L.STOR_SIZE;
    if (load<u32>(e + L.S_USED) != g_gen) {
      // Remote state, sequential mode: a slot of an account with storage that is not here yet
      // is fetched; other missing slots are zero.
      if (persistent && g_remote && !g_parallel && (load<u32>(acct + L.A_FLAGS) & L.AF_HAS_STORAGE) != 0) {
        if (fetched) { set_fatal(L.FATAL_REMOTE); return 0; }
        fetch_slot(acct + L.A_ADDR, key);
        fetched = true;
        i = slot_hash(acct, key) & mask;
        continue;
      }
      // Partitioned mode runs no code and reads no storage (its plan, stm/partition.ts, made sure).
      if (persistent && g_partition) { set_fatal(L.FATAL_PARTITION); return 0; }
      const count = load<u32>(g_ctx + countOff);
      if (count + 1 > ((mask + 1) >> 2) * 3) { set_fatal(fatal); return 0; }
      store<u32>(g_ctx + countOff, count + 1);
      if (persistent) list_entry(L.CTX_STOR_LIST, count, e);
      memory.fill(e, 0, L.STOR_SIZE);
      memory.copy(e + L.S_KEY, key, 32);
      store<u32>(e + L.S_ACCT, <u32>acct);
      store<u32>(e + L.S_USED, g_gen);
      if (persistent && g_parallel && !stm_load_slot(e, acct)) return 0;
      return e;
    }
    if (key_eq(e, acct, key)) return e;
    i = (i + 1) & mask;
  }
}

/**
 * The storage entry for (acct, key), created with value zero when missing; 0 if the table is full.
 * The first access in a transaction captures the slot's original value (EIP-2200).
 */
export function slot_get(acct: usize, key: usize): usize {
  const e = table_get(g_stor_table, g_stor_mask, L.CTX_STOR_COUNT, L.FATAL_STORAGE, acct, key, true);
  if (e != 0 && load<u32>(e + L.S_ORIGSTAMP) != g_txid) {
    store<u32>(e + L.S_ORIGSTAMP, g_txid);
    memory.copy(e + L.S_ORIG, e + L.S_VALUE, 32);
  }
  return e;
}

export function tslot_get(acct: usize, key: usize): usize {
  return table_get(g_tstor_table, g_tstor_mask, L.CTX_TSTOR_COUNT, L.FATAL_TRANSIENT, acct, key, false);
}

export function slot_set(e: usize, v: usize): void {
  journal_slot(e, L.JT_STORAGE);
  memory.copy(e + L.S_VALUE, v, 32);
  // Not journaled: a conservative hint that deleting the account must scan for its slots.
  const a = <usize>load<u32>(e + L.S_ACCT);
  store<u32>(a + L.A_FLAGS, load<u32>(a + L.A_FLAGS) | L.AF_STORAGE_WRITTEN);
  if (g_parallel && load<u32>(e + L.S_DIRTY) != g_txid) dirty_add(e);
}

function table_find(table: usize, mask: u32, acct: usize, key: usize): usize {
  let i = slot_hash(acct, key) & mask;
  while (true) {
    const e = table + <usize>i * L.STOR_SIZE;
    if (load<u32>(e + L.S_USED) != g_gen) return 0;
    if (key_eq(e, acct, key)) return e;
    i = (i + 1) & mask;
  }
}

/** The slot entry for (acct, key) in the local table if present, else 0 (never creates). */
export function slot_find(acct: usize, key: usize): usize {
  return table_find(g_stor_table, g_stor_mask, acct, key);
}

/** The transient entry for (acct, key) if present, else 0 (never creates). */
export function tslot_find(acct: usize, key: usize): usize {
  return table_find(g_tstor_table, g_tstor_mask, acct, key);
}

/** Remembers a written slot for this incarnation's write set. */
function dirty_add(e: usize): void {
  store<u32>(e + L.S_DIRTY, g_txid);
  const n = load<u32>(g_ctx + L.CTX_DIRTY_COUNT);
  if (n >= load<u32>(g_ctx + L.CTX_DIRTY_CAP)) { set_fatal(L.FATAL_STORAGE); return; }
  store<u32>(<usize>load<u32>(g_ctx + L.CTX_DIRTY) + (<usize>n << 2), <u32>e);
  store<u32>(g_ctx + L.CTX_DIRTY_COUNT, n + 1);
}

export function tslot_set(e: usize, v: usize): void {
  journal_slot(e, L.JT_TRANSIENT);
  memory.copy(e + L.S_VALUE, v, 32);
}

/** Clears transient storage (at the start of every transaction). */
export function transient_clear(): void {
  if (g_parallel) { store<u32>(g_ctx + L.CTX_TSTOR_COUNT, 0); return; } // a new generation frees it
  if (load<u32>(g_ctx + L.CTX_TSTOR_COUNT) == 0) return;
  memory.fill(g_tstor_table, 0, (<usize>g_tstor_mask + 1) * L.STOR_SIZE);
  store<u32>(g_ctx + L.CTX_TSTOR_COUNT, 0);
}

/** Zeroes every storage slot of an account (SELFDESTRUCT, deletion). */
export function storage_wipe(acct: usize): void {
  // The entry list (kept where a state diff is read) names every slot in the table: walking it
  // beats scanning the whole table, mostly empty on small blocks.
  const list = <usize>load<u32>(g_ctx + L.CTX_STOR_LIST);
  if (list != 0) {
    const n = load<u32>(g_ctx + L.CTX_STOR_COUNT);
    for (let i: u32 = 0; i < n; i++) {
      const e = <usize>load<u32>(list + (<usize>i << 2));
      if (load<u32>(e + L.S_ACCT) == <u32>acct) wipe_slot(e);
    }
    return;
  }
  const n = <usize>g_stor_mask + 1;
  for (let i: usize = 0; i < n; i++) {
    const e = g_stor_table + i * L.STOR_SIZE;
    if (load<u32>(e + L.S_USED) == g_gen && load<u32>(e + L.S_ACCT) == <u32>acct) wipe_slot(e);
  }
}

function wipe_slot(e: usize): void {
  memory.fill(e + L.S_VALUE, 0, 32);
  memory.fill(e + L.S_ORIG, 0, 32);
  if (g_parallel && load<u32>(e + L.S_DIRTY) != g_txid) dirty_add(e);
}
