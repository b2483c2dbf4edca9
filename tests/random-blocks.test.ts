// Random blocks (tests/helpers/random-block.ts: random contracts that call, create, self-destruct
// and share storage, at forks from Frontier to Cancun), each executed sequentially, on Block-STM
// (2 workers, with and without the serial fallback) and on remote state (in order and out of
// order on the main thread, and Block-STM on workers behind an asynchronous provider, whose
// round trips also take random times): every result must equal the sequential one. This found three bugs the hand-made scenarios missed: a
// contract's storage writes surviving its SELFDESTRUCT in the same transaction (Block-STM's
// commit), a remote run's state requests left without a handler once an earlier run's replies
// came in late (the worker pools), and remote state diffs unable to show a storage clear
// (StateDiffEntry.storageCleared). Blocks of plain transfers also run partitioned
// (src/parallel/partition.ts), valid or with one invalid transaction.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Vm, loadBraidModule, NodeWorkerPool, ParallelExecutor, executeBlock, describeDiff, type BlockResult } from "./helpers/braid-dist.js";
import { addr, parties, randomBlock, type RandomBlock } from "./helpers/random-block.js";
import { JitterProvider } from "./helpers/jitter-provider.js";

type RemoteModule = typeof import("../src/remote/execute.js");
type ProviderModule = typeof import("../src/remote/memory-provider.js");
const { executeRemote } = (await import(new URL("../dist/remote/execute.js", import.meta.url).href)) as RemoteModule;
const { MemoryStateProvider } = (await import(new URL("../dist/remote/memory-provider.js", import.meta.url).href)) as ProviderModule;

/** Seeds of the blocks: BRAID_STRESS=1 (npm run test:stress) runs ten times as many. */
const COUNT = process.env.BRAID_STRESS === "1" ? 3000 : 300;
const SEEDS = Array.from({ length: COUNT }, (_, i) => 0x5eed0000 + i * 7919);

const module = loadBraidModule();
const seqVm = new Vm(module);
let vm: Vm;
let pool: NodeWorkerPool;
let executor: InstanceType<typeof ParallelExecutor>;

beforeAll(() => {
  vm = new Vm(module);
  pool = new NodeWorkerPool(2, module, vm.memory);
  executor = new ParallelExecutor(vm, pool);
});
afterAll(async () => { await pool?.close(); });

/** A result, or the message of the error it threw (the same block must fail the same way everywhere). */
async function outcome(run: () => BlockResult | Promise<BlockResult>): Promise<BlockResult | string> {
  try { return await run(); } catch (e) { return `error: ${(e as Error).message}`; }
}

function differences(label: string, want: BlockResult | string, got: BlockResult | string): string[] {
  if (typeof want === "string" || typeof got === "string") return want === got ? [] : [`${label}: ${typeof want === "string" ? want : "ok"} vs ${typeof got === "string" ? got : "ok"}`];
  return describeDiff(label, want, got, 6);
}

/** Every executor but the sequential reference, each on a fresh copy of the block. */
function runsFor(make: () => RandomBlock, seed: number): Array<[string, () => Promise<BlockResult>]> {
  return [
    ["Block-STM, 2 threads", () => { const c = make(); return executor.execute(c.block, c.pre, { threads: 2, verifySenders: false, policy: "always", serialFallback: false }); }],
    ["Block-STM, 2 threads, serial fallback", () => { const c = make(); return executor.execute(c.block, c.pre, { threads: 2, verifySenders: false, policy: "always" }); }],
    ["remote, in order", () => { const c = make(); return executeRemote(vm, c.block, new MemoryStateProvider(c.pre), { verifySenders: false, ooo: false }); }],
    ["remote, out of order", () => { const c = make(); return executeRemote(vm, c.block, new MemoryStateProvider(c.pre), { verifySenders: false }); }],
    ["remote, Block-STM on 2 workers", () => { const c = make(); return executeRemote(vm, c.block, new MemoryStateProvider(c.pre), { verifySenders: false, pool, threads: 2 }); }],
    ["remote, round trips of random length, Block-STM on 2 workers", () => { const c = make(); return executeRemote(vm, c.block, new JitterProvider(c.pre, seed), { verifySenders: false, pool, threads: 2 }); }],
  ];
}

