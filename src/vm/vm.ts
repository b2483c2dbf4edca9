// One Braid interpreter instance bound to its own context in a WebAssembly.Memory: loads state,
// runs validated messages, and reads results and state back.
import * as L from "../wasm/layout.js";
import { braidImports, type StateFetchHandler } from "./imports.js";
import { keccak_256 as keccakJs } from "@noble/hashes/sha3.js";
import { EMPTY_CODE_HASH } from "../trie/state-root.js";
import { bytesToHex, hexOfRange, isBytes } from "../encoding/hex.js";
import { setKeccak256 } from "../trie/mpt.js";
import type { AccountState } from "../trie/state-root.js";
import { type Fork, SUPPORTED_FORKS, forkName } from "../fork.js";
import { BraidError } from "../encoding/errors.js";
import { U64_MAX, isUint } from "../encoding/uint.js";
import { DEFAULT_SIZES, growMemory, type RegionSizes } from "./regions.js";
import { braidExports } from "./exports.js";
import { decodeLogRecords } from "./logs.js";
import type { AccountInit, BlockEnv, ExecStatus, LogEntry, Message, TxResult } from "./types.js";

// Hex digits are ASCII, which UTF-8 decodes as is.
const ascii = new TextDecoder();

/** Writes a 256-bit value (0 <= v < 2^256) as 4 little-endian u64 limbs (cheap for values that fit one limb). */
export function writeLimbs(dv: DataView, at: number, v: bigint): void {
  dv.setBigUint64(at, v, true); // takes v modulo 2^64
  if (v <= U64_MAX) {
    dv.setUint32(at + 8, 0); dv.setUint32(at + 12, 0); dv.setUint32(at + 16, 0);
    dv.setUint32(at + 20, 0); dv.setUint32(at + 24, 0); dv.setUint32(at + 28, 0);
    return;
  }
  dv.setBigUint64(at + 8, v >> 64n, true);
  dv.setBigUint64(at + 16, v >> 128n, true);
  dv.setBigUint64(at + 24, v >> 192n, true);
}

/** Staged bytes (code, call data, an access list) larger than the input region can hold. */
function tooLarge(bytes: number, room: number): BraidError {
  return new BraidError("INPUT_TOO_LARGE", `${bytes} bytes do not fit in the Vm's input region (room for ${Math.max(0, room)}; RegionSizes.input sets it)`);
}

/** A storage slot given to the Vm: key and value in [0, 2^256-1]. */
function checkSlot(k: bigint, v: bigint): void {
  if (!isUint(k, 256) || !isUint(v, 256)) throw new BraidError("STATE_INVALID", `storage slot ${String(k)} = ${String(v)}: keys and values must be bigints in [0, 2^256-1]`);
}

/**
 * An account given to putAccounts, checked before it is staged: the tables would otherwise keep
 * the nonce modulo 2^64 and the balance modulo 2^256 (a negative balance as a huge one).
 */
function checkAccount(address: Uint8Array, a: AccountInit): void {
  const where = () => `account ${isBytes(address) ? bytesToHex(address) : String(address)}`;
  if (!isBytes(address, 20)) throw new BraidError("STATE_INVALID", `${where()}: the address must be 20 bytes`);
  if (!isUint(a.nonce, 64)) throw new BraidError("STATE_INVALID", `${where()}: nonce ${String(a.nonce)} is not a bigint in [0, 2^64-1]`);
  if (!isUint(a.balance, 256)) throw new BraidError("STATE_INVALID", `${where()}: balance ${String(a.balance)} is not a bigint in [0, 2^256-1]`);
  if (!isBytes(a.code)) throw new BraidError("STATE_INVALID", `${where()}: code must be a Uint8Array`);
  if (!Array.isArray(a.storage)) throw new BraidError("STATE_INVALID", `${where()}: storage must be an array of [key, value] pairs`);
}

/** Writes any bigint as a stack word: v modulo 2^256 (two's complement for a negative one). */
export function writeWordAt(dv: DataView, at: number, v: bigint): void {
  writeLimbs(dv, at, v < 0n ? BigInt.asUintN(256, v) : v);
}

/** An account that differs from the state before the block, with the slots that changed (Vm.changedState). */
export interface ChangedAccount {
  /** 0x-prefixed hex (read straight from the tables: a block can change thousands of accounts). */
  address: string;
  exists: boolean;
  existed: boolean;
  nonce: bigint;
  balance: bigint;
  /** 0x-prefixed hex. */
  codeHash: string;
  /** Slot key (lowercase hex without 0x or leading zeros, as bigint.toString(16)) to value; 0 where a slot was cleared. */
  storage: Map<string, bigint>;
  /**
   * The account's whole storage was cleared during the block (it was deleted, and may exist
   * again): `storage` then holds only the slots set to non-zero values since.
   */
  storageCleared: boolean;
}

