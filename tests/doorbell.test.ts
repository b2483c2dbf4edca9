// The Node pool's doorbell (src/worker/doorbell.ts): between jobs the workers park in Atomics.wait,
// a run starts them through shared memory, and every message (sender recovery) first calls them
// off their bells. Runs and messages interleave here as in a replay; a lost message or a missed
// ring would hang the test (timeout) rather than pass. The coordinator joins rung workers through
// their done counts, so a run's reply may still be on its way when the next message is posted:
// recovery taking that reply for its own would lose every sender (and fail the comparison).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  NodeWorkerPool, ParallelExecutor, Vm, describeDiff, executeBlock, loadBraidModule, loadMainnetBlock, listMainnetBlocks,
} from "./helpers/braid-dist.js";
import { scenarios } from "./helpers/conflicts.js";

let pool: NodeWorkerPool;
let par: InstanceType<typeof ParallelExecutor>;
let seqVm: Vm;
let rung = 0, posted = 0, joined = 0, notJoined = 0;

beforeAll(async () => {
  const module = loadBraidModule();
  seqVm = new Vm(module);
  const vm = new Vm(module);
  pool = new NodeWorkerPool(3, module, vm.memory);
  // Count the runs started on the bell and those that fell back to a message.
  const bell = (pool as unknown as { bell: { ring: (w: number, ctx: number, job: number) => boolean } }).bell;
  const ring = bell.ring.bind(bell);
  bell.ring = (w, ctx, job) => { const ok = ring(w, ctx, job); if (ok) rung++; else posted++; return ok; };
  const join = pool.join.bind(pool);
  pool.join = () => { const ok = join(); if (ok) joined++; else notJoined++; return ok; };
  par = new ParallelExecutor(vm, pool);
  await pool.whenReady();
});
afterAll(async () => {
  await pool?.close();
});

describe("doorbell", () => {
  it("alternates rung Block-STM runs with sender recovery (messages to parked workers), results exact", async () => {
    const counter = scenarios()[0]!;
    const mainnet = listMainnetBlocks().find((n) => n === "116525") ?? listMainnetBlocks()[0]!;
    const failures: string[] = [];
    for (let round = 0; round < 6; round++) {
      const c = counter.make();
      const seq = executeBlock(seqVm, c.block, c.pre, { verifySenders: false });
      const r = await par.execute(c.block, c.pre, { threads: 1 + (round % 3), verifySenders: false, policy: "always" });
      failures.push(...describeDiff(`round ${round} counter block`, seq, r));
      // Real signatures: recovery goes to the workers by message while they sit on their bells.
      const m = loadMainnetBlock(mainnet);
      const mseq = executeBlock(seqVm, loadMainnetBlock(mainnet).block, m.pre, { verifySenders: true });
      const mr = await par.execute(m.block, m.pre, { threads: 3, policy: "always" });
      failures.push(...describeDiff(`round ${round} block ${mainnet}`, mseq, mr));
    }
    expect(failures, failures.join("\n")).toEqual([]);
    // Workers are parked after their first job, so nearly every later run starts on the bell.
    expect(rung, `rung ${rung}, posted ${posted}`).toBeGreaterThan(posted);
    // ...and joined without waiting for their replies.
    expect(joined, `joined ${joined}, awaited ${notJoined}`).toBeGreaterThan(notJoined);
  }, 60_000);

  it("wake() before a run and close() of parked workers return", async () => {
    pool.wake(2);
    const c = scenarios()[0]!.make();
    const r = await par.execute(c.block, c.pre, { threads: 3, verifySenders: false, policy: "always" });
    expect(r.receipts.length).toBe(c.block.transactions.length);
    const module = loadBraidModule();
    const other = new NodeWorkerPool(2, module, new Vm(module).memory);
    await other.whenReady();
    other.wake(1);
    await other.close();
  }, 60_000);
});
