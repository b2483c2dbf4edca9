// Sequential block execution: irregular and system state changes (the DAO fork, the beacon-root
// call), transactions in order, rewards and withdrawals.
// The parallel executor (Block-STM) must produce exactly this result.
import { Fork } from "../fork.js";
import { BraidError, withPrefix, optionsOf } from "../encoding/errors.js";
import { isUint } from "../encoding/uint.js";
import { assertIdle } from "../vm/exclusive.js";
import { checkTransactionShape } from "../tx/shape.js";
import { bytesToHex, hexToBytes, equalBytes, isBytes } from "../encoding/hex.js";
import { recoverSender } from "../tx/sign.js";
import type { Transaction } from "../tx/types.js";
import { blobBaseFee } from "../tx/validate.js";
import * as L from "../wasm/layout.js";
import { Carver, checkStatic, stageBlock, readReceipts, receiptsRootOf, txRecord, INVALID_REASONS, type BlockReceipts } from "./staging.js";
import { Vm, RegionExhausted } from "../vm/vm.js";
import { sizesFor, enlarge, type RegionSizes } from "../vm/regions.js";
import type { BlockEnv } from "../vm/types.js";
import { MAINNET, forkAt, blockReward, chainOption, type ChainConfig } from "./chain.js";
import { applyDaoFork } from "./dao.js";
import type { BlockHeader, BlockInput, BlockResult, PreState, StateDiffEntry } from "./types.js";

export const BEACON_ROOTS_ADDRESS = hexToBytes("0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02");
export const SYSTEM_ADDRESS = hexToBytes("0xfffffffffffffffffffffffffffffffffffffffe");

export interface ExecuteOptions {
  chain?: ChainConfig;
  /** Recover every sender with ecrecover and check it against `from` (default true). */
  verifySenders?: boolean;
  /**
   * The region sizes to try first (enlarged when one runs out). The parallel executor's own
   * sequential path passes those of its Block-STM path, so that switching between the two on
   * one Vm keeps the layout (a new layout zeroes the tables and empties the code table).
   */
  sizes?: RegionSizes;
  /**
   * Time each transaction on its own (stats.transactionMs): the staged loop is entered once per
   * transaction instead of once per block, which adds a call and a clock read to each (studies of
   * a block's critical path; src/parallel/critical-path.ts). Results are the same.
   */
  timeTransactions?: boolean;
}

