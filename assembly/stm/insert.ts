// Inserts into the pre-state tables from several threads at once, for the parallel commit: the
// accounts and slots the block created go into the coordinator's tables while the workers apply
// the rest, instead of one by one on the coordinator afterwards. An entry is claimed by swapping
// its generation word for BUSY, filled, then published with the table's generation; a thread
// that meets a BUSY entry waits for it before comparing keys, since a free entry still holds the
// key of an older generation. Nothing else reads the tables during the commit.
import * as L from "../layout";
import * as H from "./layout";
import { home } from "../state/code";
import { addr_hash, addr_eq, addr_copy } from "../state/accounts";
import { slot_hash, key_eq } from "../state/storage";
import { stm_header } from "./sync";

const BUSY: u32 = 0xffffffff; // never a generation (they stay below 2^31)

/** The generation word at `p` once no other thread is filling its entry. */
@inline function settled(p: usize): u32 {
  let u = atomic.load<u32>(p);
  while (u == BUSY) u = atomic.load<u32>(p);
  return u;
}

const CLAIMED: i32 = 1, TAKEN: i32 = 0, FULL: i32 = -1;

/**
 * Claims entry `e` of `size` bytes, free with generation word `u` at `e + used`: marks it BUSY,
 * counts it in the home context's table and lists it for the state diff, and clears it but for
 * that word. TAKEN when another thread claimed it first; FULL (and H_ERROR) past three quarters
 * full, as the single-threaded inserts allow.
 */
function claim(ctx: usize, e: usize, used: u32, size: u32, u: u32, countOff: u32, listOff: u32, cap: u32, fatal: u32): i32 {
  if (atomic.cmpxchg<u32>(e + used, u, BUSY) != u) return TAKEN;
  const count = atomic.add<u32>(ctx + countOff, 1);
  if (count + 1 > (cap >> 2) * 3) {
    atomic.store<u32>(e + used, u);
    atomic.cmpxchg<u32>(stm_header() + H.H_ERROR, 0, fatal);
    return FULL;
  }
  const list = <usize>load<u32>(ctx + listOff);
  if (list != 0) store<u32>(list + (<usize>count << 2), <u32>e);
  memory.fill(e, 0, used);
  memory.fill(e + used + 4, 0, size - used - 4);
  return CLAIMED;
}

/**
 * The pre-state entry for `addr`, inserted as a non-existent account when missing; 0 when full.
 * A new entry is counted and listed in `counter`'s CTX_ACCT_COUNT and CTX_ACCT_LIST: the home
 * context's, or (partitioned mode, stm/partition.ts) the inserting context's own, appended to the
 * home's afterwards, so that threads inserting at once share no counter.
 */
export function shared_acct_get(addr: usize, counter: usize = 0): usize {
  const ctx = home();
  if (counter == 0) counter = ctx;
  const table = <usize>load<u32>(ctx + L.CTX_ACCT_TABLE);
  const cap = load<u32>(ctx + L.CTX_ACCT_CAP);
  const gen = load<u32>(ctx + L.CTX_GEN);
  let i = addr_hash(addr) & (cap - 1);
  while (true) {
    const e = table + <usize>i * L.ACCT_SIZE;
    const u = settled(e + L.A_USED);
    if (u == gen) {
      if (addr_eq(e + L.A_ADDR, addr)) return e;
      i = (i + 1) & (cap - 1);
      continue;
    }
    const c = claim(counter, e, L.A_USED, L.ACCT_SIZE, u, L.CTX_ACCT_COUNT, L.CTX_ACCT_LIST, cap, L.FATAL_ACCOUNTS);
    if (c == FULL) return 0;
    if (c == TAKEN) continue; // look at it again
    addr_copy(e + L.A_ADDR, addr);
    atomic.store<u32>(e + L.A_USED, gen);
    return e;
  }
}

/** The pre-state entry for slot `key` of account entry `acct`, inserted as zero when missing; 0 when full. */
export function shared_slot_get(acct: usize, key: usize): usize {
  const ctx = home();
  const table = <usize>load<u32>(ctx + L.CTX_STOR_TABLE);
  const cap = load<u32>(ctx + L.CTX_STOR_CAP);
  const gen = load<u32>(ctx + L.CTX_GEN);
  let i = slot_hash(acct, key) & (cap - 1);
  while (true) {
    const e = table + <usize>i * L.STOR_SIZE;
    const u = settled(e + L.S_USED);
    if (u == gen) {
      if (key_eq(e, acct, key)) return e;
      i = (i + 1) & (cap - 1);
      continue;
    }
    const c = claim(ctx, e, L.S_USED, L.STOR_SIZE, u, L.CTX_STOR_COUNT, L.CTX_STOR_LIST, cap, L.FATAL_STORAGE);
    if (c == FULL) return 0;
    if (c == TAKEN) continue;
    memory.copy(e + L.S_KEY, key, 32);
    store<u32>(e + L.S_ACCT, <u32>acct);
    atomic.store<u32>(e + L.S_USED, gen);
    return e;
  }
}
