// Workers that run Block-STM tasks on a shared WebAssembly.Memory. One small interface, with a
// Node adapter (worker_threads, src/node/pool.ts) and a browser adapter (Web Workers,
// src/browser/pool.ts). The coordinator awaits `run`; it never blocks its thread.
import { BraidError } from "../encoding/errors.js";
import type { RecoveryJob } from "../tx/sign.js";
import type { BellWiring } from "../worker/doorbell.js";
export interface WorkerPool {
  readonly threads: number;
  /** The shared memory its workers run on: the Vm's own (an executor checks). */
  readonly memory: WebAssembly.Memory;
  /**
   * Whether the coordinator's own thread may run Block-STM as one of the threads (blocking it
   * until the block is done). Node: yes, which saves waking one worker; browsers: never, their
   * main thread must not block.
   */
  readonly coordinatorMayBlock: boolean;
  /** Resolves once every worker has instantiated the module. */
  whenReady(): Promise<void>;
  /**
   * Each worker binds to its context and runs `stm_worker` until the block is done (or, with
   * job "seq", `seq_run_block`, whose results are returned; with job "root", the receipts root of
   * the block staged there, `receipts_root_staged`; with job "part", its share of a partitioned
   * run, `part_run`; with job "plan", given a block's header in place of a context, that run's
   * plan, `part_plan_staged`). Once whenReady() has resolved, the
   * contexts are posted before run() returns. Workers that miss remote state ask
   * through `onFetch` and wait on their context's fetch flag until it is answered.
   */
  run(contexts: number[], opts?: RunOptions): Promise<number[]>;
  /**
   * Where the coordinator may block: waits until every worker of the last run has finished its job,
   * sooner than run's promise settles (its replies come through the event loop). Optional; false
   * when that cannot be told this way, and the caller awaits run's promise.
   */
  join?(): boolean;
  /**
   * Takes back the jobs of the last run that no worker has started yet, once the coordinator has
   * finished the block on its own thread; returns their indices in the run's context list. Their
   * contexts never run, and run's promise settles without them. Optional.
   */
  withdraw?(): number[];
  /**
   * A run on `threads` workers is about to follow (the coordinator is staging it): workers that
   * have cores of their own may spin for it instead of sleeping. Optional; a hint only.
   */
  wake?(threads: number): void;
  /** Recovers transaction senders on the workers (null where recovery failed). */
  recover(jobs: RecoveryJob[]): Promise<Array<Uint8Array | null>>;
  close(): Promise<void>;
}

/**
 * What a run's workers do: Block-STM (the default), the sequential loop, a receipts root, a
 * partitioned run, or the plan of one (its "context" is then the block's header).
 */
export type JobKind = "stm" | "seq" | "root" | "part" | "plan";

export interface RunOptions {
  job?: JobKind;
  /** A worker's state request: its context and the ticket it waits to see answered. */
  onFetch?: (ctx: number, ticket: number) => void;
}

/**
 * Which handler serves a worker's state request, by the context it runs: each run attaches its
 * own for its contexts and detaches only those. (One handler per pool was cleared by an earlier
 * run settling late, its replies delivered after a later remote run had begun, and that run's
 * requests then found none.)
 */
export class FetchRoutes {
  private readonly routes = new Map<number, (ctx: number, ticket: number) => void>();

  /** Routes the contexts' requests to `handler` (none: nothing to route); returns the detach. */
  attach(contexts: number[], handler: ((ctx: number, ticket: number) => void) | undefined): () => void {
    if (!handler) return () => undefined;
    for (const ctx of contexts) this.routes.set(ctx, handler);
    return () => { for (const ctx of contexts) if (this.routes.get(ctx) === handler) this.routes.delete(ctx); };
  }

  /** Serves a request; false when no run's handler covers its context (a bug: the worker would wait forever). */
  route(ctx: number, ticket: number): boolean {
    const handler = this.routes.get(ctx);
    if (!handler) return false;
    handler(ctx, ticket);
    return true;
  }
}

/**
 * The workers' results once every one has finished. All are awaited before the caller detaches
 * its state handler, so that one failing does not strand others that wait on state; then the
 * first failure is thrown.
 */
export async function settleRun(done: Array<Promise<FromWorker>>): Promise<number[]> {
  const settled = await Promise.allSettled(done);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => {
    const m = (r as PromiseFulfilledResult<FromWorker>).value;
    return m.kind === "done" ? m.result : 0;
  });
}

/** Splits `jobs` into at most `parts` contiguous chunks. */
export function chunks<T>(jobs: T[], parts: number): T[][] {
  const out: T[][] = [];
  const size = Math.ceil(jobs.length / Math.max(1, parts));
  for (let i = 0; i < jobs.length; i += size) out.push(jobs.slice(i, i + size));
  return out;
}

/** Messages between the coordinator and a worker. */
export type ToWorker =
  | { kind: "init"; module: WebAssembly.Module; memory: WebAssembly.Memory; bell?: BellWiring }
  | { kind: "run"; ctx: number; job?: JobKind }
  | { kind: "recover"; jobs: RecoveryJob[] };
export type FromWorker =
  | { kind: "ready" }
  | { kind: "done"; result: number }
  | { kind: "fetch"; ctx: number; ticket: number }
  | { kind: "recovered"; addresses: Array<Uint8Array | null> }
  | { kind: "error"; message: string };

/** `threads` as given (`dflt` when absent): a whole number of at least 1, or a BraidError. */
export function threadCount(threads: unknown, dflt: number): number {
  if (threads === undefined) return dflt;
  if (typeof threads !== "number" || !Number.isInteger(threads) || threads < 1) {
    throw new BraidError("OPTIONS_INVALID", `threads must be a whole number of at least 1, got ${String(threads)}`);
  }
  return threads;
}

/**
 * A pool's jobs in flight, so that closing it waits for them: terminating a worker in the middle
 * of a block would leave that block's promise unsettled and its Vm busy for good. After close,
 * new jobs are refused with POOL_CLOSED.
 */
export class PoolLifetime {
  private inFlight = new Set<Promise<unknown>>();
  closed = false;

  constructor(private readonly name: string) {}

  /** The error of a job refused once closed. */
  closedError(): BraidError {
    return new BraidError("POOL_CLOSED", `${this.name} is closed`);
  }

  track<T>(job: Promise<T>): Promise<T> {
    this.inFlight.add(job);
    job.then(() => this.inFlight.delete(job), () => this.inFlight.delete(job));
    return job;
  }

  /** Refuses new jobs and waits for those in flight (whether they succeed or fail). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }
}
