// The JSON-RPC state provider against a real node: anvil (the @foundry-rs/anvil devDependency)
// on loopback, with contracts deployed and a few blocks of transactions mined
// (helpers/anvil-chain.ts). Values the provider returns must equal the node's plain answers,
// each fetch must be one HTTP request, and tampered proofs, code or headers must be rejected.
// The end-to-end part executes the mined blocks through the provider and compares receipts.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { Anvil } from "./helpers/anvil.js";
import { buildChain, type BuiltChain } from "./helpers/anvil-chain.js";
import { flipByte, startProxy, type Rewrite, type RpcProxy } from "./helpers/rpc-proxy.js";
import { JsonRpcClient, type FetchLike } from "../src/rpc/client.js";
import { verifyHeader, computeHeaderHash } from "../src/rpc/header.js";
import { RpcStateProvider } from "../src/rpc/provider.js";
import { checkBlockBody, fetchBlockFromRpc } from "../src/rpc/block.js";
import { blockFromRpc } from "../src/block/parse.js";
import { compareReceipts } from "../src/rpc/receipts.js";
import { chainForNode, devChain, forkFromHeader } from "../src/rpc/chain.js";
import { forkAt } from "../src/block/chain.js";
import { Fork, SUPPORTED_FORKS } from "../src/fork.js";
import { bytesToHex, hexToBytes } from "../src/encoding/hex.js";
import type { StateRequest } from "../src/state/provider.js";

let node: Anvil;
let chain: BuiltChain;
const proxies: RpcProxy[] = [];
// A setup failure is kept and rethrown by every test, so each one FAILS (a failing beforeAll
// would leave them reported as skipped).
let setupError: Error | undefined;
const ready = () => { if (setupError) throw setupError; };

beforeAll(async () => {
  try {
    node = await Anvil.start();
    chain = await buildChain(node);
  } catch (e) {
    setupError = new Error(`anvil setup failed: ${(e as Error).message}`, { cause: e });
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await node?.stop();
});

const q = (n: bigint) => "0x" + n.toString(16);
const b = (hex: string) => hexToBytes(hex);
const pad = (hex: string) => hex.replace(/^0x/, "").padStart(64, "0");
/** Storage slot of mapping[key] for a mapping at `slot` (Solidity layout). */
const mappingSlot = (key: string, slot: bigint) => BigInt(bytesToHex(keccak_256(hexToBytes(pad(key) + pad(q(slot))))));

/** A client whose fetch records the methods of every HTTP request it sends. */
function countingClient(url: string): { client: JsonRpcClient; requests: string[][] } {
  const requests: string[][] = [];
  const f: FetchLike = async (u, init) => {
    const body = JSON.parse(init.body) as { method: string } | Array<{ method: string }>;
    requests.push((Array.isArray(body) ? body : [body]).map((c) => c.method));
    return fetch(u, init);
  };
  return { client: new JsonRpcClient(url, { fetch: f }), requests };
}

/** A proxy in front of anvil that rewrites results (closed in afterAll). */
async function startProxyFor(rewrite: Rewrite): Promise<RpcProxy> {
  const p = await startProxy(node.url, rewrite);
  proxies.push(p);
  return p;
}

async function proxied(rewrite: Rewrite): Promise<JsonRpcClient> {
  return new JsonRpcClient((await startProxyFor(rewrite)).url);
}

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error("expected a rejection, but the promise resolved");
}

