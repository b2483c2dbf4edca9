// The default ("auto") policy of ParallelExecutor: Block-STM only for blocks of many heavy
// transactions (thresholds measured in bench/results/blocks.json), the sequential path otherwise.
import { describe, expect, it } from "vitest";
import { PARALLEL_MIN_AVG_GAS_LIMIT, PARALLEL_MIN_TXS, worthParallel } from "../src/parallel/execute.js";
import type { BlockInput } from "../src/block/types.js";

const block = (n: number, gasLimit: bigint) => ({ transactions: Array.from({ length: n }, () => ({ gasLimit })) }) as unknown as BlockInput;

describe("auto policy", () => {
  it("runs Block-STM on many transactions with a high average gas limit", () => {
    expect(worthParallel(block(PARALLEL_MIN_TXS, PARALLEL_MIN_AVG_GAS_LIMIT))).toBe(true);
    expect(worthParallel(block(500, 1_000_000n))).toBe(true);
  });
  it("takes the sequential path for small blocks or light transactions", () => {
    expect(worthParallel(block(PARALLEL_MIN_TXS - 1, 10_000_000n))).toBe(false);
    expect(worthParallel(block(2000, PARALLEL_MIN_AVG_GAS_LIMIT - 1n))).toBe(false);
    expect(worthParallel(block(0, 0n))).toBe(false);
  });
});