export interface BraidExports {
  heap_base(): number;
  worker_init(ctx: number): void;
  tx_execute(): void;
  state_put_accounts(recs: number, count: number): number;
  hex_ranges(list: number, count: number, len: number, dst: number): void;
  hex_words(list: number, count: number, dst: number, ends: number): number;
  mem_zero(ptr: number, len: number): void;
  diff_next_account(i: number): number;
  state_put_slots(acct: number, pairs: number, count: number): number;
  diff_next_slot(i: number): number;
  state_find_account(addr: number): number;
  state_credit(addr: number, amountBE: number): number;
  state_drain(from: number, to: number): number;
  code_put(code: number, len: number): number;
  code_hash_of(rec: number): number;
  keccak256(src: number, len: number, dst: number): void;
  stm_worker(): void;
  stm_run(): void;
  stm_commit_share(): void;
  stm_commit(): number;
  seq_run_block(from: number): number;
  /** Partitioned mode (assembly/stm/partition.ts): 0 when ruled out, else the most transactions one context runs. */
  part_plan_scratch(n: number, specialCount: number): number;
  part_plan_stage(header: number, threads: number, special: number, specialCount: number, scratch: number): void;
  part_plan_staged(header: number): number;
  /** 1 when the context's account table has room for `extra` more accounts. */
  accounts_have_room(extra: number): number;
  part_run(): void;
  part_finish(header: number): number;
  receipts_root_scratch(header: number): number;
  receipts_root(header: number, scratch: number, out: number): void;
  receipts_root_staged(): void;
  receipts_snapshot_size(header: number): number;
  receipts_snapshot(header: number, dst: number, bloom: number): void;
  gas_allowance_exceeded(header: number, limit: bigint): number;
  staged_max_gas_limit(header: number): bigint;
  load_message(i: number): void;
  ra_prefetch_tx(): number;
  remote_put_account(addr: number, exists: number, hasStorage: number, nonce: bigint, balanceBE: number, rec: number): number;
  remote_put_slot(acct: number, keyBE: number, valueBE: number): number;
  remote_put_blockhash(ring: number, n: bigint, hashBE: number): void;
  test_u256(op: number, a: number, b: number, c: number): void;
}

/** Thrown when a host-sized region ran out; the caller re-runs with larger sizes. */
export class RegionExhausted extends Error {
  constructor(readonly fatal: number) {
    super(`Braid region exhausted (reason ${fatal})`);
  }
}

const EMPTY_CODE_HASH_HEX = bytesToHex(EMPTY_CODE_HASH);
const STATUS: ExecStatus[] = ["success", "revert", "halt"];

interface Layout {
  ctx: number;
  frames: number;
  stack: number;
  mem: number;
  memEnd: number;
  rdata: number;
  rdataEnd: number;
  logs: number;
  logsEnd: number;
  journal: number;
  touched: number;
  input: number;
  inputEnd: number;
  acctTable: number;
  slotTable: number;
  acctList: number;
  slotList: number;
  tslotTable: number;
  /** End of the state tables and their lists (acctTable..tablesEnd is contiguous). */
  tablesEnd: number;
  codeTable: number;
  codeArena: number;
  codeArenaEnd: number;
  end: number;
}

function planLayout(base: number, s: RegionSizes): Layout {
  let p = base;
  const take = (n: number, align = 64) => {
    p = Math.ceil(p / align) * align;
    const at = p;
    p += n;
    return at;
  };
  const ctx = take(L.CTX_SIZE);
  // Code first: its sizes rarely change from block to block, so the interned code stays in place
  // when the state tables are resized (a replay of consecutive blocks meets the same contracts).
  const codeTable = take(s.codes * L.CODE_REC_SIZE);
  const codeArena = take(s.codeArena);
  const frames = take(1025 * L.FRAME_SIZE);
  const stack = take(1025 * L.STACK_BYTES);
  const mem = take(s.memory);
  const rdata = take(s.returnData);
  const logs = take(s.logs);
  const journal = take(s.journal * L.JOURNAL_SIZE);
  const touched = take(s.touched * 4);
  const input = take(s.input);
  const acctTable = take(s.accounts * L.ACCT_SIZE);
  const slotTable = take(s.slots * L.STOR_SIZE);
  // Insertion-order lists of the two tables' entries (the diff reads these, not the buckets).
  const acctList = take(s.accounts * 4);
  const slotList = take(s.slots * 4);
  const tslotTable = take(s.transient * L.STOR_SIZE);
  return {
    ctx, frames, stack, mem, memEnd: mem + s.memory, rdata, rdataEnd: rdata + s.returnData,
    logs, logsEnd: logs + s.logs, journal, touched, input, inputEnd: input + s.input,
    acctTable, slotTable, acctList, slotList, tslotTable, tablesEnd: p, codeTable, codeArena, codeArenaEnd: codeArena + s.codeArena, end: p,
  };
}

let hasherInstalled = false;

// A new 256-byte Uint8Array lives outside V8's heap and costs about a microsecond, as much as
// running a short call; a view into a shared 64 KiB buffer costs a tenth of that (Node's Buffer
// pools small allocations the same way). Each view is zeroed and handed out once.
let bloomPool = new ArrayBuffer(0);
let bloomPoolAt = 0;
function bloomArray(): Uint8Array {
  if (bloomPoolAt + 256 > bloomPool.byteLength) { bloomPool = new ArrayBuffer(65536); bloomPoolAt = 0; }
  const view = new Uint8Array(bloomPool, bloomPoolAt, 256);
  bloomPoolAt += 256;
  return view;
}

export class Vm {
  readonly memory: WebAssembly.Memory;
  readonly exports: BraidExports;
  private layout!: Layout;
  private sizes!: RegionSizes;
  private env: BlockEnv | undefined;
  private codeCache = new WeakMap<Uint8Array, number>();
  private fork = 0 as Fork;
  /** Answers missing-state requests of this instance (src/remote/: a synchronous provider). */
  stateFetch: StateFetchHandler | undefined;

