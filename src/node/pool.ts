// Node adapter: Block-STM workers on worker_threads.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { Doorbell, jobCode } from "../worker/doorbell.js";
import { chunks, settleRun, threadCount, FetchRoutes, PoolLifetime, type FromWorker, type RunOptions, type ToWorker, type WorkerPool } from "../parallel/pool.js";
import { BraidError } from "../encoding/errors.js";
import type { RecoveryJob } from "../tx/sign.js";

/** How long a woken worker spins for its job (the coordinator stages a block meanwhile). */
const SPIN_MS = 20;
/** How long join() blocks for a worker before it leaves the answer to the reply message. */
const JOIN_TIMEOUT_MS = 1000;

export class NodeWorkerPool implements WorkerPool {
  private workers: Worker[] = [];
  private ready: Promise<void>;
  private isReady = false;
  private readonly fetchRoutes = new FetchRoutes();
  private readonly bell: Doorbell;
  /** The memory's size when each worker last started a job (see run). */
  private readonly sizeSeen: number[] = [];
  /** Per worker: those awaiting its next replies, in order; the error that stopped it. */
  private readonly waiting: Array<Array<{ resolve: (m: FromWorker) => void; reject: (e: Error) => void }>> = [];
  private readonly crashed: Array<Error | undefined> = [];
  /** The workers of the last run when every one was rung (join() can tell when they are done). */
  private lastRun: number[] | null = null;
  readonly coordinatorMayBlock = true;
  private readonly lifetime = new PoolLifetime("NodeWorkerPool");

  constructor(readonly threads: number, module: WebAssembly.Module, readonly memory: WebAssembly.Memory) {
    threadCount(threads, 1); // throws OPTIONS_INVALID unless a whole number of at least 1
    this.bell = new Doorbell(threads, SPIN_MS);
    const starts: Array<Promise<FromWorker>> = [];
    for (let i = 0; i < threads; i++) {
      const w = new Worker(new URL("./stm-worker.js", import.meta.url));
      w.unref();
      this.workers.push(w);
      this.waiting.push([]);
      this.crashed.push(undefined);
      w.on("message", (m: FromWorker) => this.onMessage(i, m));
      w.on("error", (e: Error) => this.onError(i, e));
      // A worker that stops without an error event (terminated, out of memory) fails its waiters
      // instead of leaving them unsettled.
      w.on("exit", (code: number) => { if (!this.crashed[i]) this.onError(i, new BraidError("WORKER_EXITED", `Block-STM worker ${i} exited (code ${code})`)); });
      starts.push(this.next(i));
      w.postMessage({ kind: "init", module, memory, bell: this.bell.wiring(i) } satisfies ToWorker);
    }
    this.ready = Promise.all(starts).then(() => { this.isReady = true; });
    this.ready.catch(() => undefined); // reported by whenReady/run
  }

