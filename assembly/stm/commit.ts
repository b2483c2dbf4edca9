// Once every transaction Block-STM ran is validated, the final writes go into the pre-state
// tables. Without storage clears, a location's final value is its newest version, so the workers
// apply the locations in parallel (stm_commit_share), inserting those missing from the pre-state
// (stm/insert.ts), and sum the fees chunk by chunk; the coordinator then does what needs order
// (stm_commit): the lazily credited coinbase fees, the slots of accounts the block created, and
// whole blocks in which a transaction cleared an account's storage.
import * as L from "../layout";
import * as H from "./layout";
import * as G from "../globals";
import { acct_get, acct_is_empty, addr_eq } from "../state/accounts";
import { slot_get, storage_wipe } from "../state/storage";
import { stm_header, arena_alloc, txr, wait_count } from "./sync";
import { shared_acct_get, shared_slot_get } from "./insert";
import { mv_sum_deltas } from "./mv";
import { u256_add, u256_is_zero } from "../math/u256";

/** The newest version below `limit` in the chain at `loc + head` (0: none). */
function newest_below(loc: usize, head: u32, limit: u32): usize {
  let v = <usize>atomic.load<u32>(loc + head);
  while (v != 0 && load<u32>(v + H.VR_TX) >= limit) v = <usize>load<u32>(v + H.VR_NEXT);
  return v;
}

/**
 * The location's version by the last transaction below `limit` that wrote it (0: none): a whole
 * version, or an account's lazy credit (VF_DELTA).
 */
function final_version(loc: usize, limit: u32): usize {
  const v = newest_below(loc, H.V_HEAD, limit);
  const d = newest_below(loc, H.V_DELTAS, limit);
  return d != 0 && (v == 0 || load<u32>(d + H.VR_TX) > load<u32>(v + H.VR_TX)) ? d : v;
}

/** Adds `amount` (a word, lazily credited) to account entry `e`, which it makes exist. */
function apply_credit(e: usize, amount: usize): void {
  u256_add(amount, e + L.A_BALANCE);
  if ((atomic.load<u32>(e + L.A_FLAGS) & L.AF_EXISTS) == 0) atomic.or<u32>(e + L.A_FLAGS, L.AF_EXISTS);
}

/** Applies an account location's final state to entry `e`: its newest whole version, then the credits after it. */
function apply_account_final(e: usize, loc: usize, limit: u32): void {
  const v = newest_below(loc, H.V_HEAD, limit);
  if (v != 0) apply_account(e, v);
  if (atomic.load<u32>(loc + H.V_DELTAS) == 0) return;
  const sum = G.g_scratch + 832;
  mv_sum_deltas(loc, v != 0 ? load<u32>(v + H.VR_TX) : H.BASE_TX, limit, sum); // no ESTIMATE once the block is done
  if (!u256_is_zero(sum)) apply_credit(e, sum);
}

/** Writes an account version into pre-state entry `e`, keeping its storage-written mark. */
function apply_account(e: usize, v: usize): void {
  // Another thread may be marking the account's storage written meanwhile (apply_slot).
  let old = atomic.load<u32>(e + L.A_FLAGS);
  while (true) {
    const seen = atomic.cmpxchg<u32>(e + L.A_FLAGS, old, load<u32>(v + H.VR_A_FLAGS) | (old & L.AF_STORAGE_WRITTEN));
    if (seen == old) break;
    old = seen;
  }
  store<u64>(e + L.A_NONCE, load<u64>(v + H.VR_A_NONCE));
  store<u32>(e + L.A_CODE, load<u32>(v + H.VR_A_CODE));
  memory.copy(e + L.A_BALANCE, v + H.VR_A_BALANCE, 32);
}

function apply_slot(acct: usize, s: usize, v: usize): void {
  memory.copy(s + L.S_VALUE, v + H.VR_S_VALUE, 32);
  // Checked first: the slots of one contract (a token's balances) all mark one account, and a
  // read-modify-write would move its cache line between the cores at every slot.
  if ((atomic.load<u32>(acct + L.A_FLAGS) & L.AF_STORAGE_WRITTEN) == 0) atomic.or<u32>(acct + L.A_FLAGS, L.AF_STORAGE_WRITTEN);
}

