// The body of a Block-STM worker, independent of the threading API: instantiate the module on
// the shared memory, then run blocks on request (by message, or rung on its doorbell).
import { braidImports } from "../vm/imports.js";
import type { BraidExports } from "../vm/vm.js";
import { braidExports } from "../vm/exports.js";
import type { FromWorker, ToWorker } from "../parallel/pool.js";
import { recoverAddress } from "../tx/sign.js";
import { CTX_FETCH_FLAG, CTX_FETCH_TICKET } from "../wasm/layout.js";
import { JOB_PART, JOB_PLAN, JOB_ROOT, JOB_SEQ, jobCode, park, tookMessage, type BellWiring } from "./doorbell.js";
import { warmHostPaths } from "./warm.js";

// BLOCKHASH on a worker reads the ring in the shared memory the coordinator fills
// (CTX_BLOCKHASHES); the import is never asked.
const noBlockHash = () => new Uint8Array(32);

export function createWorkerBody(post: (m: FromWorker) => void): (m: ToWorker) => void {
  let exports: BraidExports | undefined;
  let bell: BellWiring | undefined;
  /** Runs one job and posts its reply; false when it threw. */
  const runJob = (ctx: number, job: number): boolean => {
    try {
      if (!exports) throw new Error("worker not initialised");
      let result = 0;
      if (job === JOB_PLAN) {
        // A plan binds to no context: `ctx` is the block's header (the contexts are being staged).
        result = exports.part_plan_staged(ctx);
      } else {
        exports.worker_init(ctx);
        if (job === JOB_SEQ) result = exports.seq_run_block(0) >>> 0;
        else if (job === JOB_ROOT) exports.receipts_root_staged();
        else if (job === JOB_PART) exports.part_run();
        else exports.stm_worker();
      }
      post({ kind: "done", result });
      return true;
    } catch (e) {
      post({ kind: "error", message: (e as Error).stack ?? String(e) });
      return false;
    }
  };
  return (m) => {
    if (m.kind !== "init" && bell) tookMessage(bell);
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
        const instance = new WebAssembly.Instance(m.module, braidImports(m.memory, noBlockHash, stateFetch));
        exports = braidExports(instance);
        bell = m.bell;
        post({ kind: "ready" });
        warmHostPaths(); // before parking: a job posted meanwhile waits at most its budget
      } else if (m.kind === "recover") {
        post({ kind: "recovered", addresses: m.jobs.map((j) => { try { return recoverAddress(j); } catch { return null; } }) });
      } else {
        runJob(m.ctx, jobCode(m.job));
      }
    } catch (e) {
      post({ kind: "error", message: (e as Error).stack ?? String(e) });
    }
    if (bell) park(bell, runJob); // until the next message
  };
}
