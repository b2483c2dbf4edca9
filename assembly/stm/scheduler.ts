// The Block-STM collaborative scheduler (Gelashvili et al., Algorithms 4 and 5): shared execution
// and validation indices, per-transaction status with incarnation numbers, dependency lists, and
// the count of active tasks (kept per thread).
import * as H from "./layout";
import * as L from "../layout";
import { g_ctx } from "../globals";
import { lock, unlock, stm_header, arena_alloc, txr } from "./sync";

export const TASK_NONE: u32 = 0;
export const TASK_EXECUTE: u32 = 1;
export const TASK_VALIDATE: u32 = 2;

// The task returned to the worker (per worker).
export let g_task_kind: u32 = TASK_NONE;
export let g_task_tx: u32 = 0;
export let g_task_inc: u32 = 0;

@inline function set_task(kind: u32, tx: u32, inc: u32): void {
  g_task_kind = kind; g_task_tx = tx; g_task_inc = inc;
}

function atomic_min(p: usize, v: u32): void {
  let cur = atomic.load<u32>(p);
  while (v < cur) {
    const seen = atomic.cmpxchg<u32>(p, cur, v);
    if (seen == cur) return;
    cur = seen;
  }
}

function atomic_max(p: usize, v: u32): void {
  let cur = atomic.load<u32>(p);
  while (v > cur) {
    const seen = atomic.cmpxchg<u32>(p, cur, v);
    if (seen == cur) return;
    cur = seen;
  }
}

function decrease_execution_idx(target: u32): void {
  const h = stm_header();
  atomic_min(h + H.H_EXEC_IDX, target);
  atomic.add<u32>(h + H.H_DECREASE_CNT, 1);
}

function decrease_validation_idx(target: u32): void {
  const h = stm_header();
  atomic_min(h + H.H_VALID_IDX, target);
  atomic.add<u32>(h + H.H_DECREASE_CNT, 1);
}

/** Transactions this run executes: H_N, or a prefix once serialize_if_conflicted lowered it. */
@inline function limit(): u32 {
  return atomic.load<u32>(stm_header() + H.H_LIMIT);
}

/**
 * Block-STM's count of active tasks, kept per thread: only the owner changes its share (no other
 * thread writes the line), and check_done adds the shares up.
 */
@inline function active_add(k: u32): void {
  const p = g_ctx + L.CTX_STM_ACTIVE;
  atomic.store<u32>(p, load<u32>(p) + k);
}

@inline function active_sub(k: u32): void {
  const p = g_ctx + L.CTX_STM_ACTIVE;
  atomic.store<u32>(p, load<u32>(p) - k);
}

function no_active_tasks(h: usize): bool {
  const ctxs = <usize>load<u32>(h + H.H_CONTEXTS);
  const count = load<u32>(h + H.H_CONTEXT_COUNT);
  for (let k: u32 = 0; k < count; k++) {
    if (atomic.load<u32>(<usize>load<u32>(ctxs + (<usize>k << 2)) + L.CTX_STM_ACTIVE) != 0) return false;
  }
  return true;
}

function check_done(): void {
  const h = stm_header();
  const n = limit();
  const observed = atomic.load<u32>(h + H.H_DECREASE_CNT);
  const e = atomic.load<u32>(h + H.H_EXEC_IDX), v = atomic.load<u32>(h + H.H_VALID_IDX);
  // A share read as 0 cannot have a task from before the indices were read (it would count it),
  // and taking a new one needs an index below n again, which bumps H_DECREASE_CNT.
  if ((e < v ? e : v) >= n && no_active_tasks(h) && observed == atomic.load<u32>(h + H.H_DECREASE_CNT)) {
    atomic.store<u32>(h + H.H_DONE, 1);
    atomic.notify(h + H.H_DONE, -1); // napping workers leave now, not when their nap times out
  }
}

export function is_done(): bool {
  const h = stm_header();
  return atomic.load<u32>(h + H.H_DONE) != 0 || atomic.load<u32>(h + H.H_ERROR) != 0;
}

/** READY -> EXECUTING; sets the task or returns false. */
function try_incarnate(i: u32): bool {
  if (i < limit()) {
    const t = txr(i);
    lock(t + H.T_LOCK);
    const s = load<u32>(t + H.T_STATUS);
    if ((s & 3) == H.TS_READY) {
      atomic.store<u32>(t + H.T_STATUS, (s & ~3) | H.TS_EXECUTING);
      unlock(t + H.T_LOCK);
      set_task(TASK_EXECUTE, i, s >> 2);
      return true;
    }
    unlock(t + H.T_LOCK);
  }
  active_sub(1);
  return false;
}

