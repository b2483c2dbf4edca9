// Partitioned execution (src/parallel/partition.ts, assembly/stm/partition.ts): which blocks take
// it, which it leaves to Block-STM or the sequential path, and the result in each case equal to
// sequential execution. Random blocks of transfers compare it with sequential
// execution and @ethereumjs/vm in bulk (tests/random-blocks*.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Executors, describeDiff, ParallelExecutor, NodeWorkerPool, Vm, loadBraidModule, isBraidError, type BlockCase, type ParallelResult } from "./helpers/braid-dist.js";
import { BlockBuilder, CANCUN, COUNTER, ETHER, SHANGHAI, address } from "./helpers/conflicts.js";
import { blockFromRpc, preStateFromAlloc } from "../src/block/parse.js";
import { synthesizeBlock } from "../src/synth/index.js";
import { PARTITION_MIN_TXS, partitionWorthIt, transferShaped } from "../src/parallel/partition.js";

const COINBASE = address(0xc0);
let ex: Executors;
let transfers: { block: unknown; alloc: unknown };
beforeAll(() => {
  ex = new Executors([1, 2, 4]);
  const sb = synthesizeBlock({ kind: "raw-transfers", txs: 200, seed: "partition" });
  transfers = { block: sb.block, alloc: sb.alloc };
}, 120_000);
afterAll(async () => { await ex?.close(); });

const synthTransfers = (): BlockCase => ({ block: blockFromRpc(transfers.block as never), pre: preStateFromAlloc(transfers.alloc as never) }) as BlockCase;

/** Runs `make()` sequentially and in parallel (policy "always"); the two must agree. */
async function both(make: () => BlockCase, threads: number, opts: { partition?: boolean } = {}): Promise<ParallelResult> {
  const seq = ex.sequential(make());
  const par = await ex.parallel(make(), threads, false, "fallback", opts.partition ?? true);
  expect(describeDiff(`${threads} threads vs sequential`, seq, par)).toEqual([]);
  return par;
}

/**
 * Transfers among `senders` EOAs (addresses 0x100 + i) to recipients `to(i)`, each sender's
 * nonces in order; `extra` adds accounts or transactions.
 */
function transferBlock(count: number, senders: number, to: (i: number) => number, extra?: (b: BlockBuilder) => void): () => BlockCase {
  return () => {
    const b = new BlockBuilder(CANCUN, COINBASE);
    for (let s = 0; s < senders; s++) b.eoa(address(0x100 + s));
    b.account(address(0x900), { balance: 0n }); // empty: a transfer of nothing deletes it
    extra?.(b);
    for (let i = 0; i < count; i++) b.tx(address(0x100 + (i % senders)), address(to(i)), { value: BigInt(i % 3) * 1000n, gas: 21_000n });
    return b.build();
  };
}

