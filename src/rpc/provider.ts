// State for executing block N, fetched from a JSON-RPC node and verified: accounts and slots by
// eth_getProof against the state root of header N-1, code against the proven codeHash, block
// hashes by header linkage back from N. The only thing trusted is header N (its hash).
import { BraidError, optionsOf } from "../encoding/errors.js";
import { bigIntToBytes, bytesToHex, equalBytes, hexToBytes } from "../encoding/hex.js";
import type { RemoteAccount, SlotRequest, StateProvider, StateRequest, StateResponse } from "../state/provider.js";
import { keccak256, EMPTY_TRIE_ROOT } from "../trie/mpt.js";
import { EMPTY_CODE_HASH } from "../trie/state-root.js";
import type { JsonRpcClient, RpcCall } from "./client.js";
import { verifyHeader, type RpcHeader } from "./header.js";
import { verifyAccountProof, verifyStorageProof, type ProvenAccount } from "./proof.js";

export interface RpcStateProviderOptions {
  /** Block N's header (an eth_getBlockByNumber object) the caller already has; it is not fetched again. */
  header?: unknown;
  /** Block N's hash as the caller trusts it; header N must hash to it. */
  trustedHash?: Uint8Array;
}

export interface RpcProviderStats {
  /** fetch calls that sent a request. */
  roundTrips: number;
  accounts: number;
  slots: number;
  /** Headers fetched to verify block hashes. */
  headers: number;
  /** Non-empty codes taken from the cache (same codeHash seen before). */
  codeCacheHits: number;
}

const quantity = (n: bigint) => "0x" + n.toString(16);
const ZERO_HASH = new Uint8Array(32);

interface AddressPlan {
  address: Uint8Array;
  hex: string;
  slots: bigint[];
  wantAccount: boolean;
  proofAt: number;
  codeAt: number; // -1: not fetched
}

export class RpcStateProvider implements StateProvider {
  readonly client: JsonRpcClient;
  /** Block N (the block to execute). */
  readonly header: RpcHeader;
  /** Block N-1, whose stateRoot every proof is checked against. */
  readonly parent: RpcHeader;
  readonly stats: RpcProviderStats = { roundTrips: 0, accounts: 0, slots: 0, headers: 0, codeCacheHits: 0 };
  private readonly tag: string;
  private readonly hashes = new Map<bigint, Uint8Array>();
  /** Lowest block number whose header has been verified (its parentHash is then known too). */
  private lowestHeader: bigint;
  private readonly codeByHash = new Map<string, Uint8Array>([[bytesToHex(EMPTY_CODE_HASH), new Uint8Array(0)]]);
  private readonly accounts = new Map<string, ProvenAccount>();

  private constructor(client: JsonRpcClient, header: RpcHeader, parent: RpcHeader) {
    this.client = client;
    this.header = header;
    this.parent = parent;
    this.tag = quantity(parent.number);
    this.hashes.set(header.number, header.hash);
    this.hashes.set(parent.number, parent.hash);
    this.hashes.set(parent.number - 1n, parent.parentHash);
    this.lowestHeader = parent.number;
  }

  /** Fetches (unless given) and verifies header N and its parent, in one round trip. */
  static async create(client: JsonRpcClient, number: bigint, opts?: RpcStateProviderOptions | null): Promise<RpcStateProvider> {
    opts = optionsOf(opts, "RpcStateProvider.create");
    if (typeof number !== "bigint" || number < 0n) throw new BraidError("VALUE_INVALID", `RpcStateProvider: the block number must be a bigint of at least 1, got ${String(number)}`);
    if (number < 1n) throw new BraidError("VALUE_INVALID", "RpcStateProvider: block 0 has no parent state to execute on");
    const calls: RpcCall[] = [{ method: "eth_getBlockByNumber", params: [quantity(number - 1n), false] }];
    if (opts.header === undefined) calls.push({ method: "eth_getBlockByNumber", params: [quantity(number), false] });
    const res = await client.batch(calls);
    const header = verifyHeader(opts.header ?? res[1], opts.trustedHash, `header ${number}`);
    if (header.number !== number) throw new BraidError("HEADER_INVALID", `header ${number}: the node returned block ${header.number}`);
    const parent = verifyHeader(res[0], header.parentHash, `header ${number - 1n} (parent of ${number})`);
    return new RpcStateProvider(client, header, parent);
  }

