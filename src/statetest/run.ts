// Runs GeneralStateTests entries (already parsed JSON) on Braid and compares the post-state root
// and logs hash with the filled values.
import { Fork, parseFork, forkName, SUPPORTED_FORKS } from "../fork.js";
import { hexToBytes, bytesToHex, equalBytes } from "../encoding/hex.js";
import { BraidError, isBraidError } from "../encoding/errors.js";
import { accountsFromJson, hexBytes, hexUint } from "../block/parse.js";
import { keccak256 } from "../trie/mpt.js";
import { stateRoot, logsHash, EMPTY_CODE_HASH } from "../trie/state-root.js";
import { transactionFromJson, type StateTestTransactionJson } from "../tx/from-json.js";
import { validateTransaction, blobBaseFee } from "../tx/validate.js";
import { messageOf } from "../vm/message.js";
import type { Transaction } from "../tx/types.js";
import { Vm, RegionExhausted } from "../vm/vm.js";
import { sizesFor, enlarge, type RegionSizes } from "../vm/regions.js";
import type { AccountInit, BlockEnv, Message } from "../vm/types.js";
import * as L from "../wasm/layout.js";
import { Carver } from "../block/staging.js";
import { RemoteSession } from "../remote/session.js";
import { MemoryStateProvider } from "../remote/memory-provider.js";

export interface StateTestJson {
  env: Record<string, string>;
  pre: Record<string, { balance: string; nonce: string; code: string; storage: Record<string, string> }>;
  transaction: StateTestTransactionJson;
  post: Record<string, Array<{ indexes: { data: number; gas: number; value: number }; hash: string; logs: string; expectException?: string }>>;
}

export interface EntryOutcome {
  test: string;
  fork: string;
  index: number;
  status: "passed" | "failed" | "skipped";
  reason?: string;
}

const encoder = new TextEncoder();
/** BLOCKHASH in state tests: keccak256 of the block number's decimal string. */
export function stateTestBlockHash(n: bigint): Uint8Array {
  return keccak256(encoder.encode(n.toString()));
}

export function preStateOf(t: StateTestJson): Array<[Uint8Array, AccountInit]> {
  return accountsFromJson(t.pre, "pre");
}

export function blockEnvOf(t: StateTestJson, fork: Fork): BlockEnv {
  const e = t.env;
  if (!e || typeof e !== "object") throw new BraidError("STATETEST_INVALID", "env: expected a JSON object");
  // Bounded as a block header's fields are (the Vm would take them modulo 2^64 or 2^256).
  const big = (k: string, bits: 64 | 256) => (e[k] === undefined ? 0n : hexUint(e[k], `env.${k}`, bits, "STATETEST_INVALID"));
  const coinbase = hexBytes(e.currentCoinbase, "env.currentCoinbase", 20, "STATETEST_INVALID");
  return {
    fork,
    coinbase,
    number: big("currentNumber", 64),
    timestamp: big("currentTimestamp", 64),
    gasLimit: big("currentGasLimit", 64),
    chainId: 1n,
    baseFee: fork >= Fork.London ? big("currentBaseFee", 256) : 0n,
    prevRandao: fork >= Fork.Paris ? big("currentRandom", 256) : big("currentDifficulty", 256),
    blobBaseFee: fork >= Fork.Cancun ? blobBaseFee(big("currentExcessBlobGas", 64), fork) : 0n,
    blockHash: stateTestBlockHash,
  };
}

interface Prepared {
  pre: Array<[Uint8Array, AccountInit]>;
  sizes: RegionSizes;
}

function prepare(t: StateTestJson): Prepared {
  const pre = preStateOf(t);
  let slots = 0, codeBytes = 0;
  for (const [, a] of pre) { slots += a.storage.length; codeBytes += a.code.length; }
  return { pre, sizes: sizesFor(pre.length, slots, pre.length, codeBytes) };
}

