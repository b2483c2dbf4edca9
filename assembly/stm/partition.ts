// Partitioned mode: a block of plain value transfers (no creation, no precompile, no access list,
// the coinbase neither sends nor receives) touches exactly its senders and recipients, and the
// coinbase through its fees. Its transactions form groups, linked by the accounts they share,
// that no transaction of another group reads or writes. Each thread runs whole groups in block
// order directly on the pre-state tables, as the sequential path runs a block: no multi-version
// memory, no read sets, no validation, nothing to write back; accounts the block creates are
// inserted with the thread-safe insert of the parallel commit (stm/insert.ts). The coordinator
// then credits the fees. The plan rules out recipients with code or storage; should a thread meet
// either all the same, it stops the run and the host runs the block sequentially. Grevm 2.0 and
// RISE pevm schedule transfers from what the block itself declares in the same spirit.
import * as L from "../layout";
import * as H from "./layout";
import * as G from "../globals";
import { acct_get, addr_hash, addr_eq } from "../state/accounts";
import { tx_execute } from "../tx";
import { stm_header, arena_alloc, txr, wait_count } from "./sync";
import { load_message, record_results } from "./worker";
import { settle_coinbase, note_invalid } from "./commit";
import { u256_add } from "../math/u256";
import { precompile_count, precompile_id_of } from "../interpreter/precompiles";

// The plan's address map: open addressing over 16-byte entries [the address's first 8 bytes]
// [u32 where the whole address lies (in a message, or the host's list)][u32 parent]; a node is its
// entry's index, and the parent links form the union-find forest of the groups.
const NODE_SIZE: u32 = 16;
const EMPTY: u32 = 0xffffffff;

function node_of(map: usize, mask: u32, addr: usize): u32 {
  const head = load<u64>(addr);
  let i = addr_hash(addr) & mask;
  while (true) {
    const e = map + <usize>i * NODE_SIZE;
    const parent = load<u32>(e + 12);
    if (parent == EMPTY) {
      store<u64>(e, head);
      store<u32>(e + 8, <u32>addr);
      store<u32>(e + 12, i);
      return i;
    }
    if (load<u64>(e) == head && addr_eq(<usize>load<u32>(e + 8), addr)) return i;
    i = (i + 1) & mask;
  }
}

@inline function parent_at(map: usize, i: u32): usize { return map + <usize>i * NODE_SIZE + 12; }

function find(map: usize, i: u32): u32 {
  while (true) {
    const p = load<u32>(parent_at(map, i));
    if (p == i) return i;
    const gp = load<u32>(parent_at(map, p));
    store<u32>(parent_at(map, i), gp); // path halving
    i = gp;
  }
}

/** Marks the first transaction of a group in the plan's order (H_PART_ORDER). */
const GROUP_START: u32 = 0x80000000;

/** Entries of the plan's address map for n transactions and `specialCount` listed accounts. */
function map_cap(n: u32, specialCount: u32): u32 {
  let cap: u32 = 64;
  while (cap < (n + specialCount) * 4) cap <<= 1;
  return cap;
}

/** Bytes of scratch the plan of n transactions with `specialCount` listed accounts takes. */
export function part_plan_scratch(n: u32, specialCount: u32): u32 {
  const cap = map_cap(n, specialCount);
  // map, group sizes, marked bitmap; txRoot, roots, order, units (n + 1 each), the sort's 2 (n + 1)
  return cap * NODE_SIZE + cap * 4 + (cap >> 3) + 6 * (n + 1) * 4 + 64;
}

/**
 * Stages the plan's inputs in the header of the block staged at `header` (the coordinator's side,
 * once the block's messages are staged; the plan may then run on any thread, part_plan_staged):
 * `threads`, the `specialCount` addresses at `special` (20 bytes each) of the pre-state's accounts
 * with code or storage, and `scratch` (part_plan_scratch bytes). The fork is this thread's.
 */
export function part_plan_stage(header: usize, threads: u32, special: usize, specialCount: u32, scratch: usize): void {
  store<u32>(header + H.H_PART_THREADS, threads);
  store<u32>(header + H.H_PART_SPECIAL, <u32>special);
  store<u32>(header + H.H_PART_SPECIAL_COUNT, specialCount);
  store<u32>(header + H.H_PART_SCRATCH, <u32>scratch);
  store<u32>(header + H.H_PART_PRECOMPILES, precompile_count());
  atomic.store<u32>(header + H.H_PART_LARGEST, 0);
}

