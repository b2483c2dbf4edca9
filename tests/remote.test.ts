// Remote state and run-ahead: every mainnet block executed on an empty cache against a provider
// backed by its fixture must give exactly what executeBlock gives on the preloaded pre-state
// (receipts, bloom, gas and the state diff), in order and out of order. A few blocks also run
// through workers (sequential on one worker, Block-STM on two) where the provider answers
// asynchronously and the workers sleep on their fetch flags.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Vm, loadBraidModule, NodeWorkerPool, executeBlock, describeDiff, listMainnetBlocks, loadMainnetBlock, checkHeader,
  type BlockResult,
} from "./helpers/braid-dist.js";

type RemoteModule = typeof import("../src/remote/execute.js");
type ProviderModule = typeof import("../src/remote/memory-provider.js");
const { executeRemote } = (await import(new URL("../dist/remote/execute.js", import.meta.url).href)) as RemoteModule;
const { MemoryStateProvider } = (await import(new URL("../dist/remote/memory-provider.js", import.meta.url).href)) as ProviderModule;

const BLOCKS = listMainnetBlocks();
const module = loadBraidModule();
const vm = new Vm(module);
let poolVm: Vm;
let pool: NodeWorkerPool;

beforeAll(() => {
  poolVm = new Vm(module);
  pool = new NodeWorkerPool(2, module, poolVm.memory);
});
afterAll(async () => { await pool?.close(); });

function reference(name: string): BlockResult {
  const c = loadMainnetBlock(name);
  return executeBlock(vm, c.block, c.pre, { verifySenders: false });
}

describe("remote state on the main thread (synchronous provider)", () => {
  for (const name of BLOCKS) {
    it(`block ${name}: in order and out of order equal the preloaded execution`, async () => {
      const want = reference(name);
      const failures: string[] = [];
      for (const ooo of [false, true]) {
        const c = loadMainnetBlock(name);
        const provider = new MemoryStateProvider(c.pre);
        const got = await executeRemote(vm, c.block, provider, { ooo, verifySenders: false });
        const label = ooo ? "out of order" : "in order";
        failures.push(...describeDiff(label, want, got), ...checkHeader(label, got, c.block.header));
        // Every round trip is one provider call; in order, the transactions' reads each stall.
        expect(got.remote.roundTrips).toBe(provider.roundTrips);
        if (!ooo && c.block.transactions.length > 0) expect(got.remote.stalls).toBeGreaterThan(0);
      }
      expect(failures).toEqual([]);
    });
  }

  it("out of order needs fewer round trips than in order on a busy block", async () => {
    const a = loadMainnetBlock("14396881"), b = loadMainnetBlock("14396881");
    const inOrder = await executeRemote(vm, a.block, new MemoryStateProvider(a.pre), { ooo: false, verifySenders: false });
    const ooo = await executeRemote(vm, b.block, new MemoryStateProvider(b.pre), { ooo: true, verifySenders: false });
    expect(ooo.remote.roundTrips * 5).toBeLessThan(inOrder.remote.roundTrips);
    expect(ooo.remote.runAhead.runs).toBeGreaterThan(0);
  });

  it("with the dataflow analysis's constant keys (analyze: true) the result is the same, in no more round trips", async () => {
    const a = loadMainnetBlock("17034869"), b = loadMainnetBlock("17034869");
    const plain = await executeRemote(vm, a.block, new MemoryStateProvider(a.pre), { ooo: true, verifySenders: false });
    const analyzed = await executeRemote(vm, b.block, new MemoryStateProvider(b.pre), { ooo: true, analyze: true, verifySenders: false });
    expect(describeDiff("analyze", plain, analyzed)).toEqual([]);
    expect(analyzed.remote.roundTrips).toBeLessThanOrEqual(plain.remote.roundTrips);
    expect(analyzed.remote.slots).toBeGreaterThan(plain.remote.slots); // it asked for constant slots too
  });

  it("an asynchronous provider without workers is refused (the coordinator never blocks)", async () => {
    const c = loadMainnetBlock("116525");
    await expect(executeRemote(vm, c.block, new MemoryStateProvider(c.pre, { latencyMs: 1 }), {}))
      .rejects.toThrow(/worker pool/);
  });
});

describe("remote state through workers (asynchronous provider)", () => {
  const cases = ["116525", "4370000", "12244000", "19426587"];
  for (const name of cases) {
    for (const threads of [1, 2]) {
      it(`block ${name}, ${threads === 1 ? "sequential on a worker" : "Block-STM on 2 workers"}: in order and out of order`, async () => {
        const want = reference(name);
        const failures: string[] = [];
        for (const ooo of [false, true]) {
          const c = loadMainnetBlock(name);
          const provider = new MemoryStateProvider(c.pre, { latencyMs: 1 });
          const got = await executeRemote(poolVm, c.block, provider, { ooo, threads, pool, verifySenders: false });
          failures.push(...describeDiff(`${ooo ? "ooo" : "in order"}/${threads}`, want, got));
        }
        expect(failures).toEqual([]);
      });
    }
  }

  it("a provider that fails makes the block fail with its error, not hang", async () => {
    const c = loadMainnetBlock("4370000");
    const inner = new MemoryStateProvider(c.pre, { latencyMs: 1 });
    let calls = 0;
    const failing = {
      fetch: async (req: Parameters<typeof inner.fetch>[0]) => {
        if (++calls === 3) throw new Error("node went away");
        return inner.fetch(req);
      },
    };
    await expect(executeRemote(poolVm, c.block, failing, { ooo: false, threads: 1, pool, verifySenders: false }))
      .rejects.toThrow(/node went away/);
  });
});

// Race hunting on the worker protocol (fetch tickets, shared-table inserts): Block-STM on 16
// workers with an instant asynchronous provider, so that answers often arrive before a worker
// even sleeps. BRAID_STRESS=1 (npm run test:stress) repeats it many times.
describe("remote state under stress (16 workers, instant asynchronous provider)", () => {
  const FULL = process.env.BRAID_STRESS === "1";
  const REPS = FULL ? 60 : 3;
  let stressVm: Vm;
  let stressPool: NodeWorkerPool;
  beforeAll(() => {
    stressVm = new Vm(module);
    stressPool = new NodeWorkerPool(16, module, stressVm.memory);
  });
  afterAll(async () => { await stressPool?.close(); });

  for (const name of ["10760440", "12244000"]) {
    it(`block ${name}: ${REPS} runs each in order and out of order equal the preloaded execution`, async () => {
      const want = reference(name);
      const bad: string[] = [];
      for (let k = 0; k < REPS; k++) {
        for (const ooo of [false, true]) {
          const c = loadMainnetBlock(name);
          const got = await executeRemote(stressVm, c.block, new MemoryStateProvider(c.pre, { latencyMs: 0 }), { ooo, threads: 16, pool: stressPool, verifySenders: false })
            .catch((e: Error) => { bad.push(`run ${k} ${ooo ? "ooo" : "in order"}: ${e.message}`); return null; });
          if (got) bad.push(...describeDiff(`run ${k} ${ooo ? "ooo" : "in order"}`, want, got, 3));
        }
      }
      expect(bad).toEqual([]);
    }, 600_000);
  }
});
