// Staging a block in wasm memory: the messages, the transaction records both executors fill,
// and the decoding of their results into receipts. Shared by the sequential executor
// (executeBlock) and Block-STM (ParallelExecutor).
import * as L from "../wasm/layout.js";
import { Fork } from "../fork.js";
import { BraidError, withPrefix } from "../encoding/errors.js";
import { U64_MAX } from "../encoding/uint.js";
import { equalBytes } from "../encoding/hex.js";
import { validateTransaction, maxUpfrontCost } from "../tx/validate.js";
import type { Transaction } from "../tx/types.js";
import { writeWordAt, type Vm } from "../vm/vm.js";
import { messageOf } from "../vm/message.js";
import { nextPow2, growMemory } from "../vm/regions.js";
import type { BlockEnv } from "../vm/types.js";
import { RecordedReceipt, type LogSnapshot } from "./receipt.js";
import type { BlockInput, Receipt } from "./types.js";
import type { HelpMode } from "../worker/help-desk.js";

const STATUS = ["success", "revert", "halt"] as const;
export const INVALID_REASONS = ["", "nonce mismatch", "insufficient funds", "sender is not an EOA"];

/** Bump allocator over the memory above the coordinator's regions. */
export class Carver {
  constructor(private p: number, private readonly memory: WebAssembly.Memory) {}
  take(n: number, align = 64): number {
    this.p = Math.ceil(this.p / align) * align;
    const at = this.p;
    this.p += n;
    const need = this.p - this.memory.buffer.byteLength;
    growMemory(this.memory, need);
    return at;
  }
}


/** Rules that do not depend on state; nonce, balance and code are checked by the workers. */
export function checkStatic(tx: Transaction, i: number, env: BlockEnv): void {
  withPrefix(`transaction ${i} is invalid: `, () => validateTransaction(tx, {
    fork: env.fork, chainId: env.chainId, baseFee: env.fork >= Fork.London ? env.baseFee : undefined,
    blockGasLimit: env.gasLimit, blockGasUsed: 0n, blobBaseFee: env.blobBaseFee,
    senderNonce: tx.nonce, senderBalance: maxUpfrontCost(tx), hasCode: false,
  }));
}


/** A zeroed ring of 256 block hashes that BLOCKHASH reads (CTX_BLOCKHASHES; fill with vm.putBlockHash). */
export function blockHashRing(vm: Vm, carver: Carver): number {
  const ring = carver.take(256 * L.BH_SIZE);
  vm.exports.mem_zero(ring, 256 * L.BH_SIZE);
  return ring;
}

export function txRecord(vm: Vm, header: number, i: number): number {
  return vm.dv().getUint32(header + L.H_TXS, true) + i * L.TXR_SIZE;
}


/**
 * Writes the STM header, transaction records, messages, multi-version table and sender runs
 * (Block-STM only: `runEnds` as senderRunEnds gives them, computed here when not passed) and arena.
 */
