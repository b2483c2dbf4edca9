// A Block-STM worker: executes incarnations against multi-version memory, publishes their read
// and write sets, validates, and follows the scheduler until the block is done.
import * as L from "../layout";
import * as H from "./layout";
import * as G from "../globals";
import { tx_execute } from "../tx";
import { mv_location, mv_write, mv_write_delta, mv_remove, mv_read, mv_sum_deltas, mv_mark_estimate, g_vr_tx, g_vr_inc, g_vr_estimate } from "./mv";
import { coinbase_fees, g_chained, reset_chained, lazy_recipient_eligible } from "./load";
import { stm_header, arena_alloc, txr } from "./sync";
import { stm_commit_share } from "./commit";
import { keccak_memo_clear } from "../crypto/keccak_memo";
import { u256_is_zero } from "../math/u256";
import { host_help_desk, host_help_run } from "../host";
import {
  next_task, is_done, add_dependency, finish_execution, try_validation_abort, finish_validation, serialize_if_conflicted, scheduler_reset,
  g_task_kind, g_task_tx, g_task_inc, TASK_EXECUTE, TASK_VALIDATE,
} from "./scheduler";

function eq32(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8)
    && load<u64>(a, 16) == load<u64>(b, 16) && load<u64>(a, 24) == load<u64>(b, 24);
}

/** Copies transaction i's message into this worker's context and starts a fresh generation. */
function prepare(i: u32): void {
  const ctx = G.g_ctx;
  G.g_gen++;
  store<u32>(ctx + L.CTX_GEN, G.g_gen);
  store<u32>(ctx + L.CTX_ACCT_COUNT, 0);
  store<u32>(ctx + L.CTX_STOR_COUNT, 0);
  store<u32>(ctx + L.CTX_TSTOR_COUNT, 0);
  store<u32>(ctx + L.CTX_DIRTY_COUNT, 0);
  store<u32>(ctx + L.CTX_READS_COUNT, 0);
  reset_chained();
  load_message(i);
  store<u32>(ctx + L.CTX_LAZY_TO, lazy_recipient_eligible(i) ? 1 : 0);
  store<u32>(ctx + L.CTX_LAZY_ENTRY, 0);
}

/** Copies transaction i's staged message into the context. */
export function load_message(i: u32): void {
  const ctx = G.g_ctx;
  const m = <usize>load<u32>(stm_header() + H.H_MSGS) + <usize>i * H.MSG_SIZE;
  store<u32>(ctx + L.CTX_TX_INDEX, i);
  store<u32>(ctx + L.CTX_CHECK_SENDER, 1);
  store<u32>(ctx + L.CTX_SYSTEM, 0);
  store<u64>(ctx + L.CTX_STEPS, 0);
  memory.copy(ctx + L.CTX_CALLER, m + H.M_CALLER, 20);
  memory.copy(ctx + L.CTX_ORIGIN, m + H.M_CALLER, 20);
  memory.copy(ctx + L.CTX_TO, m + H.M_TO, 20);
  store<u32>(ctx + L.CTX_IS_CREATE, load<u32>(m + H.M_IS_CREATE));
  store<u32>(ctx + L.CTX_DATA_PTR, load<u32>(m + H.M_DATA_PTR));
  store<u32>(ctx + L.CTX_DATA_LEN, load<u32>(m + H.M_DATA_LEN));
  store<u32>(ctx + L.CTX_ACCESS_PTR, load<u32>(m + H.M_ACCESS_PTR));
  store<u32>(ctx + L.CTX_ACCESS_COUNT, load<u32>(m + H.M_ACCESS_COUNT));
  store<u32>(ctx + L.CTX_BLOBHASHES_PTR, load<u32>(m + H.M_BLOB_PTR));
  store<u32>(ctx + L.CTX_BLOBHASHES_COUNT, load<u32>(m + H.M_BLOB_COUNT));
  store<u64>(ctx + L.CTX_GAS_LIMIT, load<u64>(m + H.M_GAS_LIMIT));
  store<u64>(ctx + L.CTX_INTRINSIC, load<u64>(m + H.M_INTRINSIC));
  store<u64>(ctx + L.CTX_TX_NONCE, load<u64>(m + H.M_NONCE));
  memory.copy(ctx + L.CTX_VALUE, m + H.M_VALUE, 32);
  memory.copy(ctx + L.CTX_GASPRICE, m + H.M_GASPRICE, 32);
  memory.copy(ctx + L.CTX_PRIORITY, m + H.M_PRIORITY, 32);
  memory.copy(ctx + L.CTX_UPFRONT, m + H.M_UPFRONT, 32);
  memory.copy(ctx + L.CTX_MAX_COST, m + H.M_MAXCOST, 32);
  memory.fill(ctx + L.CTX_FEE, 0, 32);
}

