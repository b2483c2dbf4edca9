// The body of a Block-STM worker, independent of the threading API: instantiate the module on
// the shared memory, then run blocks on request.
import { braidImports } from "../vm/imports.js";
import type { BraidExports } from "../vm/vm.js";
import type { FromWorker, ToWorker } from "../parallel/pool.js";
import { recoverAddress } from "../tx/sign.js";
import { CTX_FETCH_FLAG } from "../wasm/layout.js";

export function createWorkerBody(post: (m: FromWorker) => void): (m: ToWorker) => void {
  let exports: BraidExports | undefined;
  let hashes = new Map<bigint, Uint8Array>();
  const toBytes = (hex: string) => Uint8Array.from(hex.slice(2).match(/../g) ?? [], (b) => parseInt(b, 16));
  return (m) => {
    try {
      if (m.kind === "init") {
        // Remote state: ask the coordinator, then sleep on the context's flag until it has
        // inserted the answers (workers may block; the coordinator's thread never does).
        const stateFetch = (ctx: number) => {
          const at = (ctx + CTX_FETCH_FLAG) >> 2;
          const flags = new Int32Array(m.memory.buffer); // a fresh view: the memory may have grown
          post({ kind: "fetch", ctx });
          Atomics.wait(flags, at, 0);
          Atomics.store(flags, at, 0);
        };
        const instance = new WebAssembly.Instance(m.module, braidImports(m.memory, (n) => hashes.get(n) ?? new Uint8Array(32), stateFetch));
        exports = instance.exports as unknown as BraidExports;
        post({ kind: "ready" });
      } else if (m.kind === "recover") {
        post({ kind: "recovered", addresses: m.jobs.map((j) => { try { return recoverAddress(j); } catch { return null; } }) });
      } else {
        if (!exports) throw new Error("worker not initialised");
        hashes = new Map(m.blockHashes.map(([n, h]) => [BigInt(n), toBytes(h)]));
        exports.worker_init(m.ctx);
        const result = m.job === "seq" ? exports.seq_run_block() >>> 0 : (exports.stm_worker(), 0);
        post({ kind: "done", result });
      }
    } catch (e) {
      post({ kind: "error", message: (e as Error).stack ?? String(e) });
    }
  };
}