describe("headers", () => {
  it("every mined header hashes to its hash; a changed field is rejected", async () => {
    ready();
    const last = chain.blocks[chain.blocks.length - 1]!;
    for (let n = 0n; n <= last; n++) {
      const json = await node.rpc<Record<string, unknown>>("eth_getBlockByNumber", [q(n), false]);
      const h = verifyHeader(json);
      expect(h.number).toBe(n);
      expect(h.optional).toEqual(["baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot"]);
      expect(forkFromHeader(json)).toBe(Fork.Cancun);
    }
    const json = await node.rpc<Record<string, unknown>>("eth_getBlockByNumber", [q(last), false]);
    expect(() => verifyHeader({ ...json, gasUsed: "0x1" })).toThrow(/hash/);
    expect(() => verifyHeader(json, new Uint8Array(32))).toThrow(/expected 0x0000/);
    expect(() => verifyHeader({ ...json, withdrawalsRoot: undefined })).toThrow(/'blobGasUsed' but not 'withdrawalsRoot'/);
  });

  it("a Prague header (requestsHash) hashes too, and is refused as a fork Braid does not run", async () => {
    ready();
    const prague = await Anvil.start("prague");
    try {
      await prague.mine();
      const json = await prague.rpc<Record<string, unknown>>("eth_getBlockByNumber", ["0x1", false]);
      const h = verifyHeader(json);
      expect(h.optional).toContain("requestsHash");
      expect(bytesToHex(computeHeaderHash(json))).toBe(json.hash);
      expect(forkFromHeader(json)).toBe(Fork.Prague);
      expect(() => chainForNode(31337n, json, SUPPORTED_FORKS)).toThrow(/Prague/);
    } finally {
      await prague.stop();
    }
  });

  it("mainnet blocks of every era: headers hash to their hash, bodies to their roots", () => {
    const dir = fileURLToPath(new URL("../../shared/fixtures/mainnet-blocks/", import.meta.url));
    if (!existsSync(dir)) throw new Error(`${dir}: no such directory (the mainnet block fixtures)`);
    const names = readdirSync(dir).filter((f) => existsSync(join(dir, f, "block.json.gz")));
    expect(names.length).toBeGreaterThan(10);
    const eras = new Set<string>();
    for (const name of names) {
      const raw = JSON.parse(gunzipSync(readFileSync(join(dir, name, "block.json.gz"))).toString("utf8"));
      const json = raw.result ?? raw;
      const h = verifyHeader(json);
      checkBlockBody(h, blockFromRpc(json));
      eras.add(h.optional.join(","));
      if (json.transactions.length) {
        const bad = { ...json, transactions: [{ ...json.transactions[0], value: "0x12345" }, ...json.transactions.slice(1)] };
        expect(() => checkBlockBody(h, blockFromRpc(bad)), name).toThrow(/do not hash to its transactionsRoot/);
      }
    }
    expect(eras.size).toBeGreaterThanOrEqual(4); // none, London, Shanghai, Cancun
  });

  it("devChain activates every fork up to the one given from genesis", () => {
    const c = devChain(31337n, Fork.Cancun);
    expect(forkAt(c, 0n, 0n)).toBe(Fork.Cancun);
    expect(forkAt(devChain(1n, Fork.London), 5n, 10n ** 10n)).toBe(Fork.London);
    expect(forkAt(devChain(1n, Fork.Shanghai), 0n, 0n)).toBe(Fork.Shanghai);
  });
});