/**
 * Execution indices are claimed EXEC_BATCH at a time (one update of the shared index and of the
 * active count instead of one each per transaction: on small transactions those cross-core
 * updates cost as much as executing), and a claim reaching into a run of one sender's
 * transactions extends to the run's end (T_RUN_END): their nonces chain, so one thread runs them
 * in order instead of two threads waiting on each other (mainnet blocks open with a pool's 30-40
 * payouts). The thread keeps the claimed indices in a queue of its own and incarnates them in
 * order; each holds one active count until then, so completion is never detected early, and an
 * index handed out again after decrease_execution_idx is incarnated by only one thread
 * (try_incarnate). Consecutive transactions on one thread also see each other's writes.
 */
const EXEC_BATCH: u32 = 4;
let g_queue_next: u32 = 0;
let g_queue_end: u32 = 0;

// Whether this thread still starts transactions from the early list (H_EARLY): every thread but
// the first context's, which begins the block in order.
let g_early: bool = false;

/** Forgets claimed indices (a new run of stm_worker; they belonged to a finished block). */
export function scheduler_reset(): void {
  g_queue_next = 0;
  g_queue_end = 0;
  const h = stm_header();
  g_early = load<u32>(h + H.H_EARLY_COUNT) != 0 && <usize>load<u32>(<usize>load<u32>(h + H.H_CONTEXTS)) != g_ctx;
}

/**
 * Incarnates the next transaction of the early list that the in-order claims have not reached.
 * It runs speculatively like any other: validated when the validation index comes to it, run
 * again if a lower transaction wrote what it read; the in-order claim that reaches it later finds
 * it started (try_incarnate) and passes on.
 */
function next_early(): bool {
  const h = stm_header();
  const count = load<u32>(h + H.H_EARLY_COUNT);
  while (true) {
    const k = atomic.load<u32>(h + H.H_EARLY_NEXT);
    if (k >= count) { g_early = false; return false; }
    if (atomic.cmpxchg<u32>(h + H.H_EARLY_NEXT, k, k + 1) != k) continue;
    const i = load<u32>(<usize>load<u32>(h + H.H_EARLY) + (<usize>k << 2));
    if (i < atomic.load<u32>(h + H.H_CLAIM_TOP)) continue; // claimed in order already
    active_add(1);
    if (try_incarnate(i)) { atomic.add<u32>(h + H.H_EARLY_RUN, 1); return true; } // (it gave the count back otherwise)
  }
}

/** The end of a claim from index i: EXEC_BATCH transactions, then to the end of the last one's run. */
@inline function claim_end(i: u32, n: u32): u32 {
  const last = i + EXEC_BATCH - 1;
  const runEnd = load<u32>(txr(last < n ? last : n - 1) + H.T_RUN_END);
  return runEnd > i + EXEC_BATCH ? runEnd : i + EXEC_BATCH;
}

function next_version_to_execute(): bool {
  if (g_queue_next < g_queue_end) {
    if (g_queue_next < limit()) return try_incarnate(g_queue_next++);
    // The limit fell below the rest of the claim: give it back at once, not one index per call
    // (a claim that reached into a pool's run of payouts held hundreds, and each empty call
    // counted towards a nap: 1-2 ms of idling on mainnet block 12520364).
    active_sub(g_queue_end - g_queue_next);
    g_queue_next = g_queue_end;
  }
  const h = stm_header();
  const n = load<u32>(h + H.H_N);
  let i = atomic.load<u32>(h + H.H_EXEC_IDX), end: u32 = 0;
  while (true) {
    const top = limit();
    if (i >= top) { check_done(); return false; }
    end = claim_end(i, n);
    if (end > top) end = top; // the transactions from the limit on run in order after the commit
    // Counted active before the index moves past the claim, so check_done never sees it done early.
    active_add(end - i);
    const seen = atomic.cmpxchg<u32>(h + H.H_EXEC_IDX, i, end);
    if (seen == i) break;
    active_sub(end - i);
    i = seen;
  }
  atomic_max(h + H.H_CLAIM_TOP, end);
  g_queue_next = i + 1;
  g_queue_end = end;
  return try_incarnate(i);
}