  constructor(module: WebAssembly.Module, sizes: RegionSizes = DEFAULT_SIZES, memory?: WebAssembly.Memory) {
    this.memory = memory ?? new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
    const instance = new WebAssembly.Instance(module, braidImports(this.memory, (n) => this.env?.blockHash(n) ?? new Uint8Array(32), (ctx) => {
      if (!this.stateFetch) throw new Error("Braid: state is missing but no state provider is attached");
      this.stateFetch(ctx);
    }));
    this.exports = braidExports(instance);
    this.reset(sizes);
    if (!hasherInstalled) {
      hasherInstalled = true;
      setKeccak256((data) => this.keccak(data));
    }
  }

  /** Views of the memory, rebuilt when it grew (a grown memory has a new buffer). */
  u8(): Uint8Array {
    const b = this.memory.buffer;
    if (b !== this.viewBuffer) this.rebuildViews(b);
    return this.u8View!;
  }
  dv(): DataView {
    const b = this.memory.buffer;
    if (b !== this.viewBuffer) this.rebuildViews(b);
    return this.dvView!;
  }
  private viewBuffer: ArrayBufferLike | undefined;
  private u8View: Uint8Array | undefined;
  private dvView: DataView | undefined;
  private rebuildViews(b: ArrayBufferLike): void {
    this.viewBuffer = b;
    this.u8View = new Uint8Array(b);
    this.dvView = new DataView(b);
  }
  get ctx(): number {
    return this.layout.ctx;
  }
  /** First address after this instance's regions (the parallel executor allocates from here). */
  get end(): number {
    return this.layout.end;
  }
  get tables(): { acct: number; acctCap: number; slot: number; slotCap: number } {
    return { acct: this.layout.acctTable, acctCap: this.sizes.accounts, slot: this.layout.slotTable, slotCap: this.sizes.slots };
  }
  get regionSizes(): RegionSizes {
    return this.sizes;
  }

  /** The Keccak memo generation of the context (CTX_MEMO_GEN), new with each reset. */
  private memoGeneration = 0;

  /** Bytes at the bottom of the heap that reset leaves alone (see reserve). */
  private reservedBytes = 0;

  /** Address of the bytes kept by reserve (the bottom of the heap, 64-byte aligned). */
  private get reservedAt(): number {
    return Math.ceil(this.exports.heap_base() / 64) * 64;
  }

  /**
   * Keeps `bytes` at the bottom of the heap for the caller, below this instance's regions, across
   * resets (the parallel executor's worker contexts live there between blocks). Changing the
   * reservation moves the regions and empties the state. Returns the reserved bytes' address.
   */
  reserve(bytes: number): number {
    if (bytes !== this.reservedBytes) {
      const had = this.reservedBytes;
      this.reservedBytes = bytes;
      try {
        this.reset(this.sizes);
      } catch (e) {
        this.reservedBytes = had; // (MEMORY_EXHAUSTED: the Vm keeps its layout and stays usable)
        throw e;
      }
    }
    return this.reservedAt;
  }