  async fetch(req: StateRequest): Promise<StateResponse> {
    const plans = new Map<string, AddressPlan>();
    const plan = (a: Uint8Array): AddressPlan => {
      if (!(a instanceof Uint8Array) || a.length !== 20) throw new BraidError("VALUE_INVALID", `RpcStateProvider: address must be 20 bytes, got ${a?.length}`);
      const hex = bytesToHex(a);
      let p = plans.get(hex);
      if (!p) plans.set(hex, (p = { address: a, hex, slots: [], wantAccount: false, proofAt: -1, codeAt: -1 }));
      return p;
    };
    for (const a of req.accounts) plan(a).wantAccount = true;
    for (const s of req.slots) {
      const p = plan(s.address);
      if (!p.slots.includes(s.key)) p.slots.push(s.key);
    }

    const calls: RpcCall[] = [];
    for (const p of plans.values()) {
      const known = this.accounts.get(p.hex);
      // A proven account needs no new proof unless slots of a non-empty storage are asked for.
      if (!known || (p.slots.length > 0 && !equalBytes(known.storageRoot, EMPTY_TRIE_ROOT))) {
        p.proofAt = calls.push({ method: "eth_getProof", params: [p.hex, p.slots.map((k) => bytesToHex(bigIntToBytes(k, 32))), this.tag] }) - 1;
      }
      // The codeHash is only known once the proof arrives, so code is asked for in the same batch.
      if (p.wantAccount && !(known && this.codeByHash.has(bytesToHex(known.codeHash)))) {
        p.codeAt = calls.push({ method: "eth_getCode", params: [p.hex, this.tag] }) - 1;
      }
    }
    const headerFrom = calls.length;
    const headerNumbers = this.headersNeeded(req.blockHashes);
    for (const m of headerNumbers) calls.push({ method: "eth_getBlockByNumber", params: [quantity(m), false] });

    const results = await this.client.batch(calls);
    if (calls.length) this.stats.roundTrips++;

    headerNumbers.forEach((m, i) => this.addHeader(m, results[headerFrom + i]));
    this.stats.headers += headerNumbers.length;

    const proven = new Map<string, { acct: ProvenAccount; slots: Map<bigint, bigint>; code?: Uint8Array }>();
    await Promise.all([...plans.values()].map(async (p) => {
      let acct = this.accounts.get(p.hex);
      let values = p.slots.map(() => 0n);
      if (p.proofAt >= 0) {
        const r = results[p.proofAt];
        // An account proven before keeps its storage root: only the new storage proofs need checking.
        acct ??= await verifyAccountProof(this.parent.stateRoot, p.address, r);
        // (Checked here too: an account proven before skips the account proof's own shape checks.)
        if (!r || typeof r !== "object") throw new BraidError("PROOF_INVALID", `account ${p.hex}: eth_getProof returned ${r === null ? "null" : typeof r}, not a proof`);
        const entries = (r as { storageProof?: unknown }).storageProof;
        if (!Array.isArray(entries) || entries.length !== p.slots.length) {
          throw new BraidError("PROOF_INVALID", `account ${p.hex}: asked for ${p.slots.length} storage proofs, got ${Array.isArray(entries) ? entries.length : "none"}`);
        }
        const root = acct.storageRoot;
        values = await Promise.all(p.slots.map((k, i) => verifyStorageProof(root, p.address, k, entries[i])));
        this.accounts.set(p.hex, acct);
      }
      proven.set(p.hex, { acct: acct!, slots: new Map(p.slots.map((k, i) => [k, values[i]!])), code: p.wantAccount ? this.code(p, acct!, results) : undefined });
    }));

    this.stats.accounts += req.accounts.length;
    this.stats.slots += req.slots.length;
    return {
      accounts: req.accounts.map((a): [Uint8Array, RemoteAccount] => {
        const { acct, code } = proven.get(bytesToHex(a))!;
        return [a, {
          exists: acct.exists, nonce: acct.nonce, balance: acct.balance, codeHash: acct.codeHash, code: code!,
          hasStorage: !equalBytes(acct.storageRoot, EMPTY_TRIE_ROOT),
        }];
      }),
      slots: req.slots.map((s): SlotRequest & { value: bigint } => ({ address: s.address, key: s.key, value: proven.get(bytesToHex(s.address))!.slots.get(s.key)! })),
      blockHashes: req.blockHashes.map((n): [bigint, Uint8Array] => [n, this.blockHash(n)]),
    };
  }

  /** Verified hash of block n, or zero outside BLOCKHASH's window [N-256, N-1]. */
  private blockHash(n: bigint): Uint8Array {
    if (n >= this.header.number || n < this.header.number - 256n) return ZERO_HASH.slice();
    return this.hashes.get(n)!;
  }

  /** Header numbers to fetch so that every requested hash in the window follows by linkage. */
  private headersNeeded(numbers: bigint[]): bigint[] {
    let min = this.lowestHeader - 1n;
    for (const n of numbers) if (n < min && n >= this.header.number - 256n && n >= 0n) min = n;
    const out: bigint[] = [];
    for (let m = this.lowestHeader - 1n; m > min; m--) out.push(m);
    return out;
  }

  /** Header m must hash to the already verified hash(m); it then vouches for hash(m-1). */
  private addHeader(m: bigint, json: unknown): void {
    const h = verifyHeader(json, this.hashes.get(m), `header ${m}`);
    this.hashes.set(m - 1n, h.parentHash);
    this.lowestHeader = m;
  }

  private code(p: AddressPlan, acct: ProvenAccount, results: unknown[]): Uint8Array {
    const hashHex = bytesToHex(acct.codeHash);
    const cached = this.codeByHash.get(hashHex);
    if (cached) {
      if (cached.length) this.stats.codeCacheHits++;
      return cached;
    }
    if (p.codeAt < 0) throw new BraidError("CODE_INVALID", `account ${p.hex}: code for ${hashHex} was not fetched`);
    let code: Uint8Array;
    try {
      code = hexToBytes(results[p.codeAt] as string);
    } catch (e) {
      throw new BraidError("CODE_INVALID", `account ${p.hex}: eth_getCode returned no hex: ${(e as Error).message}`);
    }
    const got = keccak256(code);
    if (!equalBytes(got, acct.codeHash)) {
      throw new BraidError("CODE_INVALID", `account ${p.hex}: code hashes to ${bytesToHex(got)}, but the proven codeHash is ${hashHex}`);
    }
    this.codeByHash.set(hashHex, code);
    return code;
  }
}
