// Partitioned execution (assembly/stm/partition.ts): a block of plain value transfers to
// accounts without code or storage splits into groups of transactions linked by the accounts they
// share; each thread runs whole groups in block order, with no speculation to validate. What the
// block's transactions declare decides it up front (here, before staging); the recipients'
// pre-state decides the rest in wasm once it is loaded (part_plan).
import type { BlockInput } from "../block/types.js";

/**
 * The fewest transactions for which the "auto" policy tries partitioned execution (on two threads
 * or more: on one it runs slower than the sequential path, by the plan's cost). Measured on
 * synthesized raw-transfer blocks at 2 threads against the sequential path, medians of 40-60
 * interleaved rounds (2026-11-22). With 1-, 2- and 4-thread rounds interleaved: 0.35x at 16
 * transactions, 0.68-0.71x at 64-256, 0.84x at 512, 1.07x at 1,000, 1.25x at 1,500. With 2-thread
 * rounds only, two runs: 0.66-0.69x at 128, 0.65-0.96x at 256, 0.96-1.13x at 512, 1.23-1.32x at
 * 1,000. The plan, starting a worker and the join cost about 0.1-0.2 ms, and a transfer takes
 * 0.5-0.7 us on the sequential path: 1,024 is the first size that gained in every run.
 */
export const PARTITION_MIN_TXS = 1024;

/**
 * Whether every transaction looks like a plain transfer: a call without data or access list
 * (whether its recipient has code is known only from the pre-state). Cheap: run before staging.
 */
export function transferShaped(block: BlockInput): boolean {
  for (const tx of block.transactions) {
    if (tx.to === null || tx.to === undefined || tx.data.length > 0) return false;
    if ((tx.accessList?.length ?? 0) > 0) return false;
    if (tx.type > 3) return false; // newer types (EIP-7702 authorizations) write more than the message
  }
  return block.transactions.length > 0;
}

/**
 * Whether a plan (part_plan) whose largest group holds `largest` of `n` transactions is worth
 * running partitioned on `threads` threads: on one thread always (no speculation to pay for); on
 * more, when that group is at most three quarters of the block, which it bounds to 1.33x (else
 * Block-STM or the sequential path decide, as for any other block). 0: the plan ruled it out.
 */
export function partitionWorthIt(largest: number, n: number, threads: number): boolean {
  return largest > 0 && (threads === 1 || largest * 4 <= n * 3);
}