describe("partitioned execution", () => {
  for (const threads of [1, 2, 4]) {
    it(`a synthesized block of ${200} transfers runs partitioned on ${threads} thread${threads > 1 ? "s" : ""}, same result`, async () => {
      const par = await both(synthTransfers, threads);
      expect(par.parallel.partitioned).toEqual({ largestGroup: 1 });
      expect(par.parallel.executions).toBe(200);
      expect(par.parallel.validations + par.parallel.aborts + par.parallel.waits).toBe(0);
    });
  }

  it("transfers linked through shared accounts (chains of one sender, recipients that send, a deleted empty account) form groups", async () => {
    // 8 senders; recipients cycle through the senders themselves, the empty account and new ones.
    // Sender 0 pays sender 3 and 4 pays 7 (linking them), the empty account receives nothing once.
    const make = transferBlock(96, 8, (i) => (i % 4 === 0 ? 0x100 + ((i + 3) % 8) : i === 5 ? 0x900 : 0x500 + i));
    const par = await both(make, 2);
    expect(par.parallel.partitioned).toBeDefined();
    expect(par.parallel.partitioned!.largestGroup).toBeGreaterThan(1);
  });

  it("a block most of which is one group is left to Block-STM or the sequential path", async () => {
    // Every transaction touches account 0x100 (as sender or recipient): one group.
    const make = transferBlock(40, 4, () => 0x100);
    const par = await both(make, 2);
    expect(par.parallel.partitioned).toBeUndefined();
  });

  it("value to the coinbase, a precompile, a contract or an account with storage rules the block out before it runs", async () => {
    const cases: Array<[string, number, (b: BlockBuilder) => void]> = [
      ["the coinbase", 0xc0, () => {}],
      ["a precompile", 0x02, () => {}],
      // A contract wallet often receives value without data: its code would run.
      ["a contract", 0x700, (b) => b.contract(address(0x700), COUNTER)],
      ["an empty account with storage", 0x701, (b) => b.account(address(0x701), { storage: [[1n, 2n]] })],
    ];
    for (const [what, target, extra] of cases) {
      const make = transferBlock(40, 8, (i) => (i === 17 ? target : 0x500 + i), extra);
      const par = await both(make, 2);
      expect(par.parallel.partitioned, what).toBeUndefined();
      expect(par.parallel.sequential, what).toBe(false); // Block-STM ran it
    }
  });

  it("the precompiles it rules out are the block's fork's: 0x0a is one from Cancun, a plain account before", async () => {
    // The plan is made on a worker (2 and 4 threads) or here (1), with the fork staged by the host.
    for (const [fork, at, partitioned] of [[SHANGHAI, "Shanghai", true], [CANCUN, "Cancun", false]] as const) {
      const make = () => {
        const b = new BlockBuilder(fork, COINBASE);
        for (let s = 0; s < 8; s++) b.eoa(address(0x100 + s));
        for (let i = 0; i < 40; i++) b.tx(address(0x100 + (i % 8)), address(i === 17 ? 0x0a : 0x500 + i), { value: 1000n, gas: 21_000n });
        return b.build();
      };
      for (const threads of [1, 2, 4]) {
        const par = await both(make, threads);
        expect(par.parallel.partitioned !== undefined, `${at}, ${threads} threads`).toBe(partitioned);
      }
    }
  });

  it("an invalid transaction rejects the block naming the first one, as sequential execution does", async () => {
    // Two invalid transactions in different groups: sender 0x101's fourth (index 9, a nonce gap)
    // and sender 0x100's third (index 8, more value than it holds). Sequentially, 8 comes first.
    const make = () => {
      const b = new BlockBuilder(CANCUN, COINBASE);
      for (let s = 0; s < 4; s++) b.eoa(address(0x100 + s), s === 0 ? 100_000_000n : 100n * ETHER);
      for (let i = 0; i < 16; i++) {
        const from = address(0x100 + (i % 4));
        const o = i === 8 ? { value: 10n * ETHER } : i === 9 ? { nonce: 7n } : {};
        b.tx(from, address(0x500 + i), { gas: 21_000n, tip: 0n, maxFee: 10n, ...o });
      }
      return b.build();
    };
    let seqError = "";
    try { ex.sequential(make()); } catch (e) { seqError = (e as Error).message; }
    expect(seqError).toMatch(/transaction 8 is invalid/);
    for (const threads of [1, 2, 4]) {
      await expect(ex.parallel(make(), threads, false, "fallback"), `${threads} threads`).rejects.toThrow(seqError);
    }
  });

  it("partition: false, serialFallback: false and stmPrefix keep such a block on Block-STM", async () => {
    const par = await both(synthTransfers, 2, { partition: false });
    expect(par.parallel.partitioned).toBeUndefined();
    expect(par.parallel.validations).toBeGreaterThan(0);
    const stm = await ex.parallel(synthTransfers(), 2, false, "stm");
    expect(stm.parallel.partitioned).toBeUndefined();
    const half = await ex.parallel(synthTransfers(), 2, false, "half");
    expect(half.parallel.partitioned).toBeUndefined();
  });
});