export function stageBlock(vm: Vm, carver: Carver, block: BlockInput, env: BlockEnv, n: number,
  opts: { multiVersion: boolean; runEnds?: Uint32Array; earlyStarts?: boolean; help?: HelpMode } = { multiVersion: true }): number {
  const header = carver.take(L.H_SIZE);
  const txs = carver.take(n * L.TXR_SIZE);
  const msgs = carver.take(n * L.MSG_SIZE);
  // The sequential executor (seq_run_block) never touches the multi-version table. Its size: the
  // mainnet corpus fills at most a quarter of it (the most per transaction: 9 transactions with
  // 216 locations each, 98 with 19; blocks of 500 or more transactions 1-3 each), and a table
  // twice as large left the caches more often (2,000 plain transfers ran 8-15% slower in three of
  // four A/B runs). A full table falls back to the sequential path.
  const mvCap = opts.multiVersion ? nextPow2(Math.max(8192, 16 * n)) : 0;
  const mv = carver.take(mvCap * L.MV_PAIR_SIZE);
  const arenaSize = (16 << 20) + n * (32 << 10);
  const arena = carver.take(arenaSize, 8);
  const help = opts.multiVersion && opts.help !== "off" ? carver.take(L.HS_SIZE) : 0;
  const chunkFees = opts.multiVersion ? carver.take(Math.ceil(n / L.COMMIT_CHUNK) * 32, 8) : 0;
  const runEnds = opts.multiVersion ? opts.runEnds ?? senderRunEnds(block.transactions) : null;
  const links = opts.multiVersion ? recipientLinks(block.transactions) : null;
  const prevFrom = opts.multiVersion ? previousFromSender(block.transactions) : null;
  const early = links && opts.earlyStarts !== false ? earlyStarts(block.transactions, links.prev, prevFrom!) : [];
  const earlyList = early.length > 0 ? carver.take(4 * early.length, 4) : 0;
  let payload = 0;
  for (const tx of block.transactions) {
    payload += tx.data.length + 8 + (tx.blobVersionedHashes?.length ?? 0) * 32;
    for (const e of tx.accessList) payload += 24 + 32 * e.storageKeys.length;
  }
  let p = carver.take(payload + 64, 8);
  // Views only after the last take: a take may grow the memory, and a view covers the old size.
  const u8 = vm.u8();
  vm.exports.mem_zero(header, L.H_SIZE);
  vm.exports.mem_zero(txs, n * L.TXR_SIZE);
  vm.exports.mem_zero(mv, mvCap * L.MV_PAIR_SIZE);
  const dv = vm.dv();
  dv.setUint32(header + L.H_N, n, true);
  dv.setUint32(header + L.H_LIMIT, n, true);
  dv.setUint32(header + L.H_MV_TABLE, mv, true);
  dv.setUint32(header + L.H_MV_CAP, mvCap, true);
  dv.setUint32(header + L.H_ARENA_TOP, arena, true);
  dv.setUint32(vm.ctx + L.CTX_ARENA_HDR, 0, true); // the coordinator's arena chunk is of an earlier block
  dv.setUint32(header + L.H_ARENA_END, arena + arenaSize, true);
  dv.setUint32(header + L.H_TXS, txs, true);
  dv.setUint32(header + L.H_MSGS, msgs, true);
  dv.setUint32(header + L.H_CHUNK_FEES, chunkFees, true);
  u8.set(env.coinbase, header + L.H_COINBASE);
  if (help !== 0) stageHelpSlot(vm, help, header, opts.help ?? "share");
  if (early.length > 0) {
    early.forEach((i, k) => dv.setUint32(earlyList + 4 * k, i, true));
    dv.setUint32(header + L.H_EARLY, earlyList, true);
    dv.setUint32(header + L.H_EARLY_COUNT, early.length, true);
  }
  vm.exports.mem_zero(msgs, n * L.MSG_SIZE);
  block.transactions.forEach((tx, i) => {
    const m = messageOf(tx, env);
    const r = msgs + i * L.MSG_SIZE;
    u8.set(m.caller, r + L.M_CALLER);
    if (m.to) u8.set(m.to, r + L.M_TO);
    dv.setUint32(r + L.M_IS_CREATE, m.to ? 0 : 1, true);
    u8.set(m.data, p);
    dv.setUint32(r + L.M_DATA_PTR, p, true);
    dv.setUint32(r + L.M_DATA_LEN, m.data.length, true);
    p = Math.ceil((p + m.data.length) / 8) * 8;
    dv.setUint32(r + L.M_ACCESS_PTR, p, true);
    dv.setUint32(r + L.M_ACCESS_COUNT, m.accessList.length, true);
    for (const e of m.accessList) {
      u8.set(e.address, p);
      dv.setUint32(p + 20, e.storageKeys.length, true);
      p += 24;
      for (const k of e.storageKeys) {
        // A big-endian key as a word in limb order (the low 32 bytes of a longer one).
        for (let b = 0; b < 32; b++) u8[p + b] = b < k.length ? k[k.length - 1 - b]! : 0;
        p += 32;
      }
    }
    dv.setUint32(r + L.M_BLOB_PTR, p, true);
    dv.setUint32(r + L.M_BLOB_COUNT, m.blobHashes.length, true);
    for (const bh of m.blobHashes) { u8.set(bh, p); p += 32; }
    dv.setBigUint64(r + L.M_GAS_LIMIT, m.gasLimit, true);
    dv.setBigUint64(r + L.M_INTRINSIC, m.intrinsicGas, true);
    dv.setBigUint64(r + L.M_NONCE, tx.nonce, true);
    dv.setUint32(txs + i * L.TXR_SIZE + L.T_TYPE, tx.type, true);
    if (runEnds) dv.setUint32(txs + i * L.TXR_SIZE + L.T_RUN_END, runEnds[i]!, true);
    if (links) {
      dv.setUint32(txs + i * L.TXR_SIZE + L.T_PREV_TO, links.prev[i]!, true);
      dv.setUint32(txs + i * L.TXR_SIZE + L.T_TO_FIRST, links.first[i]!, true);
      dv.setUint32(txs + i * L.TXR_SIZE + L.T_TO_RANK, links.rank[i]!, true);
      dv.setUint32(txs + i * L.TXR_SIZE + L.T_PREV_FROM, prevFrom![i]!, true);
    }
    writeWordAt(dv, r + L.M_VALUE, m.value);
    writeWordAt(dv, r + L.M_GASPRICE, m.gasPrice);
    writeWordAt(dv, r + L.M_PRIORITY, m.priorityFee);
    writeWordAt(dv, r + L.M_UPFRONT, m.upfront);
    writeWordAt(dv, r + L.M_MAXCOST, maxUpfrontCost(tx));
  });
  return header;
}


