// The default ("auto") policy of ParallelExecutor: Block-STM only for blocks of many transactions
// doing contract work (thresholds fitted on the mainnet corpus, see src/parallel/execute.ts), the
// sequential path otherwise.
import { describe, expect, it } from "vitest";
import { PARALLEL_MIN_GAS, PARALLEL_MIN_GAS_PER_TX, PARALLEL_MIN_TXS, worthParallel } from "../src/parallel/execute.js";
import type { BlockInput } from "../src/block/types.js";

/** n transactions of gasLimit each, in a block whose header says gasUsed (0: not known yet). */
const block = (n: number, gasUsed: bigint, gasLimit = 30_000_000n) =>
  ({ header: { gasUsed }, transactions: Array.from({ length: n }, () => ({ gasLimit })) }) as unknown as BlockInput;

describe("auto policy", () => {
  it("runs Block-STM on many transactions doing contract work", () => {
    expect(worthParallel(block(PARALLEL_MIN_TXS, PARALLEL_MIN_GAS_PER_TX * BigInt(PARALLEL_MIN_TXS) + PARALLEL_MIN_GAS))).toBe(true);
    expect(worthParallel(block(300, 15_000_000n))).toBe(true);
  });
  it("takes the sequential path for few transactions, little gas, or light transactions", () => {
    expect(worthParallel(block(PARALLEL_MIN_TXS - 1, 29_000_000n))).toBe(false);
    expect(worthParallel(block(100, PARALLEL_MIN_GAS - 1n))).toBe(false);
    expect(worthParallel(block(1000, 22_000_000n))).toBe(false); // 22k gas per transaction: transfers
    expect(worthParallel(block(1000, PARALLEL_MIN_GAS_PER_TX * 1000n - 1n))).toBe(false);
    expect(worthParallel(block(0, 0n))).toBe(false);
  });
  it("uses the gas limits when the header has no gasUsed yet", () => {
    expect(worthParallel(block(100, 0n, 100_000n))).toBe(true);
    expect(worthParallel(block(100, 0n, 21_000n))).toBe(false);
  });
});