/** Root of the pre-state after the coinbase is touched: what an invalid transaction leaves. */
function untouchedRoot(p: Prepared, env: BlockEnv): Uint8Array {
  const accounts = p.pre
    .filter(([addr, a]) => {
      const empty = a.nonce === 0n && a.balance === 0n && a.code.length === 0;
      return !(empty && env.fork >= Fork.SpuriousDragon && equalBytes(addr, env.coinbase));
    })
    .map(([address, a]) => ({
      address, nonce: a.nonce, balance: a.balance,
      codeHash: a.code.length ? keccak256(a.code) : EMPTY_CODE_HASH,
      storage: a.storage.map(([k, v]) => [bigTo32(k), v] as [Uint8Array, bigint]),
    }));
  return stateRoot(accounts);
}

function bigTo32(v: bigint): Uint8Array {
  const b = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) { b[i] = Number(v & 0xffn); v >>= 8n; }
  return b;
}

export interface StateTestOptions {
  /**
   * Also run every valid transaction on remote state (src/remote/): an empty cache, a provider
   * holding the test's pre-state, and run-ahead at every stall. Its logs and post-state root must
   * match the expected ones too.
   */
  remote?: boolean;
}

/** Runs one post entry; returns null on success or the reason it failed. */
function runEntry(vm: Vm, t: StateTestJson, p: Prepared, fork: Fork, entry: StateTestJson["post"][string][number], opts: StateTestOptions = {}): string | null {
  if (!entry || typeof entry !== "object" || !entry.indexes || typeof entry.indexes !== "object" || !/^0x[0-9a-fA-F]{64}$/.test(entry.hash) || !/^0x[0-9a-fA-F]{64}$/.test(entry.logs)) {
    throw new BraidError("STATETEST_INVALID", "malformed entry: expected {indexes, hash, logs} with 32-byte hex hashes");
  }
  const env = blockEnvOf(t, fork);
  let tx: Transaction;
  try {
    tx = transactionFromJson(t.transaction, entry.indexes);
  } catch (e) {
    if (entry.expectException) return null;
    return `transaction could not be built: ${(e as Error).message}`;
  }
  const senderPre = p.pre.find(([a]) => equalBytes(a, tx.sender!))?.[1];
  try {
    validateTransaction(tx, {
      fork,
      baseFee: fork >= Fork.London ? env.baseFee : undefined,
      blockGasLimit: env.gasLimit,
      blobBaseFee: env.blobBaseFee,
      senderNonce: senderPre?.nonce ?? 0n,
      senderBalance: senderPre?.balance ?? 0n,
      hasCode: (senderPre?.code.length ?? 0) > 0,
    });
  } catch (e) {
    if (!isBraidError(e)) throw e;
    if (!entry.expectException) return `unexpected exception ${e.code}: ${e.message}`;
    const root = untouchedRoot(p, env);
    if (!equalBytes(root, hexToBytes(entry.hash))) return `state root mismatch after rejected transaction: got ${bytesToHex(root)} want ${entry.hash}`;
    return null;
  }
  if (entry.expectException) return `expected exception ${entry.expectException}, transaction was valid`;

  let sizes = p.sizes;
  for (let attempt = 0; ; attempt++) {
    try {
      vm.reset(sizes);
      vm.setBlock(env);
      vm.putAccounts(p.pre);
      const result = vm.execute(messageOf(tx, env));
      const lh = logsHash(result.logs);
      if (!equalBytes(lh, hexToBytes(entry.logs))) return `logs hash mismatch: got ${bytesToHex(lh)} want ${entry.logs} (status ${result.status}, gas ${result.gasUsed})`;
      const root = stateRoot(vm.dumpState());
      if (!equalBytes(root, hexToBytes(entry.hash))) return `state root mismatch: got ${bytesToHex(root)} want ${entry.hash} (status ${result.status}, gas ${result.gasUsed})`;
      if (!opts.remote) return null;
      const r = executeOnRemoteState(vm, p.pre, env, messageOf(tx, env), sizes);
      if (!equalBytes(r.logs, hexToBytes(entry.logs))) return `remote state with run-ahead: logs hash ${bytesToHex(r.logs)} want ${entry.logs}`;
      if (!equalBytes(r.root, hexToBytes(entry.hash))) return `remote state with run-ahead: state root ${bytesToHex(r.root)} want ${entry.hash}`;
      return null;
    } catch (e) {
      if (e instanceof RegionExhausted && attempt < 4) { sizes = enlarge(sizes, e.fatal); continue; }
      throw e;
    }
  }
}

