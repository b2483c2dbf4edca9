// Values handed to the API directly (not parsed from JSON) are checked too: a wrong one is a
// BraidError naming it, never a TypeError, a wasm trap or a value taken modulo 2^64 or 2^256.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadBraidModule } from "../src/node/load.js";
import { NodeWorkerPool } from "../src/node/pool.js";
import { loadBlockFixture } from "../src/node/fixture.js";
import { Vm } from "../src/vm/vm.js";
import { runCode } from "../src/vm/run-code.js";
import { executeBlock } from "../src/block/execute.js";
import { isBraidError } from "../src/encoding/errors.js";
import type { PreState } from "../src/block/types.js";

const module = loadBraidModule();
const vm = new Vm(module);
const STOP = new Uint8Array([0x00]);

function codeOf(f: () => unknown): string {
  try { f(); } catch (e) {
    expect(isBraidError(e), String(e)).toBe(true);
    return `${(e as { code: string }).code}: ${(e as Error).message}`;
  }
  throw new Error("expected an error, got none");
}

describe("runCode options", () => {
  it.each([
    ["negative gas", { code: STOP, gas: -1n }, /OPTIONS_INVALID: runCode: gas must be a bigint in \[0, 2\^63-1\], got -1/],
    ["gas of 2^64", { code: STOP, gas: 2n ** 64n }, /gas must be a bigint/],
    ["gas as a number", { code: STOP, gas: 100 }, /gas must be a bigint/],
    ["no code", { gas: 100n }, /code must be a Uint8Array/],
    ["code as hex text", { code: "0x00", gas: 100n }, /code must be a Uint8Array/],
    ["input as hex text", { code: STOP, input: "0x00", gas: 100n }, /input must be a Uint8Array/],
    ["a negative value", { code: STOP, value: -1n, gas: 100n }, /value must be a bigint in \[0, 2\^256-1\]/],
    ["call data beyond the input region", { code: STOP, input: new Uint8Array(8 << 20), gas: 100n }, /INPUT_TOO_LARGE: 8388608 bytes do not fit/],
  ])("%s", (_name, options, message) => {
    expect(codeOf(() => runCode(vm, options as never))).toMatch(message);
    // The Vm still runs afterwards.
    expect(runCode(vm, { code: STOP, gas: 100n })).toMatchObject({ status: "success", gasUsed: 0n });
  });
});

describe("runCode and memory beyond the Vm's regions", () => {
  const hex = (h: string) => Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));
  const big = new Vm(module); // its memory grows here
  it("a program that expands memory past the region's default runs again with it enlarged", () => {
    // CALLDATACOPY of 68 MiB at 0: the memory region starts at 64 MiB.
    const r = runCode(big, { code: hex("6304400000600060003700") });
    const words = 0x04400000n / 32n;
    expect(r.status).toBe("success");
    expect(r.gasUsed).toBe(9n + 3n + 3n * words + 3n * words + (words * words) / 512n);
  });
  it.each([
    ["CALLDATACOPY of 2^32 - 1 bytes", "63ffffffff600060003700"],
    ["CALLDATACOPY ending 31 bytes below 2^32 (a word past it)", "63ffffffe1600060003700"],
    ["LOG0 of 2^32 - 1 bytes", "63ffffffff6000a000"],
  ])("%s with 2^63 - 1 gas is MEMORY_EXHAUSTED, not a wasm trap, and the Vm runs on", (_name, code) => {
    expect(codeOf(() => runCode(big, { code: hex(code), gas: 2n ** 63n - 1n }))).toMatch(/^MEMORY_EXHAUSTED: Braid needs \d+ MiB of wasm memory/);
    expect(runCode(big, { code: STOP, gas: 100n })).toMatchObject({ status: "success", gasUsed: 0n });
  });
});

