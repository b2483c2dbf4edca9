// Runs of one sender's consecutive transactions (a pool paying out, an exchange's withdrawals):
// the host stages where each run ends (T_RUN_END), the scheduler hands a run to one thread so its
// nonces chain in order, reads along a run are not counted as a serial block's chained reads, and
// a block that is mostly one run is handed to in-order execution where the run starts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Executors, describeDiff } from "./helpers/braid-dist.js";
import { BURNER, BlockBuilder, CANCUN, ETHER, address } from "./helpers/conflicts.js";
import { senderRunEnds, longestSenderRun } from "../src/block/staging.js";
import type { Transaction } from "../src/tx/types.js";

const POOL = address(0x9001), CB = address(0xc0ffee);
const recipient = (i: number) => address(0x7e0000 + i);
const sender = (i: number) => address(0x5e0000 + i);

let ex: Executors;
beforeAll(() => {
  ex = new Executors([2]);
});
afterAll(async () => {
  await ex?.close();
});

/** `run` payouts from one account (the coinbase when `fromCoinbase`), then `rest` transfers of distinct senders. */
function payouts(run: number, rest: number, fromCoinbase = false) {
  const from = fromCoinbase ? CB : POOL;
  const b = new BlockBuilder(CANCUN, CB);
  b.eoa(from, 1000n * ETHER);
  for (let i = 0; i < rest; i++) b.eoa(sender(i), ETHER);
  for (let i = 0; i < run; i++) b.tx(from, recipient(i), { value: 1000n + BigInt(i), gas: 21_000n });
  for (let i = 0; i < rest; i++) b.tx(sender(i), recipient(run + i), { value: 7n, gas: 21_000n });
  return b.build();
}

const txsFrom = (senders: number[]): Transaction[] => senders.map((s) => ({ sender: address(s) }) as Transaction);

describe("sender runs", () => {
  it("run ends and the longest run are read from consecutive senders", () => {
    expect([...senderRunEnds(txsFrom([1, 1, 2, 3, 3, 3, 1]))]).toEqual([2, 2, 3, 6, 6, 6, 7]);
    expect([...senderRunEnds([])]).toEqual([]);
    expect(longestSenderRun(senderRunEnds(txsFrom([1, 1, 2, 3, 3, 3, 1])))).toEqual({ start: 3, length: 3 });
    expect(longestSenderRun(senderRunEnds(txsFrom([4])))).toEqual({ start: 0, length: 1 });
    // A transaction without a known sender starts a run of its own.
    expect([...senderRunEnds([{} as Transaction, {} as Transaction])]).toEqual([1, 2]);
  });

  it("a run of 40 payouts before independent transfers runs on one thread: no waits, aborts or chained reads", async () => {
    const seq = ex.sequential(payouts(40, 40));
    for (let k = 0; k < 3; k++) {
      const par = await ex.parallel(payouts(40, 40), 2, false, "stm");
      expect(par.parallel.sequential).toBe(false);
      expect({ aborts: par.parallel.aborts, waits: par.parallel.waits, chained: par.parallel.chained }).toEqual({ aborts: 0, waits: 0, chained: 0 });
      expect(par.parallel.executions).toBe(80);
      expect(describeDiff(`2 threads, round ${k} vs sequential`, seq, par)).toEqual([]);
    }
  });

  it("with the serial fallback on, the run does not hand the block over", async () => {
    const seq = ex.sequential(payouts(40, 60));
    const par = await ex.parallel(payouts(40, 60), 2, false, "fallback");
    expect(par.parallel.serialFrom).toBeUndefined();
    expect(describeDiff("2 threads vs sequential", seq, par)).toEqual([]);
  });

  it("a block mostly of the coinbase's payouts goes in order from where the run starts, same result", async () => {
    // Two transfers, then 60 payouts from the coinbase (each reads its balance, fees included).
    const make = () => {
      const b = new BlockBuilder(CANCUN, CB);
      b.eoa(CB, 1000n * ETHER);
      for (let i = 0; i < 2; i++) b.eoa(sender(i), ETHER);
      for (let i = 0; i < 2; i++) b.tx(sender(i), recipient(100 + i), { value: 3n, gas: 21_000n });
      for (let i = 0; i < 60; i++) b.tx(CB, recipient(i), { value: 1000n + BigInt(i), gas: 21_000n });
      return b.build();
    };
    const seq = ex.sequential(make());
    const par = await ex.parallel(make(), 2, false, "fallback");
    expect(par.parallel.sequential).toBe(false);
    expect(par.parallel.serialFrom).toBe(2);
    expect(describeDiff("fallback vs sequential", seq, par)).toEqual([]);
    // Without the fallback the whole run is Block-STM's, still exact.
    const stm = await ex.parallel(make(), 2, false, "stm");
    expect(stm.parallel.serialFrom).toBeUndefined();
    expect(describeDiff("all on Block-STM vs sequential", seq, stm)).toEqual([]);
  });

  it("a block that is mostly one run from its first transaction takes the sequential path, same result", async () => {
    const seq = ex.sequential(payouts(60, 20));
    // (Not partitioned, which these plain transfers would otherwise be: below.)
    const par = await ex.parallel(payouts(60, 20), 2, false, "fallback", false);
    expect(par.parallel.sequential).toBe(true);
    expect(par.parallel.fallbackReason).toMatch(/one sender's run/);
    expect(describeDiff("fallback vs sequential", seq, par)).toEqual([]);
    // Partitioned, the run is one group of 60 (three quarters of the block) beside 20 others.
    const part = await ex.parallel(payouts(60, 20), 2, false, "fallback");
    expect(part.parallel.partitioned).toEqual({ largestGroup: 60 });
    expect(describeDiff("partitioned vs sequential", seq, part)).toEqual([]);
    const stm = await ex.parallel(payouts(60, 20), 2, false, "stm");
    expect(stm.parallel.sequential).toBe(false);
    expect(describeDiff("all on Block-STM vs sequential", seq, stm)).toEqual([]);
  });

  it("payouts from the coinbase amid independent transfers, all on Block-STM: exact", async () => {
    const seq = ex.sequential(payouts(30, 50, true));
    const par = await ex.parallel(payouts(30, 50, true), 2, false, "stm");
    expect(describeDiff("2 threads vs sequential", seq, par)).toEqual([]);
  });

  it("payouts from the coinbase after slow fee-paying transactions: the run waits for the fees a few times, not once per payout", async () => {
    // Four slow calls (distinct senders) pay fees; then 40 payouts from the coinbase, each reading
    // its balance, fees included. The thread that claims the run waits on the first unknown fee
    // and gives back the rest of its claim (before, every queued payout waited: 804 waits on
    // mainnet block 12520364).
    const burner = address(0xb4e1);
    const make = () => {
      const b = new BlockBuilder(CANCUN, CB);
      b.eoa(CB, 1000n * ETHER);
      b.contract(burner, BURNER);
      for (let i = 0; i < 4; i++) { b.eoa(sender(i), ETHER); b.tx(sender(i), burner, { value: 1000n, tip: 3n }); }
      for (let i = 0; i < 40; i++) b.tx(CB, recipient(i), { value: 1000n + BigInt(i), gas: 21_000n });
      return b.build();
    };
    const seq = ex.sequential(make());
    for (let k = 0; k < 3; k++) {
      const par = await ex.parallel(make(), 2, false, "stm");
      expect(describeDiff(`round ${k} vs sequential`, seq, par)).toEqual([]);
      expect(par.parallel.waits, JSON.stringify(par.parallel)).toBeLessThanOrEqual(8);
    }
  });
});