/**
 * Plans partitioned execution of the block staged at `header` from its messages and the inputs
 * part_plan_stage left there. Touches nothing but the messages, the listed addresses, the scratch
 * and the header's plan fields (no context, no table: it may run on a worker while the coordinator
 * loads the pre-state). Returns, and stores at H_PART_LARGEST, 0 when a transaction rules the mode
 * out, else the size of the largest group. The plan: the transactions group by group, largest
 * group first and each in block order (H_PART_ORDER), cut into units of whole groups
 * (H_PART_UNITS) that the threads claim one at a time (H_PART_NEXT), so that a thread that starts
 * late or runs slower takes fewer.
 */
export function part_plan_staged(header: usize): u32 {
  const largest = plan(header);
  atomic.store<u32>(header + H.H_PART_LARGEST, largest);
  return largest;
}

function plan(header: usize): u32 {
  const n = load<u32>(header + H.H_N);
  const threads = load<u32>(header + H.H_PART_THREADS);
  if (n == 0 || threads == 0) return 0;
  const special = <usize>load<u32>(header + H.H_PART_SPECIAL);
  const specialCount = load<u32>(header + H.H_PART_SPECIAL_COUNT);
  const precompiles = load<u32>(header + H.H_PART_PRECOMPILES);
  const msgs = <usize>load<u32>(header + H.H_MSGS);
  const coinbase = header + H.H_COINBASE;
  const cap = map_cap(n, specialCount);
  const mask = cap - 1;
  let p = (<usize>load<u32>(header + H.H_PART_SCRATCH) + 7) & ~7;
  const map = p; p += <usize>cap * NODE_SIZE;
  const size = p; p += <usize>cap * 4;
  const txRoot = p; p += <usize>(n + 1) * 4;
  const roots = p; p += <usize>(n + 1) * 4;
  const order = p; p += <usize>(n + 1) * 4;
  const units = p; p += <usize>(n + 1) * 4;
  const sortScratch = p; p += <usize>(n + 1) * 8;
  const marked = p;
  memory.fill(map, 0xff, <usize>cap * NODE_SIZE);
  // The pre-state accounts with code or storage (the host lists them: few, where a block is all
  // transfers) are marked in a bitmap over the map's nodes: sending value to one rules the mode out.
  memory.fill(marked, 0, <usize>(cap >> 3));
  for (let k: u32 = 0; k < specialCount; k++) {
    const node = node_of(map, mask, special + <usize>k * 20);
    store<u8>(marked + (node >> 3), load<u8>(marked + (node >> 3)) | <u8>(<u32>1 << (node & 7)));
  }
  for (let i: u32 = 0; i < n; i++) {
    const m = msgs + <usize>i * H.MSG_SIZE;
    const from = m + H.M_CALLER, to = m + H.M_TO;
    if (load<u32>(m + H.M_IS_CREATE) != 0 || load<u32>(m + H.M_ACCESS_COUNT) != 0) return 0;
    if (precompile_id_of(to, precompiles) != 0 || addr_eq(to, coinbase) || addr_eq(from, coinbase)) return 0;
    // A recipient with code would run it (value sent to a contract wallet, often without data);
    // one with storage would lose it if emptied. (A sender with code is invalid, EIP-3607.)
    const toNode = node_of(map, mask, to);
    if (((<u32>load<u8>(marked + (toNode >> 3)) >> (toNode & 7)) & 1) != 0) return 0;
    const a = find(map, node_of(map, mask, from));
    const b = find(map, toNode);
    if (a != b) store<u32>(parent_at(map, a), b);
    store<u32>(txRoot + (<usize>i << 2), b);
  }
  // Group sizes by root (`size`, indexed by node); the roots in order of first appearance.
  memory.fill(size, 0, <usize>cap * 4);
  let groups: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const r = find(map, load<u32>(txRoot + (<usize>i << 2)));
    store<u32>(txRoot + (<usize>i << 2), r);
    const s = load<u32>(size + (<usize>r << 2));
    if (s == 0) { store<u32>(roots + (<usize>groups << 2), r); groups++; }
    store<u32>(size + (<usize>r << 2), s + 1);
  }
  sort_by_size_desc(roots, groups, size, sortScratch);
  const largest = load<u32>(size + (<usize>load<u32>(roots) << 2));
  // Each group's start in the order; `size` then holds the next free position of each root.
  let unitTarget = n / (threads * 16);
  if (unitTarget < 4) unitTarget = 4;
  if (unitTarget > 64) unitTarget = 64;
  let at: u32 = 0, unitCount: u32 = 0, inUnit: u32 = 0;
  for (let g: u32 = 0; g < groups; g++) {
    const r = load<u32>(roots + (<usize>g << 2));
    const s = load<u32>(size + (<usize>r << 2));
    if (inUnit == 0) { store<u32>(units + (<usize>unitCount << 2), at); unitCount++; }
    store<u32>(size + (<usize>r << 2), at);
    store<u32>(order + (<usize>at << 2), GROUP_START); // its first transaction is ORed in below
    at += s;
    inUnit += s;
    if (inUnit >= unitTarget) inUnit = 0;
  }
  store<u32>(units + (<usize>unitCount << 2), n);
  for (let i: u32 = 0; i < n; i++) {
    const p = size + (<usize>load<u32>(txRoot + (<usize>i << 2)) << 2);
    const pos = load<u32>(p);
    const o = order + (<usize>pos << 2);
    store<u32>(o, (load<u32>(o) & GROUP_START) | i);
    store<u32>(p, pos + 1);
  }
  // (The order was filled with GROUP_START only at group starts: other entries are written whole.)
  store<u32>(header + H.H_PART_ORDER, <u32>order);
  store<u32>(header + H.H_PART_UNITS, <u32>units);
  store<u32>(header + H.H_PART_UNIT_COUNT, unitCount);
  atomic.store<u32>(header + H.H_PART_NEXT, 0);
  atomic.store<u32>(header + H.H_PART_DONE, 0);
  return largest;
}

