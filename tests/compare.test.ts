// compareResults is the oracle of every parallel test (Block-STM and partitioned runs against
// executeBlock): it must report each kind of difference, not only agree on equal results.
import { beforeAll, describe, expect, it } from "vitest";
import { Vm, loadBraidModule, loadBlockFixture, executeBlock, compareResults, MAINNET_BLOCKS } from "./helpers/braid-dist.js";
import type { BlockResult, StateDiffEntry } from "../src/block/types.js";
import { join } from "node:path";

// A Cancun block of 58 transactions with logs and storage writes.
const BLOCK = "19934116";

describe("compareResults", () => {
  let run: () => BlockResult;
  let reference: BlockResult;

  beforeAll(() => {
    const vm = new Vm(loadBraidModule());
    const { block, pre } = loadBlockFixture(join(MAINNET_BLOCKS, BLOCK));
    run = () => executeBlock(vm, block, pre, { verifySenders: false });
    reference = run();
  });

  /** The index of the first receipt with logs, and the first changed account with storage. */
  const withLogs = (r: BlockResult) => r.receipts.findIndex((x) => x.logs.length > 0 && x.logs[0]!.topics.length > 0 && x.logs[0]!.data.length > 0);
  const withStorage = (r: BlockResult) => [...r.stateDiff].find(([, e]) => e !== null && e.storage.size > 0)!;

  it("finds nothing between two executions of the same block", () => {
    expect(withLogs(reference)).toBeGreaterThanOrEqual(0);
    expect(withStorage(reference)).toBeDefined();
    expect(compareResults(reference, run())).toEqual([]);
  });

  it("reports a log's data, topic or address", () => {
    const k = withLogs(reference);
    const edits: Array<(r: BlockResult) => void> = [
      (r) => { r.receipts[k]!.logs[0]!.data[0]! ^= 1; },
      (r) => { r.receipts[k]!.logs[0]!.topics[0]![31]! ^= 1; },
      (r) => { r.receipts[k]!.logs[0]!.address[19]! ^= 1; },
      (r) => { r.receipts[k]!.logs.pop(); },
    ];
    for (const edit of edits) {
      const other = run();
      edit(other);
      expect(compareResults(reference, other)).toEqual([expect.stringMatching(new RegExp(`^receipt ${k}:`))]);
    }
  });

  it("reports a receipt's status, gas, assigned bloom or contract address", () => {
    const edits: Array<(r: BlockResult) => void> = [
      (r) => { r.receipts[3]!.status = "revert"; },
      (r) => { r.receipts[3]!.gasUsed += 1n; },
      (r) => { r.receipts[3]!.cumulativeGasUsed += 1n; },
      (r) => { const b = new Uint8Array(256); b[7] = 1; r.receipts[3]!.logsBloom = b; },
      (r) => { r.receipts[3]!.contractAddress = new Uint8Array(20); },
    ];
    for (const edit of edits) {
      const other = run();
      edit(other);
      expect(compareResults(reference, other)).toEqual(["receipt 3: success/" + reference.receipts[3]!.gasUsed + " vs " + other.receipts[3]!.status + "/" + other.receipts[3]!.gasUsed]);
    }
    // Either side may be the one whose bloom was assigned.
    const other = run();
    other.receipts[3]!.logsBloom = new Uint8Array(other.receipts[3]!.logsBloom);
    expect(compareResults(other, reference)).toEqual([]);
    other.receipts[3]!.logsBloom = new Uint8Array(256).fill(0xff);
    expect(compareResults(other, reference)).toHaveLength(1);
  });

  it("reports the block's gas, bloom and receipt count", () => {
    const gas = run();
    gas.gasUsed -= 1n;
    expect(compareResults(reference, gas)).toEqual([`gasUsed ${reference.gasUsed} vs ${gas.gasUsed}`]);
    const bloom = run();
    bloom.logsBloom[255]! ^= 0x80;
    expect(compareResults(reference, bloom)).toEqual(["logsBloom differs"]);
    const fewer = run();
    fewer.receipts.pop();
    expect(compareResults(reference, fewer)).toEqual([`receipt count ${reference.receipts.length} vs ${fewer.receipts.length}`]);
  });

  it("reports an account's nonce, balance, code, slot or cleared storage, and missing or extra accounts", () => {
    const [addr] = withStorage(reference);
    const slot = [...(reference.stateDiff.get(addr) as StateDiffEntry).storage.keys()][0]!;
    const edits: Array<(e: StateDiffEntry) => void> = [
      (e) => { e.nonce += 1n; },
      (e) => { e.balance += 1n; },
      (e) => { e.codeHash = "0x" + "00".repeat(32); },
      (e) => { e.storage.set(slot, e.storage.get(slot)! + 1n); },
      (e) => { e.storage.delete(slot); },
      (e) => { e.storage.set("0x" + "ab".repeat(32), 1n); },
      (e) => { e.storageCleared = true; },
    ];
    for (const edit of edits) {
      const other = run();
      edit(other.stateDiff.get(addr)!);
      expect(compareResults(reference, other)).toEqual([`state of ${addr} differs`]);
    }
    const deleted = run();
    deleted.stateDiff.set(addr, null);
    expect(compareResults(reference, deleted)).toEqual([`state of ${addr} differs`]);
    const missing = run();
    missing.stateDiff.delete(addr);
    expect(compareResults(reference, missing)).toEqual([`state of ${addr} differs`]);
    const extra = run();
    const stranger = "0x" + "cd".repeat(20);
    extra.stateDiff.set(stranger, null);
    expect(compareResults(reference, extra)).toEqual([`state of ${stranger} only in the second result`]);
  });
});