describe("JsonRpcClient", () => {
  it("sends a batch as one request, answers in order, names the failing method", async () => {
    ready();
    const { client, requests } = countingClient(node.url);
    const [id, num] = await client.batch([{ method: "eth_chainId", params: [] }, { method: "eth_blockNumber", params: [] }]);
    expect([id, BigInt(num as string)]).toEqual(["0x7a69", chain.blocks[chain.blocks.length - 1]]);
    expect(requests).toEqual([["eth_chainId", "eth_blockNumber"]]);
    expect(client.roundTrips).toBe(1);
    const e = await rejection(client.batch([{ method: "eth_chainId", params: [] }, { method: "eth_getProof", params: [chain.token, ["0x0"], "latest"] }]));
    expect(e.code).toBe("RPC_ERROR");
    expect(e.message).toMatch(new RegExp(`eth_getProof\\(${chain.token}\\): node error`));
    expect((await rejection(client.call("no_such_method", []))).message).toMatch(/no_such_method: node error/);
  });

  it("a batch above maxBatch goes as several requests at once, answers in order", async () => {
    // A node that, like geth, refuses batches above its limit (here 4) with one error object.
    const sizes: number[] = [];
    let inFlight = 0, most = 0;
    const limited: FetchLike = async (_u, init) => {
      const calls = JSON.parse(init.body) as Array<{ id: number; params: unknown[] }>;
      sizes.push(calls.length);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      const text = calls.length > 4
        ? JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "batch too large" } })
        : JSON.stringify(calls.map((c) => ({ jsonrpc: "2.0", id: c.id, result: c.params[0] })));
      return { ok: true, status: 200, text: async () => text };
    };
    const calls = Array.from({ length: 10 }, (_, i) => ({ method: "echo", params: [i] }));
    await expect(new JsonRpcClient("http://x", { fetch: limited }).batch(calls)).rejects.toThrow(/batch too large/);
    sizes.length = 0;
    const client = new JsonRpcClient("http://x", { fetch: limited, maxBatch: 4 });
    expect(await client.batch(calls)).toEqual(calls.map((_, i) => i));
    expect(sizes).toEqual([4, 4, 2]);
    expect(most).toBe(3); // sent at the same time: one round trip of latency
    expect(client.roundTrips).toBe(3);
    expect(() => new JsonRpcClient("http://x", { maxBatch: 0 })).toThrow(/maxBatch must be a positive integer/);
  });

  it("a malformed response is a clear error", async () => {
    const reply = (text: string, status = 200): FetchLike => async () => ({ ok: status === 200, status, text: async () => text });
    const calls = [{ method: "eth_chainId", params: [] }];
    await expect(new JsonRpcClient("http://x", { fetch: reply("<html>") }).batch(calls)).rejects.toThrow(/malformed JSON-RPC response: not JSON/);
    await expect(new JsonRpcClient("http://x", { fetch: reply('{"id":1,"result":"0x1"}') }).batch(calls)).rejects.toThrow(/expected a JSON array/);
    await expect(new JsonRpcClient("http://x", { fetch: reply('[{"id":99,"result":"0x1"}]') }).batch(calls)).rejects.toThrow(/unexpected id 99/);
    await expect(new JsonRpcClient("http://x", { fetch: reply("[]") }).batch(calls)).rejects.toThrow(/eth_chainId: .*no answer/);
    await expect(new JsonRpcClient("http://x", { fetch: reply("busy", 503) }).call("eth_chainId")).rejects.toThrow(/HTTP 503/);
    await expect(new JsonRpcClient("http://127.0.0.1:9").call("eth_chainId")).rejects.toThrow(/cannot reach/);
  });

  it("a node that never answers, trickles or breaks off is a named error, not a hang", async () => {
    const never = new Promise<never>(() => undefined);
    const silent: FetchLike = async (_u, init) => new Promise((_, reject) => init.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
    const trickling: FetchLike = async () => ({ ok: true, status: 200, text: () => never }); // ignores the abort
    const cut: FetchLike = async () => ({ ok: true, status: 200, text: async () => { throw new TypeError("terminated"); } });
    const timedOut = async (f: FetchLike) => rejection(new JsonRpcClient("http://x", { fetch: f, timeoutMs: 50 }).call("eth_chainId"));
    for (const f of [silent, trickling]) {
      const e = await timedOut(f);
      expect(e.code).toBe("RPC_TIMEOUT");
      expect(e.message).toMatch(/^eth_chainId: no whole answer from http:\/\/x within 50 ms/);
    }
    const e = await rejection(new JsonRpcClient("http://x", { fetch: cut }).call("eth_chainId"));
    expect([e.code, e.message]).toEqual(["RPC_UNREACHABLE", "eth_chainId: cannot read the answer from http://x: terminated"]);
    expect(() => new JsonRpcClient("http://x", { timeoutMs: 0 })).toThrow(/timeoutMs must be a positive number/);
    expect(new JsonRpcClient("http://x", { timeoutMs: Infinity }).timeoutMs).toBe(Infinity);
    await expect(new JsonRpcClient("http://x").batch(null as never)).rejects.toThrow(/an array of \{ method, params \} calls/);
  });
});

