// Every mainnet block fixture, executed sequentially and with Block-STM on 2 and 4 workers (and
// on 2 with only the first half on Block-STM, the rest handed to the coordinator in order):
// each result is checked against the block header (gasUsed, logsBloom, receiptsRoot from
// Byzantium on) and the parallel results must equal the sequential one exactly (compareResults:
// receipts and the full state diff). Braid is loaded from dist/ (see helpers/braid-dist.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Executors, checkHeader, describeDiff, listMainnetBlocks, loadMainnetBlock, type BlockResult, type ParallelResult,
} from "./helpers/braid-dist.js";

const BLOCKS = listMainnetBlocks();

/**
 * Blocks whose sequential run also recovers every sender (ecrecover, ~1.6 ms a transaction) and
 * checks it against the fixture's `from`: one per transaction-format era. Chosen to keep the file
 * short; the other runs trust `from` (verifySenders: false).
 */
const VERIFY_SENDERS = new Set([
  "116525", // Frontier: unprotected legacy signatures (v = 27/28)
  "4370000", // Byzantium: EIP-155 legacy signatures
  "12244000", // Berlin: type 1 (access lists)
  "15537394", // Paris: type 2 (EIP-1559)
  "19426587", // Cancun: type 3 (blobs)
]);

let ex: Executors;
const timings: Array<{ block: string; txs: number; seq: number; p2: number; p4: number; fallback: string[] }> = [];
const t0 = performance.now();

beforeAll(() => {
  ex = new Executors([2, 4]);
});

afterAll(async () => {
  await ex?.close();
  const sum = (k: "seq" | "p2" | "p4") => timings.reduce((s, t) => s + t[k], 0).toFixed(0);
  const fallbacks = timings.filter((t) => t.fallback.length).map((t) => `${t.block} (${t.fallback.join("; ")})`);
  console.log(
    `[blocks] ${timings.length} blocks in ${((performance.now() - t0) / 1000).toFixed(1)} s: ` +
    `sequential ${sum("seq")} ms, 2 threads ${sum("p2")} ms, 4 threads ${sum("p4")} ms` +
    (fallbacks.length ? `\n[blocks] parallel runs that fell back to sequential: ${fallbacks.join(", ")}` : ""),
  );
});

describe("mainnet blocks: sequential vs Block-STM (2 and 4 threads) vs header", () => {
  it("finds the 48 fixture blocks", () => {
    expect(BLOCKS.length).toBe(48);
  });

  for (const name of BLOCKS) {
    const verify = VERIFY_SENDERS.has(name);
    it(`block ${name}${verify ? " (senders recovered)" : ""}`, async () => {
      const failures: string[] = [];
      const timing = { block: name, txs: 0, seq: 0, p2: 0, p4: 0, fallback: [] as string[] };

      // Fresh objects for every execution: the executors set tx.sender and may reuse objects.
      const seqCase = loadMainnetBlock(name);
      const header = seqCase.block.header;
      timing.txs = seqCase.block.transactions.length;
      let t = performance.now();
      let seq: BlockResult;
      try {
        seq = ex.sequential(seqCase, verify);
      } catch (e) {
        throw new Error(`block ${name}: sequential execution threw: ${(e as Error).stack ?? e}`);
      }
      timing.seq = performance.now() - t;
      failures.push(...checkHeader(`block ${name} sequential`, seq, header));

      for (const [threads, mode] of [[2, "fallback"], [4, "fallback"], [2, "half"]] as const) {
        const label = `block ${name} parallel ${threads} threads${mode === "half" ? ", first half on Block-STM" : ""}`;
        t = performance.now();
        let par: ParallelResult;
        try {
          par = await ex.parallel(loadMainnetBlock(name), threads, false, mode);
        } catch (e) {
          failures.push(`${label}: threw ${(e as Error).stack ?? e}`);
          continue;
        }
        if (mode === "fallback") timing[threads === 2 ? "p2" : "p4"] = performance.now() - t;
        if (par.parallel.sequential && par.parallel.fallbackReason !== "small block") {
          timing.fallback.push(`${threads} threads: ${par.parallel.fallbackReason}`);
        }
        failures.push(...checkHeader(label, par, header));
        failures.push(...describeDiff(`${label} vs sequential`, seq, par));
      }
      timings.push(timing);
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }
});