  /**
   * Empties the state and lays out the regions for `sizes`. The code regions never shrink: code
   * is interned for good (a smaller request would move the state tables' neighbours and empty
   * the code table, and a replay meets the same contracts again).
   */
  reset(requested: RegionSizes = this.sizes): void {
    const had = this.sizes as RegionSizes | undefined;
    // (A reset with the current sizes, runCode's, keeps the object: the spread costs more than the
    // rest of a reset.)
    const sizes = requested === had ? had
      : had ? { ...requested, codes: Math.max(requested.codes, had.codes), codeArena: Math.max(requested.codeArena, had.codeArena) } : requested;
    const base = this.reservedAt + this.reservedBytes;
    const lay = planLayout(base, sizes);
    const have = this.memory.buffer.byteLength;
    if (lay.end > have) growMemory(this.memory, lay.end - have); // MEMORY_EXHAUSTED leaves the Vm as it was
    this.sizes = sizes;
    const prev = this.layout as Layout | undefined;
    const sameTables = prev !== undefined && prev.acctTable === lay.acctTable && prev.slotTable === lay.slotTable
      && prev.acctList === lay.acctList && prev.slotList === lay.slotList && prev.tslotTable === lay.tslotTable && prev.tablesEnd === lay.tablesEnd;
    const sameCode = prev !== undefined && prev.codeTable === lay.codeTable && prev.codeArena === lay.codeArena && prev.codeArenaEnd === lay.codeArenaEnd;
    const old = this.dv();
    let gen = 1, codeTop = lay.codeArena, codeCount = 0;
    if (sameTables) {
      // A new generation frees every account and slot entry without touching them.
      gen = old.getUint32(lay.ctx + L.CTX_GEN, true) + 1;
      if (gen > 0x7fffffff) { gen = 1; this.exports.mem_zero(lay.acctTable, lay.tablesEnd - lay.acctTable); }
    } else {
      this.exports.mem_zero(lay.acctTable, lay.tablesEnd - lay.acctTable);
    }
    if (sameCode) {
      // Code is content-addressed and immutable: the code table survives unless it is filling up.
      codeTop = old.getUint32(lay.ctx + L.CTX_CODE_ARENA_TOP, true);
      codeCount = old.getUint32(lay.ctx + L.CTX_CODE_COUNT, true);
    }
    if (!sameCode || codeCount * 2 > sizes.codes || codeTop - lay.codeArena > sizes.codeArena * 0.75) {
      this.exports.mem_zero(lay.codeTable, sizes.codes * L.CODE_REC_SIZE);
      codeTop = lay.codeArena; codeCount = 0;
      this.codeCache = new WeakMap();
    }
    this.layout = lay;
    if (prev !== undefined && prev.ctx === lay.ctx && this.memoGeneration < 0xffffffff) {
      // The same context: its opcode info (and the fork it is for) stay, and worker_init rebuilds
      // the info only for another fork; the Keccak memo's entries are of an older generation. A
      // short call (runCode) costs little more than rebuilding the one and zeroing the other.
      this.exports.mem_zero(lay.ctx, L.CTX_OPINFO_FORK);
      this.exports.mem_zero(lay.ctx + L.CTX_OPINFO_END, L.CTX_KECCAK_MEMO - L.CTX_OPINFO_END);
      this.memoGeneration++;
    } else {
      this.exports.mem_zero(lay.ctx, L.CTX_SIZE);
      this.memoGeneration = 1;
    }
    const dv = this.dv();
    const c = lay.ctx;
    const set = (off: number, v: number) => dv.setUint32(c + off, v, true);
    set(L.CTX_ACCT_TABLE, lay.acctTable); set(L.CTX_ACCT_CAP, sizes.accounts);
    set(L.CTX_STOR_TABLE, lay.slotTable); set(L.CTX_STOR_CAP, sizes.slots);
    set(L.CTX_ACCT_LIST, lay.acctList); set(L.CTX_STOR_LIST, lay.slotList);
    set(L.CTX_TSTOR_TABLE, lay.tslotTable); set(L.CTX_TSTOR_CAP, sizes.transient);
    set(L.CTX_CODE_TABLE, lay.codeTable); set(L.CTX_CODE_CAP, sizes.codes);
    set(L.CTX_CODE_ARENA, lay.codeArena); set(L.CTX_CODE_ARENA_END, lay.codeArenaEnd); set(L.CTX_CODE_ARENA_TOP, lay.codeArena);
    set(L.CTX_JOURNAL, lay.journal); set(L.CTX_JOURNAL_CAP, sizes.journal);
    set(L.CTX_STACK, lay.stack); set(L.CTX_FRAMES, lay.frames);
    set(L.CTX_MEM, lay.mem); set(L.CTX_MEM_END, lay.memEnd);
    set(L.CTX_RDATA, lay.rdata); set(L.CTX_RDATA_END, lay.rdataEnd);
    set(L.CTX_LOG, lay.logs); set(L.CTX_LOG_END_CAP, lay.logsEnd);
    set(L.CTX_TOUCHED, lay.touched); set(L.CTX_TOUCHED_CAP, sizes.touched);
    set(L.CTX_FORK, this.fork);
    set(L.CTX_GEN, gen); set(L.CTX_CODE_ARENA_TOP, codeTop); set(L.CTX_CODE_COUNT, codeCount);
    set(L.CTX_MEMO_GEN, this.memoGeneration);
    this.exports.worker_init(c);
  }

  /** Generation of the table entries in use (entries of other generations are free). */
  get generation(): number {
    return this.dv().getUint32(this.layout.ctx + L.CTX_GEN, true);
  }

  /** Sets the block context (and the fork, which selects the opcode table). */
  setBlock(env: BlockEnv): void {
    // The tables hold later forks' entries already (see fork.ts); running one half-implemented
    // would give wrong results without a word.
    if (!SUPPORTED_FORKS.includes(env.fork)) throw new BraidError("FORK_NOT_SUPPORTED", `fork ${forkName(env.fork) ?? env.fork} is not supported yet (Braid runs Frontier to Cancun)`);
    this.env = env;
    const dv = this.dv();
    const c = this.layout.ctx;
    if (env.fork !== this.fork) {
      this.fork = env.fork;
      dv.setUint32(c + L.CTX_FORK, env.fork, true);
      this.exports.worker_init(c);
    }
    dv.setBigUint64(c + L.CTX_BLOCK_GAS_LIMIT, BigInt.asUintN(64, env.gasLimit), true);
    dv.setBigUint64(c + L.CTX_NUMBER, BigInt.asUintN(64, env.number), true);
    dv.setBigUint64(c + L.CTX_TIMESTAMP, BigInt.asUintN(64, env.timestamp), true);
    this.u8().set(env.coinbase, c + L.CTX_COINBASE);
    writeWordAt(dv, c + L.CTX_CHAINID, env.chainId);
    writeWordAt(dv, c + L.CTX_BASEFEE, env.baseFee);
    writeWordAt(dv, c + L.CTX_PREVRANDAO, env.prevRandao);
    writeWordAt(dv, c + L.CTX_BLOBBASEFEE, env.blobBaseFee);
  }

  /** Writes a 256-bit value as a stack word (4 little-endian u64 limbs). */
  writeWord(at: number, v: bigint): void {
    writeWordAt(this.dv(), at, v);
  }

  readWord(at: number): bigint {
    const dv = this.dv();
    const high = dv.getUint32(at + 16, true) | dv.getUint32(at + 20, true) | dv.getUint32(at + 24, true) | dv.getUint32(at + 28, true);
    const mid = dv.getUint32(at + 8, true) | dv.getUint32(at + 12, true);
    if ((high | mid) === 0) {
      // Most words (counters, balances) fit in 53 or 64 bits: one BigInt instead of four.
      const hi = dv.getUint32(at + 4, true);
      return hi < 0x200000 ? BigInt(dv.getUint32(at, true) + hi * 4294967296) : dv.getBigUint64(at, true);
    }
    if (high === 0) return (dv.getBigUint64(at + 8, true) << 64n) | dv.getBigUint64(at, true);
    let v = 0n;
    for (let i = 3; i >= 0; i--) v = (v << 64n) | dv.getBigUint64(at + i * 8, true);
    return v;
  }