describe("RpcStateProvider", () => {
  it("answers accounts, slots and block hashes with the node's values, one HTTP request per fetch", async () => {
    ready();
    const n = chain.blocks[1]!;
    const parent = q(n - 1n);
    const { client, requests } = countingClient(node.url);
    const p = await RpcStateProvider.create(client, n);
    expect(requests).toHaveLength(1);

    const [a0, a1] = chain.accounts as [string, string];
    const accounts = [a0, chain.token, chain.store, chain.fresh, chain.untouched];
    const slots: Array<[string, bigint]> = [
      [chain.token, mappingSlot(a1, 0n)], [chain.token, 1n], [chain.store, mappingSlot("0x0", 0n)],
      [chain.store, mappingSlot(q(999n), 0n)], [chain.untouched, 0n], [chain.factory, 0n],
    ];
    const req: StateRequest = {
      accounts: accounts.map(b),
      slots: slots.map(([a, key]) => ({ address: b(a), key })),
      blockHashes: [0n, 1n, n - 1n, n, n + 5n],
    };
    const res = await p.fetch(req);
    expect(requests).toHaveLength(2);
    // One eth_getProof per address (accounts and slot-only addresses), code for the accounts.
    expect(requests[1]!.filter((m) => m === "eth_getProof")).toHaveLength(6);
    expect(requests[1]!.filter((m) => m === "eth_getCode")).toHaveLength(5);

    expect(res.accounts.map(([a]) => bytesToHex(a))).toEqual(accounts);
    for (const [addr, acct] of res.accounts) {
      const a = bytesToHex(addr);
      const code = await node.rpc<string>("eth_getCode", [a, parent]);
      expect(acct.balance, a).toBe(BigInt(await node.rpc<string>("eth_getBalance", [a, parent])));
      expect(acct.nonce, a).toBe(BigInt(await node.rpc<string>("eth_getTransactionCount", [a, parent])));
      expect(bytesToHex(acct.code), a).toBe(code);
      expect(bytesToHex(acct.codeHash), a).toBe(bytesToHex(keccak_256(hexToBytes(code))));
    }
    const byAddr = new Map(res.accounts.map(([a, acct]) => [bytesToHex(a), acct]));
    expect(byAddr.get(chain.untouched)).toMatchObject({ exists: false, nonce: 0n, balance: 0n, hasStorage: false });
    expect(byAddr.get(chain.fresh)).toMatchObject({ exists: true, balance: 10n ** 18n, hasStorage: false });
    expect(byAddr.get(chain.token)!.hasStorage).toBe(true);
    expect(byAddr.get(chain.token)!.code.length).toBeGreaterThan(100);

    expect(res.slots).toHaveLength(slots.length);
    for (const s of res.slots) {
      const want = BigInt(await node.rpc<string>("eth_getStorageAt", [bytesToHex(s.address), q(s.key), parent]));
      expect(s.value, `${bytesToHex(s.address)}[${q(s.key)}]`).toBe(want);
    }
    expect(res.slots.map((s) => s.value)).toEqual([1000n * 10n ** 18n - 10n, 10n ** 24n, 1n, 0n, 0n, 0n]);

    for (const [num, hash] of res.blockHashes) {
      const want = num < n ? ((await node.rpc<{ hash: string }>("eth_getBlockByNumber", [q(num), false])).hash) : bytesToHex(new Uint8Array(32));
      expect(bytesToHex(hash), `hash of ${num}`).toBe(want);
    }

    // Proven accounts and their code are not fetched again; a new slot needs only eth_getProof.
    const again = await p.fetch({ accounts: [b(chain.token)], slots: [{ address: b(chain.token), key: 2n }], blockHashes: [] });
    expect(requests).toHaveLength(3);
    expect(requests[2]).toEqual(["eth_getProof"]);
    expect(bytesToHex(again.accounts[0]![1].code)).toBe(bytesToHex(byAddr.get(chain.token)!.code));
    expect(again.slots[0]!.value).toBe(0n);
    const known = await p.fetch({ accounts: [b(chain.store), b(chain.untouched)], slots: [{ address: b(chain.untouched), key: 5n }], blockHashes: [n - 1n] });
    expect(requests).toHaveLength(3);
    expect(known.accounts[1]![1].exists).toBe(false);
    expect(client.roundTrips).toBe(3);
  });

  it("a code already verified under the same codeHash is reused", async () => {
    ready();
    const p = await RpcStateProvider.create(new JsonRpcClient(node.url), chain.blocks[2]!);
    const [first] = (await p.fetch({ accounts: [b(chain.token)], slots: [], blockHashes: [] })).accounts;
    const [second] = (await p.fetch({ accounts: [b(chain.token2)], slots: [], blockHashes: [] })).accounts;
    expect(bytesToHex(second![1].codeHash)).toBe(bytesToHex(first![1].codeHash));
    expect(second![1].code).toBe(first![1].code);
    expect(p.stats).toMatchObject({ roundTrips: 2, accounts: 2, codeCacheHits: 1 });
  });

  it("verifies block hashes back to the window's start by header linkage", async () => {
    ready();
    const n = chain.blocks[2]!;
    const { client, requests } = countingClient(node.url);
    const p = await RpcStateProvider.create(client, n);
    const res = await p.fetch({ accounts: [], slots: [], blockHashes: [0n] });
    expect(requests[1]!.every((m) => m === "eth_getBlockByNumber")).toBe(true);
    expect(bytesToHex(res.blockHashes[0]![1])).toBe((await node.rpc<{ hash: string }>("eth_getBlockByNumber", ["0x0", false])).hash);
    // Already verified: no request at all.
    await p.fetch({ accounts: [], slots: [], blockHashes: [1n, 2n] });
    expect(requests).toHaveLength(2);
  });
});