/**
 * Applies version `v` of `loc` (an account's final state when `limit` is given: see
 * apply_account_final), looking up its pre-state entries (noted by the first reader, or found and
 * inserted now). False when a table is full. Coordinator only: it may insert.
 */
function apply_location(loc: usize, v: usize, limit: u32 = H.NO_TX): bool {
  if (load<u32>(loc + H.V_KIND) == H.LOC_ACCOUNT) {
    const e = account_entry(loc);
    if (e == 0) return false;
    if (limit != H.NO_TX) apply_account_final(e, loc, limit);
    else if ((load<u32>(v + H.VR_FLAGS) & H.VF_DELTA) != 0) apply_credit(e, v + H.VR_A_BALANCE);
    else apply_account(e, v);
    return true;
  }
  let e = <usize>load<u32>(loc + H.V_BASE_ACCT);
  if (e == 0) e = acct_get(loc + H.V_ADDR);
  if (e == 0) return false;
  let s = <usize>load<u32>(loc + H.V_BASE);
  if (s == 0) s = slot_get(e, loc + H.V_SLOT);
  if (s == 0) return false;
  apply_slot(e, s, v);
  return true;
}

/** An account location's pre-state entry, inserted when missing (0: the table is full). */
function account_entry(loc: usize): usize {
  const e = <usize>load<u32>(loc + H.V_BASE);
  return e != 0 ? e : acct_get(loc + H.V_ADDR);
}

/** Pushes a node of deferred locations onto the list at H_DEFERRED. */
function push_deferred(h: usize, node: usize): void {
  let head = atomic.load<u32>(h + H.H_DEFERRED);
  while (true) {
    store<u32>(node, head);
    const seen = atomic.cmpxchg<u32>(h + H.H_DEFERRED, head, <u32>node);
    if (seen == head) return;
    head = seen;
  }
}

/** Notes transaction i as invalid in H_FIRST_INVALID (1 + the lowest such transaction). */
export function note_invalid(h: usize, i: u32): void {
  let seen = atomic.load<u32>(h + H.H_FIRST_INVALID);
  while (seen == 0 || seen > i + 1) {
    const was = atomic.cmpxchg<u32>(h + H.H_FIRST_INVALID, seen, i + 1);
    if (was == seen) return;
    seen = was;
  }
}

/**
 * Applies the writes of transactions [from, to) (a chunk) that are their location's final
 * version, inserting accounts and slots of existing accounts that the pre-state lacks, and lists
 * the slots of accounts it lacks on H_DEFERRED (their account may be being inserted by another
 * thread); sums the chunk's fees into its word at H_CHUNK_FEES and notes an invalid transaction.
 * Returns false when the arena or a table ran out (H_ERROR is set). The write sets are walked in
 * block order, which is about the order the arena holds them and their versions in (a scan of the
 * location table jumped around).
 */