function bytesToBig(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/**
 * The block's shape and the header's fields in range (a BlockInput or PreState built in code,
 * not parsed from JSON, is checked too): the Vm would otherwise take values modulo 2^64 or 2^256.
 */
function checkBlock(block: BlockInput, pre: PreState): void {
  const h = block?.header;
  if (!h || typeof h !== "object") throw new BraidError("BLOCK_INVALID", "block: header missing");
  if (!Array.isArray(block.transactions)) throw new BraidError("BLOCK_INVALID", "block: transactions must be an array");
  // By index: forEach would pass over the holes of a sparse array.
  for (let i = 0; i < block.transactions.length; i++) {
    const tx = block.transactions[i];
    if (!tx || typeof tx !== "object") throw new BraidError("BLOCK_INVALID", `block: transactions[${i}] must be a transaction object`);
    // Before sender recovery or validation read its fields.
    withPrefix(`transaction ${i} is invalid: `, () => checkTransactionShape(tx));
  }
  if (block.withdrawals !== undefined) {
    if (!Array.isArray(block.withdrawals)) throw new BraidError("BLOCK_INVALID", "block: withdrawals must be an array");
    block.withdrawals.forEach((w, i) => {
      if (!isBytes(w?.address, 20) || !isUint(w.amountGwei, 64)) {
        throw new BraidError("BLOCK_INVALID", `block: withdrawals[${i}] needs a 20-byte address and an amountGwei bigint in [0, 2^64-1]`);
      }
    });
  }
  // Absent (a block built in code) counts as none, as withdrawals do.
  if (h.uncles !== undefined && (!Array.isArray(h.uncles) || !h.uncles.every((u) => isBytes(u, 32)))) {
    throw new BraidError("BLOCK_INVALID", "header: uncles must be an array of 32-byte uncle hashes");
  }
  if (block.uncleHeaders !== undefined) {
    const uncles = block.uncleHeaders;
    if (!Array.isArray(uncles) || uncles.length !== h.uncles?.length) {
      throw new BraidError("BLOCK_INVALID", `block: uncleHeaders must be an array of one header per uncle hash (${h.uncles?.length ?? 0})`);
    }
    uncles.forEach((u, i) => {
      // An uncle is one to six generations back (the reward formula assumes it).
      if (!isBytes(u?.coinbase, 20) || typeof u.number !== "bigint" || typeof h.number !== "bigint" || h.number - u.number < 1n || h.number - u.number > 6n) {
        throw new BraidError("BLOCK_INVALID", `block: uncleHeaders[${i}] needs a 20-byte coinbase and a bigint number 1 to 6 below the block's (${String(h.number)}), got ${String(u?.number)}`);
      }
    });
  }
  if (!pre || !Array.isArray(pre.accounts)) throw new BraidError("STATE_INVALID", "pre-state: accounts must be an array of [address, account] pairs");
  // Each pair's fields are checked where the account is loaded (Vm.putAccounts); the table sizes
  // read before that count what is malformed as nothing (preStateSize).
  pre.accounts.forEach((e, i) => {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[1] !== "object" || e[1] === null) {
      throw new BraidError("STATE_INVALID", `pre-state: accounts[${i}] must be an [address, account] pair`);
    }
  });
  if (!(pre.blockHashes instanceof Map)) throw new BraidError("STATE_INVALID", "pre-state: blockHashes must be a Map of block number to hash");
  for (const [n, hash] of pre.blockHashes) {
    if (typeof n !== "bigint" || !isBytes(hash, 32)) throw new BraidError("STATE_INVALID", `pre-state: block hash ${String(n)} must be 32 bytes under a bigint block number`);
  }
  const int = (name: keyof BlockHeader, bits: number, optional = false) => {
    const v = h[name];
    if (optional && v === undefined) return;
    if (!isUint(v, bits)) throw new BraidError("BLOCK_INVALID", `header: ${name} ${String(v)} is not a bigint in [0, 2^${bits}-1]`);
  };
  const bytes = (name: keyof BlockHeader, len: number, optional = false) => {
    const v = h[name];
    if (optional && v === undefined) return;
    if (!isBytes(v, len)) throw new BraidError("BLOCK_INVALID", `header: ${name} must be ${len} bytes`);
  };
  int("number", 64); int("timestamp", 64); int("gasLimit", 64); int("gasUsed", 64);
  int("baseFee", 256, true); int("difficulty", 256); int("excessBlobGas", 64, true);
  bytes("coinbase", 20); bytes("mixHash", 32); bytes("parentBeaconBlockRoot", 32, true);
}

export function blockEnvFor(block: BlockInput, pre: PreState, chain: ChainConfig): BlockEnv {
  checkBlock(block, pre);
  const h = block.header;
  const fork = forkAt(chain, h.number, h.timestamp);
  return {
    fork,
    coinbase: h.coinbase,
    number: h.number,
    timestamp: h.timestamp,
    gasLimit: h.gasLimit,
    chainId: chain.chainId,
    baseFee: fork >= Fork.London ? (h.baseFee ?? 0n) : 0n,
    prevRandao: fork >= Fork.Paris ? bytesToBig(h.mixHash) : h.difficulty,
    blobBaseFee: fork >= Fork.Cancun ? blobBaseFee(h.excessBlobGas ?? 0n, fork) : 0n,
    blockHash: (n) => pre.blockHashes.get(n) ?? new Uint8Array(32),
  };
}

/** Recovers (and checks) every sender; returns the milliseconds spent. */
export function recoverSenders(block: BlockInput, fork: Fork): number {
  const t0 = performance.now();
  block.transactions.forEach((tx, i) => assignSender(tx, i, withPrefix(`transaction ${i}: `, () => recoverSender(tx, fork))));
  return performance.now() - t0;
}

/** Sets a recovered sender, checking it against a declared `from`. */
export function assignSender(tx: Transaction, i: number, recovered: Uint8Array): void {
  if (tx.sender && !equalBytes(recovered, tx.sender)) {
    throw new BraidError("SENDER_MISMATCH", `transaction ${i}: recovered sender ${bytesToHex(recovered)} differs from 'from' ${bytesToHex(tx.sender)}`);
  }
  tx.sender = recovered;
}