/**
 * Sorts `count` roots by their group size (at `size`, indexed by root), largest first: groups of
 * two or more by a counting sort, then the single transactions in the order they came (most
 * groups, in blocks of transfers; sorting them would move nothing). `scratch` holds 2 * (count + 1)
 * u32 (no group is larger than the transactions, which are at least the groups).
 */
function sort_by_size_desc(roots: usize, count: u32, size: usize, scratch: usize): void {
  let largest: u32 = 0, multi: u32 = 0;
  for (let g: u32 = 0; g < count; g++) {
    const s = load<u32>(size + (<usize>load<u32>(roots + (<usize>g << 2)) << 2));
    if (s > 1) multi++;
    if (s > largest) largest = s;
  }
  if (largest < 2) return;
  const buckets = scratch;
  const out = scratch + (<usize>(largest + 1) << 2);
  memory.fill(buckets, 0, <usize>(largest + 1) * 4);
  for (let g: u32 = 0; g < count; g++) {
    const s = load<u32>(size + (<usize>load<u32>(roots + (<usize>g << 2)) << 2));
    if (s < 2) continue;
    const b = buckets + (<usize>(largest - s) << 2);
    store<u32>(b, load<u32>(b) + 1);
  }
  let at: u32 = 0;
  for (let k: u32 = 0; k <= largest; k++) {
    const b = buckets + (<usize>k << 2);
    const c = load<u32>(b);
    store<u32>(b, at);
    at += c;
  }
  let single = multi;
  for (let g: u32 = 0; g < count; g++) {
    const r = load<u32>(roots + (<usize>g << 2));
    const s = load<u32>(size + (<usize>r << 2));
    if (s < 2) { store<u32>(out + (<usize>single << 2), r); single++; continue; }
    const b = buckets + (<usize>(largest - s) << 2);
    const k = load<u32>(b);
    store<u32>(out + (<usize>k << 2), r);
    store<u32>(b, k + 1);
  }
  memory.copy(roots, out, <usize>count << 2);
}

/** Notes a failure for the host (which then runs the block another way). */
function part_fail(h: usize, reason: u32): void {
  atomic.cmpxchg<u32>(h + H.H_ERROR, 0, reason == 0 ? L.FATAL_PARTITION : reason);
}

/**
 * Claims units of the plan (H_PART_NEXT) and runs their transactions in the plan's order until
 * none is left, then counts this thread done (H_PART_DONE). A worker's job; the coordinator runs
 * it too. Accounts are those of the pre-state tables (acct_get in partitioned mode); stamps in them
 * (warm, touched) come from this context's transaction ids, which the host starts above the
 * coordinator's.
 */
export function part_run(): void {
  const h = stm_header();
  // The accounts this thread inserts into the pre-state tables, listed here (part_finish appends
  // them to the home context's list): at most two per transaction.
  const n = load<u32>(h + H.H_N);
  const list = arena_alloc(8 * n + 8);
  if (list == 0) { part_fail(h, L.FATAL_STM_ARENA); n_done(h); return; }
  store<u32>(G.g_ctx + L.CTX_ACCT_LIST, <u32>list);
  store<u32>(G.g_ctx + L.CTX_ACCT_COUNT, 0);
  const order = <usize>load<u32>(h + H.H_PART_ORDER);
  const units = <usize>load<u32>(h + H.H_PART_UNITS);
  const unitCount = load<u32>(h + H.H_PART_UNIT_COUNT);
  while (atomic.load<u32>(h + H.H_ERROR) == 0) {
    const u = atomic.add<u32>(h + H.H_PART_NEXT, 1);
    if (u >= unitCount) break;
    if (!run_unit(h, order, load<u32>(units + (<usize>u << 2)), load<u32>(units + (<usize>u << 2) + 4))) break;
  }
  n_done(h);
}

