// The host's side of remote state for one block: what has been fetched (cached, so a retry or a
// second executor asks nothing twice), one provider round trip per batch, and insertion into
// the vm's tables. Workers' requests that arrive together share a round trip.
import * as L from "../wasm/layout.js";
import { bytesToHex, isBytes } from "../encoding/hex.js";
import { BraidError } from "../encoding/errors.js";
import type { Vm } from "../vm/vm.js";
import type { RemoteAccount, StateProvider, StateRequest, StateResponse } from "../state/provider.js";
import { takeRequests } from "./requests.js";

export interface RoundTripStats {
  roundTrips: number;
  accounts: number;
  slots: number;
  blockHashes: number;
  /** Milliseconds spent waiting for the provider (summed over round trips). */
  fetchMs: number;
}

const slotKey = (addr: string, key: bigint) => `${addr}:${key.toString(16)}`;

export class RemoteSession {
  private accounts = new Map<string, { address: Uint8Array; account: RemoteAccount }>();
  private slots = new Map<string, { address: Uint8Array; key: bigint; value: bigint }>();
  private hashes = new Map<bigint, Uint8Array>();
  readonly stats: RoundTripStats = { roundTrips: 0, accounts: 0, slots: 0, blockHashes: 0, fetchMs: 0 };
  /** The first error a provider raised while workers waited (the executor rethrows it). */
  error: unknown;
  private pending: Array<{ ctx: number; ticket: number; req: StateRequest }> = [];
  private flushScheduled = false;

  constructor(readonly provider: StateProvider, private vm: Vm, private ring: number) {}

  /** Points insertions at a fresh layout (after the vm was reset for a retry). */
  rebind(ring: number): void {
    this.ring = ring;
  }

  /** What of `req` is not cached yet; a slot's account is asked with it. */
  private missing(req: StateRequest): StateRequest {
    const out: StateRequest = { accounts: [], slots: [], blockHashes: [] };
    const accounts = new Set<string>();
    const slots = new Set<string>();
    const addAccount = (a: Uint8Array) => {
      const k = bytesToHex(a);
      if (!this.accounts.has(k) && !accounts.has(k)) { accounts.add(k); out.accounts.push(a); }
    };
    for (const a of req.accounts) addAccount(a);
    for (const s of req.slots) {
      const a = bytesToHex(s.address);
      const acct = this.accounts.get(a)?.account;
      if (acct && (!acct.exists || !acct.hasStorage)) continue; // known zero
      const k = slotKey(a, s.key);
      if (this.slots.has(k) || slots.has(k)) continue;
      slots.add(k);
      addAccount(s.address);
      out.slots.push(s);
    }
    for (const n of req.blockHashes) if (!this.hashes.has(n) && !out.blockHashes.includes(n)) out.blockHashes.push(n);
    return out;
  }

  private empty(req: StateRequest): boolean {
    return req.accounts.length + req.slots.length + req.blockHashes.length === 0;
  }

  /**
   * Takes a provider's answer to `need`: it must have the shape of a StateResponse and answer
   * every item asked (an item left out would reach the executor as a region that ran out, after
   * retries; a block hash of another length would be staged with leftover bytes).
   */
  private absorb(res: StateResponse, need: StateRequest): void {
    const bad = (what: string) => new BraidError("STATE_INVALID", `state provider: ${what}`);
    if (!res || typeof res !== "object" || !Array.isArray(res.accounts) || !Array.isArray(res.slots) || !Array.isArray(res.blockHashes)) {
      throw bad("fetch must answer an object of accounts, slots and blockHashes arrays");
    }
    res.accounts.forEach((e, i) => {
      if (!Array.isArray(e) || !isBytes(e[0], 20) || !e[1] || typeof e[1] !== "object") throw bad(`accounts[${i}] must be a [20-byte address, account] pair`);
    });
    res.slots.forEach((e, i) => {
      if (!e || !isBytes(e.address, 20) || typeof e.key !== "bigint" || typeof e.value !== "bigint") throw bad(`slots[${i}] must be { address (20 bytes), key, value (bigints) }`);
    });
    res.blockHashes.forEach((e, i) => {
      if (!Array.isArray(e) || typeof e[0] !== "bigint" || !isBytes(e[1], 32)) throw bad(`blockHashes[${i}] must be a [bigint number, 32-byte hash] pair`);
    });
    for (const [address, account] of res.accounts) this.accounts.set(bytesToHex(address), { address, account });
    for (const s of res.slots) this.slots.set(slotKey(bytesToHex(s.address), s.key), s);
    for (const [n, h] of res.blockHashes) this.hashes.set(n, h);
    this.stats.accounts += res.accounts.length;
    this.stats.slots += res.slots.length;
    this.stats.blockHashes += res.blockHashes.length;
    for (const a of need.accounts) if (!this.accounts.has(bytesToHex(a))) throw bad(`no answer for account ${bytesToHex(a)}`);
    for (const s of need.slots) {
      const a = bytesToHex(s.address);
      const acct = this.accounts.get(a)!.account;
      // A slot of an account without storage is zero, answered or not.
      if (acct.exists && acct.hasStorage && !this.slots.has(slotKey(a, s.key))) throw bad(`no answer for slot ${s.key} of ${a}`);
    }
    for (const n of need.blockHashes) if (!this.hashes.has(n)) throw bad(`no answer for the hash of block ${n}`);
  }