export const EARLY_MIN_DATA = 8192;
export const EARLY_MAX = 3;

/** The run's help slot (src/worker/help-desk.ts), listed in the header. */
function stageHelpSlot(vm: Vm, slot: number, header: number, mode: HelpMode): void {
  vm.exports.mem_zero(slot, L.HS_SIZE);
  const dv = vm.dv();
  dv.setUint32(slot + L.HS_WAKE, header + L.H_DONE, true);
  dv.setUint32(slot + L.HS_MODE, mode === "wait" ? L.HELP_MODE_WAIT : L.HELP_MODE_SHARE, true);
  dv.setUint32(header + L.H_HELP, slot, true);
}

/** Jobs other threads ran from the run's help slot (0 without one). */
export function helpedJobs(vm: Vm, header: number): number {
  const dv = vm.dv();
  const slot = dv.getUint32(header + L.H_HELP, true);
  return slot === 0 ? 0 : dv.getUint32(slot + L.HS_HELPED, true);
}

/**
 * Block-STM's early starts (H_EARLY): the transactions with the most calldata, at least
 * EARLY_MIN_DATA bytes, whose sender and recipient no earlier transaction has (EARLY_MAX of them,
 * most first). Calldata is what a transaction shows of its work before it runs, and the mainnet
 * corpus's longest ones carry the most (zk-proof checks with pairings, rollup batches): begun in
 * block order, such a transaction late in the block starts only once the threads have shared out
 * the work before it, then runs alone. The threshold is high because smaller ones also picked DEX
 * trades that read pools written by earlier transactions: run first, they ran twice.
 */
export function earlyStarts(txs: readonly Transaction[], prevTo: Uint32Array, prevFrom: Uint32Array): number[] {
  const big: number[] = [];
  txs.forEach((tx, i) => {
    if (tx.data.length >= EARLY_MIN_DATA && prevTo[i] === L.NO_TX && prevFrom[i] === L.NO_TX) big.push(i);
  });
  big.sort((a, b) => txs[b]!.data.length - txs[a]!.data.length || a - b);
  return big.slice(0, EARLY_MAX);
}

/**
 * For each transaction, one past the last index of the run of consecutive transactions sent by
 * its sender (T_RUN_END): runs of one sender chain through its nonce and balance.
 */