  /** Copies bytes into the input region at `off`; returns their address. */
  private stage(off: number, bytes: Uint8Array): number {
    const at = this.layout.input + off;
    if (at + bytes.length > this.layout.inputEnd) throw tooLarge(bytes.length, this.layout.inputEnd - this.layout.input - off);
    this.u8().set(bytes, at);
    return at;
  }

  /** A 256-bit value as 32 big-endian bytes (four 64-bit stores, not 32 byte-wide BigInt steps). */
  private be32(v: bigint): Uint8Array {
    const b = new Uint8Array(32);
    if (v === 0n) return b;
    const dv = new DataView(b.buffer);
    if (v <= 0xffffffffffffffffn) dv.setBigUint64(24, v);
    else for (let i = 3; i >= 0; i--, v >>= 64n) dv.setBigUint64(i * 8, BigInt.asUintN(64, v));
    return b;
  }

  /**
   * Adds accounts to the state. Throws RegionExhausted when a table is too small. The accounts go
   * in as batches of fixed records (state_put_accounts) written straight into the input region: a
   * call and a few allocations per account cost more than the insertion itself.
   */
  putAccounts(accounts: Iterable<[Uint8Array, AccountInit]>): void {
    const base = this.layout.input;
    // The upper half of the region: putSlots stages its pairs at the bottom.
    const recs = base + Math.floor((this.layout.inputEnd - base) / 2);
    const batch = Math.min(4096, Math.floor((this.layout.inputEnd - recs) / L.PUT_ACCOUNT_SIZE));
    const withStorage: Array<[number, ReadonlyArray<readonly [bigint, bigint]>, Uint8Array]> = [];
    let n = 0;
    let dv = this.dv(), u8 = this.u8();
    const flush = () => {
      const put = n > 0 ? this.exports.state_put_accounts(recs, n) >>> 0 : 1;
      if (put === 0) throw new RegionExhausted(this.fatal() || 1);
      if (put >= 2) {
        const address = this.u8().slice(recs + (put - 2) * L.PUT_ACCOUNT_SIZE, recs + (put - 2) * L.PUT_ACCOUNT_SIZE + 20);
        throw new BraidError("STATE_INVALID", `account ${bytesToHex(address)}: listed twice in the pre-state (which entry wins would depend on their order)`);
      }
      for (const [k, storage, address] of withStorage) this.putSlots(this.dv().getUint32(recs + k * L.PUT_ACCOUNT_SIZE + 20, true), storage, address);
      withStorage.length = 0;
      n = 0;
      dv = this.dv(); u8 = this.u8(); // views of the memory as it is now
    };
    for (const [address, a] of accounts) {
      checkAccount(address, a);
      let rec = a.code.length === 0 ? 0 : this.codeCache.get(a.code);
      if (rec === undefined) {
        if (a.code.length > recs - base) flush(); // staged over the whole region
        rec = this.internCode(a.code);
        dv = this.dv(); u8 = this.u8();
      }
      const at = recs + n * L.PUT_ACCOUNT_SIZE;
      u8.set(address, at);
      dv.setUint32(at + 20, rec, true);
      dv.setBigUint64(at + 24, a.nonce, true);
      writeLimbs(dv, at + 32, a.balance);
      if (a.storage.length > 0) withStorage.push([n, a.storage, address]);
      if (++n === batch) flush();
    }
    flush();
  }

  /** Interns code staged at the bottom of the input region; throws RegionExhausted when full. */
  private internCode(code: Uint8Array): number {
    const rec = this.exports.code_put(this.stage(0, code), code.length);
    if (rec === 0) throw new RegionExhausted(this.fatal() || 5);
    this.codeCache.set(code, rec);
    return rec;
  }

  /** Stages slots as (key, value) limb words in batches and inserts each batch with one call. */
  private putSlots(entry: number, storage: ReadonlyArray<readonly [bigint, bigint]>, address: Uint8Array): void {
    const dv = this.dv();
    const base = this.layout.input;
    const batch = Math.min(4096, Math.floor((this.layout.inputEnd - base) / 64));
    let n = 0;
    const flush = () => {
      if (n > 0 && this.exports.state_put_slots(entry, base, n) === 0) throw new RegionExhausted(this.fatal() || 2);
      n = 0;
    };
    for (let i = 0; i < storage.length; i++) {
      const pair = storage[i];
      // Checked here, in the one pass over the slots, before destructuring would throw a TypeError.
      if (!Array.isArray(pair) || pair.length !== 2) throw new BraidError("STATE_INVALID", `account ${bytesToHex(address)}: storage[${i}] must be a [key, value] pair, got ${String(pair)}`);
      const [k, v] = pair;
      checkSlot(k, v);
      if (v === 0n) continue;
      const at = base + n * 64;
      writeLimbs(dv, at, k);
      writeLimbs(dv, at + 32, v);
      if (++n === batch) flush();
    }
    flush();
  }

  /**
   * Stages bytes in the upper half of the input region, which a running message's data never
   * reaches: remote state is inserted while a message executes (Vm.execute stages at the bottom).
   */
  private stageHigh(off: number, bytes: Uint8Array): number {
    const lay = this.layout;
    const at = lay.input + Math.floor((lay.inputEnd - lay.input) / 2) + off;
    if (at + bytes.length > lay.inputEnd - 4096) throw tooLarge(bytes.length, lay.inputEnd - 4096 - (at - off));
    this.u8().set(bytes, at);
    return at;
  }