function next_version_to_validate(): bool {
  const h = stm_header();
  const n = limit();
  if (atomic.load<u32>(h + H.H_VALID_IDX) >= n) { check_done(); return false; }
  active_add(1);
  const i = atomic.add<u32>(h + H.H_VALID_IDX, 1);
  if (i < n) {
    const s = atomic.load<u32>(txr(i) + H.T_STATUS);
    if ((s & 3) == H.TS_EXECUTED) { set_task(TASK_VALIDATE, i, s >> 2); return true; }
  }
  active_sub(1);
  return false;
}

/**
 * Lowers the limit to the first transaction not yet started once speculation mostly repeats work
 * or runs a dependency chain: the transactions already started still finish on Block-STM (validated, or
 * re-executed), then the coordinator commits that prefix and runs the rest in order, at
 * sequential speed. Block-STM stays exact on any prefix, since a transaction only reads versions
 * of lower ones. (Stopping at the validation index instead threw away work: on one mainnet block
 * it lagged at transaction 3 while 80 had executed.) Two tests, each over the
 * whole run or over the current window of SERIAL_WINDOW executions (a block can turn serial late,
 * or a worker can start late and leave the first part conflict-free):
 * - at least SERIAL_MIN_CONFLICTS aborts and dependency waits, more than one for every
 *   SERIAL_RATIO executions;
 * - at least SERIAL_MIN_CHAINED of those plus chained executions (which read a value of the
 *   transaction just before: on a chain they are every execution, even when one thread runs
 *   alone and nothing aborts) and first executions held back for the transaction before them
 *   from their sender or to their recipient, more than two for every three executions. (On
 *   mainnet blocks, runs of same-sender transactions early in a block made a lower minimum stop
 *   too soon.)
 */
const SERIAL_MIN_CONFLICTS: u32 = 16;
const SERIAL_RATIO: u32 = 3;
const SERIAL_MIN_CHAINED: u32 = 32;
const SERIAL_WINDOW: u32 = 512;

@inline function conflicted(conflicts: u32, chained: u32, executions: u32): bool {
  if (conflicts >= SERIAL_MIN_CONFLICTS && conflicts * SERIAL_RATIO > executions) return true;
  const events = conflicts + chained;
  return events >= SERIAL_MIN_CHAINED && events * 3 > executions * 2;
}

export function serialize_if_conflicted(): void {
  const h = stm_header();
  if (load<u32>(h + H.H_ADAPTIVE) == 0) return;
  const conflicts = atomic.load<u32>(h + H.H_ABORTS) + atomic.load<u32>(h + H.H_WAITS);
  // Transactions held back for the one before them (same sender or recipient) chain through it too.
  const chained = atomic.load<u32>(h + H.H_CHAINED) + atomic.load<u32>(h + H.H_HELD);
  // Executions, counted without a shared counter: first incarnations started, plus one re-run per
  // conflict (an abort or a wait each cost one).
  const n = load<u32>(h + H.H_N), started = atomic.load<u32>(h + H.H_EXEC_IDX);
  const executions = (started < n ? started : n) + conflicts;
  // The window's marks are a heuristic's: racing workers may move them twice, harmlessly.
  let markExec = atomic.load<u32>(h + H.H_MARK_EXEC), markConflicts = atomic.load<u32>(h + H.H_MARK_CONFLICTS);
  let markChained = atomic.load<u32>(h + H.H_MARK_CHAINED);
  if (executions - markExec >= SERIAL_WINDOW) {
    atomic.store<u32>(h + H.H_MARK_EXEC, markExec = executions);
    atomic.store<u32>(h + H.H_MARK_CONFLICTS, markConflicts = conflicts);
    atomic.store<u32>(h + H.H_MARK_CHAINED, markChained = chained);
  }
  if (!conflicted(conflicts, chained, executions) && !conflicted(conflicts - markConflicts, chained - markChained, executions - markExec)) return;
  // Hand over at the first transaction no thread has claimed, not at the execution index: a
  // re-execution may have lowered the index, and handing over there would throw away every later
  // execution (mainnet block 18988207: 155 transactions run again in order after all had
  // executed; 13217637: 80 after 4). Claimed transactions below it that have not run yet (given
  // back after a dependency wait) run on Block-STM when the index comes back to them. A thread may
  // still incarnate a transaction at or above it (it checked the limit before it fell): harmless,
  // since neither validation nor the commit reads there.
  const top = atomic.load<u32>(h + H.H_CLAIM_TOP);
  atomic_min(h + H.H_LIMIT, top < n ? top : n);
}

