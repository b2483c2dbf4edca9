// The machine's own limit for two threads: the same block replayed sequentially on two threads at
// once (two Vms, nothing shared), against one thread alone. Perfectly independent work, so
//   ceiling = 2 x (median ms alone) / (median ms of each of two at once)
// is the most any 2-thread executor could gain on this block on this machine (shared caches,
// memory bandwidth, the hypervisor's scheduling): the reference for Block-STM's 2-thread speedup.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { median } from "./report.js";

export interface Ceiling {
  /** Median stats.executionMs of the sequential replay, one thread running. */
  aloneMedianMs: number;
  /** Median stats.executionMs of each replay, two threads running at once. */
  pairMedianMs: number;
  /** 2 x alone / pair: the throughput of two concurrent replays relative to one. */
  ceiling: number;
  runsPerPhase: number;
  /**
   * Shares of the runs alone and of the runs two at once that took at least SLOW x the median
   * alone: on a shared VM a core runs at times at about 60% of its speed (another tenant, it seems,
   * on its other hardware thread), and a run on two threads meets that on either core.
   */
  slowAlone: number;
  slowPair: number;
}

/** What counts as a slow run in the ceiling's phases (times the median alone). */
export const SLOW = 1.3;

interface Job { block: unknown; alloc: unknown }
/** Run the block n times and reply with the times (the workers are terminated when done). */
interface Cmd { kind: "runs"; n: number }

/** Measures the 2-thread ceiling of a block given as mainnet-fixture JSON (block, alloc). */
export async function measureCeiling(job: Job, runsPerPhase = 15, repeats = 3): Promise<Ceiling> {
  const workers = [0, 1].map(() => new Worker(new URL(import.meta.url), { workerData: job }));
  const reply = (w: Worker) => new Promise<number[]>((resolve, reject) => {
    w.once("message", resolve);
    w.once("error", reject);
  });
  const runs = (w: Worker, n: number) => { const p = reply(w); w.postMessage({ kind: "runs", n } satisfies Cmd); return p; };
  try {
    await Promise.all(workers.map((w) => reply(w))); // loaded and warmed up
    const alone: number[] = [], pair: number[] = [];
    for (let r = 0; r < repeats; r++) {
      for (const w of workers) alone.push(...await runs(w, runsPerPhase));
      const both = await Promise.all(workers.map((w) => runs(w, runsPerPhase)));
      pair.push(...both.flat());
    }
    const a = median(alone), p = median(pair);
    const slowShare = (times: number[]) => times.filter((t) => t >= SLOW * a).length / times.length;
    return { aloneMedianMs: a, pairMedianMs: p, ceiling: (2 * a) / p, runsPerPhase, slowAlone: slowShare(alone), slowPair: slowShare(pair) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function workerMain(job: Job): Promise<void> {
  const { loadBraidModule } = await import("../dist/node/load.js");
  const { Vm } = await import("../dist/vm/vm.js");
  const { executeBlock } = await import("../dist/block/execute.js");
  const { blockFromRpc, preStateFromAlloc } = await import("../dist/block/parse.js");
  const vm = new Vm(loadBraidModule());
  const block = blockFromRpc(job.block), pre = preStateFromAlloc(job.alloc);
  const once = () => executeBlock(vm, block, pre, { verifySenders: false }).stats.executionMs;
  for (let i = 0; i < 10; i++) once();
  const port = parentPort!;
  port.on("message", (m: Cmd) => {
    const times: number[] = [];
    for (let i = 0; i < m.n; i++) times.push(once());
    port.postMessage(times);
  });
  port.postMessage([]);
}

if (!isMainThread && (workerData as Job | undefined)?.block !== undefined) await workerMain(workerData as Job);
