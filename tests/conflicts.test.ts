// Engineered conflict blocks (tests/helpers/conflicts.ts): one storage slot written by every
// transaction, dependency chains, same-sender runs, BALANCE(COINBASE) amid fee payers (lazy fee
// crediting), create-then-call, self-destruct and re-creation (Shanghai and Cancun/EIP-6780),
// deposits to one account (lazy recipient credits), and blocks made invalid only by an earlier
// transaction. Each runs sequentially and with Block-STM on 2 and 4 workers: every result must
// pass the scenario's own checks, and the parallel results must equal the sequential one
// (compareResults).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Executors, describeDiff, isBraidError, type BlockResult, type ParallelMode } from "./helpers/braid-dist.js";
import { checkScenario, scenarios, type Scenario } from "./helpers/conflicts.js";

/**
 * Thread counts and modes (helpers/braid-dist.ts): the default serial fallback, every transaction
 * on Block-STM, and Block-STM on the first half with the rest handed to the coordinator.
 */
const MODES: Array<[number, ParallelMode]> = [[2, "fallback"], [4, "fallback"], [2, "stm"], [4, "stm"], [2, "half"]];
const MODE_LABEL: Record<ParallelMode, string> = { fallback: "", stm: ", all on Block-STM", half: ", first half on Block-STM" };

let ex: Executors;
beforeAll(() => {
  ex = new Executors([2, 4]);
});
afterAll(async () => {
  await ex?.close();
});

/** Runs `f` and returns the error it throws (undefined when it returns). */
async function thrown(f: () => unknown): Promise<unknown> {
  try { await f(); } catch (e) { return e; }
  return undefined;
}

function describeError(e: unknown): string {
  return e === undefined ? "no error" : isBraidError(e) ? `BraidError ${e.code}: ${e.message}` : `non-Braid error: ${(e as Error)?.stack ?? e}`;
}

function validScenario(s: Scenario): void {
  let seq: BlockResult | undefined;

  it("sequential: statuses, gas and the scenario's checks", () => {
    const c = s.make();
    seq = ex.sequential(c);
    const failures = checkScenario("sequential", s, seq, c);
    expect(failures, failures.join("\n")).toEqual([]);
  });

  for (const [threads, mode] of MODES) {
    it(`parallel ${threads} threads${MODE_LABEL[mode]}: same checks, and identical to sequential`, async () => {
      const c = s.make();
      const half = Math.floor(c.block.transactions.length / 2);
      const par = await ex.parallel(c, threads, false, mode);
      const label = `parallel ${threads} threads${MODE_LABEL[mode]}`;
      const failures = checkScenario(label, s, par, c);
      if (par.parallel.sequential) failures.push(`${label}: fell back to sequential execution (${par.parallel.fallbackReason})`);
      if (mode === "stm" && par.parallel.serialFrom !== undefined) failures.push(`${label}: ran a serial rest from ${par.parallel.serialFrom}`);
      if (mode === "stm" && s.minCredits !== undefined && par.parallel.credits < s.minCredits) failures.push(`${label}: ${par.parallel.credits} lazy credits, expected at least ${s.minCredits}`);
      if (mode === "half" && par.parallel.serialFrom !== half) failures.push(`${label}: serial rest from ${par.parallel.serialFrom}, not ${half}`);
      if (!seq) failures.push(`${label}: no sequential result to compare with (the sequential test failed)`);
      else failures.push(...describeDiff(`${label} vs sequential`, seq, par));
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }
}

function invalidScenario(s: Scenario): void {
  const want = new RegExp(`transaction ${s.invalidTx}\\b`);
  it(`sequential throws a BraidError for transaction ${s.invalidTx}`, async () => {
    const e = await thrown(() => ex.sequential(s.make()));
    expect(isBraidError(e), describeError(e)).toBe(true);
    expect((e as Error).message, describeError(e)).toMatch(want);
  });
  for (const [threads, mode] of MODES) {
    it(`parallel ${threads} threads${MODE_LABEL[mode]} throws a BraidError for transaction ${s.invalidTx}`, async () => {
      const e = await thrown(() => ex.parallel(s.make(), threads, false, mode));
      expect(isBraidError(e), describeError(e)).toBe(true);
      expect((e as Error).message, describeError(e)).toMatch(want);
    });
  }
}

for (const s of scenarios()) {
  describe(s.name, () => {
    if (s.invalidTx !== undefined) invalidScenario(s);
    else validScenario(s);
  });
}