describe("partitioned execution under the auto policy", () => {
  it(`takes blocks of at least ${PARTITION_MIN_TXS} transfers on 2 threads, and leaves smaller ones (or one thread) sequential`, { timeout: 60_000 }, async () => {
    const module = loadBraidModule();
    const vm = new Vm(module);
    const pool = new NodeWorkerPool(2, module, vm.memory);
    try {
      const executor = new ParallelExecutor(vm, pool);
      const sb = synthesizeBlock({ kind: "raw-transfers", txs: PARTITION_MIN_TXS, seed: "partition-auto" });
      const big = await executor.execute(blockFromRpc(sb.block), preStateFromAlloc(sb.alloc), { verifySenders: false, threads: 2 });
      expect(big.parallel.partitioned).toBeDefined();
      const seq = ex.sequential({ block: blockFromRpc(sb.block), pre: preStateFromAlloc(sb.alloc) } as BlockCase);
      expect(describeDiff("auto vs sequential", seq, big)).toEqual([]);
      // On one thread the plan would only add to the sequential loop's time.
      const one = await executor.execute(blockFromRpc(sb.block), preStateFromAlloc(sb.alloc), { verifySenders: false, threads: 1 });
      expect(one.parallel.sequential).toBe(true);
      const small = transferBlock(PARTITION_MIN_TXS - 1, 8, (i) => 0x500 + i)();
      const r = await executor.execute(small.block, small.pre, { verifySenders: false, threads: 2 });
      expect(r.parallel.sequential).toBe(true);
    } finally {
      await pool.close();
    }
  });
});

describe("partition rules", () => {
  it("transferShaped: calls without data or access list, of the known types", () => {
    const base = transferBlock(4, 2, (i) => 0x500 + i)();
    expect(transferShaped(base.block)).toBe(true);
    const withData = transferBlock(4, 2, (i) => 0x500 + i)();
    withData.block.transactions[2]!.data = Uint8Array.of(1);
    expect(transferShaped(withData.block)).toBe(false);
    const creation = transferBlock(4, 2, (i) => 0x500 + i)();
    creation.block.transactions[1]!.to = null;
    expect(transferShaped(creation.block)).toBe(false);
    const listed = transferBlock(4, 2, (i) => 0x500 + i)();
    listed.block.transactions[3]!.accessList = [{ address: address(1), storageKeys: [] }];
    expect(transferShaped(listed.block)).toBe(false);
    expect(transferShaped({ ...base.block, transactions: [] })).toBe(false);
  });

  it("partitionWorthIt: any plan on one thread; on more, a largest group of at most three quarters", () => {
    expect(partitionWorthIt(0, 100, 1)).toBe(false);
    expect(partitionWorthIt(100, 100, 1)).toBe(true);
    expect(partitionWorthIt(75, 100, 2)).toBe(true);
    expect(partitionWorthIt(76, 100, 2)).toBe(false);
  });
});

/**
 * Runs `body` with an executor on a fresh Vm and a 2-worker pool whose plan jobs go to `plan`
 * instead of a worker (the other jobs to the workers), `overrides` replacing other pool methods.
 */
async function withPlanJobs(plan: (vm: InstanceType<typeof Vm>, header: number) => Promise<number[]>,
  overrides: (inner: NodeWorkerPool) => Partial<NodeWorkerPool>, body: (executor: InstanceType<typeof ParallelExecutor>) => Promise<void>): Promise<void> {
  const module = loadBraidModule();
  const vm = new Vm(module);
  const inner = new NodeWorkerPool(2, module, vm.memory);
  const pool = Object.assign(Object.create(inner) as NodeWorkerPool, {
    run: (contexts: number[], opts?: { job?: string }) => (opts?.job === "plan" ? plan(vm, contexts[0]!) : inner.run(contexts, opts as never)),
    ...overrides(inner),
  });
  try {
    await body(new ParallelExecutor(vm, pool));
  } finally {
    await inner.close();
  }
}