// Flags that are part of an account's published state (the rest are per-transaction hints).
const PUBLISHED_FLAGS: u32 = L.AF_EXISTS | L.AF_HAS_STORAGE;

function account_changed(e: usize): bool {
  return (load<u32>(e + L.A_FLAGS) & PUBLISHED_FLAGS) != (load<u32>(e + L.A_ORIG_FLAGS) & PUBLISHED_FLAGS)
    || load<u64>(e + L.A_NONCE) != load<u64>(e + L.A_ORIG_NONCE)
    || load<u32>(e + L.A_CODE) != load<u32>(e + L.A_ORIG_CODE)
    || load<u32>(e + L.A_WIPE) != load<u32>(e + L.A_ORIG_WIPE)
    || !eq32(e + L.A_BALANCE, e + L.A_ORIG_BALANCE);
}

/** Sorts (key u32, value u32) pairs by key in place (write sets are small). */
function sort_pairs(p: usize, n: u32): void {
  for (let i: u32 = 1; i < n; i++) {
    const v = load<u64>(p + (<usize>i << 3));
    let j = i;
    while (j > 0 && load<u32>(p + (<usize>(j - 1) << 3)) > <u32>v) {
      store<u64>(p + (<usize>j << 3), load<u64>(p + (<usize>(j - 1) << 3)));
      j--;
    }
    store<u64>(p + (<usize>j << 3), v);
  }
}

/** Copies a finished transaction's results (status, gas, logs, bloom) into its record. */
export function record_results(i: u32, status: u32): bool {
  const ctx = G.g_ctx;
  const t = txr(i);
  store<u32>(t + H.T_RESULT, status);
  store<u64>(t + H.T_GAS_USED, load<u64>(ctx + L.CTX_GAS_USED));
  store<u64>(t + H.T_STEPS, load<u64>(ctx + L.CTX_STEPS));
  memory.copy(t + H.T_CREATED, ctx + L.CTX_CREATED, 20);
  store<u32>(t + H.T_INVALID, status == L.STATUS_INVALID ? load<u32>(ctx + L.CTX_FATAL) : 0);
  const logCount: u32 = status == L.STATUS_INVALID ? 0 : load<u32>(ctx + L.CTX_LOG_COUNT);
  const logBytes: u32 = logCount == 0 ? 0 : load<u32>(ctx + L.CTX_LOG_END) - load<u32>(ctx + L.CTX_LOG);
  if (logBytes > 0) {
    const logs = arena_alloc(logBytes + 8);
    if (logs == 0) return false;
    memory.copy(logs, <usize>load<u32>(ctx + L.CTX_LOG), logBytes);
    store<u32>(t + H.T_LOGS, <u32>logs);
  }
  store<u32>(t + H.T_LOG_COUNT, logCount);
  store<u32>(t + H.T_LOG_BYTES, logBytes);
  // Without logs the bloom is empty: readers check T_LOG_COUNT (256 bytes less to write per transfer).
  if (logCount != 0) memory.copy(t + H.T_BLOOM, ctx + L.CTX_BLOOM, 256);
  return true;
}

