// A doorbell in shared memory that starts a parked worker's next job without a message: a
// posted message reaches a worker only after its event loop wakes up (0.3-0.7 ms on the 2-core
// benchmark machine, against 1.4-10 ms of work in a 2,000-transaction block). Between jobs the
// worker blocks in Atomics.wait on its state word, so it cannot take messages: the pool counts
// the messages it posts (PENDING) and asks a parked worker to leave (LEAVE) before each one.
//
// Per worker, STRIDE Int32 words (one cache line):
//   STATE    FREE (in its event loop), PARKED (waiting on the bell), RING (a job is posted),
//            TAKEN (the worker runs it; until then the pool may withdraw it: WITHDRAWN), LEAVE
//   PENDING  messages posted to the worker that it has not taken yet
//   CTX, JOB the posted job (a context address, or a block's header for JOB_PLAN; JOB_STM,
//            JOB_SEQ, JOB_ROOT, JOB_PART or JOB_PLAN)
//   WAKE     bumped by wake(): a parked worker spins for spinMs instead of sleeping, so the job
//            that follows finds it running (only where the workers have cores of their own)
//   DONE     jobs the worker finished from its bell, bumped after each (FAILED: whether the last
//            one threw): a coordinator that may block joins on it instead of awaiting the reply
//            message, which its event loop delivers 0.05-0.1 ms later

import type { JobKind } from "../parallel/pool.js";

const FREE = 0, PARKED = 1, RING = 2, LEAVE = 3, TAKEN = 4, WITHDRAWN = 5;
export const JOB_STM = 0, JOB_SEQ = 1, JOB_ROOT = 2, JOB_PART = 3, JOB_PLAN = 4;

/** A job's name in a run request (absent: Block-STM) as its code. */
export function jobCode(job: JobKind | undefined): number {
  return job === "seq" ? JOB_SEQ : job === "root" ? JOB_ROOT : job === "part" ? JOB_PART : job === "plan" ? JOB_PLAN : JOB_STM;
}
const STATE = 0, PENDING = 1, CTX = 2, JOB = 3, WAKE = 4, DONE = 5, FAILED = 6;
const STRIDE = 16;

/** What a worker needs to park on its bell (sent with its "init" message). */
export interface BellWiring {
  buffer: SharedArrayBuffer;
  index: number;
  /** How long a woken worker spins for a job before it sleeps again (0: never spins). */
  spinMs: number;
}

/** The pool's side: one bell per worker. */
export class Doorbell {
  readonly buffer: SharedArrayBuffer;
  private readonly i32: Int32Array;
  /** Jobs rung to each worker so far: its DONE word reaches this once it has finished them all. */
  private readonly rung: number[];

  constructor(readonly workers: number, readonly spinMs: number) {
    this.buffer = new SharedArrayBuffer(Math.max(1, workers) * STRIDE * 4);
    this.i32 = new Int32Array(this.buffer);
    this.rung = new Array<number>(Math.max(1, workers)).fill(0);
  }

  wiring(index: number): BellWiring {
    return { buffer: this.buffer, index, spinMs: this.spinMs };
  }

  /** Starts `job` on worker `w` if it is parked; false when it is not (post a message instead). */
  ring(w: number, ctx: number, job: number): boolean {
    const b = w * STRIDE;
    Atomics.store(this.i32, b + CTX, ctx);
    Atomics.store(this.i32, b + JOB, job);
    if (Atomics.compareExchange(this.i32, b + STATE, PARKED, RING) !== PARKED) return false;
    this.rung[w] = (this.rung[w]! + 1) | 0;
    Atomics.notify(this.i32, b + STATE);
    return true;
  }

  /**
   * Takes back the job rung to worker `w` if the worker has not taken it yet (its thread may not
   * even be scheduled on a busy host); true when withdrawn: the job will not run, and no reply or
   * done count comes for it. The worker, once it runs, stops spinning for it and parks again (a
   * ring meanwhile finds it off its bell and goes by message).
   */
  withdraw(w: number): boolean {
    if (Atomics.compareExchange(this.i32, w * STRIDE + STATE, RING, WITHDRAWN) !== RING) return false;
    this.rung[w] = (this.rung[w]! - 1) | 0;
    Atomics.notify(this.i32, w * STRIDE + STATE); // one that sleeps through its ring sees the change
    return true;
  }

