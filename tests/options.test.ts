// ParallelExecutor's options: a value it cannot use is a BraidError naming it. (threads: 1.5 once
// staged two worker contexts but told the completion check about one: wrong results.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import {
  ROOT, Vm, loadBraidModule, NodeWorkerPool, ParallelExecutor, executeBlock, loadBlockFixture, describeDiff, isBraidError,
  type BlockResult, type NodeWorkerPool as Pool,
} from "./helpers/braid-dist.js";

const module = loadBraidModule();
const { block, pre } = loadBlockFixture(join(ROOT, "../shared/fixtures/mainnet-blocks/8038679"));
let reference: BlockResult;
let pool: Pool;
let executor: InstanceType<typeof ParallelExecutor>;

beforeAll(async () => {
  reference = executeBlock(new Vm(module), block, pre, { verifySenders: false });
  const vm = new Vm(module);
  pool = new NodeWorkerPool(2, module, vm.memory);
  await pool.whenReady();
  executor = new ParallelExecutor(vm, pool);
}, 60_000);
afterAll(async () => {
  await pool?.close();
});

async function errorOf(f: () => Promise<unknown>): Promise<{ code?: string; message: string }> {
  try { await f(); } catch (e) {
    expect(isBraidError(e), String(e)).toBe(true);
    return e as { code: string; message: string };
  }
  throw new Error("expected an error, got none");
}

describe("ParallelExecutor options", () => {
  it.each([0, -1, 1.5, 2.5, Number.NaN, Number.POSITIVE_INFINITY, "2" as unknown as number])("threads %s is OPTIONS_INVALID", async (threads) => {
    const e = await errorOf(() => executor.execute(block, pre, { verifySenders: false, policy: "always", threads }));
    expect(e.code).toBe("OPTIONS_INVALID");
    expect(e.message).toMatch(/^threads must be a whole number of at least 1, got /);
  });

  it("an unknown policy or help mode is OPTIONS_INVALID", async () => {
    expect((await errorOf(() => executor.execute(block, pre, { verifySenders: false, policy: "sometimes" as never }))).message)
      .toBe('policy must be one of "auto", "always", got "sometimes"');
    expect((await errorOf(() => executor.execute(block, pre, { verifySenders: false, help: "maybe" as never }))).message)
      .toBe('help must be one of "share", "wait", "off", got "maybe"');
  });

  it("a pool made for another Vm's memory is refused (its workers would run on that Vm's memory)", () => {
    let error: unknown;
    try { new ParallelExecutor(new Vm(module), pool); } catch (e) { error = e; }
    expect(isBraidError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe("OPTIONS_INVALID");
    expect((error as Error).message).toMatch(/the worker pool was made for another memory/);
  });

  it("two execute() calls at once run one after the other, both exact; a synchronous call meanwhile is VM_BUSY", async () => {
    // Before: the second call re-staged the Vm while the first awaited, and the first came back
    // with a wrong state (603 differing accounts on this block).
    const other = loadBlockFixture(join(ROOT, "../shared/fixtures/mainnet-blocks/12244000"));
    const otherReference = executeBlock(new Vm(module), other.block, other.pre, { verifySenders: false });
    const first = executor.execute(block, pre, { threads: 2, policy: "always" });
    const second = executor.execute(other.block, other.pre, { threads: 2, policy: "always" });
    let busy: unknown;
    try { executeBlock(executor.vm, block, pre, { verifySenders: false }); } catch (e) { busy = e; }
    expect(isBraidError(busy, "VM_BUSY"), String(busy)).toBe(true);
    const [a, b] = await Promise.all([first, second]);
    expect(describeDiff("first of two at once", reference, a)).toEqual([]);
    expect(describeDiff("second of two at once", otherReference, b)).toEqual([]);
    expect(describeDiff("synchronous after both", reference, executeBlock(executor.vm, block, pre, { verifySenders: false }))).toEqual([]);
  }, 60_000);

  it("more threads than the pool has are clamped to it, with the same result", async () => {
    const r = await executor.execute(block, pre, { verifySenders: false, policy: "always", threads: 3 });
    expect(r.parallel.sequential).toBe(false);
    expect(describeDiff("threads 3 on a pool of 2", reference, r)).toEqual([]);
  });
});
