// A block's critical path: the dependencies Block-STM reports (ParallelStats.dependencies), each
// transaction's own sequential time (executeBlock's timeTransactions), and the bound and the
// block-order schedule computed from them (pathBound).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Vm, NodeWorkerPool, ParallelExecutor, loadBraidModule, executeBlock, compareResults, type BlockInput, type PreState } from "./helpers/braid-dist.js";
import { isBraidError } from "../src/encoding/errors.js";
import { blockFromRpc, preStateFromAlloc } from "../src/block/parse.js";
import { synthesizeBlock, type SynthKind } from "../src/synth/index.js";
import { pathBound } from "../src/parallel/critical-path.js";

describe("pathBound", () => {
  it("independent transactions of equal weight: the thread count, in block order too", () => {
    expect(pathBound([1, 1, 1, 1], [[], [], [], []], 2)).toEqual({ threads: 2, work: 4, criticalPath: 1, bound: 2, inOrder: 2 });
  });
  it("a chain gains nothing", () => {
    expect(pathBound([1, 2, 3], [[], [0], [1]], 4)).toEqual({ threads: 4, work: 6, criticalPath: 6, bound: 1, inOrder: 1 });
  });
  it("a long transaction last: the bound balances it, block order cannot", () => {
    const r = pathBound([1, 1, 1, 1, 4], [[], [], [], [], []], 2);
    expect(r.bound).toBe(2);
    expect(r.inOrder).toBeCloseTo(8 / 6, 12); // 0+1 | 2+3 | 4 alone for 4
  });
  it("a free thread takes the lowest ready transaction, not one still waiting", () => {
    // 0 (weight 2) and 2 start at once; 1 waits for 0: done at 3.
    const r = pathBound([2, 1, 1], [[], [0], []], 2);
    expect(r.criticalPath).toBe(3);
    expect(r.bound).toBeCloseTo(4 / 3, 12);
    expect(r.inOrder).toBeCloseTo(4 / 3, 12);
  });
  it("finishes at one instant free every thread before the next pick", () => {
    // 0 and 1 end together at 1, making 2 and 3 ready: they go before 4 and 5 (t=1: 2, 3; t=2: 4,
    // 5; ends at 5). Freeing one thread at a time would start 4 at t=1 and end at 6.
    const r = pathBound([1, 1, 1, 1, 3, 3], [[], [], [0, 1], [0, 1], [], []], 2);
    expect(r.inOrder).toBe(2);
  });
  it("names what is wrong with bad input", () => {
    const bad = (f: () => unknown, text: RegExp) => {
      try { f(); } catch (e) { expect(isBraidError(e, "INVALID_ARGUMENT")).toBe(true); expect((e as Error).message).toMatch(text); return; }
      throw new Error("no error");
    };
    bad(() => pathBound([1, 1], [[], [1]], 2), /transaction 1 depends on 1/);
    bad(() => pathBound([1], [[], []], 2), /1 weights but 2 dependency lists/);
    bad(() => pathBound([1, -1], [[], []], 2), /weight 1 is -1/);
    bad(() => pathBound([1], [[]], 0), /threads must be a positive integer/);
  });
});

describe("dependencies and transaction times of real runs", () => {
  const TXS = 48;
  let module: WebAssembly.Module, seqVm: Vm, parVm: Vm, pool: NodeWorkerPool;
  const blocks = new Map<SynthKind, { block: BlockInput; pre: PreState }>();
  beforeAll(() => {
    module = loadBraidModule();
    seqVm = new Vm(module);
    parVm = new Vm(module);
    pool = new NodeWorkerPool(2, module, parVm.memory);
    for (const kind of ["chain", "erc20", "erc20-hot"] as SynthKind[]) {
      const sb = synthesizeBlock({ kind, txs: TXS, seed: "critical-path" });
      blocks.set(kind, { block: blockFromRpc(sb.block as never), pre: preStateFromAlloc(sb.alloc as never) });
    }
  }, 120_000);
  afterAll(async () => { await pool?.close(); });

  const dependencies = async (kind: SynthKind, threads: number) => {
    const { block, pre } = blocks.get(kind)!;
    const r = await new ParallelExecutor(parVm, pool).execute(block, pre, { threads, verifySenders: false, policy: "always", serialFallback: false, dependencies: true });
    expect(compareResults(executeBlock(seqVm, block, pre, { verifySenders: false }), r)).toEqual([]);
    return r.parallel.dependencies!;
  };

  for (const threads of [1, 2]) {
    it(`${threads} thread${threads > 1 ? "s" : ""}: a chain's transactions each read the one before`, async () => {
      const deps = await dependencies("chain", threads);
      expect(deps).toHaveLength(TXS);
      expect(deps[0]).toEqual([]);
      for (let i = 1; i < TXS; i++) expect(deps[i], `transaction ${i}`).toContain(i - 1);
    });
    it(`${threads} thread${threads > 1 ? "s" : ""}: transfers between distinct accounts read from no one; transfers to one account from the one before`, async () => {
      expect(await dependencies("erc20", threads)).toEqual(Array.from({ length: TXS }, () => []));
      const hot = await dependencies("erc20-hot", threads);
      for (let i = 1; i < TXS; i++) expect(hot[i], `transaction ${i}`).toContain(i - 1);
    });
  }

  it("timeTransactions gives each transaction's time and the same result", () => {
    const { block, pre } = blocks.get("erc20")!;
    const plain = executeBlock(seqVm, block, pre, { verifySenders: false });
    const timed = executeBlock(seqVm, block, pre, { verifySenders: false, timeTransactions: true });
    expect(compareResults(plain, timed)).toEqual([]);
    expect(plain.stats.transactionMs).toBeUndefined();
    const ms = timed.stats.transactionMs!;
    expect(ms).toHaveLength(TXS);
    for (const t of ms) expect(t).toBeGreaterThanOrEqual(0);
    expect(ms.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(timed.stats.executionMs);
  });
});
