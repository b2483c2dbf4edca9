// Browser adapter: Block-STM workers on Web Workers (module workers), the counterpart of
// src/node/pool.ts with the same message protocol (src/parallel/pool.ts).
//
// Requirements: the page must be cross-origin isolated (served with
// `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`),
// or the shared WebAssembly.Memory cannot exist or be posted to a worker. The coordinator only
// awaits the workers' messages: nothing here blocks the main thread.
import { chunks, settleRun, threadCount, FetchRoutes, PoolLifetime, type FromWorker, type RunOptions, type ToWorker, type WorkerPool } from "../parallel/pool.js";
import { BraidError } from "../encoding/errors.js";
import type { RecoveryJob } from "../tx/sign.js";
import { documentImportMap, normalizeImportMap, type ImportMap, type ResolvedImportMap } from "./import-map.js";

/** Sent before the protocol's "init": the import map the worker resolves its modules with. */
export interface BootMessage {
  kind: "boot";
  importMap: ResolvedImportMap;
}

export interface BrowserWorkerPoolOptions {
  /** The worker script (default: stm-worker.js beside this file). */
  workerUrl?: string | URL;
  /**
   * The import map the workers resolve bare specifiers with. Default: the document's
   * <script type="importmap"> (workers do not see it by themselves). `null`: none (for bundles).
   */
  importMap?: ImportMap | null;
  /** Base URL of `importMap` (default: document.baseURI, or this module's URL). */
  baseUrl?: string;
  /** Worker names, for devtools (default "braid-stm-<i>"). */
  name?: string;
}

export class BrowserWorkerPool implements WorkerPool {
  private workers: Worker[] = [];
  private ready: Promise<void>;
  private readonly lifetime = new PoolLifetime("BrowserWorkerPool");
  private readonly fetchRoutes = new FetchRoutes();
  readonly coordinatorMayBlock = false;

  constructor(readonly threads: number, module: WebAssembly.Module, readonly memory: WebAssembly.Memory, opts: BrowserWorkerPoolOptions = {}) {
    threadCount(threads, 1); // throws OPTIONS_INVALID unless a whole number of at least 1
    if (typeof Worker === "undefined") throw new Error("BrowserWorkerPool needs Web Workers (in Node, use NodeWorkerPool)");
    if (!(memory.buffer instanceof SharedArrayBuffer)) {
      throw new Error("BrowserWorkerPool needs a shared WebAssembly.Memory (create the Vm in a cross-origin isolated page)");
    }
    if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
      throw new Error(
        "the page is not cross-origin isolated, so its shared memory cannot be posted to workers: serve it with " +
        "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp'",
      );
    }
    const workerUrl = opts.workerUrl ?? new URL("./stm-worker.js", import.meta.url);
    const importMap: ResolvedImportMap =
      opts.importMap === null ? { imports: [], scopes: [] }
      : opts.importMap !== undefined ? normalizeImportMap(opts.importMap, opts.baseUrl ?? (globalThis as { document?: Document }).document?.baseURI ?? import.meta.url)
      : documentImportMap();
    const starts: Array<Promise<FromWorker>> = [];
    for (let i = 0; i < threads; i++) {
      const w = new Worker(workerUrl, { type: "module", name: `${opts.name ?? "braid-stm"}-${i}` });
      this.workers.push(w);
      starts.push(this.next(w, i));
      w.postMessage({ kind: "boot", importMap } satisfies BootMessage);
      w.postMessage({ kind: "init", module, memory } satisfies ToWorker);
    }
    this.ready = Promise.all(starts).then(() => undefined);
    this.ready.catch(() => undefined); // reported by whenReady/run; not an unhandled rejection
  }

  /** The next message from worker `w`: resolves on ready/done, rejects on error. */
  private next(w: Worker, index: number): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        w.removeEventListener("message", onMessage);
        w.removeEventListener("error", onError);
        w.removeEventListener("messageerror", onMessageError);
      };
      const onMessage = (e: MessageEvent<FromWorker>) => {
        if (e.data.kind === "fetch") {
          if (!this.fetchRoutes.route(e.data.ctx, e.data.ticket)) {
            cleanup();
            reject(new Error(`Block-STM worker ${index} asked for state on context ${e.data.ctx}, which no remote run serves`));
          }
          return;
        }
        cleanup();
        if (e.data.kind === "error") reject(new Error(`Block-STM worker ${index} failed: ${e.data.message}`));
        else resolve(e.data);
      };
      const onError = (e: ErrorEvent) => {
        cleanup();
        e.preventDefault();
        const where = e.filename ? ` (${e.filename}:${e.lineno})` : "";
        reject(new Error(`Block-STM worker ${index} failed: ${e.message || "the worker script could not be loaded"}${where}`));
      };
      const onMessageError = () => {
        cleanup();
        reject(new Error(`Block-STM worker ${index}: a message could not be deserialized (is the page cross-origin isolated?)`));
      };
      w.addEventListener("message", onMessage);
      w.addEventListener("error", onError);
      w.addEventListener("messageerror", onMessageError);
    });
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  run(contexts: number[], opts: RunOptions = {}): Promise<number[]> {
    if (this.lifetime.closed) return Promise.reject(this.lifetime.closedError());
    return this.lifetime.track(this.runNow(contexts, opts));
  }

  private async runNow(contexts: number[], opts: RunOptions): Promise<number[]> {
    await this.ready;
    if (contexts.length > this.workers.length) throw new BraidError("OPTIONS_INVALID", `BrowserWorkerPool: ${contexts.length} contexts for ${this.workers.length} workers`);
    const done = contexts.map((ctx, i) => {
      const p = this.next(this.workers[i], i);
      this.workers[i].postMessage({ kind: "run", ctx, job: opts.job } satisfies ToWorker);
      return p;
    });
    const detach = this.fetchRoutes.attach(contexts, opts.onFetch);
    try {
      return await settleRun(done);
    } finally {
      detach();
    }
  }

  recover(jobs: RecoveryJob[]): Promise<Array<Uint8Array | null>> {
    if (this.lifetime.closed) return Promise.reject(this.lifetime.closedError());
    return this.lifetime.track(this.recoverNow(jobs));
  }

  private async recoverNow(jobs: RecoveryJob[]): Promise<Array<Uint8Array | null>> {
    await this.ready;
    const parts = chunks(jobs, this.workers.length);
    const replies = await Promise.all(parts.map((part, i) => {
      const p = this.next(this.workers[i], i);
      this.workers[i].postMessage({ kind: "recover", jobs: part } satisfies ToWorker);
      return p;
    }));
    return replies.flatMap((m) => (m.kind === "recovered" ? m.addresses : []));
  }

  /** Stops the workers once the jobs in flight are done; later jobs fail with POOL_CLOSED. */
  async close(): Promise<void> {
    if (this.lifetime.closed) return;
    await this.lifetime.close();
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}
