// One Vm's regions from block to block: a new layout zeroes the state tables (tens of megabytes)
// and empties the code table, so switching between the parallel executor's Block-STM path and its
// sequential path on the same block must keep the layout, and the code regions never shrink.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeWorkerPool, ParallelExecutor, Vm, describeDiff, executeBlock, loadBraidModule, loadMainnetBlock } from "./helpers/braid-dist.js";
import { sizesFor } from "../src/vm/regions.js";

let pool: NodeWorkerPool;
let vm: Vm;
let par: InstanceType<typeof ParallelExecutor>;
let seqVm: Vm;

beforeAll(async () => {
  const module = loadBraidModule();
  vm = new Vm(module);
  seqVm = new Vm(module);
  pool = new NodeWorkerPool(2, module, vm.memory);
  par = new ParallelExecutor(vm, pool);
  await pool.whenReady();
});
afterAll(async () => {
  await pool?.close();
});

describe("region layout across blocks", () => {
  it("keeps the layout when a block alternates between Block-STM and the sequential path", async () => {
    // 2641321: 83 transactions of 23k gas each, which the "auto" policy runs sequentially.
    const m = loadMainnetBlock("2641321");
    const want = executeBlock(seqVm, m.block, m.pre, { verifySenders: false });
    let last = 0;
    for (const policy of ["always", "auto", "always", "auto"] as const) {
      const r = await par.execute(m.block, m.pre, { threads: 2, verifySenders: false, policy });
      expect(r.parallel.sequential, policy).toBe(policy === "auto");
      expect(describeDiff(policy, want, r)).toEqual([]);
      // Same layout: the next generation of the same tables (a new layout starts again at 1).
      if (last !== 0) expect(vm.generation, policy).toBe(last + 1);
      last = vm.generation;
    }
  }, 60_000);

  it("never shrinks the code regions, so interned code survives smaller requests", () => {
    const v = new Vm(loadBraidModule());
    v.reset(sizesFor(100, 100, 100_000, 64 << 20));
    const big = v.regionSizes;
    const code = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 255);
    const rec = v.putCode(code);
    v.reset(sizesFor(100, 100, 16, 1 << 16));
    expect([v.regionSizes.codes, v.regionSizes.codeArena]).toEqual([big.codes, big.codeArena]);
    expect(v.putCode(code.slice())).toBe(rec);
    expect(v.generation).toBeGreaterThan(1);
  });
});
