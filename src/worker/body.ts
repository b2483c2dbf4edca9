// The body of a Block-STM worker, independent of the threading API: instantiate the module on
// the shared memory, then run blocks on request.
import { braidImports } from "../vm/imports.js";
import type { BraidExports } from "../vm/vm.js";
import type { FromWorker, ToWorker } from "../parallel/pool.js";
import { recoverAddress } from "../tx/sign.js";

export function createWorkerBody(post: (m: FromWorker) => void): (m: ToWorker) => void {
  let exports: BraidExports | undefined;
  let hashes = new Map<bigint, Uint8Array>();
  const toBytes = (hex: string) => Uint8Array.from(hex.slice(2).match(/../g) ?? [], (b) => parseInt(b, 16));
  return (m) => {
    try {
      if (m.kind === "init") {
        const instance = new WebAssembly.Instance(m.module, braidImports(m.memory, (n) => hashes.get(n) ?? new Uint8Array(32)));
        exports = instance.exports as unknown as BraidExports;
        post({ kind: "ready" });
      } else if (m.kind === "recover") {
        post({ kind: "recovered", addresses: m.jobs.map((j) => { try { return recoverAddress(j); } catch { return null; } }) });
      } else {
        if (!exports) throw new Error("worker not initialised");
        hashes = new Map(m.blockHashes.map(([n, h]) => [BigInt(n), toBytes(h)]));
        exports.worker_init(m.ctx);
        exports.stm_worker();
        post({ kind: "done" });
      }
    } catch (e) {
      post({ kind: "error", message: (e as Error).stack ?? String(e) });
    }
  };
}
