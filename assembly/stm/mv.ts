// Multi-version memory: for each location (an account, or a storage slot) the values written by
// each transaction incarnation, newest transaction first. A reader at transaction i sees the
// highest version below i, or the pre-state when there is none.
import * as H from "./layout";
import * as L from "../layout";
import { lock, unlock, stm_header, arena_alloc } from "./sync";
import { addr_eq, addr_copy } from "../state/accounts";
import { u256_add } from "../math/u256";

@inline function loc_hash(kind: u32, addr: usize, slot: usize): u32 {
  let h = load<u64>(addr) * 0x9e3779b97f4a7c15 ^ load<u64>(addr, 8) * 0xc2b2ae3d27d4eb4f ^ <u64>load<u32>(addr, 16) * 0x165667b19e3779f9;
  if (kind == H.LOC_STORAGE) {
    h ^= load<u64>(slot) * 0x27d4eb2f165667c5 ^ load<u64>(slot, 8) * 0x94d049bb133111eb
      ^ load<u64>(slot, 16) * 0xbf58476d1ce4e5b9 ^ load<u64>(slot, 24) * 0xff51afd7ed558ccd;
  }
  return <u32>(h ^ (h >> 31));
}

@inline function loc_eq(e: usize, kind: u32, addr: usize, slot: usize): bool {
  if (load<u32>(e + H.V_KIND) != kind || !addr_eq(e + H.V_ADDR, addr)) return false;
  if (kind != H.LOC_STORAGE) return true;
  const s = e + H.V_SLOT;
  return load<u64>(s) == load<u64>(slot) && load<u64>(s, 8) == load<u64>(slot, 8)
    && load<u64>(s, 16) == load<u64>(slot, 16) && load<u64>(s, 24) == load<u64>(slot, 24);
}

/** A location entry of `size` bytes with no versions, from this thread's arena chunk (0: full). */
function fresh_entry(size: u32, kind: u32): usize {
  const e = arena_alloc(size);
  if (e == 0) return 0;
  store<u32>(e + H.V_KIND, kind);
  store<u32>(e + H.V_LOCK, 0);
  store<u32>(e + H.V_HEAD, 0);
  store<u32>(e + H.V_DELTAS, 0);
  store<u32>(e + H.V_BASE, 0);
  store<u32>(e + H.V_BASE_ACCT, 0);
  return e;
}

/**
 * A new entry for a location the pre-state holds: found through its pre-state entry, so without
 * its key (MV_BASE_SIZE bytes). 0 when the arena is full.
 */
export function new_base_location(kind: u32): usize {
  return fresh_entry(H.MV_BASE_SIZE, kind);
}

/** A new entry for a location the location table holds, with its key (0 when the arena is full). */
function new_location(kind: u32, addr: usize, slot: usize): usize {
  const e = fresh_entry(H.MV_SIZE, kind);
  if (e == 0) return 0;
  addr_copy(e + H.V_ADDR, addr);
  if (kind == H.LOC_STORAGE) memory.copy(e + H.V_SLOT, slot, 32);
  return e;
}

// A location table entry: [62..32] hash, [31..0] the entry's address.
const TAG_MASK: u64 = 0x7fffffff00000000;

/**
 * The location's entry, inserted when missing; 0 when the table or the arena is full. The table
 * holds only (hash, pointer) pairs, small enough to stay in the caches, so a probe dereferences
 * only an entry whose hash matches; entries come from the arena, filled before a compare-and-swap
 * publishes them, so a reader never sees one half written.
 */
export function mv_location(kind: u32, addr: usize, slot: usize): usize {
  const h = stm_header();
  const table = <usize>load<u32>(h + H.H_MV_TABLE);
  const mask = load<u32>(h + H.H_MV_CAP) - 1;
  const hash = loc_hash(kind, addr, slot);
  const tag = <u64>(hash & 0x7fffffff) << 32;
  let i = hash & mask;
  let probes: u32 = 0;
  let mine: usize = 0; // filled by this thread, not yet published
  while (true) {
    const p = table + <usize>i * H.MV_PAIR_SIZE;
    let pair = atomic.load<u64>(p);
    if (pair == 0) {
      if (mine == 0) {
        mine = new_location(kind, addr, slot);
        if (mine == 0) return 0;
      }
      pair = atomic.cmpxchg<u64>(p, 0, tag | <u64>mine);
      if (pair == 0) return mine;
    }
    // Another thread's entry (an entry of ours is then left unused).
    if ((pair & TAG_MASK) == tag && loc_eq(<usize>(pair & 0xffffffff), kind, addr, slot)) return <usize>(pair & 0xffffffff);
    i = (i + 1) & mask;
    if (++probes > mask) { atomic.cmpxchg<u32>(h + H.H_ERROR, 0, L.FATAL_STM_ARENA); return 0; }
  }
}

