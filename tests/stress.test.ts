// Race hunting: the same blocks executed with Block-STM (2 and 4 threads, or BRAID_STRESS_THREADS)
// many times, each run compared with the block's sequential result. With BRAID_STRESS=1 (npm run
// test:stress) it runs 20 repetitions of each of the mainnet blocks with the most transactions
// and 50 of every conflict scenario; otherwise a quick version (2 repetitions of 3 mainnet
// blocks and 3 conflict scenarios) so that `npm test` still exercises it. A failure says how many
// of the runs differed and shows the first differences of each.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Executors, describeDiff, listMainnetBlocks, loadMainnetBlock, type BlockCase, type BlockResult, type ParallelResult,
} from "./helpers/braid-dist.js";
import { checkScenario, scenarios, type Scenario } from "./helpers/conflicts.js";
import { blockFromRpc, preStateFromAlloc } from "../src/block/parse.js";
import { synthesizeBlock, type SynthKind } from "../src/synth/index.js";

const FULL = process.env.BRAID_STRESS === "1";
const MODE = FULL ? "full (BRAID_STRESS=1)" : "quick: 2 repetitions (BRAID_STRESS=1 for the full run)";
const BLOCK_REPS = FULL ? 20 : 2;
const SCENARIO_REPS = FULL ? 50 : 2;
const BLOCK_COUNT = FULL ? 6 : 3;
// BRAID_STRESS_THREADS="8,16" races more threads on a machine with the cores for them.
const THREADS = (process.env.BRAID_STRESS_THREADS ?? "2,4").split(",").map((x) => Number(x.trim()));
if (THREADS.some((t) => !Number.isInteger(t) || t < 1)) {
  throw new Error(`BRAID_STRESS_THREADS: expected thread counts such as "8,16", got "${process.env.BRAID_STRESS_THREADS}"`);
}

let ex: Executors;
const t0 = performance.now();
beforeAll(() => {
  ex = new Executors(THREADS);
});
afterAll(async () => {
  await ex?.close();
  console.log(`[stress] ${MODE}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});

/** The mainnet blocks with the most transactions (transaction count read from each fixture). */
function biggestBlocks(n: number): Array<{ name: string; txs: number }> {
  return listMainnetBlocks()
    .map((name) => ({ name, txs: loadMainnetBlock(name).block.transactions.length }))
    .sort((a, b) => b.txs - a.txs || Number(a.name) - Number(b.name))
    .slice(0, n);
}

interface Tally { runs: number; bad: number; aborts: number; maxAborts: number; fallbacks: number; first: string[] }

/**
 * Runs `make()` in parallel `reps` times per thread count, checking each result with `check`
 * (differences from the sequential reference and anything else); returns failure lines.
 */
async function hammer(what: string, reps: number, make: () => BlockCase, check: (label: string, r: ParallelResult, c: BlockCase) => string[]): Promise<string[]> {
  const failures: string[] = [];
  const notes: string[] = [];
  for (const threads of THREADS) {
    const tally: Tally = { runs: 0, bad: 0, aborts: 0, maxAborts: 0, fallbacks: 0, first: [] };
    for (let rep = 0; rep < reps; rep++) {
      const label = `${what}, ${threads} threads, run ${rep + 1}/${reps}`;
      const c = make();
      let out: string[];
      let aborts = 0;
      try {
        // Odd runs keep every transaction on Block-STM, so conflicted blocks still race there.
        const r = await ex.parallel(c, threads, false, rep % 2 === 0 ? "fallback" : "stm");
        aborts = r.parallel.aborts;
        if (r.parallel.sequential) tally.fallbacks++;
        out = check(label, r, c);
      } catch (e) {
        out = [`${label}: threw ${(e as Error).stack ?? e}`];
      }
      tally.runs++;
      tally.aborts += aborts;
      tally.maxAborts = Math.max(tally.maxAborts, aborts);
      if (out.length) {
        tally.bad++;
        if (tally.first.length < 3) tally.first.push(...out.slice(0, 8));
      }
    }
    notes.push(`${threads} threads: ${tally.runs} runs, aborts mean ${(tally.aborts / tally.runs).toFixed(1)} max ${tally.maxAborts}` +
      (tally.fallbacks ? `, ${tally.fallbacks} sequential fallbacks` : ""));
    if (tally.bad) failures.push(`${what}: ${tally.bad} of ${tally.runs} runs with ${threads} threads differ; first ones:`, ...tally.first.map((l) => "  " + l));
  }
  console.log(`[stress] ${what}: ${notes.join("; ")}`);
  return failures;
}

describe(`stress, mainnet blocks: ${BLOCK_REPS} parallel runs each vs sequential (${MODE})`, () => {
  for (const { name, txs } of biggestBlocks(BLOCK_COUNT)) {
    it(`block ${name} (${txs} transactions) x${BLOCK_REPS} with ${THREADS.join(" and ")} threads`, async () => {
      const seq: BlockResult = ex.sequential(loadMainnetBlock(name));
      const failures = await hammer(`block ${name}`, BLOCK_REPS, () => loadMainnetBlock(name),
        (label, r) => describeDiff(`${label} vs sequential`, seq, r, 10));
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }
});

// Transfers to fresh recipients create an account each, ERC-20 transfers to fresh holders a slot
// of the token each: the parallel commit inserts them into the pre-state tables from every thread
// at once (assembly/stm/insert.ts).
const CREATING: SynthKind[] = ["raw-transfers", "erc20"];
const CREATING_TXS = FULL ? 1000 : 300;

describe(`stress, blocks that create accounts and slots: ${BLOCK_REPS} parallel runs each vs sequential (${MODE})`, () => {
  for (const kind of CREATING) {
    it(`${kind} (${CREATING_TXS} transactions) x${BLOCK_REPS} with ${THREADS.join(" and ")} threads`, async () => {
      const sb = synthesizeBlock({ kind, txs: CREATING_TXS, seed: "stress-creating" });
      const make = (): BlockCase => ({ block: blockFromRpc(sb.block), pre: preStateFromAlloc(sb.alloc) }) as BlockCase;
      const seq: BlockResult = ex.sequential(make());
      expect(seq.stateDiff.size).toBeGreaterThan(CREATING_TXS);
      const failures = await hammer(kind, BLOCK_REPS, make, (label, r) => describeDiff(`${label} vs sequential`, seq, r, 10));
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }
});

const QUICK_SCENARIOS = /busy loop|^\(b\)|coinbase absent/; // the slow counter, the chains, the fee-funded coinbase
const SCENARIOS: Scenario[] = scenarios().filter((s) => s.invalidTx === undefined && (FULL || QUICK_SCENARIOS.test(s.name)));

describe(`stress, conflict scenarios: ${SCENARIO_REPS} parallel runs each vs sequential (${MODE})`, () => {
  it("has the scenarios it means to run", () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(FULL ? 10 : 3);
  });
  for (const s of SCENARIOS) {
    it(`${s.name} x${SCENARIO_REPS}`, async () => {
      const seq = ex.sequential(s.make());
      const failures = await hammer(s.name, SCENARIO_REPS, s.make,
        (label, r, c) => [...checkScenario(label, s, r, c), ...describeDiff(`${label} vs sequential`, seq, r, 10)]);
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }
});