/** EIP-4788: the beacon-root system call that precedes the transactions from Cancun on. */
export function beaconRootCall(vm: Vm, env: BlockEnv, block: BlockInput): void {
  const root = block.header.parentBeaconBlockRoot;
  if (env.fork < Fork.Cancun || !root) return;
  vm.execute({
    caller: SYSTEM_ADDRESS, to: BEACON_ROOTS_ADDRESS, value: 0n, data: root, gasLimit: 30_000_000n,
    intrinsicGas: 0n, gasPrice: 0n, priorityFee: 0n, upfront: 0n, accessList: [], blobHashes: [], system: true,
  });
}

/**
 * Block and uncle rewards (before the merge) and withdrawals (Shanghai); returns the uncles left
 * unrewarded (their headers were not given).
 */
export function finishBlock(vm: Vm, env: BlockEnv, block: BlockInput): number {
  const h = block.header;
  const reward = blockReward(env.fork);
  if (reward > 0n) {
    vm.credit(h.coinbase, reward + (reward / 32n) * BigInt(h.uncles?.length ?? 0));
    // An uncle k generations back earns (8 - k) / 8 of the block reward.
    for (const u of block.uncleHeaders ?? []) vm.credit(u.coinbase, (reward * (8n - (h.number - u.number))) / 8n);
  }
  for (const w of block.withdrawals ?? []) vm.credit(w.address, w.amountGwei * 1_000_000_000n);
  return reward > 0n && !block.uncleHeaders ? h.uncles?.length ?? 0 : 0;
}

/**
 * The result of an executed block: the state diff and the receipts root are read here, unless
 * `finished` brings them (the parallel executor computes the root on a worker meanwhile).
 */
export function assembleResult(vm: Vm, block: BlockInput, env: BlockEnv,
  r: BlockReceipts, unrewarded: number,
  ms: { senderRecoveryMs: number; setupMs: number; executionMs: number },
  finished?: { root: Uint8Array | null; diff: Map<string, StateDiffEntry | null>; finishMs: number }): BlockResult {
  const tFinish = performance.now();
  const root = finished ? finished.root : env.fork >= Fork.Byzantium ? receiptsRootOf(vm, r.header) : null;
  const diff = finished ? finished.diff : stateDiff(vm);
  const finishMs = (finished?.finishMs ?? 0) + performance.now() - tFinish;
  return {
    number: block.header.number, fork: env.fork, receipts: r.receipts, gasUsed: r.gasUsed, logsBloom: r.bloom,
    receiptsRoot: root, stateDiff: diff,
    stats: {
      transactions: block.transactions.length, steps: r.steps, ...ms, finishMs,
      ...(unrewarded ? { unclesNotRewarded: unrewarded } : {}),
    },
  };
}

/** Executes the block on `vm` (its state is replaced by the block's pre-state). */
export function executeBlock(vm: Vm, block: BlockInput, pre: PreState, opts?: ExecuteOptions | null): BlockResult {
  assertIdle(vm, "executeBlock");
  return executeBlockOn(vm, block, pre, opts);
}

/** executeBlock for an executor that already holds `vm` (src/vm/exclusive.ts). */
export function executeBlockOn(vm: Vm, block: BlockInput, pre: PreState, options?: ExecuteOptions | null): BlockResult {
  const opts = optionsOf(options, "executeBlock");
  const chain = chainOption(opts.chain);
  const env = blockEnvFor(block, pre, chain);
  const senderMs = opts.verifySenders === false ? 0 : recoverSenders(block, env.fork);
  block.transactions.forEach((tx, i) => {
    if (!tx.sender) throw new BraidError("SENDER_MISSING", `transaction ${i}: no sender (no 'from' and recovery disabled)`);
  });
  let sizes: RegionSizes = opts.sizes ?? sequentialSizes(block, pre);
  for (let attempt = 0; ; attempt++) {
    try {
      const r = run(vm, block, pre, env, chain, sizes, opts.timeTransactions === true);
      r.stats.senderRecoveryMs = senderMs;
      return r;
    } catch (e) {
      if (e instanceof RegionExhausted && attempt < 5) { sizes = enlarge(sizes, e.fatal); continue; }
      throw e;
    }
  }
}

