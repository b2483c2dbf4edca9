// A pool closed while a block runs on it, used after close, or too large for the memory: each is
// a BraidError or waits its turn, never a promise that does not settle or a Vm left busy for good.
import { describe, expect, it } from "vitest";
import { NodeWorkerPool, ParallelExecutor, Vm, executeBlock, isBraidError, loadBraidModule, loadMainnetBlock } from "./helpers/braid-dist.js";

const module = loadBraidModule();
const { block, pre } = loadMainnetBlock("14029313");

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    expect(isBraidError(e), String(e)).toBe(true);
    return `${(e as { code: string }).code}: ${(e as Error).message}`;
  }
  throw new Error("expected an error, got none");
}

describe("pool lifetime", () => {
  it("close() during execute waits for the block; later blocks on that pool are POOL_CLOSED; the Vm runs on", async () => {
    const vm = new Vm(module);
    const expected = executeBlock(new Vm(module), block, pre, { verifySenders: false }).receiptsRoot;
    let pool!: InstanceType<typeof NodeWorkerPool>, ex!: InstanceType<typeof ParallelExecutor>;
    // A pool still starting, and ready ones closed at different points of the block.
    for (const [delayMs, ready] of [[0, false], [0, true], [1, true], [3, true], [10, true]] as const) {
      pool = new NodeWorkerPool(2, module, vm.memory);
      ex = new ParallelExecutor(vm, pool);
      if (ready) await pool.whenReady();
      // (Its outcome is taken at once: a rejection met only after the wait would be an unhandled one.)
      const running = ex.execute(block, pre, { verifySenders: false, threads: 2, policy: "always" }).then((r) => r.receiptsRoot, (e: unknown) => e);
      await new Promise((r) => setTimeout(r, delayMs));
      await pool.close();
      const settled = await Promise.race([running, new Promise((r) => setTimeout(() => r("unsettled"), 20_000))]);
      // Either it finished (close waited for its jobs) or a later job of it was refused.
      if (settled instanceof Uint8Array) expect(settled).toEqual(expected);
      else expect(isBraidError(settled) && (settled as { code: string }).code, String(settled)).toBe("POOL_CLOSED");
    }
    expect(await errorOf(ex.execute(block, pre, { verifySenders: false, threads: 2, policy: "always" }))).toMatch(/^POOL_CLOSED: NodeWorkerPool is closed/);
    expect(await errorOf(pool.run([0]))).toMatch(/^POOL_CLOSED/);
    expect(executeBlock(vm, block, pre, { verifySenders: false }).receiptsRoot).toEqual(expected);
  }, 60_000);

  it("an executor too large for the memory is MEMORY_EXHAUSTED and leaves the Vm usable", async () => {
    const vm = new Vm(module);
    const huge = { threads: 48, memory: vm.memory, coordinatorMayBlock: true, whenReady: async () => undefined, run: async () => [] } as never;
    expect(await errorOf(() => new ParallelExecutor(vm, huge))).toMatch(/^MEMORY_EXHAUSTED: Braid needs \d+ MiB of wasm memory/);
    expect(executeBlock(vm, block, pre, { verifySenders: false }).gasUsed).toBe(block.header.gasUsed);
  });

  it("options of the wrong type are OPTIONS_INVALID", async () => {
    const vm = new Vm(module);
    const pool = new NodeWorkerPool(1, module, vm.memory);
    try {
      const ex = new ParallelExecutor(vm, pool);
      const run = (opts: object) => errorOf(ex.execute(block, pre, { verifySenders: false, policy: "always", ...opts } as never));
      expect(await run({ chain: {} })).toMatch(/^OPTIONS_INVALID: chain: expected \{ chainId: bigint, byNumber and byTime/);
      expect(await run({ chain: 5 })).toMatch(/^OPTIONS_INVALID: chain:/);
      expect(await run({ stmPrefix: "abc" })).toMatch(/^OPTIONS_INVALID: stmPrefix must be a number of transactions/);
      expect(await run({ stmPrefix: Number.NaN })).toMatch(/stmPrefix must be/);
      expect(await run({ dependencies: "yes" })).toMatch(/^OPTIONS_INVALID: dependencies must be true or false, got "yes"/);
      expect(await run({ partition: "no" })).toMatch(/partition must be true or false/);
      expect(await errorOf(() => executeBlock(vm, block, pre, { chain: { byNumber: [] } } as never))).toMatch(/^OPTIONS_INVALID: chain:/);
    } finally {
      await pool.close();
    }
  });
});
