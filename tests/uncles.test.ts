// Uncle rewards (before the merge): given the uncles' headers (`BlockInput.uncleHeaders`), an
// uncle k generations back earns (8 - k) / 8 of the block reward and the block's miner 1/32 more
// per uncle. fetchBlockFromRpc fetches the uncle headers and checks them against the header's
// sha3Uncles; a node that changes or drops one is refused. (The random-block tests compare the
// rewards with @ethereumjs/vm's runBlock.)
import { beforeAll, describe, expect, it } from "vitest";
import { JsonRpcClient, type FetchLike } from "../src/rpc/client.js";
import { computeHeaderHash, headerFields } from "../src/rpc/header.js";
import { fetchBlockFromRpc } from "../src/rpc/block.js";
import { loadBraidModule } from "../src/node/load.js";
import { Vm } from "../src/vm/vm.js";
import { executeBlock } from "../src/block/execute.js";
import { isBraidError } from "../src/encoding/errors.js";
import { bytesToHex } from "../src/encoding/hex.js";
import { rlpEncode } from "../src/encoding/rlp.js";
import { keccak256 } from "../src/trie/mpt.js";
import type { BlockInput } from "../src/block/types.js";

const EMPTY_TRIE = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";
const EMPTY_UNCLES = bytesToHex(keccak256(rlpEncode([])));
const NUMBER = 5_000_000n; // Byzantium: 3 ether a block
const ETHER = 10n ** 18n;
const MINER = "0x" + "a1".repeat(20), UNCLE_MINERS = ["0x" + "b1".repeat(20), "0x" + "b2".repeat(20)];
const q = (n: bigint) => "0x" + n.toString(16);

/** A pre-London header as a node returns it (with its hash). */
function header(number: bigint, miner: string, sha3Uncles: string, extra: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  const h: Record<string, unknown> = {
    parentHash: "0x" + "11".repeat(32), sha3Uncles, miner, stateRoot: "0x" + "22".repeat(32), transactionsRoot: EMPTY_TRIE,
    receiptsRoot: EMPTY_TRIE, logsBloom: "0x" + "00".repeat(256), difficulty: "0x100", number: q(number), gasLimit: "0x7a1200",
    gasUsed: "0x0", timestamp: "0x5a000000", extraData: extra, mixHash: "0x" + "33".repeat(32), nonce: "0x0000000000000042", ...more,
  };
  return { ...h, hash: bytesToHex(computeHeaderHash(h)) };
}

const uncles = [header(NUMBER - 1n, UNCLE_MINERS[0]!, EMPTY_UNCLES, "0x01"), header(NUMBER - 3n, UNCLE_MINERS[1]!, EMPTY_UNCLES, "0x02")];
const sha3Uncles = bytesToHex(keccak256(rlpEncode(uncles.map((u) => headerFields(u).fields))));
const block = header(NUMBER, MINER, sha3Uncles, "0x", {});
const blockJson = { ...block, uncles: uncles.map((u) => u.hash), transactions: [] };

/** A node serving the block above; `uncle` may change what it answers for an uncle. */
function node(uncle: (i: number, u: Record<string, unknown>) => unknown = (_i, u) => u, json: Record<string, unknown> = blockJson): JsonRpcClient {
  const f: FetchLike = async (_url, init) => {
    const calls = JSON.parse(init.body) as Array<{ id: number; method: string; params: unknown[] }>;
    const answer = (c: { id: number; method: string; params: unknown[] }) => {
      const result = c.method === "eth_getBlockByNumber" ? json
        : c.method === "eth_chainId" ? "0x1"
        : c.method === "eth_getBlockReceipts" ? []
        : c.method === "eth_getUncleByBlockHashAndIndex" ? uncle(Number(c.params[1]), uncles[Number(c.params[1])]!) ?? null
        : undefined;
      return result === undefined ? { jsonrpc: "2.0", id: c.id, error: { code: -32601, message: "no such method" } } : { jsonrpc: "2.0", id: c.id, result };
    };
    return { ok: true, status: 200, text: async () => JSON.stringify(Array.isArray(calls) ? calls.map(answer) : answer(calls)) };
  };
  return new JsonRpcClient("http://node.invalid", { fetch: f });
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try { await p; } catch (e) {
    expect(isBraidError(e), String(e)).toBe(true);
    return e as { code: string; message: string };
  }
  throw new Error("expected a rejection");
}