/** Publishes the finished incarnation; returns whether it wrote a location its previous one did not. */
function publish(i: u32, inc: u32, status: u32): bool {
  const ctx = G.g_ctx;
  const t = txr(i);
  // Read set: [count][records]
  const nr = load<u32>(ctx + L.CTX_READS_COUNT);
  const reads = arena_alloc(4 + nr * H.R_SIZE);
  if (reads == 0) return false;
  store<u32>(reads, nr);
  memory.copy(reads + 4, <usize>load<u32>(ctx + L.CTX_READS), <usize>nr * H.R_SIZE);
  atomic.store<u32>(t + H.T_READS, <u32>reads);
  if (!record_results(i, status)) return false;
  if (status == L.STATUS_INVALID) memory.fill(ctx + L.CTX_FEE, 0, 32);
  const feeChanged = inc > 0 && !eq32(t + H.T_FEE, ctx + L.CTX_FEE);
  memory.copy(t + H.T_FEE, ctx + L.CTX_FEE, 32);

  // Write set.
  const touched = <usize>load<u32>(ctx + L.CTX_TOUCHED);
  const nt: u32 = status == L.STATUS_INVALID ? 0 : load<u32>(ctx + L.CTX_TOUCHED_COUNT);
  const dirty = <usize>load<u32>(ctx + L.CTX_DIRTY);
  const nd: u32 = status == L.STATUS_INVALID ? 0 : load<u32>(ctx + L.CTX_DIRTY_COUNT);
  const writes = arena_alloc(8 + (nt + nd) * 8);
  if (writes == 0) return false;
  let nw: u32 = 0;
  const payload = G.g_scratch + 896;
  const lazy = <usize>load<u32>(ctx + L.CTX_LAZY_ENTRY);
  for (let k: u32 = 0; k < nt; k++) {
    const e = <usize>load<u32>(touched + (<usize>k << 2));
    if (!account_changed(e)) continue;
    const loc = <usize>load<u32>(e + L.A_MV_LOC); // noted by stm_load_account
    let v: usize;
    if (e == lazy) {
      // The recipient credited lazily: its balance, counted from zero, is the credit.
      v = mv_write_delta(loc, i, inc, e + L.A_BALANCE);
      store<u32>(ctx + L.CTX_STM_CREDITS, load<u32>(ctx + L.CTX_STM_CREDITS) + 1);
    } else {
      const p = payload - H.VR_A_FLAGS;
      if (load<u32>(e + L.A_WIPE) == i + 1) atomic.store<u32>(stm_header() + H.H_WIPES, 1);
      memory.fill(payload, 0, 64);
      store<u32>(p + H.VR_A_FLAGS, load<u32>(e + L.A_FLAGS) & PUBLISHED_FLAGS);
      store<u32>(p + H.VR_A_WIPE, load<u32>(e + L.A_WIPE));
      store<u64>(p + H.VR_A_NONCE, load<u64>(e + L.A_NONCE));
      store<u32>(p + H.VR_A_CODE, load<u32>(e + L.A_CODE));
      memory.copy(p + H.VR_A_BALANCE, e + L.A_BALANCE, 32);
      v = mv_write(loc, i, inc, payload, 64);
    }
    if (v == 0) return false;
    store<u32>(writes + 8 + (<usize>nw << 3), <u32>loc);
    store<u32>(writes + 12 + (<usize>nw << 3), <u32>v);
    nw++;
  }
  for (let k: u32 = 0; k < nd; k++) {
    const s = <usize>load<u32>(dirty + (<usize>k << 2));
    // S_ORIG is the value this incarnation loaded.
    if (eq32(s + L.S_VALUE, s + L.S_ORIG)) continue;
    // An account deleted at this transaction's end (SELFDESTRUCT) loses the slots it wrote: the
    // wipe comes after them, as readers see it (stm/load.ts hides versions of the wiping transaction).
    if (load<u32>(<usize>load<u32>(s + L.S_ACCT) + L.A_WIPE) == i + 1) continue;
    const loc = <usize>load<u32>(s + L.S_MV_LOC); // noted by stm_load_slot
    const v = mv_write(loc, i, inc, s + L.S_VALUE, 32);
    if (v == 0) return false;
    store<u32>(writes + 8 + (<usize>nw << 3), <u32>loc);
    store<u32>(writes + 12 + (<usize>nw << 3), <u32>v);
    nw++;
  }
  store<u32>(writes, nw);
  sort_pairs(writes + 8, nw);
  // Compare with the previous incarnation's write set (both sorted).
  let wroteNew = feeChanged;
  const old = <usize>atomic.load<u32>(t + H.T_WRITES);
  const no: u32 = old == 0 ? 0 : load<u32>(old);
  let a: u32 = 0, b: u32 = 0;
  while (a < nw || b < no) {
    const x = a < nw ? load<u32>(writes + 8 + (<usize>a << 3)) : 0xffffffff;
    const y = b < no ? load<u32>(old + 8 + (<usize>b << 3)) : 0xffffffff;
    if (x == y) { a++; b++; }
    else if (x < y) { wroteNew = true; a++; }
    else { mv_remove(<usize>y, i); b++; }
  }
  atomic.store<u32>(t + H.T_WRITES, <u32>writes);
  return wroteNew;
}

/** Counts an abort or wait of a transaction to i's recipient (T_TO_CONFLICTS). */
function count_recipient_conflict(i: u32): void {
  const first = load<u32>(txr(i) + H.T_TO_FIRST);
  if (first != H.NO_TX) atomic.add<u32>(txr(first) + H.T_TO_CONFLICTS, 1);
}

/**
 * A first incarnation waits, while it has not finished, for the transaction before it from the
 * same sender, or for the one before it with the same recipient when at least one in HOT_SHARE of
 * the transactions to that recipient before it has conflicted: on mainnet blocks, swaps through
 * one router mostly depend on the one before (a first incarnation beside it read stale reserves
 * and ran again, often the block's costliest work). Transfers of one token between distinct
 * holders, or swaps through one router over many pools, rarely conflict and do not wait.
 */
