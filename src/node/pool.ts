// Node adapter: Block-STM workers on worker_threads.
import { Worker } from "node:worker_threads";
import type { FromWorker, ToWorker, WorkerPool } from "../parallel/pool.js";

export class NodeWorkerPool implements WorkerPool {
  private workers: Worker[] = [];
  private ready: Promise<void>;

  constructor(readonly threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory) {
    const starts: Array<Promise<void>> = [];
    for (let i = 0; i < threads; i++) {
      const w = new Worker(new URL("./stm-worker.js", import.meta.url));
      w.unref();
      this.workers.push(w);
      starts.push(this.next(w));
      w.postMessage({ kind: "init", module, memory } satisfies ToWorker);
    }
    this.ready = Promise.all(starts).then(() => undefined);
  }

  private next(w: Worker): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        w.off("message", onMessage);
        w.off("error", onError);
        if (m.kind === "error") reject(new Error(`Block-STM worker failed: ${m.message}`));
        else resolve();
      };
      const onError = (e: Error) => { w.off("message", onMessage); reject(e); };
      w.on("message", onMessage);
      w.on("error", onError);
    });
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  async run(contexts: number[], blockHashes: Array<[string, string]>): Promise<void> {
    await this.ready;
    if (contexts.length > this.workers.length) throw new RangeError("more contexts than workers");
    const done = contexts.map((ctx, i) => {
      const p = this.next(this.workers[i]);
      this.workers[i].postMessage({ kind: "run", ctx, blockHashes } satisfies ToWorker);
      return p;
    });
    await Promise.all(done);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
