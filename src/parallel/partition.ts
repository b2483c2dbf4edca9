// Partitioned execution (assembly/stm/partition.ts): a block of plain value transfers to
// accounts without code or storage splits into groups of transactions linked by the accounts they
// share; each thread runs whole groups in block order, with no speculation to validate. What the
// block's transactions declare decides it up front (here, before staging); the plan in wasm decides
// the rest from the messages and the accounts with code or storage (PartitionPlan, below).
import type { BlockInput, PreState } from "../block/types.js";
import type { Carver } from "../block/staging.js";
import type { Vm } from "../vm/vm.js";
import * as L from "../wasm/layout.js";
import type { WorkerPool } from "./pool.js";

/**
 * The fewest transactions for which the "auto" policy tries partitioned execution (on two threads
 * or more: on one it runs slower than the sequential path, by the plan's cost). Measured on
 * synthesized raw-transfer blocks at 2 threads against the sequential path, medians of 40-60
 * interleaved rounds (2026-11-22). With 1-, 2- and 4-thread rounds interleaved: 0.35x at 16
 * transactions, 0.68-0.71x at 64-256, 0.84x at 512, 1.07x at 1,000, 1.25x at 1,500. With 2-thread
 * rounds only, two runs: 0.66-0.69x at 128, 0.65-0.96x at 256, 0.96-1.13x at 512, 1.23-1.32x at
 * 1,000. The plan, starting a worker and the join cost about 0.1-0.2 ms, and a transfer takes
 * 0.5-0.7 us on the sequential path: 1,024 is the first size that gained in every run.
 * Re-checked once the plan had moved onto a worker, where it overlaps the pre-state's loading (two
 * runs of 40 interleaved rounds, 2 threads, medians / medians of per-round ratios, 2026-11-23):
 * 256 transfers 1.06x / 0.96x, 512 1.03-1.08x / 1.00-1.02x, 768 0.93-1.34x / 0.85-1.20x, 1,024
 * 1.22-1.24x / 1.08-1.20x. Below 1,024 no size gained in both runs: kept.
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
 * Whether a plan (PartitionPlan) whose largest group holds `largest` of `n` transactions is worth
 * running partitioned on `threads` threads: on one thread always (no speculation to pay for); on
 * more, when that group is at most three quarters of the block, which it bounds to 1.33x (else
 * Block-STM or the sequential path decide, as for any other block). 0: the plan ruled it out.
 */
export function partitionWorthIt(largest: number, n: number, threads: number): boolean {
  return largest > 0 && (threads === 1 || largest * 4 <= n * 3);
}

/**
 * The plan of a partitioned run (part_plan_staged in wasm). It reads only the block's messages and
 * the pre-state's accounts with code or storage, listed here, so it is staged as soon as the
 * messages are, and a worker makes it while the coordinator loads the pre-state into the tables.
 */
export class PartitionPlan {
  private job: Promise<number[]> | undefined;

  constructor(private readonly vm: Vm, private readonly header: number, carver: Carver, private readonly n: number, threads: number, pre: PreState) {
    // (Malformed entries are left to Vm.putAccounts, which names what is wrong.)
    const special = pre.accounts.filter(([address, a]) => address instanceof Uint8Array && address.length === 20
      && ((a.code instanceof Uint8Array && a.code.length > 0) || (Array.isArray(a.storage) && a.storage.length > 0)));
    const at = carver.take(Math.max(1, special.length) * 20);
    const scratch = carver.take(vm.exports.part_plan_scratch(n, special.length));
    const u8 = vm.u8();
    special.forEach(([address], k) => u8.set(address, at + 20 * k));
    vm.exports.part_plan_stage(header, threads, at, special.length, scratch);
  }

  /** Hands the plan to the pool's first worker (one woken for the block, spinning for it). */
  post(pool: WorkerPool): void {
    this.job = pool.run([this.header], { job: "plan" });
    this.job.catch(() => undefined); // awaited by settle() unless withdrawn
  }

  /**
   * The plan's largest group, once the pre-state is loaded: 0 when the block rules the mode out or
   * the account table has no room for every sender and recipient to be new. A posted plan no
   * worker has taken yet is taken back and made here.
   */
  async largestGroup(pool: WorkerPool): Promise<number> {
    const vm = this.vm;
    const largest = (await this.settle(pool)) ? vm.dv().getUint32(this.header + L.H_PART_LARGEST, true) : vm.exports.part_plan_staged(this.header);
    return vm.exports.accounts_have_room(2 * this.n) ? largest : 0;
  }

  /**
   * Returns once no worker runs the plan (taking it back where none has started it; the memory it
   * writes is the block's, which the next block reuses): true when a worker made it.
   */
  async settle(pool: WorkerPool): Promise<boolean> {
    const job = this.job;
    this.job = undefined;
    if (!job) return false;
    if (pool.coordinatorMayBlock && (pool.withdraw?.() ?? []).length > 0) return false;
    if (!(pool.coordinatorMayBlock && pool.join?.())) await job;
    return true;
  }
}
