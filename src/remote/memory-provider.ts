// A StateProvider over a pre-state held in memory (a block fixture's alloc), with an optional
// simulated round-trip latency: what the run-ahead benchmarks and tests execute against.
import { bytesToHex } from "../encoding/hex.js";
import { keccak256 } from "../trie/mpt.js";
import { EMPTY_CODE_HASH } from "../trie/state-root.js";
import type { PreState } from "../block/types.js";
import type { RemoteAccount, StateProvider, StateRequest, StateResponse } from "../state/provider.js";

export interface MemoryProviderOptions {
  /** Milliseconds each round trip takes (0: answers synchronously too). */
  latencyMs?: number;
}

export class MemoryStateProvider implements StateProvider {
  private accounts = new Map<string, RemoteAccount>();
  private storage = new Map<string, Map<bigint, bigint>>();
  private hashes: Map<bigint, Uint8Array>;
  readonly latencyMs: number;
  roundTrips = 0;
  /** Present only without latency: lets the main thread execute against this provider. */
  readonly fetchSync?: (req: StateRequest) => StateResponse;

  constructor(pre: PreState, opts: MemoryProviderOptions = {}) {
    this.latencyMs = opts.latencyMs ?? 0;
    for (const [addr, a] of pre.accounts) {
      const key = bytesToHex(addr);
      const slots = new Map(a.storage.filter(([, v]) => v !== 0n));
      this.storage.set(key, slots);
      this.accounts.set(key, {
        exists: true, nonce: a.nonce, balance: a.balance, code: a.code,
        codeHash: a.code.length ? keccak256(a.code) : EMPTY_CODE_HASH, hasStorage: slots.size > 0,
      });
    }
    this.hashes = pre.blockHashes;
    if (this.latencyMs === 0) this.fetchSync = (req) => this.answer(req);
  }

  async fetch(req: StateRequest): Promise<StateResponse> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    return this.answer(req);
  }

  private answer(req: StateRequest): StateResponse {
    this.roundTrips++;
    const absent: RemoteAccount = { exists: false, nonce: 0n, balance: 0n, code: new Uint8Array(0), codeHash: EMPTY_CODE_HASH, hasStorage: false };
    return {
      accounts: req.accounts.map((a) => [a, this.accounts.get(bytesToHex(a)) ?? absent]),
      slots: req.slots.map((s) => ({ ...s, value: this.storage.get(bytesToHex(s.address))?.get(s.key) ?? 0n })),
      blockHashes: req.blockHashes.map((n) => [n, this.hashes.get(n) ?? new Uint8Array(32)]),
    };
  }
}
