// Block-STM's serial fallback (assembly/stm/scheduler.ts, serialize_if_conflicted): a dependency
// chain hands the rest of the block to the coordinator after a few transactions, whether the
// threads collide (aborts, waits) or one thread runs alone and nothing aborts (chained reads);
// independent transactions never trigger it. Results stay identical to sequential execution.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Executors, describeDiff, type BlockCase } from "./helpers/braid-dist.js";
import { blockFromRpc, preStateFromAlloc } from "../src/block/parse.js";
import { synthesizeBlock, type SynthKind } from "../src/synth/index.js";

const TXS = 160;
/** The fallback needs 16 conflicts or 32 conflict and chained events: it should stop before this. */
const EARLY = 64;

let ex: Executors;
const blocks = new Map<SynthKind, { block: unknown; alloc: unknown }>();
beforeAll(() => {
  ex = new Executors([1, 2]);
  for (const kind of ["chain", "erc20-hot", "erc20", "raw-transfers"] as SynthKind[]) {
    const sb = synthesizeBlock({ kind, txs: TXS, seed: "serial-fallback" });
    blocks.set(kind, { block: sb.block, alloc: sb.alloc });
  }
}, 120_000);
afterAll(async () => {
  await ex?.close();
});

const make = (kind: SynthKind): BlockCase => {
  const b = blocks.get(kind)!;
  return { block: blockFromRpc(b.block as never), pre: preStateFromAlloc(b.alloc as never) } as BlockCase;
};

describe("serial fallback", () => {
  for (const kind of ["chain", "erc20-hot"] as SynthKind[]) {
    for (const threads of [1, 2]) {
      it(`${kind}, ${threads} thread${threads > 1 ? "s" : ""}: the coordinator takes over${threads === 1 ? " early" : ""}, same result`, async () => {
        const seq = ex.sequential(make(kind));
        if (threads === 1) {
          // One thread alone never aborts and runs the transactions in order: the chained reads
          // alone trigger the fallback, at the same transaction on every run.
          const par = await ex.parallel(make(kind), 1, false, "fallback");
          expect(par.parallel.sequential).toBe(false);
          expect(par.parallel.serialFrom, JSON.stringify(par.parallel)).toBeDefined();
          expect(par.parallel.serialFrom!).toBeLessThanOrEqual(EARLY);
          expect(par.parallel.aborts + par.parallel.waits).toBe(0);
          expect(par.parallel.chained).toBeGreaterThanOrEqual(32);
          expect(describeDiff(`${kind} 1 thread vs sequential`, seq, par)).toEqual([]);
          return;
        }
        // With two threads where the hand-over falls depends on how the OS schedules them: one
        // thread descheduled lets the other run (and, as nothing it read was written yet,
        // validate) transactions before a conflict shows, so a loaded machine hands over later
        // (at transaction 87 or 120 of 160 on CI) or, when every transaction has run by then, not
        // at all (nothing left to hand over, by design). How early is not asserted here (that is
        // timing, which the benchmarks measure); every run must be exact, and one of five must
        // hand over.
        let handedOver = false;
        for (let attempt = 1; attempt <= 5 && !handedOver; attempt++) {
          const par = await ex.parallel(make(kind), threads, false, "fallback");
          expect(par.parallel.sequential).toBe(false);
          expect(describeDiff(`${kind} ${threads} threads vs sequential (attempt ${attempt})`, seq, par)).toEqual([]);
          handedOver = par.parallel.serialFrom !== undefined && par.parallel.serialFrom < TXS;
        }
        expect(handedOver).toBe(true);
      });
    }
  }
  for (const kind of ["erc20", "raw-transfers"] as SynthKind[]) {
    it(`${kind}: independent transactions all run on Block-STM (no chained reads)`, async () => {
      const seq = ex.sequential(make(kind));
      // (Transfers would otherwise run partitioned: tests/partition.test.ts.)
      const one = await ex.parallel(make(kind), 1, false, "fallback", false);
      expect(one.parallel.partitioned).toBeUndefined();
      expect(one.parallel.chained).toBe(0);
      expect(one.parallel.serialFrom).toBeUndefined();
      const two = await ex.parallel(make(kind), 2, false, "fallback", false);
      expect(two.parallel.serialFrom).toBeUndefined();
      expect(describeDiff(`${kind} 2 threads vs sequential`, seq, two)).toEqual([]);
    });
  }
});