/** Picks the next task (validation first when it lags behind execution). */
export function next_task(): void {
  const h = stm_header();
  set_task(TASK_NONE, 0, 0);
  if (g_queue_next < g_queue_end) {
    next_version_to_execute(); // claimed indices first
  } else if (g_early && next_early()) {
    return;
  } else if (atomic.load<u32>(h + H.H_VALID_IDX) < atomic.load<u32>(h + H.H_EXEC_IDX)) {
    next_version_to_validate();
  } else {
    next_version_to_execute();
  }
}

/**
 * Transaction i read an ESTIMATE (or an unknown fee) of `blocking`, or is held back for it
 * (hinted_wait in worker.ts, not `counted` as a conflict): park it until `blocking` finishes.
 * Returns false when `blocking` already finished (execute at once).
 */
export function add_dependency(i: u32, blocking: u32, counted: bool = true): bool {
  const b = txr(blocking);
  lock(b + H.T_LOCK);
  if ((load<u32>(b + H.T_STATUS) & 3) == H.TS_EXECUTED) { unlock(b + H.T_LOCK); return false; }
  const node = arena_alloc(8);
  if (node == 0) { unlock(b + H.T_LOCK); return false; }
  const t = txr(i);
  lock(t + H.T_LOCK);
  atomic.store<u32>(t + H.T_STATUS, (load<u32>(t + H.T_STATUS) & ~3) | H.TS_ABORTING);
  unlock(t + H.T_LOCK);
  store<u32>(node, load<u32>(b + H.T_DEPS));
  store<u32>(node + 4, i);
  store<u32>(b + H.T_DEPS, <u32>node);
  unlock(b + H.T_LOCK);
  if (counted) atomic.add<u32>(stm_header() + H.H_WAITS, 1);
  // The rest of this thread's claim goes back too: in a run of one sender each would wait on the
  // one before (a pool paying out from the coinbase waits for the fees before the run). The
  // execution index comes back to i when `blocking` finishes, and the claim is made again.
  active_sub(1 + g_queue_end - g_queue_next);
  g_queue_next = g_queue_end;
  return true;
}

/** ABORTING(inc) -> READY(inc + 1) */
function set_ready_status(i: u32): void {
  const t = txr(i);
  lock(t + H.T_LOCK);
  const s = load<u32>(t + H.T_STATUS);
  atomic.store<u32>(t + H.T_STATUS, (((s >> 2) + 1) << 2) | H.TS_READY);
  unlock(t + H.T_LOCK);
}

export function finish_execution(i: u32, inc: u32, wroteNewLocation: bool): void {
  const t = txr(i);
  lock(t + H.T_LOCK);
  atomic.store<u32>(t + H.T_STATUS, (inc << 2) | H.TS_EXECUTED);
  let dep = <usize>load<u32>(t + H.T_DEPS);
  store<u32>(t + H.T_DEPS, 0);
  unlock(t + H.T_LOCK);
  let minDep: u32 = 0xffffffff;
  while (dep != 0) {
    const d = load<u32>(dep + 4);
    set_ready_status(d);
    if (d < minDep) minDep = d;
    dep = <usize>load<u32>(dep);
  }
  if (minDep != 0xffffffff) decrease_execution_idx(minDep);
  const h = stm_header();
  set_task(TASK_NONE, 0, 0);
  if (atomic.load<u32>(h + H.H_VALID_IDX) > i) {
    if (wroteNewLocation) decrease_validation_idx(i);
    else { set_task(TASK_VALIDATE, i, inc); return; }
  }
  active_sub(1);
}

/** EXECUTED(inc) -> ABORTING(inc), once per incarnation. */
export function try_validation_abort(i: u32, inc: u32): bool {
  const t = txr(i);
  lock(t + H.T_LOCK);
  const ok = load<u32>(t + H.T_STATUS) == ((inc << 2) | H.TS_EXECUTED);
  if (ok) atomic.store<u32>(t + H.T_STATUS, (inc << 2) | H.TS_ABORTING);
  unlock(t + H.T_LOCK);
  return ok;
}

export function finish_validation(i: u32, aborted: bool): void {
  const h = stm_header();
  set_task(TASK_NONE, 0, 0);
  if (aborted) {
    set_ready_status(i);
    decrease_validation_idx(i + 1);
    if (atomic.load<u32>(h + H.H_EXEC_IDX) > i) {
      if (try_incarnate(i)) return; // try_incarnate released the active count on failure
      return;
    }
  }
  active_sub(1);
}