describe(`random blocks: Block-STM and remote state equal sequential execution (${COUNT} blocks)`, () => {
  const perTest = 10;
  for (let t = 0; t < SEEDS.length; t += perTest) {
    const seeds = SEEDS.slice(t, t + perTest);
    it(`seeds ${seeds[0]!.toString(16)}..${seeds[seeds.length - 1]!.toString(16)}`, async () => {
      const failures: string[] = [];
      let transactions = 0;
      for (const seed of seeds) {
        const make = () => randomBlock(seed);
        const { fork, block } = make();
        transactions += block.transactions.length;
        const label = (what: string) => `seed ${seed.toString(16)} (${fork}, ${block.transactions.length} txs), ${what}`;
        const want = await outcome(() => { const c = make(); return executeBlock(seqVm, c.block, c.pre, { verifySenders: false }); });
        for (const [what, run] of runsFor(make, seed)) failures.push(...differences(label(what), want, await outcome(run)));
      }
      expect(transactions).toBeGreaterThan(seeds.length * 2);
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }
});

/** Sixteen senders (and the coinbase): blocks of transfers among them split into several groups. */
const TRANSFER_PARTIES = parties(Array.from({ length: 16 }, (_, i) => addr(0x30 + i)), addr(0xc0));

/** Executors of blocks of plain transfers: partitioned (where the block allows), Block-STM, remote. */
function transferRunsFor(make: () => RandomBlock): Array<[string, () => Promise<BlockResult & { parallel?: { partitioned?: unknown } }>]> {
  return [
    ["partitioned, 2 threads", () => { const c = make(); return executor.execute(c.block, c.pre, { threads: 2, verifySenders: false, policy: "always" }); }],
    ["partitioned, 1 thread", () => { const c = make(); return executor.execute(c.block, c.pre, { threads: 1, verifySenders: false, policy: "always" }); }],
    ["Block-STM, 2 threads", () => { const c = make(); return executor.execute(c.block, c.pre, { threads: 2, verifySenders: false, policy: "always", partition: false }); }],
    ["remote, in order", () => { const c = make(); return executeRemote(vm, c.block, new MemoryStateProvider(c.pre), { verifySenders: false, ooo: false }); }],
  ];
}

let partitionedTotal = 0;
describe(`random blocks of plain transfers: partitioned, Block-STM and remote equal sequential execution (${COUNT} blocks)`, () => {
  const perTest = 20;
  for (let t = 0; t < SEEDS.length; t += perTest) {
    const seeds = SEEDS.slice(t, t + perTest);
    it(`seeds ${seeds[0]!.toString(16)}..${seeds[seeds.length - 1]!.toString(16)}`, async () => {
      const failures: string[] = [];
      let partitioned = 0;
      for (const seed of seeds) {
        const make = () => randomBlock(seed, TRANSFER_PARTIES, { transfers: true, invalid: seed % 5 === 0 });
        const { fork, block, invalidTx } = make();
        const label = (what: string) => `seed ${seed.toString(16)} (${fork}, ${block.transactions.length} txs${invalidTx === undefined ? "" : `, tx ${invalidTx} invalid`}), ${what}`;
        const want = await outcome(() => { const c = make(); return executeBlock(seqVm, c.block, c.pre, { verifySenders: false }); });
        for (const [what, run] of transferRunsFor(make)) {
          const got = await outcome(run);
          if (typeof got !== "string" && got.parallel?.partitioned && what.startsWith("partitioned, 2")) partitioned++;
          failures.push(...differences(label(what), want, got));
        }
      }
      partitionedTotal += partitioned;
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }
  // The others send value to the coinbase, a precompile or a contract, link most of their
  // transactions into one group, or are invalid: the path under test must still be taken often.
  it("ran a third of the blocks partitioned", () => {
    expect(partitionedTotal).toBeGreaterThan(SEEDS.length / 3);
  });
});

describe(`random blocks with one invalid transaction: every executor rejects them alike (${COUNT / 5} blocks)`, () => {
  const perTest = 10;
  const seeds = SEEDS.slice(0, COUNT / 5);
  for (let t = 0; t < seeds.length; t += perTest) {
    it(`seeds ${seeds[t]!.toString(16)}..`, async () => {
      const failures: string[] = [];
      for (const seed of seeds.slice(t, t + perTest)) {
        const make = () => randomBlock(seed, undefined, { invalid: true });
        const { fork, invalidTx, invalidity, block } = make();
        const label = (what: string) => `seed ${seed.toString(16)} (${fork}, tx ${invalidTx} of ${block.transactions.length}: ${invalidity}), ${what}`;
        const want = await outcome(() => { const c = make(); return executeBlock(seqVm, c.block, c.pre, { verifySenders: false }); });
        // Rejected, naming the invalid transaction, or one the generator itself left short of its
        // intrinsic gas (an access list's cost): such static checks run before execution.
        const named = typeof want === "string" ? /transaction (\d+) is invalid: (.*)/.exec(want) : null;
        if (!named || (Number(named[1]) !== invalidTx && !/intrinsic gas/.test(named[2]!))) failures.push(label(`sequential: ${typeof want === "string" ? want : "accepted"}`));
        for (const [what, run] of runsFor(make, seed)) failures.push(...differences(label(what), want, await outcome(run)));
      }
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }
});