  /** A code record's keccak256 (computed in wasm on first use). */
  codeHashOf(rec: number): Uint8Array {
    const at = this.exports.code_hash_of(rec);
    return this.u8().slice(at, at + 32);
  }

  /** Interns code bytes; returns the code record (0 for empty code). */
  putCode(code: Uint8Array): number {
    if (code.length === 0) return 0;
    let rec = this.codeCache.get(code);
    if (rec === undefined) {
      rec = this.exports.code_put(this.stageHigh(128, code), code.length);
      if (rec === 0) throw new RegionExhausted(this.fatal() || 5);
      this.codeCache.set(code, rec);
    }
    return rec;
  }

  /** Inserts a fetched account (remote state); safe while workers read the tables. */
  putRemoteAccount(address: Uint8Array, a: { exists: boolean; nonce: bigint; balance: bigint; code: Uint8Array; hasStorage: boolean }): number {
    if (!a || typeof a !== "object" || typeof a.exists !== "boolean" || (a.exists && typeof a.hasStorage !== "boolean")) {
      throw new BraidError("STATE_INVALID", `account ${isBytes(address) ? bytesToHex(address) : String(address)}: a remote account needs exists (and, if it exists, hasStorage) as booleans`);
    }
    if (!isBytes(address, 20)) throw new BraidError("STATE_INVALID", `account ${String(address)}: the address must be 20 bytes`);
    if (a.exists) checkAccount(address, { nonce: a.nonce, balance: a.balance, code: a.code, storage: [] });
    const rec = a.exists ? this.putCode(a.code) : 0;
    const e = this.exports.remote_put_account(this.stageHigh(0, address), a.exists ? 1 : 0, a.exists && a.hasStorage ? 1 : 0,
      a.exists ? a.nonce : 0n, this.stageHigh(32, this.be32(a.exists ? a.balance : 0n)), rec);
    if (e === 0) throw new RegionExhausted(1);
    return e;
  }

  /** Inserts a fetched slot of an account entry (remote state). */
  putRemoteSlot(entry: number, key: bigint, value: bigint): void {
    checkSlot(key, value);
    if (this.exports.remote_put_slot(entry, this.stageHigh(64, this.be32(key)), this.stageHigh(96, this.be32(value))) === 0) throw new RegionExhausted(2);
  }

  /** Puts a block hash into a BLOCKHASH ring (remote state). */
  putBlockHash(ring: number, n: bigint, hash: Uint8Array): void {
    // (Staged as given, a short hash would take the staging region's leftover bytes with it.)
    if (typeof n !== "bigint" || !isBytes(hash, 32)) throw new BraidError("STATE_INVALID", `block hash ${String(n)}: must be 32 bytes under a bigint block number`);
    this.exports.remote_put_blockhash(ring, n, this.stageHigh(0, hash));
  }

  /** The account entry of an address, 0 when not in the tables. */
  findAccount(address: Uint8Array): number {
    return this.exports.state_find_account(this.stageHigh(0, address));
  }

  /** Keccak-256 computed by the wasm module (in the input region's tail). */
  keccak(data: Uint8Array): Uint8Array {
    const lay = this.layout;
    // Hashed in the upper half of the input region, which staging never reaches; data too large
    // for it goes to the JavaScript implementation.
    const at = lay.inputEnd - 64 - data.length;
    if (at < lay.input + (lay.inputEnd - lay.input) / 2) return keccakJs(data);
    const u8 = this.u8();
    u8.set(data, at);
    this.exports.keccak256(at, data.length, lay.inputEnd - 32);
    return u8.slice(lay.inputEnd - 32, lay.inputEnd);
  }

  /** Nonce, balance and whether the account has code; null when it does not exist. */
  getAccount(address: Uint8Array): { nonce: bigint; balance: bigint; hasCode: boolean } | null {
    const e = this.exports.state_find_account(this.stage(0, address));
    if (e === 0) return null;
    const dv = this.dv();
    if ((dv.getUint32(e + L.A_FLAGS, true) & L.AF_EXISTS) === 0) return null;
    return { nonce: dv.getBigUint64(e + L.A_NONCE, true), balance: this.readWord(e + L.A_BALANCE), hasCode: dv.getUint32(e + L.A_CODE, true) !== 0 };
  }

  /** Adds wei to an account outside any transaction (withdrawals, block rewards). */
  credit(address: Uint8Array, amount: bigint): void {
    const a = this.stage(0, address);
    const v = this.stage(32, this.be32(amount));
    if (this.exports.state_credit(a, v) === 0) throw new RegionExhausted(this.fatal() || 1);
  }

  /** Moves the whole balance of `from` to `to` outside any transaction (the DAO fork); both exist after. */
  drain(from: Uint8Array, to: Uint8Array): void {
    const a = this.stage(0, from);
    const b = this.stage(32, to);
    if (this.exports.state_drain(a, b) === 0) throw new RegionExhausted(this.fatal() || 1);
  }

  private fatal(): number {
    return this.dv().getUint32(this.layout.ctx + L.CTX_FATAL, true);
  }