describe("pre-state given as objects", () => {
  const { block, pre } = loadBlockFixture(join(import.meta.dirname, "../../shared/fixtures/mainnet-blocks/46147"));
  const edited = (edit: (a: PreState["accounts"][number][1]) => void): PreState => ({
    ...pre,
    accounts: pre.accounts.map(([address, a], i) => {
      const copy = { ...a, storage: [...a.storage] };
      if (i === 0) edit(copy);
      return [address, copy];
    }),
  });
  it.each([
    ["a negative balance", (a: any) => { a.balance = -5n; }, /STATE_INVALID: account 0x[0-9a-f]{40}: balance -5 is not a bigint in \[0, 2\^256-1\]/],
    ["a balance of 2^256", (a: any) => { a.balance = 2n ** 256n; }, /balance \d+ is not a bigint/],
    ["a nonce of 2^64", (a: any) => { a.nonce = 2n ** 64n; }, /nonce 18446744073709551616 is not a bigint in \[0, 2\^64-1\]/],
    ["a storage value of 2^256", (a: any) => { a.storage = [[1n, 2n ** 256n]]; }, /STATE_INVALID: storage slot 1 = \d+: keys and values must be bigints/],
    ["code as hex text", (a: any) => { a.code = "0x00"; }, /code must be a Uint8Array/],
    ["no code (null)", (a: any) => { a.code = null; }, /code must be a Uint8Array/],
    ["no storage (null)", (a: any) => { a.storage = null; }, /storage must be an array/],
    ["a storage entry that is a number", (a: any) => { a.storage = [5]; }, /STATE_INVALID: account 0x[0-9a-f]{40}: storage\[0\] must be a \[key, value\] pair, got 5/],
    ["a storage entry that is null", (a: any) => { a.storage = [[1n, 2n], null]; }, /storage\[1\] must be a \[key, value\] pair, got null/],
  ])("%s is STATE_INVALID", (_name, edit, message) => {
    expect(codeOf(() => executeBlock(vm, block, edited(edit), { verifySenders: false }))).toMatch(message);
  });
  it("an account listed twice is STATE_INVALID (which entry won would depend on the order)", () => {
    const [address, account] = pre.accounts[0]!;
    const twice: PreState = { ...pre, accounts: [...pre.accounts, [Uint8Array.from(address), { ...account, balance: 0n }]] };
    expect(codeOf(() => executeBlock(vm, block, twice, { verifySenders: false }))).toMatch(/^STATE_INVALID: account 0x[0-9a-f]{40}: listed twice in the pre-state/);
  });
  it("the untouched pre-state still executes, with options absent, undefined or null", () => {
    for (const opts of [undefined, null]) expect(executeBlock(vm, block, pre, opts).gasUsed).toBe(block.header.gasUsed);
    expect(codeOf(() => executeBlock(vm, block, pre, 5 as never))).toMatch(/^OPTIONS_INVALID: executeBlock: options must be an object, got 5/);
  });
});

describe("block headers given as objects", () => {
  const { block, pre } = loadBlockFixture(join(import.meta.dirname, "../../shared/fixtures/mainnet-blocks/46147"));
  it.each([
    ["a gas limit of 2^64", { gasLimit: 2n ** 64n }, /^BLOCK_INVALID: header: gasLimit 18446744073709551616 is not a bigint in \[0, 2\^64-1\]/],
    ["a negative number", { number: -1n }, /header: number -1 is not a bigint/],
    ["a timestamp as a number", { timestamp: 5 }, /header: timestamp 5 is not a bigint/],
    ["a short coinbase", { coinbase: new Uint8Array(19) }, /header: coinbase must be 20 bytes/],
    ["a negative base fee", { baseFee: -1n }, /header: baseFee -1 is not a bigint in \[0, 2\^256-1\]/],
    ["uncles as a string", { uncles: "abc" }, /^BLOCK_INVALID: header: uncles must be an array of 32-byte uncle hashes/],
    ["an uncle hash of 31 bytes", { uncles: [new Uint8Array(31)] }, /header: uncles must be an array of 32-byte uncle hashes/],
  ])("%s is BLOCK_INVALID", (_name, change, message) => {
    const edited = { ...block, header: { ...block.header, ...change } };
    expect(codeOf(() => executeBlock(vm, edited as never, pre, { verifySenders: false }))).toMatch(message);
  });
});

describe("transactions, withdrawals and block hashes given as objects", () => {
  const { block, pre } = loadBlockFixture(join(import.meta.dirname, "../../shared/fixtures/mainnet-blocks/19426587"));
  const withTx = (edit: (txs: any[]) => void) => {
    const txs = block.transactions.map((t) => ({ ...t }));
    edit(txs);
    return { ...block, transactions: txs };
  };
  it.each([
    ["a missing transaction", withTx((t) => { t[0] = undefined; }), pre, /^BLOCK_INVALID: block: transactions\[0\] must be a transaction object/],
    ["a hole in the transactions", withTx((t) => { delete t[1]; }), pre, /^BLOCK_INVALID: block: transactions\[1\] must be a transaction object/],
    ["a 19-byte recipient", withTx((t) => { t[0].to = new Uint8Array(19); }), pre, /^TX_FIELD_INVALID: transaction 0 is invalid: transaction field 'to' must be null \(a creation\) or 20 bytes/],
    ["data as hex text", withTx((t) => { t[0].data = "0x"; }), pre, /field 'data' must be a Uint8Array/],
    ["a gas limit as a number", withTx((t) => { t[0].gasLimit = 21000; }), pre, /field 'gasLimit' must be a bigint, got number/],
    ["a null access list", withTx((t) => { t[1].accessList = null; }), pre, /^TX_FIELD_INVALID: transaction 1 is invalid: transaction field 'accessList' must be an array/],
    ["a negative withdrawal", { ...block, withdrawals: [{ address: new Uint8Array(20), amountGwei: -1n }] }, pre, /^BLOCK_INVALID: block: withdrawals\[0\] needs a 20-byte address/],
    ["a short block hash", block, { ...pre, blockHashes: new Map([[1n, new Uint8Array(3)]]) }, /^STATE_INVALID: pre-state: block hash 1 must be 32 bytes/],
    ["accounts that are not an array", block, { ...pre, accounts: 5 }, /^STATE_INVALID: pre-state: accounts must be an array/],
    ["an account entry that is not a pair", block, { ...pre, accounts: [...pre.accounts, 5] }, /^STATE_INVALID: pre-state: accounts\[\d+\] must be an \[address, account\] pair/],
    ["an account that is null", block, { ...pre, accounts: [[new Uint8Array(20), null], ...pre.accounts] }, /^STATE_INVALID: pre-state: accounts\[0\] must be an \[address, account\] pair/],
  ])("%s is named, with sender recovery on and off", (_name, b, p, message) => {
    for (const verifySenders of [true, false]) expect(codeOf(() => executeBlock(vm, b as never, p as never, { verifySenders }))).toMatch(message);
  });
});

