// A Vm whose state tables lie above 2 GiB of linear memory (many worker contexts reserved below
// them: 32 threads put them at about 2.9 GiB) gives the same results as a small one. JavaScript
// reads a wasm i32 result as signed, so an export returning an address up there came back
// negative: the state diff's code hashes read garbage until src/vm/exports.ts read them unsigned.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import {
  ROOT, Vm, loadBraidModule, NodeWorkerPool, ParallelExecutor, executeBlock, loadBlockFixture, describeDiff,
  type BlockResult, type NodeWorkerPool as Pool,
} from "./helpers/braid-dist.js";

/** Blocks with contracts, storage and created accounts (their code hashes are in the state diff). */
const BLOCKS = ["4370000", "12244000", "19426587"];
/** Reserved below the tables: they start above 2^31. */
const RESERVE = 2.25 * 2 ** 30;

const module = loadBraidModule();
const fixture = (n: string) => loadBlockFixture(join(ROOT, "../shared/fixtures/mainnet-blocks", n));
const reference = new Map<string, BlockResult>();
let high: Vm;
let pool: Pool;
let executor: InstanceType<typeof ParallelExecutor>;

beforeAll(async () => {
  const small = new Vm(module);
  for (const n of BLOCKS) {
    const { block, pre } = fixture(n);
    reference.set(n, executeBlock(small, block, pre, { verifySenders: false }));
  }
  high = new Vm(module);
  pool = new NodeWorkerPool(2, module, high.memory);
  await pool.whenReady();
  executor = new ParallelExecutor(high, pool); // reserves its 2 contexts at the reservation's start
  high.reserve(RESERVE); // and the rest of 2.25 GiB after them
}, 120_000);
afterAll(async () => {
  await pool?.close();
});

/** Where the Vm's account table starts (private layout, read for the check). */
const accountTable = (vm: Vm) => (vm as unknown as { layout: { acctTable: number } }).layout.acctTable;

describe("state tables above 2 GiB", () => {
  for (const n of BLOCKS) {
    it(`block ${n}: sequential and Block-STM (2 threads) equal the small Vm's result`, async () => {
      const { block, pre } = fixture(n);
      const seq = executeBlock(high, block, pre, { verifySenders: false });
      expect(accountTable(high)).toBeGreaterThan(2 ** 31);
      expect(describeDiff(`${n} sequential above 2 GiB`, reference.get(n)!, seq)).toEqual([]);
      const par = await executor.execute(block, pre, { verifySenders: false, threads: 2, policy: "always" });
      expect(accountTable(high)).toBeGreaterThan(2 ** 31);
      expect(par.parallel.sequential).toBe(false);
      expect(describeDiff(`${n} Block-STM above 2 GiB`, reference.get(n)!, par)).toEqual([]);
    }, 60_000);
  }
});
