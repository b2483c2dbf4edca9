// Workers that run Block-STM tasks on a shared WebAssembly.Memory. One small interface, with a
// Node adapter (worker_threads, src/node/pool.ts) and a browser adapter (Web Workers,
// src/browser/pool.ts). The coordinator awaits `run`; it never blocks its thread.
export interface WorkerPool {
  readonly threads: number;
  /** Resolves once every worker has instantiated the module. */
  whenReady(): Promise<void>;
  /** Each worker binds to its context and runs `stm_worker` until the block is done. */
  run(contexts: number[], blockHashes: Array<[string, string]>): Promise<void>;
  close(): Promise<void>;
}

/** Messages between the coordinator and a worker. */
export type ToWorker =
  | { kind: "init"; module: WebAssembly.Module; memory: WebAssembly.Memory }
  | { kind: "run"; ctx: number; blockHashes: Array<[string, string]> };
export type FromWorker = { kind: "ready" } | { kind: "done" } | { kind: "error"; message: string };