const HOT_SHARE: u32 = 16;

/** Parks i behind `prev` while that one has not finished (checked first without its lock). */
function hold_behind(i: u32, prev: u32): bool {
  return (atomic.load<u32>(txr(prev) + H.T_STATUS) & 3) != H.TS_EXECUTED && add_dependency(i, prev, false);
}

function hinted_wait(i: u32): bool {
  const t = txr(i);
  // The sender's transaction before this one sets the nonce this one must see: running beside it
  // always runs again (runs of consecutive ones are claimed whole by one thread, in order).
  const prevFrom = load<u32>(t + H.T_PREV_FROM);
  if (prevFrom != H.NO_TX && hold_behind(i, prevFrom)) return true;
  const prev = load<u32>(t + H.T_PREV_TO);
  if (prev == H.NO_TX) return false;
  const conflicts = atomic.load<u32>(txr(load<u32>(t + H.T_TO_FIRST)) + H.T_TO_CONFLICTS);
  return conflicts != 0 && conflicts * HOT_SHARE >= load<u32>(t + H.T_TO_RANK) && hold_behind(i, prev);
}

function execute(i: u32, inc: u32): void {
  const h = stm_header();
  if (inc == 0 && hinted_wait(i)) {
    atomic.add<u32>(h + H.H_HELD, 1);
    serialize_if_conflicted();
    next_none();
    return;
  }
  while (true) {
    prepare(i);
    tx_execute();
    store<u32>(G.g_ctx + L.CTX_STM_EXECUTIONS, load<u32>(G.g_ctx + L.CTX_STM_EXECUTIONS) + 1);
    const status = load<u32>(G.g_ctx + L.CTX_STATUS);
    if (status == L.STATUS_FATAL) {
      const fatal = load<u32>(G.g_ctx + L.CTX_FATAL);
      if (fatal == L.FATAL_DEPENDENCY) {
        count_recipient_conflict(i);
        if (add_dependency(i, load<u32>(G.g_ctx + L.CTX_BLOCKING))) { serialize_if_conflicted(); next_none(); return; }
        continue; // the blocking transaction finished meanwhile
      }
      atomic.cmpxchg<u32>(h + H.H_ERROR, 0, fatal);
      next_none();
      return;
    }
    const wroteNew = publish(i, inc, status);
    if (atomic.load<u32>(h + H.H_ERROR) != 0) { next_none(); return; }
    finish_execution(i, inc, wroteNew);
    if (g_chained) {
      atomic.add<u32>(h + H.H_CHAINED, 1);
      serialize_if_conflicted();
    }
    return;
  }
}

let g_none: bool = false;
@inline function next_none(): void { g_none = true; }

/** Whether transaction i's recorded reads still hold. */
function validate(i: u32): bool {
  const t = txr(i);
  const reads = <usize>atomic.load<u32>(t + H.T_READS);
  if (reads == 0) return false;
  const n = load<u32>(reads);
  for (let k: u32 = 0; k < n; k++) {
    const r = reads + 4 + <usize>k * H.R_SIZE;
    const loc = <usize>load<u32>(r + H.R_LOC);
    const kind = load<u32>(r + H.R_KIND);
    const found = mv_read(loc, i, 0, 0);
    if (found && g_vr_estimate) return false;
    if (g_vr_tx != load<u32>(r + H.R_TX) || (found && g_vr_inc != load<u32>(r + H.R_INC))) {
      // A lazily credited recipient: only its code was read, and another version without code
      // leaves the credit as it was.
      if (kind != H.R_LAZY || !found) return false;
      const code = G.g_scratch + 960;
      if (!mv_read(loc, i, code - H.VR_A_CODE + H.VR_A_FLAGS, H.VR_A_CODE + 4 - H.VR_A_FLAGS) || g_vr_estimate || load<u32>(code) != 0) return false;
    }
    if (kind == H.R_LAZY) continue;
    if (kind == H.R_CREDITED || atomic.load<u32>(loc + H.V_DELTAS) != 0) {
      // Credits since that version: the same sum as when read (none, but for R_CREDITED).
      const credited = G.g_scratch + 992;
      if (mv_sum_deltas(loc, g_vr_tx, i, credited) != H.BASE_TX) return false;
      if (kind == H.R_CREDITED) {
        if (!eq32(credited, r + H.R_SIZE)) return false;
        k += 2;
      } else if (!u256_is_zero(credited)) {
        return false;
      }
    }
    if (kind == H.R_COINBASE) {
      const fees = G.g_scratch + 960;
      const rtx = load<u32>(r + H.R_TX);
      if (coinbase_fees(rtx == H.BASE_TX ? 0 : rtx, i, fees) != H.BASE_TX) return false;
      if (!eq32(fees, t + H.T_CB_FEES)) return false;
    }
  }
  return true;
}