function commit_chunk(h: usize, from: u32, to: u32, limit: u32): bool {
  let node: usize = 0; // [next][count][loc...], room for every write of the chunk
  const fees = <usize>load<u32>(h + H.H_CHUNK_FEES) + <usize>(from / H.COMMIT_CHUNK) * 32;
  memory.fill(fees, 0, 32);
  for (let i = from; i < to; i++) {
    const t = txr(i);
    if (load<u32>(t + H.T_RESULT) == L.STATUS_INVALID) note_invalid(h, i);
    u256_add(t + H.T_FEE, fees);
    const w = <usize>load<u32>(t + H.T_WRITES);
    const nw: u32 = w == 0 ? 0 : load<u32>(w);
    for (let k: u32 = 0; k < nw; k++) {
      const loc = <usize>load<u32>(w + 8 + (<usize>k << 3));
      const v = <usize>load<u32>(w + 12 + (<usize>k << 3));
      if (final_version(loc, limit) != v) continue; // a later transaction wrote it too
      const base = <usize>load<u32>(loc + H.V_BASE);
      const account = load<u32>(loc + H.V_KIND) == H.LOC_ACCOUNT;
      // (A location the pre-state holds has no key of its own: its address is its entry's.)
      if (account && addr_eq(base != 0 ? base + L.A_ADDR : loc + H.V_ADDR, h + H.H_COINBASE)) { atomic.store<u32>(h + H.H_CB_LOC, <u32>loc); continue; }
      if (base == 0 && account) {
        const e = shared_acct_get(loc + H.V_ADDR);
        if (e == 0) return false;
        apply_account_final(e, loc, limit);
      } else if (base == 0 && load<u32>(loc + H.V_BASE_ACCT) != 0) {
        const acct = <usize>load<u32>(loc + H.V_BASE_ACCT);
        const s = shared_slot_get(acct, loc + H.V_SLOT);
        if (s == 0) return false;
        apply_slot(acct, s, v);
      } else if (base == 0) {
        // A slot of an account the pre-state lacks: the coordinator inserts it.
        if (node == 0) {
          let room: u32 = 0;
          for (let j = i; j < to; j++) {
            const wj = <usize>load<u32>(txr(j) + H.T_WRITES);
            if (wj != 0) room += load<u32>(wj);
          }
          node = arena_alloc(8 + room * 4);
          if (node == 0) return false;
          store<u32>(node + 4, 0);
        }
        const c = load<u32>(node + 4);
        store<u32>(node + 8 + (<usize>c << 2), <u32>loc);
        store<u32>(node + 4, c + 1);
      } else if (account) {
        apply_account_final(base, loc, limit);
      } else {
        apply_slot(<usize>load<u32>(loc + H.V_BASE_ACCT), base, v);
      }
    }
  }
  if (node != 0) push_deferred(h, node);
  return true;
}

/**
 * Run by every thread when the block is done: applies the final version of each location, the
 * write sets of a chunk of transactions at a time (commit_chunk, which also sums their fees), and
 * counts the transactions done (H_COMMIT_DONE; the coordinator waits for all). Leaves the coinbase
 * and the slots of new accounts (listed on H_DEFERRED) to stm_commit, and everything when a
 * storage clear needs block order (H_WIPES).
 */
export function stm_commit_share(): void {
  const h = stm_header();
  if (atomic.load<u32>(h + H.H_ERROR) != 0 || atomic.load<u32>(h + H.H_WIPES) != 0) return;
  const limit = atomic.load<u32>(h + H.H_LIMIT);
  let ok = true;
  while (true) {
    const from = atomic.add<u32>(h + H.H_COMMIT_NEXT, H.COMMIT_CHUNK);
    if (from >= limit) return;
    const to = from + H.COMMIT_CHUNK < limit ? from + H.COMMIT_CHUNK : limit;
    // After an arena failure the chunks still count as done: the host sees H_ERROR and reruns.
    if (ok) ok = commit_chunk(h, from, to, limit);
    if (atomic.add<u32>(h + H.H_COMMIT_DONE, to - from) + (to - from) == limit) atomic.notify(h + H.H_COMMIT_DONE, -1);
  }
}

/** Applies the final versions of the slots the workers left (of accounts missing from the pre-state). */
function commit_new_locations(h: usize, limit: u32): bool {
  for (let node = <usize>load<u32>(h + H.H_DEFERRED); node != 0; node = <usize>load<u32>(node)) {
    const count = load<u32>(node + 4);
    for (let k: u32 = 0; k < count; k++) {
      const loc = <usize>load<u32>(node + 8 + (<usize>k << 2));
      if (!apply_location(loc, final_version(loc, limit), limit)) return false;
    }
  }
  return true;
}

/** Adds the fees of transactions [from, n) to `dst`: those of from's chunk one by one, then the chunks' sums. */
function add_fees_from(h: usize, from: u32, n: u32, dst: usize): void {
  const chunk = H.COMMIT_CHUNK;
  const firstEnd = (from / chunk + 1) * chunk;
  for (let i = from; i < n && i < firstEnd; i++) u256_add(txr(i) + H.T_FEE, dst);
  const sums = <usize>load<u32>(h + H.H_CHUNK_FEES);
  for (let c = firstEnd; c < n; c += chunk) u256_add(sums + <usize>(c / chunk) * 32, dst);
}