describe("fields a block built in code may leave out", () => {
  it("withdrawals (Cancun) and uncles (before the merge) absent count as none", () => {
    const cancun = loadBlockFixture(join(import.meta.dirname, "../../shared/fixtures/mainnet-blocks/19426587"));
    const noWithdrawals = { ...cancun.block, withdrawals: undefined } as never;
    const r = executeBlock(vm, noWithdrawals, cancun.pre, { verifySenders: false });
    expect(r.gasUsed).toBe(cancun.block.header.gasUsed);
    // What differs from the whole block is the withdrawals' credits.
    const full = executeBlock(vm, cancun.block, cancun.pre, { verifySenders: false });
    expect(cancun.block.withdrawals.length).toBeGreaterThan(0);
    for (const w of cancun.block.withdrawals) {
      const key = "0x" + Buffer.from(w.address).toString("hex");
      const without = r.stateDiff.get(key), whole = full.stateDiff.get(key);
      expect(whole?.balance).toBeDefined();
      expect(without === undefined || without!.balance < whole!.balance).toBe(true);
    }
    const byzantium = loadBlockFixture(join(import.meta.dirname, "../../shared/fixtures/mainnet-blocks/4370000"));
    const noUncles = { ...byzantium.block, header: { ...byzantium.block.header, uncles: undefined } } as never;
    expect(executeBlock(vm, noUncles, byzantium.pre, { verifySenders: false }).receiptsRoot).toEqual(byzantium.block.header.receiptsRoot);
  });
});

describe("worker pools", () => {
  it.each([0, -1, 1.5, Number.NaN])("NodeWorkerPool(%s) is OPTIONS_INVALID", (threads) => {
    expect(codeOf(() => new NodeWorkerPool(threads, module, vm.memory))).toMatch(/^OPTIONS_INVALID: threads must be a whole number of at least 1/);
  });
});

describe("remote state answers", () => {
  it("a provider's account or slot out of range is STATE_INVALID, and the Vm runs the next block", async () => {
    const { executeRemote } = await import("../src/remote/execute.js");
    const { MemoryStateProvider } = await import("../src/remote/memory-provider.js");
    const { block, pre } = loadBlockFixture(join(import.meta.dirname, "../../shared/fixtures/mainnet-blocks/4370000"));
    const remoteVm = new Vm(module);
    const bad = (edit: (a: PreState["accounts"][number][1]) => void): PreState => ({
      ...pre, accounts: pre.accounts.map(([address, a]) => { const copy = { ...a, storage: [...a.storage] }; edit(copy); return [address, copy]; }),
    });
    for (const [pre2, message] of [
      [bad((a) => { a.balance = -1n; }), /^STATE_INVALID: account 0x[0-9a-f]{40}: balance -1 is not a bigint/],
      [bad((a) => { a.storage = a.storage.map(([k]) => [k, 2n ** 256n]); }), /^STATE_INVALID: storage slot \d+ = \d+: keys and values must be bigints/],
    ] as const) {
      let error: unknown;
      try { await executeRemote(remoteVm, block, new MemoryStateProvider(pre2), { verifySenders: false }); } catch (e) { error = e; }
      expect(isBraidError(error), String(error)).toBe(true);
      expect(`${(error as { code: string }).code}: ${(error as Error).message}`).toMatch(message);
    }
    const good = await executeRemote(remoteVm, block, new MemoryStateProvider(pre), { verifySenders: false });
    expect(good.gasUsed).toBe(block.header.gasUsed);
  });
});