function needs_reexecution(i: u32, inc: u32): void {
  store<u32>(G.g_ctx + L.CTX_STM_VALIDATIONS, load<u32>(G.g_ctx + L.CTX_STM_VALIDATIONS) + 1);
  const valid = validate(i);
  const aborted = !valid && try_validation_abort(i, inc);
  if (aborted) {
    atomic.add<u32>(stm_header() + H.H_ABORTS, 1);
    count_recipient_conflict(i);
    serialize_if_conflicted();
    const w = <usize>atomic.load<u32>(txr(i) + H.T_WRITES);
    if (w != 0) {
      const n = load<u32>(w);
      for (let k: u32 = 0; k < n; k++) mv_mark_estimate(<usize>load<u32>(w + 8 + (<usize>k << 3)), i);
    }
  }
  finish_validation(i, aborted);
}

/**
 * Zeroes a fresh context's local tables: done by the thread that owns the context, so the
 * coordinator does not zero every worker's megabytes before the block can start.
 */
function zero_local_tables(): void {
  const ctx = G.g_ctx;
  if (load<u32>(ctx + L.CTX_ZERO_TABLES) == 0) return;
  memory.fill(<usize>load<u32>(ctx + L.CTX_ACCT_TABLE), 0, <usize>load<u32>(ctx + L.CTX_ACCT_CAP) * L.ACCT_SIZE);
  memory.fill(<usize>load<u32>(ctx + L.CTX_STOR_TABLE), 0, <usize>load<u32>(ctx + L.CTX_STOR_CAP) * L.STOR_SIZE);
  memory.fill(<usize>load<u32>(ctx + L.CTX_TSTOR_TABLE), 0, <usize>load<u32>(ctx + L.CTX_TSTOR_CAP) * L.STOR_SIZE);
  store<u32>(ctx + L.CTX_ZERO_TABLES, 0);
}

/** The run's help slot, where there is another thread to help (0: none). */
function help_slot(h: usize): usize {
  return load<u32>(h + H.H_CONTEXT_COUNT) >= 2 ? <usize>load<u32>(h + H.H_HELP) : 0;
}

/**
 * A posted worker's job: scheduler tasks until the block is done, then its share of the commit.
 * The coordinator runs stm_run instead, reads the receipts while the workers start the commit,
 * then takes its share (src/parallel/execute.ts).
 */
export function stm_worker(): void {
  stm_run();
  stm_commit_share();
}

/** Runs scheduler tasks until the block is done (or an error stops it). */
export function stm_run(): void {
  zero_local_tables();
  keccak_memo_clear(); // here rather than by the host, so its lines start in this core's cache
  scheduler_reset();
  let kind: u32 = 0, tx: u32 = 0, inc: u32 = 0;
  let idle: u32 = 0;
  let naps: u32 = 0;
  const h = stm_header();
  const help = help_slot(h);
  if (help != 0) host_help_desk(help);
  while (!is_done()) {
    // Between tasks: part of another thread's long precompile, if one is posted.
    if (kind == 0 && help != 0 && atomic.load<u32>(help + H.HS_STATE) == H.HELP_POSTED) {
      host_help_run(help);
      idle = 0;
    }
    if (kind == 0 && idle > 64) {
      // Nothing to do for a while: sleep briefly (workers may wait) instead of polling the
      // shared counters, which slows the workers that have work. On remote state, where there
      // can be many more workers than cores and waits last a round trip, the naps lengthen.
      const ns: i64 = G.g_remote ? <i64>20_000 << <i64>(naps < 5 ? naps : 5) : 20_000;
      atomic.wait<i32>(h + H.H_DONE, 0, ns);
      naps++;
      idle = 0;
    }
    if (kind == TASK_EXECUTE) {
      g_none = false;
      execute(tx, inc);
      if (g_none) { kind = 0; } else { kind = g_task_kind; tx = g_task_tx; inc = g_task_inc; }
    } else if (kind == TASK_VALIDATE) {
      needs_reexecution(tx, inc);
      kind = g_task_kind; tx = g_task_tx; inc = g_task_inc;
    }
    if (kind == 0) {
      next_task();
      kind = g_task_kind; tx = g_task_tx; inc = g_task_inc;
      idle = kind == 0 ? idle + 1 : 0;
      if (kind != 0) naps = 0;
    }
  }
  if (help != 0) host_help_desk(0);
}