describe("tampered answers are rejected", () => {
  /** A forged header whose `hash` field matches its fields: only linkage can expose it. */
  const selfConsistent = (h: Record<string, unknown>) => ({ ...h, hash: bytesToHex(computeHeaderHash(h)) });
  const n = () => chain.blocks[1]!;
  const getProofOf = (addr: string, f: (r: Record<string, unknown>) => void): Rewrite => (method, params, result) => {
    if (method === "eth_getProof" && String(params[0]).toLowerCase() === addr) f(result as Record<string, unknown>);
    return result;
  };

  it("a flipped byte in an account proof node: the error names the account", async () => {
    ready();
    const client = await proxied(getProofOf(chain.token, (r) => {
      const nodes = r.accountProof as string[];
      const i = nodes.length >> 1;
      nodes[i] = flipByte(nodes[i]!, nodes[i]!.length >> 2);
    }));
    const p = await RpcStateProvider.create(client, n());
    const e = await rejection(p.fetch({ accounts: [b(chain.accounts[0]!), b(chain.token)], slots: [], blockHashes: [] }));
    expect(e.code).toBe("PROOF_INVALID");
    expect(e.message).toContain(`account ${chain.token}`);
  });

  it("a null proof for an account proven before: the error names the account", async () => {
    ready();
    let proofs = 0;
    const client = await proxied((method, params, result) => method === "eth_getProof" && String(params[0]).toLowerCase() === chain.token && proofs++ > 0 ? null : result);
    const p = await RpcStateProvider.create(client, n());
    await p.fetch({ accounts: [b(chain.token)], slots: [], blockHashes: [] });
    const e = await rejection(p.fetch({ accounts: [], slots: [{ address: b(chain.token), key: 1n }], blockHashes: [] }));
    expect([e.code, e.message]).toEqual(["PROOF_INVALID", `account ${chain.token}: eth_getProof returned null, not a proof`]);
  });

  it("a flipped byte in a storage proof node: the error names the account and the slot", async () => {
    ready();
    const slot = mappingSlot(chain.accounts[1]!, 0n);
    const client = await proxied(getProofOf(chain.token, (r) => {
      const sp = (r.storageProof as Array<{ proof: string[] }>)[0]!;
      sp.proof[0] = flipByte(sp.proof[0]!, 40);
    }));
    const p = await RpcStateProvider.create(client, n());
    const e = await rejection(p.fetch({ accounts: [], slots: [{ address: b(chain.token), key: slot }], blockHashes: [] }));
    expect(e.code).toBe("PROOF_INVALID");
    expect(e.message).toContain(`account ${chain.token} slot 0x${slot.toString(16).padStart(64, "0")}`);
  });

  it("a balance or slot value the proof does not back is rejected", async () => {
    ready();
    const slot = mappingSlot(chain.accounts[1]!, 0n);
    const lieBalance = await proxied(getProofOf(chain.token, (r) => void (r.balance = "0x1")));
    const e1 = await rejection((await RpcStateProvider.create(lieBalance, n())).fetch({ accounts: [b(chain.token)], slots: [], blockHashes: [] }));
    expect(e1.message).toMatch(new RegExp(`account ${chain.token}: .*disagree`));
    const lieSlot = await proxied(getProofOf(chain.token, (r) => void ((r.storageProof as Array<{ value: string }>)[0]!.value = "0x2")));
    const e2 = await rejection((await RpcStateProvider.create(lieSlot, n())).fetch({ accounts: [], slots: [{ address: b(chain.token), key: slot }], blockHashes: [] }));
    expect(e2.message).toMatch(/slot 0x[0-9a-f]{64}: the node says 0x2 but its proof gives/);
  });

  it("altered code does not match the proven codeHash", async () => {
    ready();
    const client = await proxied((method, params, result) =>
      method === "eth_getCode" && String(params[0]).toLowerCase() === chain.store ? flipByte(result as string, 10) : result);
    const p = await RpcStateProvider.create(client, n());
    const e = await rejection(p.fetch({ accounts: [b(chain.store)], slots: [], blockHashes: [] }));
    expect(e.code).toBe("CODE_INVALID");
    expect(e.message).toContain(`account ${chain.store}: code hashes to`);
  });

  it("a parent header with another state root does not link to the block", async () => {
    ready();
    const client = await proxied((method, params, result) => {
      if (method !== "eth_getBlockByNumber" || BigInt(params[0] as string) !== n() - 1n) return result;
      return selfConsistent({ ...(result as Record<string, unknown>), stateRoot: bytesToHex(new Uint8Array(32).fill(7)) });
    });
    const e = await rejection(RpcStateProvider.create(client, n()));
    expect(e.code).toBe("HEADER_HASH_MISMATCH");
    expect(e.message).toMatch(new RegExp(`^header ${n() - 1n} \\(parent of ${n()}\\): hashes to 0x[0-9a-f]{64}, expected`));
  });

  it("an older header that does not link is rejected when a block hash needs it", async () => {
    ready();
    const client = await proxied((method, params, result) =>
      method === "eth_getBlockByNumber" && BigInt(params[0] as string) === 1n ? selfConsistent({ ...(result as Record<string, unknown>), gasUsed: "0x1" }) : result);
    const p = await RpcStateProvider.create(client, chain.blocks[2]!);
    const e = await rejection(p.fetch({ accounts: [], slots: [], blockHashes: [0n] }));
    expect(e.message).toMatch(/^header 1: hashes to 0x[0-9a-f]{64}, expected/);
  });
});