  /** Executes a validated message. Throws RegionExhausted (state then unusable) when out of room. */
  execute(m: Message): TxResult {
    const dv = this.dv();
    const u8 = this.u8();
    const c = this.layout.ctx;
    u8.set(m.caller, c + L.CTX_CALLER);
    u8.set(m.caller, c + L.CTX_ORIGIN);
    u8.fill(0, c + L.CTX_TO, c + L.CTX_TO + 20);
    if (m.to) u8.set(m.to, c + L.CTX_TO);
    dv.setUint32(c + L.CTX_IS_CREATE, m.to ? 0 : 1, true);
    dv.setUint32(c + L.CTX_SYSTEM, m.system ? 1 : 0, true);
    dv.setUint32(c + L.CTX_CHECK_SENDER, 0, true); // the caller validated this message
    writeWordAt(dv, c + L.CTX_VALUE, m.value);
    writeWordAt(dv, c + L.CTX_GASPRICE, m.gasPrice);
    writeWordAt(dv, c + L.CTX_PRIORITY, m.priorityFee);
    writeWordAt(dv, c + L.CTX_UPFRONT, m.upfront);
    dv.setBigUint64(c + L.CTX_GAS_LIMIT, m.gasLimit, true);
    dv.setBigUint64(c + L.CTX_INTRINSIC, m.intrinsicGas, true);
    // Input region: data, then the access list, then blob hashes.
    let off = 0;
    const dataAt = this.stage(off, m.data);
    off += m.data.length;
    dv.setUint32(c + L.CTX_DATA_PTR, dataAt, true);
    dv.setUint32(c + L.CTX_DATA_LEN, m.data.length, true);
    off = Math.ceil(off / 8) * 8;
    const alAt = this.layout.input + off;
    for (const entry of m.accessList) {
      this.stage(off, entry.address);
      this.dv().setUint32(this.layout.input + off + 20, entry.storageKeys.length, true);
      off += 24;
      for (const k of entry.storageKeys) {
        // keys are stack words
        let v = 0n;
        for (const b of k) v = (v << 8n) | BigInt(b);
        if (this.layout.input + off + 32 > this.layout.inputEnd) throw tooLarge(off + 32, this.layout.inputEnd - this.layout.input);
        this.writeWord(this.layout.input + off, v);
        off += 32;
      }
    }
    dv.setUint32(c + L.CTX_ACCESS_PTR, alAt, true);
    dv.setUint32(c + L.CTX_ACCESS_COUNT, m.accessList.length, true);
    const bhAt = this.layout.input + off;
    for (const h of m.blobHashes) { this.stage(off, h); off += 32; }
    dv.setUint32(c + L.CTX_BLOBHASHES_PTR, bhAt, true);
    dv.setUint32(c + L.CTX_BLOBHASHES_COUNT, m.blobHashes.length, true);

    this.exports.tx_execute();

    const d = this.dv(); // (host calls during the transaction may have grown the memory)
    const view = this.u8();
    const status = d.getUint32(c + L.CTX_STATUS, true);
    if (status === L.STATUS_FATAL) throw new RegionExhausted(d.getUint32(c + L.CTX_FATAL, true));
    const outPtr = d.getUint32(c + L.CTX_OUT_PTR, true);
    const outLen = d.getUint32(c + L.CTX_OUT_LEN, true);
    const logCount = d.getUint32(c + L.CTX_LOG_COUNT, true);
    const bloom = bloomArray();
    if (logCount > 0) bloom.set(view.subarray(c + L.CTX_BLOOM, c + L.CTX_BLOOM + 256));
    return {
      status: STATUS[status],
      gasUsed: d.getBigUint64(c + L.CTX_GAS_USED, true),
      gasLeft: d.getBigUint64(c + L.CTX_GAS_LEFT, true),
      refundCounter: d.getBigInt64(c + L.CTX_REFUND, true),
      output: view.slice(outPtr, outPtr + outLen),
      logs: this.readLogs(logCount, view, d),
      createdAddress: m.to === null && status === L.STATUS_SUCCESS ? view.slice(c + L.CTX_CREATED, c + L.CTX_CREATED + 20) : null,
      steps: d.getBigUint64(c + L.CTX_STEPS, true),
      logsBloom: bloom,
    };
  }

  /** The last call's logs, read through views of the memory as it is now. */
  private readLogs(count: number, u8: Uint8Array, dv: DataView): LogEntry[] {
    return decodeLogRecords(u8, dv, this.layout.logs, count);
  }

