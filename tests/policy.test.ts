// The default ("auto") policy of ParallelExecutor: Block-STM only for blocks of many transactions
// doing contract work (thresholds fitted on the mainnet corpus, see src/parallel/execute.ts), the
// sequential path otherwise.
import { describe, expect, it } from "vitest";
import {
  PARALLEL_MIN_GAS, PARALLEL_MIN_GAS_PER_TX, PARALLEL_MIN_TXS, SMALL_MIN_GAS, SMALL_MIN_GAS_PER_TX, SMALL_MIN_TXS, SMALL_TOP_SHARE, worthParallel,
} from "../src/parallel/execute.js";
import type { BlockInput } from "../src/block/types.js";

/**
 * n transactions of gasLimit each, in a block whose header says gasUsed (0: not known yet); the
 * first `toOne` go to one recipient, the others each to its own.
 */
const block = (n: number, gasUsed: bigint, gasLimit = 30_000_000n, toOne = 0) =>
  ({
    header: { gasUsed },
    transactions: Array.from({ length: n }, (_, i) => ({ gasLimit, to: Uint8Array.of(...new Array(18).fill(0), (i < toOne ? 0 : i + 1) >> 8, (i < toOne ? 0 : i + 1) & 255) })),
  }) as unknown as BlockInput;

describe("auto policy", () => {
  it("runs Block-STM on many transactions doing contract work", () => {
    expect(worthParallel(block(PARALLEL_MIN_TXS, PARALLEL_MIN_GAS_PER_TX * BigInt(PARALLEL_MIN_TXS) + PARALLEL_MIN_GAS))).toBe(true);
    expect(worthParallel(block(300, 15_000_000n))).toBe(true);
  });
  it("takes the sequential path for few transactions, little gas, or light transactions", () => {
    expect(worthParallel(block(SMALL_MIN_TXS - 1, 29_000_000n))).toBe(false);
    expect(worthParallel(block(PARALLEL_MIN_TXS - 1, 29_000_000n, 30_000_000n, PARALLEL_MIN_TXS - 1))).toBe(false);
    expect(worthParallel(block(100, PARALLEL_MIN_GAS - 1n, 30_000_000n, 100))).toBe(false);
    expect(worthParallel(block(1000, 22_000_000n))).toBe(false); // 22k gas per transaction: transfers
    expect(worthParallel(block(1000, PARALLEL_MIN_GAS_PER_TX * 1000n - 1n))).toBe(false);
    expect(worthParallel(block(0, 0n))).toBe(false);
  });
  it("runs smaller blocks of heavier transactions on Block-STM unless one recipient takes many", () => {
    const gas = SMALL_MIN_GAS_PER_TX * BigInt(SMALL_MIN_TXS) + SMALL_MIN_GAS;
    expect(worthParallel(block(SMALL_MIN_TXS, gas))).toBe(true);
    expect(worthParallel(block(SMALL_MIN_TXS, gas, 30_000_000n, SMALL_MIN_TXS / SMALL_TOP_SHARE))).toBe(true);
    expect(worthParallel(block(SMALL_MIN_TXS, gas, 30_000_000n, SMALL_MIN_TXS / SMALL_TOP_SHARE + 1))).toBe(false);
    expect(worthParallel(block(SMALL_MIN_TXS - 1, gas))).toBe(false);
    expect(worthParallel(block(SMALL_MIN_TXS, SMALL_MIN_GAS - 1n))).toBe(false);
    expect(worthParallel(block(100, SMALL_MIN_GAS_PER_TX * 100n - 1n))).toBe(false); // under 8M gas too
    // The large-block rule does not look at recipients (exchange deposits credit one account lazily).
    expect(worthParallel(block(1000, 30_000_000n, 30_000_000n, 900))).toBe(true);
  });
  it("uses the gas limits when the header has no gasUsed yet", () => {
    expect(worthParallel(block(100, 0n, 100_000n))).toBe(true);
    expect(worthParallel(block(100, 0n, 21_000n))).toBe(false);
  });
});