let vm: Vm;
beforeAll(() => { vm = new Vm(loadBraidModule()); });

const balance = (r: ReturnType<typeof executeBlock>, a: string) => r.stateDiff.get(a)?.balance;

describe("uncle rewards", () => {
  it("fetchBlockFromRpc brings the uncles' numbers and miners, and their miners are rewarded", async () => {
    const { block } = await fetchBlockFromRpc(node(), NUMBER);
    expect(block.uncleHeaders?.map((u) => [u.number, bytesToHex(u.coinbase)])).toEqual([[NUMBER - 1n, UNCLE_MINERS[0]], [NUMBER - 3n, UNCLE_MINERS[1]]]);
    const r = executeBlock(vm, block, { accounts: [], blockHashes: new Map() }, { verifySenders: false });
    expect(balance(r, MINER)).toBe(3n * ETHER + 2n * (3n * ETHER / 32n));
    expect(balance(r, UNCLE_MINERS[0]!)).toBe(3n * ETHER * 7n / 8n);
    expect(balance(r, UNCLE_MINERS[1]!)).toBe(3n * ETHER * 5n / 8n);
    expect(r.stats.unclesNotRewarded).toBeUndefined();
  });

  it("without the uncle headers only the miner's share is paid, and the result says so", async () => {
    const { block } = await fetchBlockFromRpc(node(), NUMBER);
    const r = executeBlock(vm, { ...block, uncleHeaders: undefined }, { accounts: [], blockHashes: new Map() }, { verifySenders: false });
    expect(balance(r, MINER)).toBe(3n * ETHER + 2n * (3n * ETHER / 32n));
    expect(r.stateDiff.has(UNCLE_MINERS[0]!)).toBe(false);
    expect(r.stats.unclesNotRewarded).toBe(2);
  });

  it("a node that changes an uncle's miner (and its hash) is refused", async () => {
    const forged = (i: number, u: Record<string, unknown>) => {
      if (i !== 1) return u;
      const { hash: _hash, ...fields } = { ...u, miner: "0x" + "ee".repeat(20) };
      return { ...fields, hash: bytesToHex(computeHeaderHash(fields)) };
    };
    const e = await rejection(fetchBlockFromRpc(node(forged), NUMBER));
    expect(e.code).toBe("BLOCK_INVALID");
    expect(e.message).toMatch(/uncle 1 does not hash to/);
  });

  it("a node that drops an uncle from the block's list is refused (sha3Uncles)", async () => {
    const e = await rejection(fetchBlockFromRpc(node(undefined, { ...blockJson, uncles: [uncles[0]!.hash] }), NUMBER));
    expect(e.code).toBe("BLOCK_INVALID");
    expect(e.message).toMatch(/uncle headers do not hash to its sha3Uncles/);
  });

  it("a node that has no uncle header to give is refused", async () => {
    const e = await rejection(fetchBlockFromRpc(node((i, u) => (i === 0 ? null : u)), NUMBER));
    expect(e.message).toMatch(/the node has no uncle 0/);
  });

  it("uncle headers given in code are checked: one per uncle hash, 1 to 6 generations back", async () => {
    const { block } = await fetchBlockFromRpc(node(), NUMBER);
    const pre = { accounts: [], blockHashes: new Map() };
    const bad = (b: BlockInput) => {
      try { executeBlock(vm, b, pre, { verifySenders: false }); } catch (e) { expect(isBraidError(e, "BLOCK_INVALID"), String(e)).toBe(true); return (e as Error).message; }
      throw new Error("expected BLOCK_INVALID");
    };
    expect(bad({ ...block, uncleHeaders: block.uncleHeaders!.slice(0, 1) })).toMatch(/one header per uncle hash \(2\)/);
    expect(bad({ ...block, uncleHeaders: [block.uncleHeaders![0]!, { ...block.uncleHeaders![1]!, number: NUMBER - 7n }] })).toMatch(/uncleHeaders\[1\] needs .* 1 to 6 below/);
    expect(bad({ ...block, uncleHeaders: [block.uncleHeaders![0]!, { ...block.uncleHeaders![1]!, number: NUMBER }] })).toMatch(/uncleHeaders\[1\]/);
  });
});
