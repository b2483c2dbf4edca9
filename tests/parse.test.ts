// Malformed block, alloc and state-test JSON: every wrong field is a BraidError that names it
// (never a TypeError, never a value silently dropped or truncated).
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { blockFromRpc, preStateFromAlloc } from "../src/block/parse.js";
import { recoverSenders } from "../src/block/execute.js";
import { Fork } from "../src/fork.js";
import { isBraidError } from "../src/encoding/errors.js";
import { loadBraidModule } from "../src/node/load.js";
import { Vm } from "../src/vm/vm.js";
import { runStateTests } from "../src/statetest/run.js";

const DIR = join(import.meta.dirname, "../../shared/fixtures/mainnet-blocks/19426587");
const readGz = (name: string) => JSON.parse(gunzipSync(readFileSync(join(DIR, name))).toString()) as Record<string, unknown>;
const BLOCK = readGz("block.json.gz");
const ALLOC = readGz("alloc.json.gz");
const ADDR = Object.keys(ALLOC)[0]!;
type Json = Record<string, any>; // edited freely by the cases below
const TX = (BLOCK.transactions as Json[]).findIndex((t) => t.type === "0x2");

/** The error `f` throws, which must be a BraidError. */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isBraidError(e), String(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error("expected an error, got none");
}
const blockWith = (edit: (b: Json) => void) => { const b = structuredClone(BLOCK) as Json; edit(b); return () => blockFromRpc(b); };
const allocWith = (edit: (a: Json) => void) => { const a = structuredClone(ALLOC) as Json; edit(a); return () => preStateFromAlloc(a); };

describe("blockFromRpc", () => {
  it("parses the fixture", () => {
    const b = blockFromRpc(BLOCK);
    expect(b.transactions.length).toBe((BLOCK.transactions as unknown[]).length);
    expect(TX).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ["a null transaction", (b: Json) => { b.transactions[0] = null; }, /transactions\[0\]: expected a full transaction object/],
    ["an unsupported type", (b: Json) => { b.transactions[TX].type = "0x5"; }, /transactions\[\d+\]: transaction type 5 is not supported/],
    ["a type beyond a byte", (b: Json) => { b.transactions[TX].type = "0x1" + "0".repeat(64); }, /field 'type' exceeds 8 bits/],
    ["an access list that is not an array", (b: Json) => { b.transactions[TX].accessList = "0x"; }, /field 'accessList' must be an array/],
    ["a null access-list entry", (b: Json) => { b.transactions[TX].accessList = [null]; }, /accessList\[0\]: expected a JSON object/],
    ["a short storage key", (b: Json) => { b.transactions[TX].accessList = [{ address: "0x" + "11".repeat(20), storageKeys: ["0x12"] }]; }, /accessList\[0\]\.storageKeys\[0\] must be 32 bytes, got 1/],
    ["a null withdrawal", (b: Json) => { b.withdrawals = [null]; }, /withdrawals\[0\]: expected a JSON object/],
    ["a withdrawal amount beyond 64 bits", (b: Json) => { b.withdrawals[0].amount = "0x1" + "0".repeat(16); }, /withdrawals\[0\]: field 'amount' exceeds 64 bits/],
    ["a base fee given as a number", (b: Json) => { b.baseFeePerGas = 7; }, /field 'baseFeePerGas' is missing or not a string/],
    ["an uncle that is not a hash", (b: Json) => { b.uncles = [5]; }, /block\.uncles\[0\] is missing or not a string/],
    ["a gas limit beyond 64 bits", (b: Json) => { b.gasLimit = "0x1" + "0".repeat(16); }, /field 'gasLimit' exceeds 64 bits/],
    ["a timestamp beyond 64 bits", (b: Json) => { b.timestamp = "0x1" + "0".repeat(64); }, /field 'timestamp' exceeds 64 bits/],
    ["a negative number", (b: Json) => { b.number = "-0x1"; }, /field 'number' is not a hex number/],
  ])("%s is named", (_name, edit, message) => {
    expect(errorOf(blockWith(edit))).toMatch(message);
  });
});