  /**
   * The accounts and slots that differ from the state as loaded (before the block), found by the
   * wasm scan over the tables (state/diff.ts). `existed`: the account existed before the block.
   */
  changedState(): ChangedAccount[] {
    const dv = this.dv();
    const u8 = this.u8();
    const lay = this.layout;
    const ex = this.exports;
    // The changed accounts' entries (each once, in table-list order), then those only a changed
    // slot names.
    const entries: number[] = [];
    const accounts = dv.getUint32(lay.ctx + L.CTX_ACCT_COUNT, true), slots = dv.getUint32(lay.ctx + L.CTX_STOR_COUNT, true);
    for (let i = ex.diff_next_account(0); i < accounts; i = ex.diff_next_account(i + 1)) entries.push(dv.getUint32(lay.acctList + i * 4, true));
    const slotAt: number[] = [], slotOwner: number[] = [];
    let position: Map<number, number> | undefined;
    for (let i = ex.diff_next_slot(0); i < slots; i = ex.diff_next_slot(i + 1)) {
      const s = dv.getUint32(lay.slotList + i * 4, true);
      const e = dv.getUint32(s + L.S_ACCT, true);
      position ??= new Map(entries.map((x, k) => [x, k]));
      let k = position.get(e);
      if (k === undefined) { k = entries.length; entries.push(e); position.set(e, k); }
      slotAt.push(s);
      slotOwner.push(k);
    }
    const addresses = this.hexOfRanges(entries, 20);
    const codeHashes = new Map<number, string>([[0, EMPTY_CODE_HASH_HEX]]);
    const changed = entries.map((e, k): ChangedAccount => {
      const rec = dv.getUint32(e + L.A_CODE, true);
      let codeHash = codeHashes.get(rec);
      if (codeHash === undefined) codeHashes.set(rec, codeHash = hexOfRange(u8, ex.code_hash_of(rec), 32));
      return {
        address: addresses[k]!,
        exists: (dv.getUint32(e + L.A_FLAGS, true) & L.AF_EXISTS) !== 0,
        existed: (dv.getUint32(e + L.A_ORIG_FLAGS, true) & L.AF_EXISTS) !== 0,
        nonce: dv.getBigUint64(e + L.A_NONCE, true),
        balance: this.readWord(e + L.A_BALANCE),
        codeHash,
        storage: new Map(),
        storageCleared: dv.getUint32(e + L.A_WIPE, true) !== 0,
      };
    });
    const keys = this.hexOfWords(slotAt.map((s) => s + L.S_KEY));
    slotAt.forEach((s, j) => {
      const account = changed[slotOwner[j]!]!;
      const value = this.readWord(s + L.S_VALUE);
      // After a clear every slot not listed is zero: the pre-state's slots it zeroed are not listed
      // (on remote state those never read are not known at all).
      if (value !== 0n || !account.storageCleared) account.storage.set(keys[j]!, value);
    });
    return changed;
  }

  /**
   * "0x" and the hex of the `len` bytes at each address of `at`: wasm writes the digits of a batch
   * (hex_ranges) and they are decoded at once, each string a slice of that one (flat, unlike a
   * string concatenated pair by pair, so a Map hashes it without flattening it first).
   */
  private hexOfRanges(at: readonly number[], len: number): string[] {
    const width = 2 + 2 * len;
    return this.hexBatches(at, 4 + width, (list, count, dst) => {
      this.exports.hex_ranges(list, count, len, dst);
      const text = ascii.decode(this.u8().slice(dst, dst + count * width));
      return (k) => text.substring(k * width, (k + 1) * width);
    });
  }

  /** The words (stack layout) at each address of `at` in hex as bigint.toString(16) gives it (hex_words). */
  private hexOfWords(at: readonly number[]): string[] {
    return this.hexBatches(at, 4 + 4 + 64, (list, count, dst) => {
      const ends = dst + 64 * count;
      const size = this.exports.hex_words(list, count, dst, ends);
      const text = ascii.decode(this.u8().slice(dst, dst + size));
      const end = new Uint32Array(this.memory.buffer.slice(ends, ends + 4 * count));
      return (k) => text.substring(k === 0 ? 0 : end[k - 1]!, end[k]!);
    });
  }

  /**
   * Runs `batch` over `at` in pieces that fit the input region (`perItem` bytes each, the address
   * list included): it gets the list's place, the count and where to write, and returns a reader
   * of the piece's k-th string.
   */
  private hexBatches(at: readonly number[], perItem: number, batch: (list: number, count: number, dst: number) => (k: number) => string): string[] {
    const out = new Array<string>(at.length);
    const list = this.layout.input;
    const most = Math.floor((this.layout.inputEnd - list) / perItem);
    for (let from = 0; from < at.length; from += most) {
      const count = Math.min(most, at.length - from);
      new Uint32Array(this.memory.buffer, list, count).set(at.slice(from, from + count));
      const read = batch(list, count, list + 4 * count);
      for (let k = 0; k < count; k++) out[from + k] = read(k);
    }
    return out;
  }

  /** Every existing account with its non-zero storage. */
  dumpState(): Array<AccountState & { code: Uint8Array }> {
    const u8 = this.u8();
    const dv = this.dv();
    const lay = this.layout;
    const byEntry = new Map<number, AccountState & { code: Uint8Array }>();
    const gen = this.generation;
    for (let i = 0; i < this.sizes.accounts; i++) {
      const e = lay.acctTable + i * L.ACCT_SIZE;
      if (dv.getUint32(e + L.A_USED, true) !== gen) continue;
      if ((dv.getUint32(e + L.A_FLAGS, true) & L.AF_EXISTS) === 0) continue;
      const rec = dv.getUint32(e + L.A_CODE, true);
      const codePtr = rec ? dv.getUint32(rec + L.C_CODE, true) : 0;
      const codeLen = rec ? dv.getUint32(rec + L.C_LEN, true) : 0;
      byEntry.set(e, {
        address: u8.slice(e, e + 20),
        nonce: dv.getBigUint64(e + L.A_NONCE, true),
        balance: this.readWord(e + L.A_BALANCE),
        codeHash: rec ? this.codeHashOf(rec) : EMPTY_CODE_HASH,
        code: rec ? u8.slice(codePtr, codePtr + codeLen) : new Uint8Array(0),
        storage: [],
      });
    }
    for (let i = 0; i < this.sizes.slots; i++) {
      const s = lay.slotTable + i * L.STOR_SIZE;
      if (dv.getUint32(s + L.S_USED, true) !== gen) continue;
      const acct = byEntry.get(dv.getUint32(s + L.S_ACCT, true));
      if (!acct) continue;
      const v = this.readWord(s + L.S_VALUE);
      if (v === 0n) continue;
      acct.storage.push([this.be32(this.readWord(s + L.S_KEY)), v]);
    }
    return [...byEntry.values()];
  }
}