  /** Call before posting worker `w` a message: it leaves its bell to take it. */
  beforeMessage(w: number): void {
    const b = w * STRIDE;
    Atomics.add(this.i32, b + PENDING, 1);
    if (Atomics.compareExchange(this.i32, b + STATE, PARKED, LEAVE) === PARKED) Atomics.notify(this.i32, b + STATE);
    else if (Atomics.compareExchange(this.i32, b + STATE, WITHDRAWN, LEAVE) === WITHDRAWN) Atomics.notify(this.i32, b + STATE);
  }

  /**
   * Blocks (Atomics.wait: not on a browser's main thread) until worker `w` has finished every job
   * rung to it; true when the last one returned, false when it threw or `timeoutMs` passed (the
   * reply message then tells what happened). Counted against the rings, not against a done count
   * read before ringing: a worker posts its reply before it bumps DONE, so a coordinator that went
   * on after a reply could read the count before that bump and take the bump for the next job.
   */
  joinRung(w: number, timeoutMs: number): boolean {
    const at = w * STRIDE + DONE;
    const target = this.rung[w]!;
    const until = performance.now() + timeoutMs;
    for (let done = Atomics.load(this.i32, at), now = performance.now(); ((target - done) | 0) > 0;
      done = Atomics.load(this.i32, at), now = performance.now()) {
      if (now >= until) return false;
      Atomics.wait(this.i32, at, done, until - now);
    }
    return Atomics.load(this.i32, w * STRIDE + FAILED) === 0;
  }

  /** A job is coming soon: parked workers spin for it (when spinMs > 0). */
  wake(w: number): void {
    if (this.spinMs <= 0) return;
    Atomics.add(this.i32, w * STRIDE + WAKE, 1);
    Atomics.notify(this.i32, w * STRIDE + STATE);
  }
}

/** The worker's side: call once per message taken (after "init"). */
export function tookMessage(bell: BellWiring): void {
  Atomics.sub(new Int32Array(bell.buffer), bell.index * STRIDE + PENDING, 1);
}

/**
 * Parks the worker on its bell and runs the jobs rung there, until a message is pending; then
 * returns (to the event loop, which delivers it).
 */
export function park(bell: BellWiring, run: (ctx: number, job: number) => boolean): void {
  const i32 = new Int32Array(bell.buffer);
  const b = bell.index * STRIDE;
  let spinAgain = 0; // when set: spin until then on parking again
  for (;;) {
    if (Atomics.load(i32, b + PENDING) > 0) return;
    if (Atomics.compareExchange(i32, b + STATE, FREE, PARKED) !== FREE) {
      Atomics.store(i32, b + STATE, FREE); // a LEAVE for a message: taken above or on the next turn
      continue;
    }
    // A message posted between the check above and parking: its LEAVE may have missed us.
    if (Atomics.load(i32, b + PENDING) > 0 && Atomics.compareExchange(i32, b + STATE, PARKED, FREE) === PARKED) return;
    let wakes = Atomics.load(i32, b + WAKE);
    let spinUntil = spinAgain;
    spinAgain = 0;
    for (;;) {
      const s = Atomics.load(i32, b + STATE);
      if (s === RING) {
        if (Atomics.compareExchange(i32, b + STATE, RING, TAKEN) !== RING) continue; // just withdrawn
        const job = Atomics.load(i32, b + JOB);
        // A plan is followed at once by the run it plans: a worker that was spinning for it spins on.
        if (job === JOB_PLAN && spinUntil !== 0) spinAgain = 1;
        const ok = run(Atomics.load(i32, b + CTX), job);
        if (spinAgain !== 0) spinAgain = performance.now() + bell.spinMs;
        Atomics.store(i32, b + STATE, FREE);
        Atomics.store(i32, b + FAILED, ok ? 0 : 1);
        Atomics.add(i32, b + DONE, 1);
        Atomics.notify(i32, b + DONE);
        break;
      }
      if (s === LEAVE || s === WITHDRAWN) { Atomics.store(i32, b + STATE, FREE); break; } // WITHDRAWN: no more spinning
      const w = Atomics.load(i32, b + WAKE);
      if (w !== wakes) { wakes = w; spinUntil = performance.now() + bell.spinMs; }
      if (spinUntil !== 0 && performance.now() < spinUntil) continue;
      spinUntil = 0;
      Atomics.wait(i32, b + STATE, PARKED); // until a ring, a leave or a wake
    }
  }
}