describe("preStateFromAlloc", () => {
  it.each([
    ["an account that is null", (a: Json) => { a[ADDR] = null; }, /: expected a JSON object/],
    ["an account that is a string", (a: Json) => { a[ADDR] = "0x1"; }, /: expected a JSON object/],
    ["a balance beyond 256 bits", (a: Json) => { a[ADDR].balance = "0x1" + "0".repeat(64); }, /field 'balance' exceeds 256 bits/],
    ["a nonce beyond 64 bits", (a: Json) => { a[ADDR].nonce = "0x1" + "0".repeat(16); }, /field 'nonce' exceeds 64 bits/],
    ["code given as a number", (a: Json) => { a[ADDR].code = 5; }, /field 'code' is missing or not a string/],
    ["storage that is not an object", (a: Json) => { a[ADDR].storage = ["0x1"]; }, /\.storage: expected a JSON object/],
    ["a storage key that is not hex", (a: Json) => { a[ADDR].storage = { "0xzz": "0x1" }; }, /\.storage: key 0xzz is not a hex number/],
    ["a storage key beyond 256 bits", (a: Json) => { a[ADDR].storage = { ["0x1" + "0".repeat(64)]: "0x1" }; }, /\.storage: key 0x10+ exceeds 256 bits/],
    ["a storage value beyond 256 bits", (a: Json) => { a[ADDR].storage = { "0x1": "0x1" + "0".repeat(64) }; }, /\.storage\[0x1\] exceeds 256 bits/],
    ["a null storage value", (a: Json) => { a[ADDR].storage = { "0x1": null }; }, /\.storage\[0x1\]: expected a hex string/],
  ])("%s is named", (_name, edit, message) => {
    const text = errorOf(allocWith(edit));
    expect(text).toMatch(message);
    expect(text).toContain(`alloc[${ADDR}]`);
  });

  it("an account's fields are ALLOC_INVALID, and one account under two keys (case) is named", () => {
    let error: unknown;
    try { allocWith((a) => { a[ADDR].balance = 5; })(); } catch (e) { error = e; }
    expect((error as { code?: string }).code).toBe("ALLOC_INVALID");
    const lower = Object.keys(ALLOC).find((k) => /[a-f]/.test(k.slice(2)))!;
    const upper = "0x" + lower.slice(2).toUpperCase();
    const text = errorOf(allocWith((a) => { a[upper] = { balance: "0x0" }; }));
    expect(text).toBe(`alloc[${upper}]: the same account as alloc[${lower}]`);
  });

  it("block hashes: a key that is not a number and a hash that is not 32 bytes are named", () => {
    expect(errorOf(() => preStateFromAlloc({}, { soon: "0x" + "11".repeat(32) }))).toMatch(/block hashes: key 'soon' is not a block number/);
    expect(errorOf(() => preStateFromAlloc({}, { "12": "0x11" }))).toMatch(/block hashes\[12\] must be 32 bytes, got 1/);
    expect(preStateFromAlloc({}, { "12": "0x" + "11".repeat(32), "0xd": "0x" + "22".repeat(32) }).blockHashes.size).toBe(2);
  });
});

it("sender recovery names the transaction whose signature is bad", () => {
  const b = structuredClone(BLOCK) as Json;
  b.transactions[TX].v = "0x" + "f".repeat(70);
  const block = blockFromRpc(b);
  expect(errorOf(() => recoverSenders(block, Fork.Cancun))).toMatch(new RegExp(`^transaction ${TX}: .*invalid signature`));
});