  private next(i: number): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      if (this.crashed[i]) reject(this.crashed[i]);
      else this.waiting[i]!.push({ resolve, reject });
    });
  }

  private onMessage(i: number, m: FromWorker): void {
    if (m.kind === "fetch") {
      // Thrown here it would end the process (an event handler): fail the worker's run instead.
      if (!this.fetchRoutes.route(m.ctx, m.ticket)) this.onError(i, new Error(`worker ${i} asked for state on context ${m.ctx}, which no remote run serves`));
      return;
    }
    const waiter = this.waiting[i]!.shift();
    if (!waiter) return; // a reply nobody asked for: none is expected
    if (m.kind === "error") waiter.reject(new Error(`Block-STM worker failed: ${m.message}`));
    else waiter.resolve(m);
  }

  private onError(i: number, e: Error): void {
    this.crashed[i] = e;
    for (const waiter of this.waiting[i]!.splice(0)) waiter.reject(e);
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /**
   * Posts the contexts before returning once the workers are ready, so a coordinator that goes on
   * to run a context itself (ParallelExecutor) does not hold the messages back until it is done.
   */
  run(contexts: number[], opts: RunOptions = {}): Promise<number[]> {
    if (this.lifetime.closed) {
      this.lastRun = null; // join() and withdraw() speak of the last run: this one, which did not start
      return Promise.reject(this.lifetime.closedError());
    }
    if (!this.isReady) return this.lifetime.track(this.ready.then(() => this.run(contexts, opts)));
    if (contexts.length > this.workers.length) return Promise.reject(new BraidError("OPTIONS_INVALID", `NodeWorkerPool: ${contexts.length} contexts for ${this.workers.length} workers`));
    // Rung first, listened to after: a reply is delivered by this thread's event loop, later.
    // After the memory grew, a job goes by message: a worker that took a ring at once could
    // enter wasm before its thread has caught up with the new size (seen as an out-of-bounds
    // access in the tests); the message's turn of its event loop lets it catch up first.
    const size = this.memory.buffer.byteLength;
    const rung = contexts.map((ctx, i) => this.sizeSeen[i] === size && this.bell.ring(i, ctx, jobCode(opts.job)));
    contexts.forEach((_, i) => { this.sizeSeen[i] = size; });
    this.lastRun = rung.every(Boolean) ? contexts.map((_, i) => i) : null;
    const done = contexts.map((ctx, i) => {
      const p = this.next(i);
      if (!rung[i]) this.post(i, { kind: "run", ctx, job: opts.job });
      return p;
    });
    const detach = this.fetchRoutes.attach(contexts, opts.onFetch);
    return this.lifetime.track(settleRun(done).finally(detach));
  }

  /**
   * Blocks until every worker of the last run has finished its job, through the doorbells' done
   * counts (the reply messages come later, through this thread's event loop). False when that
   * cannot be told this way (a job went by message, one threw, or a worker took longer than
   * JOIN_TIMEOUT_MS):
   * await run's promise instead.
   */
  join(): boolean {
    const last = this.lastRun;
    if (!last) return false;
    return last.every((worker) => this.bell.joinRung(worker, JOIN_TIMEOUT_MS));
  }

  withdraw(): number[] {
    const last = this.lastRun;
    if (!last) return [];
    const withdrawn = last.filter((worker) => this.bell.withdraw(worker));
    for (const worker of withdrawn) {
      // Its reply will not come: settle the run's wait for it (the last one queued) now.
      this.waiting[worker]!.pop()?.resolve({ kind: "done", result: 0 });
    }
    this.lastRun = last.filter((worker) => !withdrawn.includes(worker));
    return withdrawn;
  }

  recover(jobs: RecoveryJob[]): Promise<Array<Uint8Array | null>> {
    if (this.lifetime.closed) return Promise.reject(this.lifetime.closedError());
    return this.lifetime.track(this.recoverNow(jobs));
  }

  private async recoverNow(jobs: RecoveryJob[]): Promise<Array<Uint8Array | null>> {
    await this.ready;
    const parts = chunks(jobs, this.workers.length);
    const replies = await Promise.all(parts.map((part, i) => {
      const p = this.next(i);
      this.post(i, { kind: "recover", jobs: part });
      return p;
    }));
    return replies.flatMap((m) => (m.kind === "recovered" ? m.addresses : []));
  }

  wake(threads: number): void {
    // Spinning workers only help when they and the coordinator each have a core.
    if (threads + 1 > availableParallelism()) return;
    for (let i = 0; i < Math.min(threads, this.workers.length); i++) this.bell.wake(i);
  }

  /** Posts a protocol message (after init) to worker i, calling it off its doorbell first. */
  private post(i: number, m: ToWorker): void {
    this.bell.beforeMessage(i);
    this.workers[i]!.postMessage(m);
  }

  /** Stops the workers once the jobs in flight are done; later jobs fail with POOL_CLOSED. */
  async close(): Promise<void> {
    if (this.lifetime.closed) return;
    await this.lifetime.close();
    this.lastRun = null; // nothing to join or withdraw: a later block must not take its workers as done
    const closed = this.lifetime.closedError();
    this.workers.forEach((_, i) => this.onError(i, closed)); // (waiters for the start, if any)
    this.workers.forEach((_, i) => this.bell.beforeMessage(i)); // off their bells, then stopped
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
