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
import { Doorbell } from "../src/worker/doorbell.js";

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
    // On a loaded machine a worker can still be finishing its share when the coordinator looks
    // (a fresh clone's CI, beside another process, joined 5 runs and awaited 8): more runs of the
    // small block until the counts show the bell and the join at work, or fail after 60.
    for (let extra = 0; extra < 60 && !(rung > posted && joined > notJoined); extra++) {
      const c = counter.make();
      await par.execute(c.block, c.pre, { threads: 3, verifySenders: false, policy: "always" });
    }
    // Workers are parked after their first job, so nearly every later run starts on the bell.
    expect(rung, `rung ${rung}, posted ${posted}`).toBeGreaterThan(posted);
    // ...and joined without waiting for their replies.
    expect(joined, `joined ${joined}, awaited ${notJoined}`).toBeGreaterThan(notJoined);
  }, 60_000);

  it("finishes a block without a worker whose thread never took its job", async () => {
    // A ring that does not notify (the bell's words as in src/worker/doorbell.ts: 16 per worker,
    // STATE 0 = PARKED 1 -> RING 2, CTX 2, JOB 3): the parked worker sleeps on, as a thread a busy
    // host has not scheduled would. The coordinator runs the block alone and withdraws the job instead of
    // waiting for that thread; the worker then takes later jobs as usual.
    type Bell = { ring: (w: number, ctx: number, job: number) => boolean; buffer: SharedArrayBuffer; rung: number[] };
    const bell = (pool as unknown as { bell: Bell }).bell;
    const ring = bell.ring, wake = pool.wake;
    const i32 = new Int32Array(bell.buffer);
    // Worker 0 parked on its bell (after a job of its own), so that the run rings it.
    const warm = scenarios()[0]!.make();
    await par.execute(warm.block, warm.pre, { threads: 3, verifySenders: false, policy: "always" });
    for (let k = 0; k < 200 && Atomics.load(i32, 0) !== 1; k++) await new Promise((r) => setTimeout(r, 5));
    expect(Atomics.load(i32, 0)).toBe(1);
    bell.ring = (w, ctx, job) => {
      const b = w * 16;
      Atomics.store(i32, b + 2, ctx);
      Atomics.store(i32, b + 3, job);
      if (Atomics.compareExchange(i32, b, 1, 2) !== 1) return false; // PARKED -> RING
      bell.rung[w] = (bell.rung[w]! + 1) | 0;
      return true;
    };
    pool.wake = () => undefined; // a spinning worker would see the ring
    try {
      const c = scenarios()[0]!.make();
      const seq = executeBlock(seqVm, c.block, c.pre, { verifySenders: false });
      // On Block-STM: a partitioned run's plan, posted first, would be withdrawn, and the
      // withdrawal wakes the worker, which would then see the silent ring.
      const r = await par.execute(c.block, c.pre, { threads: 2, verifySenders: false, policy: "always", partition: false });
      expect(describeDiff("silent ring", seq, r)).toEqual([]);
      expect(r.parallel.withdrawn).toBe(1);
      expect(r.parallel.sequential).toBe(false);
      // The withdrawal woke the worker, which parked again (it does not spin on for the job).
      for (let k = 0; k < 200 && Atomics.load(i32, 0) !== 1; k++) await new Promise((r) => setTimeout(r, 5));
      expect(Atomics.load(i32, 0)).toBe(1);
    } finally {
      bell.ring = ring;
      pool.wake = wake;
    }
    const c = scenarios()[0]!.make();
    const seq = executeBlock(seqVm, c.block, c.pre, { verifySenders: false });
    const r = await par.execute(c.block, c.pre, { threads: 3, verifySenders: false, policy: "always" });
    expect(describeDiff("after", seq, r)).toEqual([]);
  }, 60_000);

  it("hashes the receipts root on a worker while the coordinator reads the diff: rung, withdrawn, or by message", async () => {
    // Byzantium+ with a thousand receipts. The bell's words as in the test above; JOB_ROOT = 2.
    const m = loadMainnetBlock("13217637");
    const want = executeBlock(seqVm, m.block, m.pre, { verifySenders: false });
    expect(want.receiptsRoot).toEqual(m.block.header.receiptsRoot);
    type Bell = { ring: (w: number, ctx: number, job: number) => boolean; buffer: SharedArrayBuffer; rung: number[] };
    const bell = (pool as unknown as { bell: Bell }).bell;
    const ring = bell.ring, join = pool.join, wake = pool.wake;
    const i32 = new Int32Array(bell.buffer);
    const jobs: number[] = [];
    const run = async (label: string) => {
      jobs.length = 0;
      const r = await par.execute(m.block, m.pre, { threads: 2, verifySenders: false, policy: "always" });
      expect(describeDiff(label, want, r)).toEqual([]);
      expect(r.receiptsRoot, label).toEqual(m.block.header.receiptsRoot);
      return r;
    };
    try {
      // Rung: the worker of the block's second context gets the root's job.
      bell.ring = (w, ctx, job) => { jobs.push(job); return ring.call(bell, w, ctx, job); };
      await run("rung");
      expect(jobs).toContain(2);
      // Never taken (a ring that does not notify, for the root's job only, on a parked worker):
      // the block completes only if the job is withdrawn and the root hashed here (a wait for
      // the sleeping worker would time the test out).
      let silent = 0;
      bell.ring = (w, ctx, job) => {
        if (job !== 2) return ring.call(bell, w, ctx, job);
        const b = w * 16;
        Atomics.store(i32, b + 2, ctx);
        Atomics.store(i32, b + 3, job);
        if (Atomics.compareExchange(i32, b, 1, 2) !== 1) return false;
        bell.rung[w] = (bell.rung[w]! + 1) | 0;
        silent++;
        return true;
      };
      pool.wake = () => undefined;
      for (let k = 0; k < 5 && silent === 0; k++) await run(`withdrawn ${k}`);
      expect(silent).toBeGreaterThan(0);
      // Not joined through the bell: the coordinator awaits the worker's reply.
      bell.ring = ring;
      pool.wake = wake;
      pool.join = () => false;
      await run("awaited");
    } finally {
      bell.ring = ring;
      pool.join = join;
      pool.wake = wake;
    }
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

describe("doorbell join", () => {
  // A worker's words in the bell (src/worker/doorbell.ts): STATE at 0, DONE at 5.
  const STATE = 0, DONE = 5, FREE = 0, PARKED = 1, LEAVE = 3;

  it("waits for the job it rang, not for a done count the job before bumped late", () => {
    const bell = new Doorbell(1, 0);
    const i32 = new Int32Array(bell.buffer);
    Atomics.store(i32, STATE, PARKED);
    expect(bell.ring(0, 64, 0)).toBe(true);
    // The worker runs job 1 and posts its reply, then is descheduled before it bumps DONE; the
    // coordinator goes on after the reply. Then the worker bumps DONE, parks, and job 2 is rung.
    Atomics.store(i32, STATE, FREE);
    Atomics.add(i32, DONE, 1);
    Atomics.store(i32, STATE, PARKED);
    expect(bell.ring(0, 64, 0)).toBe(true);
    // Job 2 has not run: the join must not return (it had, when it compared DONE with the count
    // read before ringing, and the coordinator rewrote the context of a worker about to run it).
    expect(bell.joinRung(0, 20)).toBe(false);
    Atomics.store(i32, STATE, FREE);
    Atomics.add(i32, DONE, 1);
    expect(bell.joinRung(0, 20)).toBe(true);
  });

  it("withdraws a job the worker has not taken, and only such a job", () => {
    const bell = new Doorbell(1, 0);
    const i32 = new Int32Array(bell.buffer);
    const TAKEN = 4, WITHDRAWN = 5;
    Atomics.store(i32, STATE, PARKED);
    expect(bell.ring(0, 64, 0)).toBe(true);
    expect(bell.withdraw(0)).toBe(true);
    expect(Atomics.load(i32, STATE)).toBe(WITHDRAWN); // the worker parks again, without spinning
    expect(bell.joinRung(0, 20)).toBe(true); // nothing left to wait for
    expect(bell.withdraw(0)).toBe(false); // nothing rung
    expect(bell.ring(0, 64, 0)).toBe(false); // not parked yet: the next job goes by message,
    bell.beforeMessage(0); // which calls the worker off its bell
    expect(Atomics.load(i32, STATE)).toBe(LEAVE);
    // Once the worker has taken a job it runs to the end and is joined as before.
    Atomics.store(i32, STATE, PARKED);
    expect(bell.ring(0, 64, 0)).toBe(true);
    Atomics.store(i32, STATE, TAKEN);
    expect(bell.withdraw(0)).toBe(false);
    expect(bell.joinRung(0, 20)).toBe(false);
    Atomics.store(i32, STATE, FREE);
    Atomics.add(i32, DONE, 1);
    expect(bell.joinRung(0, 20)).toBe(true);
  });

  it("a ring that finds the worker off its bell is not counted", () => {
    const bell = new Doorbell(1, 0);
    expect(bell.ring(0, 64, 0)).toBe(false); // FREE: the job goes by message
    expect(bell.joinRung(0, 20)).toBe(true);
  });
});
