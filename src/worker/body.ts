// The body of a Block-STM worker, independent of the threading API: instantiate the module on
// the shared memory, then run blocks on request.
import { braidImports } from "../vm/imports.js";
import type { BraidExports } from "../vm/vm.js";
import type { FromWorker, ToWorker } from "../parallel/pool.js";
import { recoverAddress } from "../tx/sign.js";
import { CTX_FETCH_FLAG, CTX_FETCH_TICKET } from "../wasm/layout.js";

export function createWorkerBody(post: (m: FromWorker) => void): (m: ToWorker) => void {
  let exports: BraidExports | undefined;
  let hashes = new Map<bigint, Uint8Array>();
  const toBytes = (hex: string) => Uint8Array.from(hex.slice(2).match(/../g) ?? [], (b) => parseInt(b, 16));
  return (m) => {
    try {
      if (m.kind === "init") {
        // Remote state: ask the coordinator, then sleep on the context's flag until it has
        // inserted the answers (workers may block; the coordinator's thread never does). Each
        // fetch carries a ticket and the worker waits for the answer to that ticket, so a
        // late or repeated answer to an earlier fetch cannot wake it early.
        const stateFetch = (ctx: number) => {
          const i32 = new Int32Array(m.memory.buffer); // a fresh view: the memory may have grown
          const flag = (ctx + CTX_FETCH_FLAG) >>> 2, tk = (ctx + CTX_FETCH_TICKET) >>> 2;
          const ticket = (Atomics.load(i32, tk) + 1) | 0;
          Atomics.store(i32, tk, ticket);
          post({ kind: "fetch", ctx, ticket });
          for (let seen = Atomics.load(i32, flag); seen !== ticket; seen = Atomics.load(i32, flag)) Atomics.wait(i32, flag, seen);
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
        const result = m.job === "seq" ? exports.seq_run_block(0) >>> 0 : (exports.stm_worker(), 0);
        post({ kind: "done", result });
      }
    } catch (e) {
      post({ kind: "error", message: (e as Error).stack ?? String(e) });
    }
  };
}