/** Applies each transaction's final writes in block order (a transaction cleared storage). */
function commit_in_order(h: usize, n: u32, cb: usize): bool {
  const txs = <usize>load<u32>(h + H.H_TXS);
  for (let i: u32 = 0; i < n; i++) {
    const t = txs + <usize>i * H.TXR_SIZE;
    const w = <usize>load<u32>(t + H.T_WRITES);
    const nw: u32 = w == 0 ? 0 : load<u32>(w);
    // Accounts first: a storage clear comes before the transaction's own slot writes.
    for (let kind = H.LOC_ACCOUNT; kind <= H.LOC_STORAGE; kind++) {
      for (let k: u32 = 0; k < nw; k++) {
        const loc = <usize>load<u32>(w + 8 + (<usize>k << 3));
        if (load<u32>(loc + H.V_KIND) != kind) continue;
        const v = <usize>load<u32>(w + 12 + (<usize>k << 3)); // the final incarnation's version
        if (kind == H.LOC_ACCOUNT && load<u32>(v + H.VR_A_WIPE) == i + 1) {
          const e = account_entry(loc);
          if (e == 0) return false;
          if ((load<u32>(e + L.A_FLAGS) & (L.AF_HAS_STORAGE | L.AF_STORAGE_WRITTEN)) != 0) storage_wipe(e);
          store<u32>(e + L.A_WIPE, i + 1); // for the state diff, as the sequential path marks it
        }
        if (!apply_location(loc, v)) return false;
      }
    }
    u256_add(t + H.T_FEE, cb + L.A_BALANCE);
  }
  return true;
}

/**
 * The coordinator's part of the commit of the transactions Block-STM ran (H_LIMIT of them; the
 * host runs any rest in order). Returns 0, the index + 1 of the first transaction whose final
 * result is invalid, 0xffffffff when a table ran out, or H.COMMIT_UNFINISHED.
 */
export function stm_commit(): u32 {
  const h = stm_header();
  const n = load<u32>(h + H.H_LIMIT);
  let cb: usize = 0;
  if (atomic.load<u32>(h + H.H_COMMIT_NEXT) >= n) {
    // The workers applied the locations in the pre-state (stm_commit_share); one may still be
    // finishing its last chunk when the coordinator gets here.
    if (!wait_count(h + H.H_COMMIT_DONE, n)) return H.COMMIT_UNFINISHED;
    if (atomic.load<u32>(h + H.H_ERROR) != 0) return 0xffffffff;
    const invalid = atomic.load<u32>(h + H.H_FIRST_INVALID);
    if (invalid != 0) return invalid;
    // The workers are done inserting: the coordinator's own inserts may begin.
    cb = acct_get(h + H.H_COINBASE);
    if (cb == 0 || !commit_new_locations(h, n)) return 0xffffffff;
    // The coinbase: its newest version counts the fees of the transactions before that one.
    const loc = <usize>load<u32>(h + H.H_CB_LOC);
    const v = loc != 0 ? final_version(loc, n) : 0;
    if (v != 0) apply_account(cb, v);
    add_fees_from(h, v != 0 ? load<u32>(v + H.VR_TX) : 0, n, cb + L.A_BALANCE);
  } else {
    for (let i: u32 = 0; i < n; i++) {
      if (load<u32>(txr(i) + H.T_RESULT) == L.STATUS_INVALID) return i + 1;
    }
    cb = acct_get(h + H.H_COINBASE);
    if (cb == 0 || !commit_in_order(h, n, cb)) return 0xffffffff;
  }
  settle_coinbase(cb, n);
  return 0;
}

/**
 * The coinbase after `n` transactions' fees were added to its balance: each payment touched it,
 * so it exists, unless it is empty from Spurious Dragon on (EIP-161).
 */
export function settle_coinbase(cb: usize, n: u32): void {
  if (n > 0) store<u32>(cb + L.A_FLAGS, load<u32>(cb + L.A_FLAGS) | L.AF_EXISTS);
  if (G.g_fork >= 3 && acct_is_empty(cb)) store<u32>(cb + L.A_FLAGS, 0);
}