// Result of the last mv_read (per worker).
export let g_vr_tx: u32 = H.BASE_TX;
export let g_vr_inc: u32 = 0;
export let g_vr_estimate: bool = false;

// Version chains are read without the location's lock; writers hold it. A version record is
// filled before a single atomic store links it into its chain and its payload never changes
// afterwards: a new incarnation's write replaces the record with a new one (in the same place of
// the chain), an unlinked record keeps its link to the rest of the chain, and records are never
// reused within a block. So a reader walking a chain sees each record whole, from before or after
// a concurrent write, and Block-STM's validation (which runs after the writer has published)
// catches a read that the write made stale. Only the ESTIMATE flag is set in place.

@inline function next_of(v: usize): usize {
  return <usize>atomic.load<u32>(v + H.VR_NEXT);
}

/**
 * Reads the highest version below transaction `tx`, copying its payload (`size` bytes from
 * VR_A_FLAGS) to `dst`. Returns false when there is none (the pre-state applies).
 */
export function mv_read(loc: usize, tx: u32, dst: usize, size: u32): bool {
  let v = <usize>atomic.load<u32>(loc + H.V_HEAD);
  while (v != 0 && load<u32>(v + H.VR_TX) >= tx) v = next_of(v);
  if (v == 0) {
    g_vr_tx = H.BASE_TX; g_vr_inc = 0; g_vr_estimate = false;
    return false;
  }
  g_vr_tx = load<u32>(v + H.VR_TX);
  g_vr_inc = load<u32>(v + H.VR_INC);
  g_vr_estimate = (atomic.load<u32>(v + H.VR_FLAGS) & H.VF_ESTIMATE) != 0;
  if (size > 0) memory.copy(dst, v + H.VR_A_FLAGS, size);
  return true;
}

/** Links `n` where `prev` pointed (the chain's head when prev is 0). */
@inline function link(loc: usize, head: u32, prev: usize, n: usize): void {
  if (prev == 0) atomic.store<u32>(loc + head, <u32>n); else atomic.store<u32>(prev + H.VR_NEXT, <u32>n);
}

/**
 * Links a new record of transaction `tx` into the chain at `loc + head` (V_HEAD or V_DELTAS), in
 * order and in place of tx's earlier one if any, once it holds the incarnation and the `size`
 * payload bytes from `src` (`delta`: a credit, whose amount goes to VR_A_BALANCE). Returns it; 0 when the
 * arena is full. The caller holds the location's lock.
 */
function chain_put(loc: usize, head: u32, tx: u32, inc: u32, src: usize, size: u32, delta: bool): usize {
  let prev: usize = 0;
  let v = <usize>load<u32>(loc + head);
  while (v != 0 && load<u32>(v + H.VR_TX) > tx) { prev = v; v = <usize>load<u32>(v + H.VR_NEXT); }
  // A slot's version holds a word: 32 bytes of payload; an account's (or a credit) the whole record.
  const n = arena_alloc(delta ? H.VR_SIZE : H.VR_A_FLAGS + size);
  if (n == 0) return 0;
  const replaces = v != 0 && load<u32>(v + H.VR_TX) == tx;
  store<u32>(n + H.VR_NEXT, replaces ? load<u32>(v + H.VR_NEXT) : <u32>v);
  store<u32>(n + H.VR_TX, tx);
  store<u32>(n + H.VR_INC, inc);
  store<u32>(n + H.VR_FLAGS, delta ? H.VF_DELTA : 0);
  if (delta) memory.fill(n + H.VR_A_FLAGS, 0, H.VR_A_BALANCE - H.VR_A_FLAGS);
  memory.copy(delta ? n + H.VR_A_BALANCE : n + H.VR_A_FLAGS, src, size);
  link(loc, head, prev, n);
  return n;
}