describe("fetchBlockFromRpc and compareReceipts", () => {
  it("fetches a verified block with the node's receipts in one request", async () => {
    ready();
    const { client, requests } = countingClient(node.url);
    const blk = await fetchBlockFromRpc(client, chain.blocks[1]!);
    expect(requests).toEqual([["eth_getBlockByNumber", "eth_chainId", "eth_getBlockReceipts"]]);
    expect(blk.chainId).toBe(31337n);
    expect(blk.block.transactions).toHaveLength(8);
    expect(blk.receipts.map((r) => r.success)).toEqual([true, true, true, true, false, false, true, true]);
    expect(bytesToHex(blk.receipts[0]!.contractAddress!)).toBe(chain.token2);
  });

  it("receipts that leave out their status, or whose gasUsed or contract address the root does not back, are rejected", async () => {
    ready();
    const receiptsWith = (edit: (r: Record<string, unknown>, i: number) => void): Rewrite => (method, _params, result) => {
      if (method === "eth_getBlockReceipts") (result as Array<Record<string, unknown>>).forEach(edit);
      return result;
    };
    const cases: Array<[Rewrite, RegExp]> = [
      [receiptsWith((r) => { delete r.status; }), /receipt 0: no status \(receipts from Byzantium on carry one\)/],
      [receiptsWith((r, i) => { if (i === 1) r.gasUsed = "0x1"; }), /receipt 1: gasUsed 1 is not its cumulativeGasUsed less the one before \(\d+\)/],
      [receiptsWith((r, i) => { if (i === 0) r.contractAddress = chain.token; }), new RegExp(`receipt 0: contractAddress ${chain.token}, expected ${chain.token2}`)],
    ];
    for (const [rewrite, message] of cases) {
      const e = await rejection(fetchBlockFromRpc(await proxied(rewrite), chain.blocks[1]!));
      expect(e.code).toBe("RECEIPT_INVALID");
      expect(e.message).toMatch(message);
    }
  });

  it("falls back to eth_getTransactionReceipt when eth_getBlockReceipts is refused", async () => {
    ready();
    const refuse: FetchLike = async (u, init) => {
      const calls = JSON.parse(init.body) as Array<{ id: number; method: string }>;
      if (!calls.some((c) => c.method === "eth_getBlockReceipts")) return fetch(u, init);
      const rest = calls.filter((c) => c.method !== "eth_getBlockReceipts");
      const res = (await (await fetch(u, { ...init, body: JSON.stringify(rest) })).json()) as unknown[];
      const refused = calls.filter((c) => c.method === "eth_getBlockReceipts").map((c) => ({ jsonrpc: "2.0", id: c.id, error: { code: -32601, message: "method not found" } }));
      return { ok: true, status: 200, text: async () => JSON.stringify([...res, ...refused]) };
    };
    const client = new JsonRpcClient(node.url, { fetch: refuse });
    const blk = await fetchBlockFromRpc(client, chain.blocks[0]!);
    expect(client.roundTrips).toBe(2);
    expect(blk.receipts).toHaveLength(7);
  });

  it("compareReceipts reports each difference", async () => {
    ready();
    const blk = await fetchBlockFromRpc(new JsonRpcClient(node.url), chain.blocks[0]!);
    const ours = blk.receipts.map((r) => ({
      type: r.type, status: r.success ? "success" as const : "revert" as const, success: r.success!, gasUsed: r.gasUsed,
      cumulativeGasUsed: r.cumulativeGasUsed, logs: r.logs, logsBloom: r.logsBloom, contractAddress: r.contractAddress,
    }));
    expect(compareReceipts(ours, blk.receipts)).toEqual([]);
    ours[0] = { ...ours[0]!, logs: [{ ...ours[0]!.logs[0]!, data: new Uint8Array(32) }] };
    ours[5] = { ...ours[5]!, success: true, status: "success" };
    const diffs = compareReceipts(ours, blk.receipts);
    expect(diffs).toHaveLength(2);
    expect(diffs[0]).toMatch(/^tx 0 .* log 0: data ours 0x0000/);
    expect(diffs[1]).toMatch(/^tx 5 .*: status ours success, node failure/);
    expect(compareReceipts(ours.slice(1), blk.receipts)[0]).toMatch(/receipt count: ours 6, node 7/);
  });
});