/**
 * The pre-state's slots and code bytes, for sizing the tables before the accounts are loaded (and
 * checked: a field putAccounts will reject counts as nothing here).
 */
export function preStateSize(pre: PreState): { slots: number; codeBytes: number } {
  let slots = 0, codeBytes = 0;
  for (const [, a] of pre.accounts) {
    if (Array.isArray(a.storage)) slots += a.storage.length;
    if (a.code instanceof Uint8Array) codeBytes += a.code.length;
  }
  return { slots, codeBytes };
}

/** Region sizes for the sequential path: room for the pre-state and what the transactions may add. */
function sequentialSizes(block: BlockInput, pre: PreState): RegionSizes {
  const { slots, codeBytes } = preStateSize(pre);
  return sizesFor(pre.accounts.length + block.transactions.length * 2, slots + block.transactions.length * 8, pre.accounts.length, codeBytes);
}

function run(vm: Vm, block: BlockInput, pre: PreState, env: BlockEnv, chain: ChainConfig, sizes: RegionSizes, timed: boolean): BlockResult {
  const tSetup = performance.now();
  const n = block.transactions.length;
  block.transactions.forEach((tx, i) => checkStatic(tx, i, env));
  vm.reset(sizes);
  vm.setBlock(env);
  const header = stageBlock(vm, new Carver(vm.end, vm.memory), block, env, n, { multiVersion: false });
  // The pre-state after the staging, so that its entries are still in the caches when the
  // transactions start (on 2,000 transfers the other order ran 5% slower).
  vm.putAccounts(pre.accounts);
  vm.dv().setUint32(vm.ctx + L.CTX_STM, header, true);
  const t0 = performance.now();
  applyDaoFork(vm, chain, block);
  beaconRootCall(vm, env, block);
  // The transactions run in one wasm loop over the staged messages (stm/sequential.ts).
  const txMs = timed ? new Array<number>(n) : undefined;
  const r = txMs ? runTimed(vm, header, txMs) : vm.exports.seq_run_block(0) >>> 0;
  if (r & 0x80000000) throw new RegionExhausted(r & 0x7fffffff);
  if (r !== 0) {
    const reason = INVALID_REASONS[vm.dv().getUint32(txRecord(vm, header, r - 1) + L.T_INVALID, true)] ?? "invalid";
    throw new BraidError("TX_INVALID", `transaction ${r - 1} is invalid: ${reason}`);
  }
  const results = readReceipts(vm, block, header, env);
  const unrewarded = finishBlock(vm, env, block);
  const result = assembleResult(vm, block, env, results, unrewarded, { senderRecoveryMs: 0, setupMs: t0 - tSetup, executionMs: performance.now() - t0 });
  if (txMs) result.stats.transactionMs = txMs;
  return result;
}

/** seq_run_block one transaction at a time (the loop's end, H_N, lowered to each one's successor), timing each into `ms`. */
function runTimed(vm: Vm, header: number, ms: number[]): number {
  const n = vm.dv().getUint32(header + L.H_N, true);
  try {
    for (let i = 0; i < n; i++) {
      vm.dv().setUint32(header + L.H_N, i + 1, true);
      const t = performance.now();
      const r = vm.exports.seq_run_block(i) >>> 0;
      ms[i] = performance.now() - t;
      if (r !== 0) return r;
    }
    return 0;
  } finally {
    vm.dv().setUint32(header + L.H_N, n, true);
  }
}

/**
 * Accounts that differ from the state before the block (null: deleted), each with the slots whose
 * value changed (0 where a slot was cleared). The comparison is with the state as loaded, so a
 * pre-state that is a subset (remote state: what was fetched) gives the same diff.
 */
export function stateDiff(vm: Vm): Map<string, StateDiffEntry | null> {
  const diff = new Map<string, StateDiffEntry | null>();
  for (const a of vm.changedState()) {
    if (!a.exists) {
      if (a.existed) diff.set(a.address, null);
      continue;
    }
    diff.set(a.address, { nonce: a.nonce, balance: a.balance, codeHash: a.codeHash, storage: a.storage, ...(a.storageCleared ? { storageCleared: true as const } : {}) });
  }
  return diff;
}