/** Why an entry failed: a BraidError names the input that is wrong; anything else is a bug (its stack). */
function failure(e: unknown): string {
  return isBraidError(e) ? e.message : `crashed: ${(e as Error)?.stack ?? e}`;
}

/** Runs every post entry of every test in a parsed state-test file. */
export function runStateTests(vm: Vm, file: Record<string, StateTestJson>, onlyFork?: Fork, opts: StateTestOptions = {}): EntryOutcome[] {
  const out: EntryOutcome[] = [];
  if (!file || typeof file !== "object" || Array.isArray(file)) {
    return [{ test: "-", fork: "-", index: 0, status: "failed", reason: "malformed file: expected a JSON object of tests" }];
  }
  for (const [name, t] of Object.entries(file)) {
    // A malformed test fails on its own, named; the file's other tests still run.
    let p: Prepared;
    try {
      if (!t || typeof t !== "object") throw new BraidError("STATETEST_INVALID", "expected a JSON object");
      if (!t.post || typeof t.post !== "object") throw new BraidError("STATETEST_INVALID", "post: expected a JSON object of forks");
      p = prepare(t);
    } catch (e) {
      out.push({ test: name, fork: "-", index: 0, status: "failed", reason: `malformed test: ${failure(e)}` });
      continue;
    }
    for (const [forkKey, entries] of Object.entries(t.post)) {
      const fork = parseFork(forkKey);
      if (onlyFork !== undefined && fork !== onlyFork) continue;
      if (!Array.isArray(entries)) {
        out.push({ test: name, fork: forkKey, index: 0, status: "failed", reason: `malformed test: post.${forkKey}: expected an array of entries` });
        continue;
      }
      entries.forEach((entry, index) => {
        if (fork === undefined || !SUPPORTED_FORKS.includes(fork)) {
          out.push({ test: name, fork: forkKey, index, status: "skipped", reason: `fork ${forkKey} is not supported` });
          return;
        }
        let reason: string | null;
        try {
          reason = runEntry(vm, t, p, fork, entry, opts);
        } catch (e) {
          reason = failure(e);
        }
        out.push({ test: name, fork: forkName(fork), index, status: reason === null ? "passed" : "failed", ...(reason ? { reason } : {}) });
      });
    }
  }
  return out;
}

/**
 * Executes a message with nothing preloaded: every account and slot is fetched from a provider
 * holding `pre` when first read, with run-ahead at each stall. Then the accounts and slots never
 * fetched are put back as they were (slots only where storage was not cleared), so the root
 * covers the whole post-state.
 */
function executeOnRemoteState(vm: Vm, pre: Array<[Uint8Array, AccountInit]>, env: BlockEnv, m: Message, sizes: RegionSizes): { logs: Uint8Array; root: Uint8Array } {
  vm.reset(sizes);
  vm.setBlock(env);
  const carver = new Carver(vm.end, vm.memory);
  const dv = vm.dv();
  const set = (off: number, v: number) => dv.setUint32(vm.ctx + off, v, true);
  set(L.CTX_REMOTE, L.REMOTE_ON | L.REMOTE_OOO);
  set(L.CTX_REQ, carver.take(4096 * L.REQ_SIZE)); set(L.CTX_REQ_CAP, 4096);
  set(L.CTX_RA, carver.take(L.RA_REGION));
  vm.exports.worker_init(vm.ctx);
  const session = new RemoteSession(new MemoryStateProvider({ accounts: pre, blockHashes: new Map() }), vm, 0);
  vm.stateFetch = (ctx) => session.serveSync(ctx);
  let result;
  try {
    result = vm.execute(m);
  } finally {
    vm.stateFetch = undefined;
  }
  for (const [address, a] of pre) {
    const slots = a.storage.filter(([, v]) => v !== 0n);
    const e = vm.putRemoteAccount(address, { exists: true, nonce: a.nonce, balance: a.balance, code: a.code, hasStorage: slots.length > 0 });
    if ((vm.dv().getUint32(e + L.A_FLAGS, true) & L.AF_HAS_STORAGE) === 0) continue;
    for (const [k, v] of slots) vm.putRemoteSlot(e, k, v);
  }
  return { logs: logsHash(result.logs), root: stateRoot(vm.dumpState()) };
}