/** Unlinks transaction `tx`'s version from the chain at `loc + head`. The caller holds the lock. */
function chain_unlink(loc: usize, head: u32, tx: u32): void {
  let prev: usize = 0;
  let v = <usize>load<u32>(loc + head);
  while (v != 0 && load<u32>(v + H.VR_TX) > tx) { prev = v; v = <usize>load<u32>(v + H.VR_NEXT); }
  if (v != 0 && load<u32>(v + H.VR_TX) == tx) link(loc, head, prev, <usize>load<u32>(v + H.VR_NEXT));
}

/** Marks transaction `tx`'s version in the chain at `loc + head` as an ESTIMATE. The caller holds the lock. */
function chain_mark_estimate(loc: usize, head: u32, tx: u32): void {
  let v = <usize>load<u32>(loc + head);
  while (v != 0 && load<u32>(v + H.VR_TX) > tx) v = <usize>load<u32>(v + H.VR_NEXT);
  if (v != 0 && load<u32>(v + H.VR_TX) == tx) atomic.store<u32>(v + H.VR_FLAGS, load<u32>(v + H.VR_FLAGS) | H.VF_ESTIMATE);
}

/**
 * Writes transaction `tx`'s version (incarnation `inc`) with `size` payload bytes from `src`.
 * Returns the version record (a new one for each incarnation), 0 when the arena is full.
 */
export function mv_write(loc: usize, tx: u32, inc: u32, src: usize, size: u32): usize {
  lock(loc + H.V_LOCK);
  const v = chain_put(loc, H.V_HEAD, tx, inc, src, size, false);
  // An earlier incarnation may have credited the account instead.
  if (v != 0 && load<u32>(loc + H.V_DELTAS) != 0) chain_unlink(loc, H.V_DELTAS, tx);
  unlock(loc + H.V_LOCK);
  return v;
}

/**
 * Writes transaction `tx`'s credit of `amount` (a word) to an account location, instead of a
 * whole account: readers add it to the newest whole version below it (mv_sum_deltas). Returns
 * the version record, 0 when the arena is full.
 */
export function mv_write_delta(loc: usize, tx: u32, inc: u32, amount: usize): usize {
  lock(loc + H.V_LOCK);
  const v = chain_put(loc, H.V_DELTAS, tx, inc, amount, 32, true);
  // An earlier incarnation may have written the whole account instead.
  if (v != 0) chain_unlink(loc, H.V_HEAD, tx);
  unlock(loc + H.V_LOCK);
  return v;
}

/**
 * Adds to `sum` (a word, zeroed first) the credits of the transactions after `after` (BASE_TX:
 * all) and below `tx`. Returns BASE_TX, or the highest of those transactions whose credit is an
 * ESTIMATE (the sum is then incomplete).
 */
export function mv_sum_deltas(loc: usize, after: u32, tx: u32, sum: usize): u32 {
  memory.fill(sum, 0, 32);
  let v = <usize>atomic.load<u32>(loc + H.V_DELTAS);
  while (v != 0 && load<u32>(v + H.VR_TX) >= tx) v = next_of(v);
  while (v != 0 && (after == H.BASE_TX || load<u32>(v + H.VR_TX) > after)) {
    if ((atomic.load<u32>(v + H.VR_FLAGS) & H.VF_ESTIMATE) != 0) return load<u32>(v + H.VR_TX);
    u256_add(v + H.VR_A_BALANCE, sum);
    v = next_of(v);
  }
  return H.BASE_TX;
}

/** Removes transaction `tx`'s version (its new incarnation no longer writes here). */
export function mv_remove(loc: usize, tx: u32): void {
  lock(loc + H.V_LOCK);
  chain_unlink(loc, H.V_HEAD, tx);
  if (load<u32>(loc + H.V_DELTAS) != 0) chain_unlink(loc, H.V_DELTAS, tx);
  unlock(loc + H.V_LOCK);
}

/** Marks transaction `tx`'s version as an ESTIMATE: readers must wait for its re-execution. */
export function mv_mark_estimate(loc: usize, tx: u32): void {
  lock(loc + H.V_LOCK);
  chain_mark_estimate(loc, H.V_HEAD, tx);
  if (load<u32>(loc + H.V_DELTAS) != 0) chain_mark_estimate(loc, H.V_DELTAS, tx);
  unlock(loc + H.V_LOCK);
}