export function senderRunEnds(txs: readonly Transaction[]): Uint32Array {
  const ends = new Uint32Array(txs.length);
  let end = txs.length;
  for (let i = txs.length - 1; i >= 0; i--) {
    const a = txs[i]!.sender, b = txs[i + 1]?.sender;
    if (i + 1 < txs.length && !(a && b && equalBytes(a, b))) end = i + 1;
    ends[i] = end;
  }
  return ends;
}

/**
 * For each transaction, the one before it with the same address (`addressOf`: its recipient, its
 * sender), the first with it (L.NO_TX where the address is null, or there is none) and how many
 * before it had that address.
 */
function linksBy(txs: readonly Transaction[], addressOf: (tx: Transaction) => Uint8Array | null | undefined): { prev: Uint32Array; first: Uint32Array; rank: Uint32Array } {
  const prev = new Uint32Array(txs.length).fill(L.NO_TX), first = new Uint32Array(txs.length).fill(L.NO_TX);
  const rank = new Uint32Array(txs.length);
  // Keyed by a 32-bit hash of the address; colliding addresses take the next free key.
  const last = new Map<number, number>();
  txs.forEach((tx, i) => {
    const a = addressOf(tx);
    if (!a) return;
    let key = (a[0]! | (a[1]! << 8) | (a[2]! << 16) | (a[3]! << 24)) ^ (a[16]! | (a[17]! << 8) | (a[18]! << 16) | (a[19]! << 24));
    for (;;) {
      const j = last.get(key);
      if (j === undefined) { first[i] = i; break; }
      if (equalBytes(addressOf(txs[j]!)!, a)) { prev[i] = j; first[i] = first[j]!; rank[i] = rank[j]! + 1; break; }
      key = (key + 1) | 0;
    }
    last.set(key, i);
  });
  return { prev, first, rank };
}

/** Per transaction, the previous one, the first one and its rank among those with its recipient: T_PREV_TO, T_TO_FIRST, T_TO_RANK. */
export const recipientLinks = (txs: readonly Transaction[]) => linksBy(txs, (tx) => tx.to);

/** Per transaction, the previous one from its sender (T_PREV_FROM): its nonce and balance come from there. */
export const previousFromSender = (txs: readonly Transaction[]): Uint32Array => linksBy(txs, (tx) => tx.sender).prev;

/** The longest run of consecutive transactions from one sender, from senderRunEnds (the first if several are as long). */
export function longestSenderRun(ends: Uint32Array): { start: number; length: number } {
  let start = 0, length = 0;
  for (let i = 0; i < ends.length; i = ends[i]!) if (ends[i]! - i > length) { start = i; length = ends[i]! - i; }
  return { start, length };
}

/** A block gas limit passes to wasm as a u64 (a larger one allows every transaction anyway). */

/** What readReceipts decodes from the transaction records of an executed block. */
export interface BlockReceipts {
  receipts: Receipt[];
  gasUsed: bigint;
  bloom: Uint8Array;
  steps: bigint;
  /** The staged block they were read from (receiptsRootOf hashes the same records). */
  header: number;
}

/**
 * `need` bytes of scratch memory for work on the executed block staged at `header`: the unused
 * rest of its arena, or fresh memory above everything when that is too small.
 */
function blockScratch(vm: Vm, header: number, need: number): number {
  // Taken from the shared arena like a worker's chunk (a compare-and-swap on its top): the
  // coordinator reads the receipts while posted workers may still be allocating there.
  const words = new Uint32Array(vm.memory.buffer);
  const top = (header + L.H_ARENA_TOP) >>> 2;
  const end = vm.dv().getUint32(header + L.H_ARENA_END, true);
  for (let seen = Atomics.load(words, top); ;) {
    const at = Math.ceil(seen / 8) * 8;
    if (at + need > end) break;
    const was = Atomics.compareExchange(words, top, seen, at + need);
    if (was === seen) return at;
    seen = was;
  }
  return grownScratch(vm, need);
}