// Braid's executors are loaded from dist/ (the worker pool starts dist/node/stm-worker.js; see
// helpers/braid-dist.ts), and the RPC modules with them so that both share one set of classes.
async function dist() {
  const load = async <T>(f: string): Promise<T> => {
    try {
      return (await import(new URL(`../dist/${f}`, import.meta.url).href)) as T;
    } catch (e) {
      throw new Error(`dist/${f} cannot be loaded (build first: npm run build:ts): ${(e as Error).message}`);
    }
  };
  const remote = await load<typeof import("../src/remote/execute.js")>("remote/execute.js");
  if (typeof remote.executeRemote !== "function") throw new Error("dist/remote/execute.js does not export executeRemote");
  return {
    executeRemote: remote.executeRemote,
    Vm: (await load<typeof import("../src/vm/vm.js")>("vm/vm.js")).Vm,
    loadBraidModule: (await load<typeof import("../src/node/load.js")>("node/load.js")).loadBraidModule,
    NodeWorkerPool: (await load<typeof import("../src/node/pool.js")>("node/pool.js")).NodeWorkerPool,
    rpc: await load<typeof import("../src/rpc/index.js")>("rpc/index.js"),
  };
}

/** The node's post-block state must hold every value Braid's state diff says (balances, nonces, code, storage). */
async function checkStateDiff(n: bigint, diff: Map<string, { nonce: bigint; balance: bigint; codeHash: string; storage: Map<string, bigint> } | null>) {
  const client = new JsonRpcClient(node.url);
  const tag = q(n);
  const entries = [...diff];
  const calls = entries.flatMap(([a, e]) => [
    { method: "eth_getBalance", params: [a, tag] }, { method: "eth_getTransactionCount", params: [a, tag] }, { method: "eth_getCode", params: [a, tag] },
    ...[...(e?.storage.keys() ?? [])].map((k) => ({ method: "eth_getStorageAt", params: [a, "0x" + k.padStart(64, "0"), tag] })),
  ]);
  const res = (await client.batch(calls)) as string[];
  let i = 0;
  for (const [a, e] of entries) {
    const [bal, nonce, code] = [BigInt(res[i++]!), BigInt(res[i++]!), res[i++]!];
    expect({ a, bal, nonce, codeHash: bytesToHex(keccak_256(hexToBytes(code))) }).toEqual({
      a, bal: e?.balance ?? 0n, nonce: e?.nonce ?? 0n, codeHash: e?.codeHash ?? bytesToHex(keccak_256(new Uint8Array(0))),
    });
    for (const [k, v] of e?.storage ?? []) expect(BigInt(res[i++]!), `${a}[0x${k}] after block ${n}`).toBe(v);
  }
  expect(entries.length).toBeGreaterThan(5);
}