/** Counts this thread done (H_PART_DONE), waking the coordinator after the last. */
function n_done(h: usize): void {
  if (atomic.add<u32>(h + H.H_PART_DONE, 1) + 1 == load<u32>(h + H.H_CONTEXT_COUNT)) atomic.notify(h + H.H_PART_DONE, -1);
}

/**
 * Runs positions [from, to) of the plan's order. After an invalid transaction the rest of its
 * group is skipped (the block is rejected, naming the first invalid one: other groups still run,
 * as they may hold an earlier one). False when the run must stop (H_ERROR).
 */
function run_unit(h: usize, order: usize, from: u32, to: u32): bool {
  const ctx = G.g_ctx;
  let skipping = false;
  for (let k = from; k < to; k++) {
    const entry = load<u32>(order + (<usize>k << 2));
    if ((entry & GROUP_START) != 0) skipping = false;
    if (skipping) continue;
    const i = entry & ~GROUP_START;
    load_message(i);
    memory.fill(ctx + L.CTX_FEE, 0, 32);
    tx_execute();
    const status = load<u32>(ctx + L.CTX_STATUS);
    if (status == L.STATUS_FATAL || G.g_fatal != 0) { part_fail(h, load<u32>(ctx + L.CTX_FATAL)); return false; }
    if (!record_results(i, status)) return false; // the arena ran out: H_ERROR is set
    if (status == L.STATUS_INVALID) { note_invalid(h, i); skipping = true; continue; }
    memory.copy(txr(i) + H.T_FEE, ctx + L.CTX_FEE, 32);
    store<u32>(ctx + L.CTX_STM_EXECUTIONS, load<u32>(ctx + L.CTX_STM_EXECUTIONS) + 1);
  }
  return true;
}

/**
 * The coordinator's part once it has run its share (in its own context again): waits for the
 * other threads, appends the accounts they inserted to its list, then credits the coinbase with
 * every fee. Returns 0, the index + 1 of the first
 * invalid transaction, 0xffffffff when a context failed (H_ERROR: the host runs the block another
 * way), or COMMIT_UNFINISHED when a context has not finished after about a millisecond (the host
 * awaits its worker and calls again).
 */
export function part_finish(header: usize): u32 {
  const h = header;
  const count = load<u32>(h + H.H_CONTEXT_COUNT);
  if (!wait_count(h + H.H_PART_DONE, count)) return H.COMMIT_UNFINISHED;
  if (atomic.load<u32>(h + H.H_ERROR) != 0) return 0xffffffff;
  const invalid = atomic.load<u32>(h + H.H_FIRST_INVALID);
  if (invalid != 0) return invalid;
  store<u32>(G.g_ctx + L.CTX_STM, <u32>h);
  // The accounts the threads inserted join the home context's list (the state diff reads it).
  const homeList = <usize>load<u32>(G.g_ctx + L.CTX_ACCT_LIST);
  let listed = load<u32>(G.g_ctx + L.CTX_ACCT_COUNT);
  const contexts = <usize>load<u32>(h + H.H_CONTEXTS);
  for (let w: u32 = 0; w < count; w++) {
    const c = <usize>load<u32>(contexts + (<usize>w << 2));
    const added = load<u32>(c + L.CTX_ACCT_COUNT);
    if (homeList != 0) memory.copy(homeList + (<usize>listed << 2), <usize>load<u32>(c + L.CTX_ACCT_LIST), <usize>added << 2);
    listed += added;
    store<u32>(c + L.CTX_ACCT_LIST, 0);
    store<u32>(c + L.CTX_ACCT_COUNT, 0);
  }
  store<u32>(G.g_ctx + L.CTX_ACCT_COUNT, listed);
  const cb = acct_get(h + H.H_COINBASE);
  if (cb == 0) return 0xffffffff;
  const n = load<u32>(h + H.H_N);
  for (let i: u32 = 0; i < n; i++) u256_add(txr(i) + H.T_FEE, cb + L.A_BALANCE);
  settle_coinbase(cb, n);
  return 0;
}