  /** Fetches what `req` needs (one round trip, none when all is cached) and inserts it. */
  async ensure(req: StateRequest): Promise<void> {
    const need = this.missing(req);
    if (!this.empty(need)) {
      const t0 = performance.now();
      this.stats.roundTrips++;
      const res = await this.provider.fetch(need);
      this.stats.fetchMs += performance.now() - t0;
      this.absorb(res, need);
    }
    this.insert(req);
  }

  /** The synchronous path (providers backed by memory): the main thread executes. */
  ensureSync(req: StateRequest): void {
    const need = this.missing(req);
    if (!this.empty(need)) {
      if (!this.provider.fetchSync) throw new BraidError("OPTIONS_INVALID", "the state provider cannot answer synchronously (it has no fetchSync)");
      const t0 = performance.now();
      this.stats.roundTrips++;
      this.absorb(this.provider.fetchSync(need), need);
      this.stats.fetchMs += performance.now() - t0;
    }
    this.insert(req);
  }

  /** Puts the cached answers for `req` into the tables (accounts before their slots). */
  insert(req: StateRequest): void {
    const vm = this.vm;
    const entries = new Map<string, number>();
    const putAccount = (k: string) => {
      let e = entries.get(k);
      if (e !== undefined) return e;
      const c = this.accounts.get(k);
      if (!c) return 0;
      e = vm.putRemoteAccount(c.address, c.account);
      entries.set(k, e);
      return e;
    };
    for (const a of req.accounts) putAccount(bytesToHex(a));
    for (const s of req.slots) {
      const a = bytesToHex(s.address);
      const e = putAccount(a);
      const c = this.accounts.get(a)?.account;
      if (e === 0 || !c || !c.exists || !c.hasStorage) continue;
      const v = this.slots.get(slotKey(a, s.key));
      if (v) vm.putRemoteSlot(e, s.key, v.value);
    }
    for (const n of req.blockHashes) {
      const h = this.hashes.get(n);
      if (h) vm.putBlockHash(this.ring, n, h);
    }
  }

  /**
   * Answers a worker's requests: the worker sleeps on its context's flag until the flag holds
   * `ticket`. A message for a ticket the worker has moved past is ignored (its list is not it).
   */
  serveWorker(ctx: number, ticket: number): void {
    if (Atomics.load(new Int32Array(this.vm.memory.buffer), (ctx + L.CTX_FETCH_TICKET) >>> 2) !== ticket) return;
    this.pending.push({ ctx, ticket, req: takeRequests(this.vm.memory, ctx) });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    const merged: StateRequest = { accounts: [], slots: [], blockHashes: [] };
    for (const { req } of batch) {
      merged.accounts.push(...req.accounts);
      merged.slots.push(...req.slots);
      merged.blockHashes.push(...req.blockHashes);
    }
    const wake = () => {
      const flags = new Int32Array(this.vm.memory.buffer);
      for (const { ctx, ticket } of batch) {
        const at = (ctx + L.CTX_FETCH_FLAG) >>> 2;
        Atomics.store(flags, at, ticket);
        Atomics.notify(flags, at);
      }
    };
    // On failure the worker still wakes, finds nothing and stops with FATAL_REMOTE.
    this.ensure(merged).then(wake, (e) => { this.error ??= e; wake(); });
  }

  /** Serves this vm's own requests synchronously (main-thread execution). */
  serveSync(ctx: number): void {
    this.ensureSync(takeRequests(this.vm.memory, ctx));
  }

  /** A fetched account, if it has been fetched. */
  account(address: Uint8Array): RemoteAccount | undefined {
    return this.accounts.get(bytesToHex(address))?.account;
  }
}