describe("the partitioned run's plan", () => {
  it("is made by the coordinator when no worker has taken it by the time the pre-state is loaded", { timeout: 60_000 }, async () => {
    // A worker that never takes a plan (a thread the host has not scheduled): withdrawn.
    let held = 0, withdrawn = 0;
    const never = () => { held++; return new Promise<number[]>(() => undefined); };
    await withPlanJobs(never, (inner) => ({ withdraw: () => { if (held > withdrawn) { withdrawn++; return [0]; } return inner.withdraw(); } }), async (executor) => {
      const seq = ex.sequential(synthTransfers());
      for (let k = 0; k < 2; k++) {
        const r = await executor.execute(synthTransfers().block, synthTransfers().pre, { verifySenders: false, threads: 2, policy: "always" });
        expect(r.parallel.partitioned).toEqual({ largestGroup: 1 });
        expect(describeDiff(`plan made here, run ${k + 1}`, seq, r)).toEqual([]);
      }
    });
    expect([held, withdrawn]).toEqual([2, 2]);
  });

  it("on a slow worker, is waited for before a bad pre-state's error is thrown (its writes land in the block's memory, which the next block reuses)", { timeout: 60_000 }, async () => {
    // A worker that takes the plan at once and makes it 30 ms later.
    let planned = 0;
    const slow = (vm: InstanceType<typeof Vm>, header: number) => new Promise<number[]>((resolve) => setTimeout(() => {
      vm.exports.part_plan_staged(header);
      planned++;
      resolve([0]);
    }, 30));
    await withPlanJobs(slow, (inner) => ({ withdraw: () => inner.withdraw(), join: () => false }), async (executor) => {
      const bad = synthTransfers();
      bad.pre.accounts[5]![1].balance = -1n;
      let error: unknown;
      try { await executor.execute(bad.block, bad.pre, { verifySenders: false, threads: 2, policy: "always" }); } catch (e) { error = e; }
      expect(isBraidError(error) && (error as { code: string }).code, String(error)).toBe("STATE_INVALID");
      expect(planned).toBe(1);
      const r = await executor.execute(synthTransfers().block, synthTransfers().pre, { verifySenders: false, threads: 2, policy: "always" });
      expect(planned).toBe(2);
      expect(r.parallel.partitioned).toEqual({ largestGroup: 1 });
      expect(describeDiff("after the bad pre-state", ex.sequential(synthTransfers()), r)).toEqual([]);
    });
  });
});

describe("partitioned execution and the worker contexts", () => {
  it("Block-STM after a partitioned block on the same executor (a Vm that ran blocks before its pool) gives the sequential result", { timeout: 60_000 }, async () => {
    const { executeBlock } = await import("./helpers/braid-dist.js");
    const module = loadBraidModule();
    const erc20 = synthesizeBlock({ kind: "erc20", txs: 120, seed: "partition-contexts" });
    const make = (): BlockCase => ({ block: blockFromRpc(erc20.block), pre: preStateFromAlloc(erc20.alloc) }) as BlockCase;
    const vm = new Vm(module);
    // Blocks run before the pool exists leave table entries of several generations where the
    // workers' regions are then reserved.
    for (let k = 0; k < 4; k++) executeBlock(vm, make().block, make().pre, { verifySenders: false });
    const pool = new NodeWorkerPool(2, module, vm.memory);
    try {
      const executor = new ParallelExecutor(vm, pool);
      const first = await executor.execute(synthTransfers().block, synthTransfers().pre, { verifySenders: false, threads: 2, policy: "always" });
      expect(first.parallel.partitioned).toBeDefined();
      const seq = ex.sequential(make());
      for (let k = 0; k < 3; k++) {
        const r = await executor.execute(make().block, make().pre, { verifySenders: false, threads: 2, policy: "always", serialFallback: false });
        expect(describeDiff(`Block-STM after a partitioned block, run ${k + 1}`, seq, r)).toEqual([]);
      }
    } finally {
      await pool.close();
    }
  });
});