describe("end to end: Braid executes the mined blocks on verified remote state", () => {
  const runs: Array<{ ooo: boolean; threads: number }> = [{ ooo: false, threads: 1 }, { ooo: true, threads: 1 }];
  for (const { ooo, threads } of runs) {
    it(`reproduces the node's receipts and post-state (ooo: ${ooo}, threads: ${threads})`, async () => {
      ready();
      const d = await dist();
      const module = d.loadBraidModule();
      const vm = new d.Vm(module);
      const pool = new d.NodeWorkerPool(threads, module, vm.memory);
      try {
        await pool.whenReady();
        for (const n of chain.blocks) {
          const client = new d.rpc.JsonRpcClient(node.url);
          const blk = await d.rpc.fetchBlockFromRpc(client, n);
          const provider = await d.rpc.RpcStateProvider.create(client, n, { header: blk.header.json });
          const r = await d.executeRemote(vm, blk.block, provider, { chain: d.rpc.devChain(31337n, Fork.Cancun), ooo, pool, threads });
          expect(d.rpc.compareReceipts(r.receipts, blk.receipts), `block ${n}`).toEqual([]);
          expect(r.gasUsed).toBe(blk.block.header.gasUsed);
          expect(bytesToHex(r.receiptsRoot!)).toBe(bytesToHex(blk.header.receiptsRoot));
          // Each state round trip is one HTTP request, after the block and the parent header.
          expect(r.remote.roundTrips).toBeGreaterThan(0);
          expect(client.roundTrips).toBe(2 + provider.stats.roundTrips);
          expect(provider.stats.roundTrips).toBeLessThanOrEqual(r.remote.roundTrips);
          if (!ooo) await checkStateDiff(n, r.stateDiff);
        }
      } finally {
        await pool.close();
      }
    });
  }

  it("a tampered proof stops the block: nothing executes on unverified state", async () => {
    ready();
    const d = await dist();
    const module = d.loadBraidModule();
    const vm = new d.Vm(module);
    const pool = new d.NodeWorkerPool(1, module, vm.memory);
    const target = chain.store;
    const client = new d.rpc.JsonRpcClient((await startProxyFor((method, params, result) => {
      if (method === "eth_getProof" && String(params[0]).toLowerCase() === target) {
        const sp = (result as { storageProof: Array<{ proof: string[] }> }).storageProof;
        if (sp.length) sp[0]!.proof[0] = flipByte(sp[0]!.proof[0]!, 50);
      }
      return result;
    })).url);
    try {
      const n = chain.blocks[1]!; // the block that clears slots Store set in the block before
      const blk = await d.rpc.fetchBlockFromRpc(client, n);
      const provider = await d.rpc.RpcStateProvider.create(client, n, { header: blk.header.json });
      const e = await rejection(d.executeRemote(vm, blk.block, provider, { chain: d.rpc.devChain(31337n, Fork.Cancun), ooo: true, pool }));
      expect(e.message).toContain(`account ${target} slot 0x`);
    } finally {
      await pool.close();
    }
  });
});

describe("braid block --rpc", () => {
  const MAIN = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
  /** Runs the CLI asynchronously (the tampering proxy lives in this process). */
  const braid = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = execFile(process.execPath, [MAIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") reject(err);
      else resolve({ status: child.exitCode, stdout, stderr });
    });
  });

  it("executes a block from the node and reports matching receipts (JSON)", async () => {
    ready();
    for (const extra of [[], ["--no-ooo"]]) {
      const n = chain.blocks[1]!;
      const r = await braid("block", "--rpc", node.url, "--number", String(n), "--json", ...extra);
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim());
      expect(out).toMatchObject({ number: Number(n), fork: "Cancun", txs: 8, checks: { receipts: true, gasUsed: true, receiptsRoot: true }, mismatches: [] });
      expect(out.roundTrips).toBeGreaterThanOrEqual(3);
      expect(out.remote.ooo).toBe(extra.length === 0);
    }
    const text = await braid("block", "--rpc", node.url, "--number", String(chain.blocks[2]!));
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/receipts match the node's, gasUsed ok, receiptsRoot ok/);
  });

  it("--max-batch splits the batches into more requests, with the same result", async () => {
    ready();
    const n = String(chain.blocks[1]!);
    const [whole, split] = await Promise.all([braid("block", "--rpc", node.url, "--number", n, "--json"), braid("block", "--rpc", node.url, "--number", n, "--json", "--max-batch", "2")]);
    expect(split.status, split.stderr).toBe(0);
    const [a, b] = [JSON.parse(whole.stdout.trim()), JSON.parse(split.stdout.trim())];
    expect(b.mismatches).toEqual([]);
    expect(b.gasUsed).toBe(a.gasUsed);
    expect(b.roundTrips).toBeGreaterThan(a.roundTrips);
  });

  it("exits 1 naming the account when a proof does not verify, 2 on a usage error", async () => {
    ready();
    const proxy = await startProxyFor((method, params, result) => {
      if (method === "eth_getProof" && String(params[0]).toLowerCase() === chain.accounts[0]) {
        const nodes = (result as { accountProof: string[] }).accountProof;
        nodes[0] = flipByte(nodes[0]!, 3);
      }
      return result;
    });
    const r = await braid("block", "--rpc", proxy.url, "--number", String(chain.blocks[0]!), "--json");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toMatch(new RegExp(`^braid: block ${chain.blocks[0]}: account ${chain.accounts[0]}: proof does not verify`));
    const u = await braid("block", "--rpc", node.url);
    expect(u.status).toBe(2);
    expect(u.stderr.trim()).toBe("braid: block --rpc needs --number N");
  });
});