describe("runStateTests on malformed tests", () => {
  const FILE = join(import.meta.dirname, "../../shared/fixtures/state-tests/stStaticCall/static_callCreate.json");
  const original = JSON.parse(readFileSync(FILE, "utf8")) as Record<string, Json>;
  const NAME = Object.keys(original)[0]!;
  let vm: Vm;
  beforeAll(() => { vm = new Vm(loadBraidModule()); });
  const outcomesWith = (edit: (t: Json) => void) => {
    const file = structuredClone(original);
    edit(file[NAME]!);
    // A second, untouched copy in the same file must still run and pass.
    file[`${NAME}_copy`] = structuredClone(original[NAME]!);
    return runStateTests(vm, file as never, Fork.Cancun);
  };

  it("the untouched file passes", () => {
    const outcomes = runStateTests(vm, original as never, Fork.Cancun);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.every((o) => o.status === "passed")).toBe(true);
  });

  it.each([
    ["a pre account that is null", (t: Json) => { t.pre[Object.keys(t.pre)[0]!] = null; }, /^malformed test: pre\[0x[0-9a-f]{40}\]: expected a JSON object$/],
    ["a pre balance beyond 256 bits", (t: Json) => { const a = Object.keys(t.pre)[0]!; t.pre[a].balance = "0x1" + "0".repeat(64); }, /^malformed test: pre\[0x[0-9a-f]{40}\]: field 'balance' exceeds 256 bits$/],
    ["pre storage that is not an object", (t: Json) => { const a = Object.keys(t.pre)[0]!; t.pre[a].storage = "0x"; }, /^malformed test: pre\[0x[0-9a-f]{40}\]\.storage: expected a JSON object$/],
    ["no post", (t: Json) => { delete t.post; }, /^malformed test: post: expected a JSON object of forks$/],
    ["post entries that are not an array", (t: Json) => { t.post.Cancun = 5; }, /^malformed test: post\.Cancun: expected an array of entries$/],
    ["a null post entry", (t: Json) => { t.post.Cancun[0] = null; }, /^malformed entry: expected \{indexes, hash, logs\}/],
    ["a coinbase that is not hex", (t: Json) => { t.env.currentCoinbase = "0xzz"; }, /^env\.currentCoinbase is not hex/],
    ["a base fee that is not hex", (t: Json) => { t.env.currentBaseFee = "soon"; }, /^env\.currentBaseFee is not a hex number/],
    ["a block number beyond 64 bits", (t: Json) => { t.env.currentNumber = "0x1" + "0".repeat(20); }, /^env\.currentNumber exceeds 64 bits/],
    ["a gas limit of 2^64", (t: Json) => { t.env.currentGasLimit = "0x1" + "0".repeat(16); }, /^env\.currentGasLimit exceeds 64 bits/],
    ["a base fee beyond 256 bits", (t: Json) => { t.env.currentBaseFee = "0x1" + "0".repeat(64); }, /^env\.currentBaseFee exceeds 256 bits/],
    ["an excess blob gas whose fee exceeds a word", (t: Json) => { t.env.currentExcessBlobGas = "0xffffffffffffffff"; }, /^excessBlobGas 18446744073709551615: the blob base fee it gives exceeds 2\^256 - 1/],
  ])("%s fails that test, named; the file's other test passes", (_name, edit, reason) => {
    const outcomes = outcomesWith(edit);
    const broken = outcomes.filter((o) => o.test === NAME && o.status === "failed");
    expect(broken.length).toBeGreaterThan(0);
    for (const o of broken) expect(o.reason).toMatch(reason);
    const copy = outcomes.filter((o) => o.test === `${NAME}_copy`);
    expect(copy.length).toBeGreaterThan(0);
    expect(copy.every((o) => o.status === "passed")).toBe(true);
  });

  it("a file that is not an object of tests is one failure", () => {
    expect(runStateTests(vm, null as never)).toEqual([{ test: "-", fork: "-", index: 0, status: "failed", reason: "malformed file: expected a JSON object of tests" }]);
  });
});

describe("seeded mutations", () => {
  /** A small deterministic generator (the same mutations on every run). */
  function lcg(seed: number): () => number {
    let s = seed;
    return () => { s = (s * 1103515245 + 12345) & 0x7fffffff; return s / 0x7fffffff; };
  }
  const WEIRD: unknown[] = [null, 0, -1, 1.5, "", "0x", "0xzz", "0x" + "f".repeat(70), "12", [], {}, true, "0x" + "0".repeat(41), [null], { a: 1 }];
  /** Every path into `o` down to `depth` levels. */
  function paths(o: unknown, depth: number, pre: string[] = []): string[][] {
    if (!o || typeof o !== "object" || depth === 0) return [];
    return Object.keys(o).flatMap((k) => [[...pre, k], ...paths((o as Json)[k], depth - 1, [...pre, k])]);
  }
  function mutate(root: Json, rnd: () => number, candidates: string[][]): string {
    const p = candidates[Math.floor(rnd() * candidates.length)]!;
    let o = root;
    for (const k of p.slice(0, -1)) o = o[k];
    const k = p.at(-1)!;
    if (rnd() < 0.2) delete o[k];
    else o[k] = structuredClone(WEIRD[Math.floor(rnd() * WEIRD.length)]);
    return p.join(".");
  }

  it("400 mutations of the block and 400 of its alloc: each parses or throws a BraidError", () => {
    const rnd = lcg(28);
    const blockPaths = paths(BLOCK, 4), allocPaths = paths(ALLOC, 3);
    let errors = 0;
    for (let i = 0; i < 800; i++) {
      const onBlock = i % 2 === 0;
      const root = structuredClone(onBlock ? BLOCK : ALLOC) as Json;
      const where = mutate(root, rnd, onBlock ? blockPaths : allocPaths);
      try {
        if (onBlock) blockFromRpc(root); else preStateFromAlloc(root);
      } catch (e) {
        expect(isBraidError(e), `${onBlock ? "block" : "alloc"} ${where}: ${(e as Error)?.stack ?? e}`).toBe(true);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(400); // most mutations break something
  });
});