/** Scratch past the end of the memory, which grows by it. */
function grownScratch(vm: Vm, need: number): number {
  const end = vm.memory.buffer.byteLength;
  growMemory(vm.memory, need);
  return end;
}

/** The receipts root of the executed block staged at `header`, encoded and hashed in wasm (block/receipts.ts). */
export function receiptsRootOf(vm: Vm, header: number): Uint8Array {
  const at = stageReceiptsRoot(vm, header);
  vm.exports.receipts_root(header, at + 32, at);
  return vm.u8().slice(at, at + 32);
}

/**
 * Sets aside the receipts root's scratch for the executed block staged at `header` and notes it
 * in the header (H_ROOT_SCRATCH, H_ROOT_OUT) for receipts_root_staged; returns where the root
 * will be (32 bytes, the scratch after it).
 */
export function stageReceiptsRoot(vm: Vm, header: number): number {
  const at = blockScratch(vm, header, vm.exports.receipts_root_scratch(header) + 32);
  const dv = vm.dv();
  dv.setUint32(header + L.H_ROOT_SCRATCH, at + 32, true);
  dv.setUint32(header + L.H_ROOT_OUT, at, true);
  return at;
}

/**
 * The receipts of the executed block staged at `header`. Logs and blooms are copied out in one
 * snapshot (gathered in wasm, which also ORs the block's bloom) and decoded on first access
 * (RecordedReceipt).
 */
export function readReceipts(vm: Vm, block: BlockInput, header: number, env: BlockEnv): BlockReceipts {
  const n = block.transactions.length;
  // The logs, gathered in wasm into one region, leave wasm memory in one copy (a receipt's bloom
  // is computed from them when asked for; 256 bytes a receipt were most of the copy).
  const size = vm.exports.receipts_snapshot_size(header);
  const at = blockScratch(vm, header, size + 256);
  vm.exports.receipts_snapshot(header, at + 256, at);
  const u8 = vm.u8();
  const dv = vm.dv();
  const bloom = u8.slice(at, at + 256);
  const bytes = u8.slice(at + 256, at + 256 + size);
  const snapshot: LogSnapshot | null = size > 0 ? { bytes, view: new DataView(bytes.buffer) } : null;
  const receipts = new Array<Receipt>(n);
  const txs = dv.getUint32(header + L.H_TXS, true);
  const over = vm.exports.gas_allowance_exceeded(header, env.gasLimit > U64_MAX ? U64_MAX : env.gasLimit);
  if (over !== 0) {
    throw new BraidError("GAS_ALLOWANCE_EXCEEDED", `transaction ${over - 1} is invalid: gas limit ${block.transactions[over - 1]!.gasLimit} exceeds the block's remaining gas`);
  }
  // Gas and step counts fit in 53 bits: summed as numbers, one BigInt per receipt field.
  let cumulative = 0, steps = 0;
  for (let i = 0; i < n; i++) {
    const tx = block.transactions[i]!;
    const t = txs + i * L.TXR_SIZE;
    const gasUsed = dv.getUint32(t + L.T_GAS_USED, true) + dv.getUint32(t + L.T_GAS_USED + 4, true) * 2 ** 32;
    cumulative += gasUsed;
    steps += dv.getUint32(t + L.T_STEPS, true) + dv.getUint32(t + L.T_STEPS + 4, true) * 2 ** 32;
    const count = dv.getUint32(t + L.T_LOG_COUNT, true);
    const status = STATUS[dv.getUint32(t + L.T_RESULT, true)]!;
    const created = tx.to === null && status === "success" ? u8.slice(t + L.T_CREATED, t + L.T_CREATED + 20) : null;
    const logsAt = count > 0 ? dv.getUint32(t + L.T_SNAP, true) : 0;
    receipts[i] = new RecordedReceipt(tx.type, status, gasUsed, cumulative, created, snapshot, logsAt, count);
  }
  return { receipts, gasUsed: BigInt(cumulative), bloom, steps: BigInt(steps), header };
}
