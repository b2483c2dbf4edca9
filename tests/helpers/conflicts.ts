// Engineered conflict blocks for the Block-STM tests (tests/conflicts.test.ts, tests/stress.test.ts).
// Each scenario builds a BlockInput and PreState from scratch on every make() (the executors mutate
// tx.sender and may reuse objects), with hand-assembled contracts in the pre-state and type-2
// transactions whose `sender` is set (run with verifySenders: false). Each scenario states the
// receipt statuses it expects and checks its own semantics (counter values, hashes, balances)
// independently of the executor; the tests also require parallel == sequential (compareResults).
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Transaction } from "../../src/tx/types.js";
import type { AccountInit, ExecStatus } from "../../src/vm/types.js";
import { asm, push, pushN, type AsmItem } from "./asm.js";
import type { BlockCase, BlockResult } from "./braid-dist.js";

// ---------------------------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------------------------

export type Address = Uint8Array;

/** A 20-byte address ending in the big-endian bytes of `n`. */
export function address(n: number | bigint): Address {
  const a = new Uint8Array(20);
  let x = BigInt(n);
  for (let i = 19; i >= 0 && x > 0n; i--) { a[i] = Number(x & 0xffn); x >>= 8n; }
  return a;
}

export const hex = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const big = (b: Uint8Array): bigint => (b.length ? BigInt(hex(b)) : 0n);
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
/** 32-byte big-endian word. */
export function word(v: bigint | number | Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  if (v instanceof Uint8Array) { out.set(v, 32 - v.length); return out; }
  let x = BigInt(v);
  for (let i = 31; i >= 0 && x > 0n; i--) { out[i] = Number(x & 0xffn); x >>= 8n; }
  return out;
}
export const keccak = (b: Uint8Array): Uint8Array => keccak_256(b);
export const EMPTY_CODE_HASH = keccak(new Uint8Array(0));

/** CREATE2 address: keccak(0xff ++ sender ++ salt ++ keccak(initcode))[12:]. */
export function create2Address(sender: Address, salt: bigint, initcode: Uint8Array): Address {
  return keccak(concat(Uint8Array.of(0xff), sender, word(salt), keccak(initcode))).slice(12);
}
/** CREATE address for a nonce below 0x80: keccak(rlp([sender, nonce]))[12:]. */
export function createAddress(sender: Address, nonce: number): Address {
  if (nonce >= 0x80) throw new RangeError("createAddress: small nonces only");
  return keccak(concat(Uint8Array.of(0xd6, 0x94), sender, Uint8Array.of(nonce === 0 ? 0x80 : nonce))).slice(12);
}

/** Initcode: runs `prefix` (constructor), then returns `runtime` (copied with CODECOPY). */
export function initcode(prefix: Uint8Array, runtime: Uint8Array): Uint8Array {
  const off = prefix.length + 15; // the 15-byte copier below
  const copier = asm(pushN(2, runtime.length), pushN(2, off), push(0), "CODECOPY", pushN(2, runtime.length), push(0), "RETURN");
  if (copier.length !== 15) throw new Error("copier length");
  return concat(prefix, copier, runtime);
}

// ---------------------------------------------------------------------------------------------
// Contracts
// ---------------------------------------------------------------------------------------------

/**
 * A busy loop of `n` iterations (n >= 1), for code placed at offset `at`: it makes a transaction
 * take a fraction of a millisecond, so that later transactions run speculatively while it is
 * still executing (with instant transactions one worker tends to run the whole block alone).
 * Gas: PUSH3 3 + n * 26 + POP 2.
 */
export function spin(n: number, at = 0): Uint8Array {
  return asm(pushN(3, n), "JUMPDEST", push(1), "SWAP1", "SUB", "DUP1", pushN(2, at + 4), "JUMPI", "POP");
}
export const spinGas = (n: number): bigint => 5n + 26n * BigInt(n);
/** Iterations of the busy loops below (312,000 gas, about 2 ms a transaction on a busy 2-core machine). */
export const SPIN = 12000;
/** Burns time and gas, keeps any value sent. */
export const BURNER = asm(spin(SPIN), "STOP");

/** slot0 += 1 */
export const COUNTER = asm(push(0), "SLOAD", push(1), "ADD", push(0), "SSTORE", "STOP");
/** A busy loop, then slot0 += 1 */
export const SLOW_COUNTER = asm(spin(SPIN), COUNTER);
/** A busy loop, then slot0 = keccak(slot0 ++ calldata[0:32]); LOG0(new slot0). A running hash: each call depends on the last. */
export const RELAY = asm(spin(SPIN),
  push(0), "SLOAD", push(0), "MSTORE", push(0), "CALLDATALOAD", push(32), "MSTORE",
  push(64), push(0), "KECCAK256", "DUP1", push(0), "SSTORE", push(0), "MSTORE", push(32), push(0), "LOG0", "STOP",
);
/** storage[calldata[0:32]] = BALANCE(COINBASE) */
export const COINBASE_READER = asm("COINBASE", "BALANCE", push(0), "CALLDATALOAD", "SSTORE", "STOP");
/** storage[calldata[0:32]] = SELFBALANCE (used as the code of a contract coinbase) */
export const SELF_READER = asm("SELFBALANCE", push(0), "CALLDATALOAD", "SSTORE", "STOP");
/** storage[calldata[0:32]] = EXTCODESIZE(calldata[32:64]) + 1 */
export const SIZE_PROBE = asm(push(32), "CALLDATALOAD", "EXTCODESIZE", push(1), "ADD", push(0), "CALLDATALOAD", "SSTORE", "STOP");
/** storage[calldata[0:32]] = EXTCODEHASH(calldata[32:64]) + 1 */
export const HASH_PROBE = asm(push(32), "CALLDATALOAD", "EXTCODEHASH", push(1), "ADD", push(0), "CALLDATALOAD", "SSTORE", "STOP");
/** CALL(calldata[0:32]) with 1 wei and no data. */
export const PAYER = asm(push(0), push(0), push(0), push(0), push(1), push(0), "CALLDATALOAD", "GAS", "CALL", "POP", "STOP");
/** SSTORE(calldata[0:32], BALANCE(calldata[32:64])) */
export const BALANCE_READER = asm(push(32), "CALLDATALOAD", "BALANCE", push(0), "CALLDATALOAD", "SSTORE", "STOP");
/** slot0 += 1; slot1 = CALLER */
export const CALLER_COUNTER = asm(push(0), "SLOAD", push(1), "ADD", push(0), "SSTORE", "CALLER", push(1), "SSTORE", "STOP");

/**
 * Factory. Calldata: word0 = result slot, word1 = mode, then an initcode. CREATE2s the initcode
 * (salt 0, no value), stores the new address (0 on failure) at the result slot, and when mode is
 * non-zero calls the new contract with empty calldata (which makes MORTAL self-destruct).
 */
export const FACTORY = (() => {
  const head: AsmItem[] = [
    push(64), "CALLDATASIZE", "SUB", push(64), push(0), "CALLDATACOPY",
    push(0), push(64), "CALLDATASIZE", "SUB", push(0), push(0), "CREATE2",
    "DUP1", push(0), "CALLDATALOAD", "SSTORE",
    push(32), "CALLDATALOAD", "ISZERO",
  ];
  const call: AsmItem[] = [push(0), push(0), push(0), push(0), push(0), [0x85] /* DUP6 */, "GAS", "CALL", "POP"];
  const end = asm(...head).length + 3 + asm(...call).length;
  return asm(...head, push(end), "JUMPI", ...call, "JUMPDEST", "STOP");
})();
export const factoryInput = (resultSlot: number, mode: number, init: Uint8Array): Uint8Array => concat(word(resultSlot), word(mode), init);

/**
 * Runtime of a contract that (after a busy loop) self-destructs to `beneficiary` when called with
 * empty calldata; otherwise slot4 = SLOAD(1) + 1 and slot1 = 9.
 */
export function mortal(beneficiary: Address): Uint8Array {
  const loop = spin(SPIN);
  const sd = asm(push(beneficiary), "SELFDESTRUCT");
  const dest = loop.length + 4 + sd.length;
  return asm(loop, "CALLDATASIZE", push(dest), "JUMPI", sd, "JUMPDEST",
    push(1), "SLOAD", push(1), "ADD", push(4), "SSTORE", push(9), push(1), "SSTORE", "STOP");
}
/** MORTAL's initcode: a busy loop, then the constructor does slot7 = SLOAD(7) + 1 (1 on a fresh account). */
export const mortalInit = (beneficiary: Address): Uint8Array =>
  initcode(asm(spin(SPIN), push(7), "SLOAD", push(1), "ADD", push(7), "SSTORE"), mortal(beneficiary));

// ---------------------------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------------------------

export const BASE_FEE = 7n;
export const ETHER = 10n ** 18n;
export const CANCUN = { number: 19_500_000n, timestamp: 1_720_000_000n };
export const SHANGHAI = { number: 17_100_000n, timestamp: 1_690_000_000n };

export interface TxOptions {
  value?: bigint;
  data?: Uint8Array;
  gas?: bigint;
  tip?: bigint;
  maxFee?: bigint;
  /** Explicit nonce (default: the sender's next one). */
  nonce?: bigint;
}

/** Accumulates a pre-state and transactions; build() gives a fresh BlockCase. */
export class BlockBuilder {
  private readonly accounts = new Map<string, [Address, AccountInit]>();
  private readonly nonces = new Map<string, bigint>();
  readonly txs: Transaction[] = [];
  withdrawals: Array<{ address: Address; amountGwei: bigint }> = [];
  /** Block hashes the BLOCKHASH instruction may see (number -> hash). */
  readonly blockHashes = new Map<bigint, Uint8Array>();

  constructor(readonly fork: { number: bigint; timestamp: bigint }, readonly coinbase: Address, readonly gasLimit = 30_000_000n) {}

  account(a: Address, init: Partial<AccountInit>): Address {
    this.accounts.set(hex(a), [a, { nonce: init.nonce ?? 0n, balance: init.balance ?? 0n, code: init.code ?? new Uint8Array(0), storage: init.storage ?? [] }]);
    if (init.nonce !== undefined) this.nonces.set(hex(a), init.nonce);
    return a;
  }
  eoa(a: Address, balance = 100n * ETHER): Address {
    return this.account(a, { balance });
  }
  contract(a: Address, code: Uint8Array, o: Partial<AccountInit> = {}): Address {
    return this.account(a, { nonce: 1n, ...o, code });
  }

  /** Appends a type-2 transaction; returns its index. */
  tx(from: Address, to: Address | null, o: TxOptions = {}): number {
    const nonce = o.nonce ?? this.nonces.get(hex(from)) ?? 0n;
    this.nonces.set(hex(from), nonce + 1n);
    this.txs.push({
      type: 2, chainId: 1n, nonce, maxPriorityFeePerGas: o.tip ?? 2n, maxFeePerGas: o.maxFee ?? 1000n,
      gasLimit: o.gas ?? 1_000_000n, to, value: o.value ?? 0n, data: o.data ?? new Uint8Array(0), accessList: [],
      v: 0n, r: 0n, s: 0n, sender: from,
    });
    return this.txs.length - 1;
  }

  build(): BlockCase {
    const copy = (b: Uint8Array) => Uint8Array.from(b);
    return {
      block: {
        header: {
          number: this.fork.number, timestamp: this.fork.timestamp, coinbase: copy(this.coinbase), gasLimit: this.gasLimit,
          gasUsed: 0n, baseFee: BASE_FEE, difficulty: 0n, mixHash: new Uint8Array(32), excessBlobGas: 0n,
          receiptsRoot: new Uint8Array(32), logsBloom: new Uint8Array(256), uncles: [],
        },
        transactions: this.txs.map((t) => ({ ...t, to: t.to && copy(t.to), data: copy(t.data), accessList: [], sender: copy(t.sender!) })),
        withdrawals: this.withdrawals.map((w) => ({ address: copy(w.address), amountGwei: w.amountGwei })),
      },
      pre: {
        accounts: [...this.accounts.values()].map(([a, i]) => [copy(a), { ...i, code: copy(i.code), storage: i.storage.map(([k, v]) => [k, v] as [bigint, bigint]) }]),
        blockHashes: new Map([...this.blockHashes].map(([n, h]) => [n, copy(h)])),
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Reading results
// ---------------------------------------------------------------------------------------------

/** A slot of `a` after the block (pre-state value when the account is unchanged). */
export function slotOf(r: BlockResult, c: BlockCase, a: Address, k: bigint | number): bigint {
  const e = r.stateDiff.get(hex(a));
  if (e === null) return 0n;
  const pre = c.pre.accounts.find(([x]) => hex(x) === hex(a));
  const before = pre?.[1].storage.find(([s]) => s === BigInt(k))?.[1] ?? 0n;
  // The diff holds the slots that changed; the others keep their pre-state value, or are zero
  // where the account's storage was cleared during the block.
  return e ? (e.storage.get(BigInt(k).toString(16)) ?? (e.storageCleared ? 0n : before)) : before;
}
export function accountOf(r: BlockResult, c: BlockCase, a: Address): { nonce: bigint; balance: bigint; codeHash: string } | null {
  const e = r.stateDiff.get(hex(a));
  if (e === null) return null;
  if (e) return { nonce: e.nonce, balance: e.balance, codeHash: e.codeHash };
  const pre = c.pre.accounts.find(([x]) => hex(x) === hex(a));
  if (!pre) return null;
  return { nonce: pre[1].nonce, balance: pre[1].balance, codeHash: hex(keccak(pre[1].code)) };
}
const prio = (t: Transaction): bigint => {
  const p = t.maxFeePerGas! - BASE_FEE;
  return t.maxPriorityFeePerGas! < p ? t.maxPriorityFeePerGas! : p;
};
const price = (t: Transaction): bigint => BASE_FEE + prio(t);
const intrinsic = (data: Uint8Array): bigint => 21000n + data.reduce((s, b) => s + (b === 0 ? 4n : 16n), 0n);

/** Collects "label: what" failures. */
class Checks {
  readonly out: string[] = [];
  constructor(private readonly label: string) {}
  eq(what: string, got: unknown, want: unknown): void {
    const show = (v: unknown) => (typeof v === "bigint" ? `${v} (0x${v.toString(16)})` : String(v));
    if (got !== want) this.out.push(`${this.label}: ${what}: got ${show(got)}, expected ${show(want)}`);
  }
  ok(what: string, cond: boolean): void {
    if (!cond) this.out.push(`${this.label}: ${what}`);
  }
}

/** Receipt sanity common to every scenario: statuses, gas bounds, cumulative gas. */
export function checkReceipts(label: string, r: BlockResult, c: BlockCase, statuses: ExecStatus[]): string[] {
  const ck = new Checks(label);
  const txs = c.block.transactions;
  ck.eq("receipt count", r.receipts.length, txs.length);
  let cumulative = 0n;
  r.receipts.forEach((rc, i) => {
    ck.eq(`receipt ${i} status`, rc.status, statuses[i]);
    ck.ok(`receipt ${i} gasUsed ${rc.gasUsed} outside [intrinsic, gasLimit ${txs[i].gasLimit}]`, rc.gasUsed >= intrinsic(txs[i].data) && rc.gasUsed <= txs[i].gasLimit);
    cumulative += rc.gasUsed;
    ck.eq(`receipt ${i} cumulativeGasUsed`, rc.cumulativeGasUsed, cumulative);
  });
  ck.eq("block gasUsed", r.gasUsed, cumulative);
  return ck.out;
}

export interface Scenario {
  name: string;
  make(): BlockCase;
  /** Expected status of every receipt (valid blocks). */
  statuses?: ExecStatus[];
  /** Semantic checks on one result; returns failures. */
  check?(label: string, r: BlockResult, c: BlockCase): string[];
  /** Invalid blocks: both executors must throw a BraidError naming this transaction. */
  invalidTx?: number;
  /** At least this many lazy credits (ParallelStats.credits) when every transaction runs on Block-STM. */
  minCredits?: number;
}

const all = (n: number, s: ExecStatus = "success"): ExecStatus[] => new Array<ExecStatus>(n).fill(s);

/**
 * The coinbase balance through the block, from the result's receipts: fees (gasUsed * priority
 * fee), value sent to it, what it spends as a sender, and `extra[i]` wei sent to it inside
 * transaction i. Returns the balance a BALANCE(COINBASE) in transaction i sees (`seen[i]`) and
 * the balance after the last transaction.
 */
function coinbaseModel(r: BlockResult, c: BlockCase, start: bigint, extra: Map<number, bigint> = new Map()): { seen: bigint[]; end: bigint } {
  const cb = hex(c.block.header.coinbase);
  let bal = start;
  const seen: bigint[] = [];
  c.block.transactions.forEach((t, i) => {
    const fromCb = hex(t.sender!) === cb;
    const ok = r.receipts[i].status === "success";
    seen.push(fromCb ? bal - t.gasLimit * price(t) - (ok ? t.value : 0n) : bal);
    const g = r.receipts[i].gasUsed;
    bal += g * prio(t);
    if (fromCb) bal -= g * price(t) + (ok ? t.value : 0n);
    if (ok && t.to && hex(t.to) === cb) bal += t.value;
    if (ok) bal += extra.get(i) ?? 0n;
  });
  return { seen, end: bal };
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

const SENDER = (i: number) => address(0x5e000000 + i);
const CB = address(0xc0b001);

/**
 * Independent slow transactions (no tip, so no fee) opening a block: they keep every worker busy,
 * so that the interesting transactions after them start while their predecessors still run.
 */
const P = 4;
function warmup(b: BlockBuilder): void {
  const burner = address(0xb4f0);
  b.contract(burner, BURNER);
  for (let i = 0; i < P; i++) b.tx(b.eoa(SENDER(990 + i)), burner, { tip: 0n });
}

/** (a) Every transaction increments one counter slot (after a busy loop when `slow`). */
function counterScenario(n: number, slow: boolean): Scenario {
  const counter = address(0xc0c0);
  const extra = slow ? spinGas(SPIN) : 0n;
  const make = () => {
    const b = new BlockBuilder(CANCUN, CB);
    b.contract(counter, slow ? SLOW_COUNTER : COUNTER);
    const senders = Math.ceil(n / 2);
    for (let i = 0; i < senders; i++) b.eoa(SENDER(i));
    for (let i = 0; i < n; i++) b.tx(SENDER(i % senders), counter, { tip: BigInt(i % 4) });
    return b.build();
  };
  return {
    name: `(a) ${n} transactions increment one storage slot${slow ? " (after a busy loop)" : ""}`,
    make,
    statuses: all(n),
    check(label, r, c) {
      const ck = new Checks(label);
      ck.eq("counter slot 0", slotOf(r, c, counter, 0), BigInt(n));
      // 0 -> 1 costs SSTORE_SET; later increments SSTORE_RESET (warm after the cold SLOAD).
      ck.eq("receipt 0 gasUsed (SLOAD cold + SSTORE 0->1)", r.receipts[0].gasUsed, extra + 21000n + 3n + 2100n + 3n + 3n + 3n + 20000n);
      for (let i = 1; i < n; i++) ck.eq(`receipt ${i} gasUsed (SLOAD cold + SSTORE reset)`, r.receipts[i].gasUsed, extra + 21000n + 3n + 2100n + 3n + 3n + 3n + 2900n);
      return ck.out;
    },
  };
}

/** (b) A running hash (each call reads what the previous one wrote) and a balance relay. */
function chainScenario(): Scenario {
  const relay = address(0x4e1a);
  const HOPS = 10, CALLS = 30;
  const hop = (k: number) => address(0xb0b000 + k); // hop 0 funded; hops 1.. receive their funds in the block
  const V0 = 10n ** 15n, STEP = 21_000n * 1000n; // each hop forwards what it got minus its maximum gas cost
  const make = () => {
    const b = new BlockBuilder(CANCUN, CB);
    b.contract(relay, RELAY);
    for (let i = 0; i < CALLS; i++) b.eoa(SENDER(100 + i));
    b.eoa(hop(0), V0 + STEP);
    let h = 0;
    for (let i = 0; i < CALLS; i++) {
      b.tx(SENDER(100 + i), relay, { data: word(i + 1), tip: 1n });
      if (i % 3 === 2 && h < HOPS) { b.tx(hop(h), hop(h + 1), { value: V0 - BigInt(h) * STEP, gas: 21_000n }); h++; }
    }
    return b.build();
  };
  const n = CALLS + HOPS;
  return {
    name: "(b) dependency chains: a running hash and a balance relay between fresh accounts",
    make,
    statuses: all(n),
    check(label, r, c) {
      const ck = new Checks(label);
      let hsh: Uint8Array = new Uint8Array(32);
      let call = 0;
      c.block.transactions.forEach((t, i) => {
        if (!t.to || hex(t.to) !== hex(relay)) return;
        hsh = keccak(concat(hsh, word(++call)));
        const logs = r.receipts[i].logs;
        ck.ok(`receipt ${i}: expected one log carrying the running hash ${hex(hsh)}`, logs.length === 1 && hex(logs[0].data) === hex(hsh));
      });
      ck.eq("relay slot 0 (running hash)", slotOf(r, c, relay, 0), big(hsh));
      for (let k = 1; k < HOPS; k++) {
        const a = accountOf(r, c, hop(k));
        ck.eq(`hop ${k} nonce`, a?.nonce, 1n);
        ck.eq(`hop ${k} balance`, a?.balance, STEP - 21_000n * 9n);
      }
      ck.eq(`hop ${HOPS} balance`, accountOf(r, c, hop(HOPS))?.balance, V0 - BigInt(HOPS - 1) * STEP);
      return ck.out;
    },
  };
}

/** (c) Runs of transactions from one sender (nonces 0..k-1), interleaved with other senders. */
function sameSenderScenario(): Scenario {
  const S = address(0x5a3e01), T = address(0x5a3e02), counter = address(0xc0c1), burner = address(0xb4e1);
  const R = (i: number) => address(0x4ec1 + i);
  const K = 30, KT = 15;
  const make = () => {
    const b = new BlockBuilder(CANCUN, CB);
    b.eoa(S, 10n * ETHER); b.eoa(T, 10n * ETHER);
    b.contract(counter, COUNTER);
    b.contract(burner, BURNER);
    for (let i = 0; i < 4; i++) b.eoa(SENDER(200 + i));
    let t = 0;
    for (let i = 0; i < K; i++) {
      if (i % 7 === 3) b.tx(S, counter); // the same sender also calls a contract now and then
      else if (i % 11 === 5) b.tx(S, S, { value: 12345n }); // and sends to itself
      else if (i % 5 === 1) b.tx(S, burner, { value: 1000n }); // a slow transaction in the run
      else b.tx(S, R(i % 5), { value: 1000n + BigInt(i), gas: 21_000n, tip: BigInt(i % 3) });
      if (i % 2 === 0 && t < KT) { b.tx(T, R(t % 3), { value: 7n, gas: 21_000n }); t++; }
      if (i % 6 === 0) b.tx(SENDER(200 + (i / 6) % 4), R(0), { value: 1n, gas: 21_000n });
    }
    return b.build();
  };
  return {
    name: "(c) same-sender runs: nonces 0..k-1 from one sender, value transfers",
    make,
    statuses: all(make().block.transactions.length),
    check(label, r, c) {
      const ck = new Checks(label);
      for (const [who, k] of [[S, K], [T, KT]] as const) {
        let spent = 0n;
        c.block.transactions.forEach((t, i) => {
          if (hex(t.sender!) !== hex(who)) return;
          spent += r.receipts[i].gasUsed * price(t) + (t.to && hex(t.to) === hex(who) ? 0n : t.value);
        });
        const a = accountOf(r, c, who);
        ck.eq(`${hex(who)} nonce`, a?.nonce, BigInt(k));
        ck.eq(`${hex(who)} balance`, a?.balance, 10n * ETHER - spent);
      }
      for (let j = 0; j < 5; j++) {
        const got = c.block.transactions.filter((t) => t.to && hex(t.to) === hex(R(j))).reduce((s, t) => s + t.value, 0n);
        ck.eq(`recipient ${j} balance`, accountOf(r, c, R(j))?.balance ?? 0n, got);
      }
      ck.eq("counter", slotOf(r, c, counter, 0), BigInt(c.block.transactions.filter((t) => t.to && hex(t.to) === hex(counter)).length));
      return ck.out;
    },
  };
}

/**
 * (d) BALANCE(COINBASE) stored by contracts placed among fee-paying transactions (Block-STM
 * credits fees lazily), value sent to the coinbase directly and from a contract, and the coinbase
 * itself sending transactions, one of them paid only with the block's fees.
 */
function coinbaseScenario(start: bigint | null): Scenario {
  const cb = address(start === null ? 0xc0b0f0 : 0xc0b0f1);
  const reader = address(0x4ead), payer = address(0x9a7e), burner = address(0xb4e2);
  const make = () => {
    const b = new BlockBuilder(CANCUN, cb);
    if (start !== null) b.eoa(cb, start);
    b.contract(reader, COINBASE_READER);
    b.contract(payer, PAYER, { balance: ETHER });
    b.contract(burner, BURNER);
    for (let i = 0; i < 12; i++) b.eoa(SENDER(300 + i));
    let slot = 1;
    const s = (i: number) => SENDER(300 + (i % 12));
    let k = 0;
    // Slow fee payers: the readers after them run while their fees are still unknown.
    const transfers = (m: number) => { for (let j = 0; j < m; j++, k++) b.tx(s(k), burner, { value: 1n, tip: BigInt(k % 5) * 1_000_000_000n, maxFee: 6_000_000_000n }); };
    b.tx(s(k++), reader, { data: word(slot++) }); // before any fee
    transfers(8);
    b.tx(s(k++), reader, { data: word(slot++) });
    b.tx(s(k++), cb, { value: 777n, gas: 21_000n, tip: 3n }); // value to the coinbase
    b.tx(s(k++), reader, { data: word(slot++) });
    b.tx(s(k++), payer, { data: word(cb) }); // 1 wei to the coinbase from a contract
    b.tx(s(k++), reader, { data: word(slot++) });
    transfers(4);
    // The coinbase sends: its balance comes (entirely, when start is null) from this block's fees.
    b.tx(cb, address(0xe0e0), { value: 50_000_000_000_000n, gas: 21_000n, tip: 1_000_000_000n, maxFee: 2_000_000_000n });
    b.tx(s(k++), reader, { data: word(slot++) });
    transfers(3);
    b.tx(cb, reader, { data: word(slot++), tip: 5n }); // the coinbase reads its own balance
    transfers(2);
    b.tx(s(k++), reader, { data: word(slot++) });
    return b.build();
  };
  const c0 = make();
  const payerTx = c0.block.transactions.findIndex((t) => t.to && hex(t.to) === hex(payer));
  return {
    name: `(d) BALANCE(COINBASE) amid fee-paying transactions, coinbase ${start === null ? "absent from the pre-state (funded by fees only)" : "funded"} and sending transactions`,
    make,
    statuses: all(c0.block.transactions.length),
    check(label, r, c) {
      const ck = new Checks(label);
      const { seen, end } = coinbaseModel(r, c, start ?? 0n, new Map([[payerTx, 1n]]));
      c.block.transactions.forEach((t, i) => {
        if (!t.to || hex(t.to) !== hex(reader)) return;
        const slot = big(t.data.slice(0, 32));
        ck.eq(`reader slot ${slot} (tx ${i}: BALANCE(COINBASE))`, slotOf(r, c, reader, slot), seen[i]);
      });
      const a = accountOf(r, c, cb);
      ck.eq("coinbase balance after the block", a?.balance, end);
      ck.eq("coinbase nonce", a?.nonce, 2n);
      return ck.out;
    },
  };
}

/** (d) The coinbase is a contract that stores SELFBALANCE; transactions call it among fee payers. */
function contractCoinbaseScenario(): Scenario {
  const cb = address(0xc0b0c0), burner = address(0xb4e3);
  const make = () => {
    const b = new BlockBuilder(CANCUN, cb);
    b.contract(cb, SELF_READER, { balance: 1000n });
    b.contract(burner, BURNER);
    for (let i = 0; i < 8; i++) b.eoa(SENDER(400 + i));
    for (let i = 0; i < 24; i++) {
      if (i % 4 === 3) b.tx(SENDER(400 + (i % 8)), cb, { data: word(i), value: BigInt(i), tip: 3n });
      else b.tx(SENDER(400 + (i % 8)), burner, { value: 5n, tip: BigInt(1 + (i % 3)) });
    }
    return b.build();
  };
  return {
    name: "(d) contract coinbase storing SELFBALANCE amid fee-paying transactions",
    make,
    statuses: all(24),
    check(label, r, c) {
      const ck = new Checks(label);
      const { seen, end } = coinbaseModel(r, c, 1000n);
      c.block.transactions.forEach((t, i) => {
        if (!t.to || hex(t.to) !== hex(cb)) return;
        // SELFBALANCE inside the call already includes the call's own value.
        ck.eq(`coinbase slot ${i} (SELFBALANCE in tx ${i})`, slotOf(r, c, cb, i), seen[i] + t.value);
      });
      ck.eq("coinbase balance after the block", accountOf(r, c, cb)?.balance, end);
      return ck.out;
    },
  };
}

/**
 * (d) A coinbase absent from the pre-state comes into existence through a transaction's fee:
 * EXTCODEHASH(coinbase) is 0 before and keccak("") after, and neither a value CALL to it nor a
 * SELFDESTRUCT sending to it pays the 25000 new-account charge after that.
 */
function coinbaseExistenceScenario(): Scenario {
  const cb = address(0xc0b0e1), Z = address(0xc0b0e2); // same byte pattern: same calldata cost
  const probe = address(0x4a54), payer = address(0x9a7f), burner = address(0xb4e4), heir = address(0x4e14);
  const make = () => {
    const b = new BlockBuilder(CANCUN, cb);
    b.contract(probe, HASH_PROBE);
    b.contract(heir, asm(push(cb), "SELFDESTRUCT"), { balance: 10n });
    b.contract(burner, BURNER);
    b.contract(payer, PAYER, { balance: ETHER });
    for (let i = 0; i < 6; i++) b.eoa(SENDER(500 + i));
    warmup(b); // the numbers below are indices after the P warm-up transactions
    b.tx(SENDER(500), burner, { value: 1n, tip: 0n }); // 0: no fee: the coinbase stays absent
    b.tx(SENDER(501), probe, { data: concat(word(1), word(cb)), tip: 0n }); // 1: EXTCODEHASH = 0
    b.tx(SENDER(502), burner, { value: 1n, tip: 2n }); // 2: (slow) fee: the coinbase exists
    b.tx(SENDER(503), probe, { data: concat(word(2), word(cb)), tip: 0n }); // 3: EXTCODEHASH = keccak("")
    b.tx(SENDER(500), heir, { tip: 0n }); // 4: SELFDESTRUCT sending 10 wei to the (existing) coinbase
    b.tx(SENDER(504), payer, { data: word(cb), tip: 0n }); // 5: CALL with value to an existing account
    b.tx(SENDER(505), payer, { data: word(Z), tip: 0n }); // 6: CALL with value to a new account
    return b.build();
  };
  return {
    name: "(d) coinbase created by a fee: EXTCODEHASH, SELFDESTRUCT and CALL see it exist",
    make,
    statuses: all(P + 7),
    check(label, r, c) {
      const ck = new Checks(label);
      ck.eq("probe slot 1: EXTCODEHASH(coinbase)+1 before any fee", slotOf(r, c, probe, 1), 1n);
      ck.eq("probe slot 2: EXTCODEHASH(coinbase)+1 after a fee", slotOf(r, c, probe, 2), big(EMPTY_CODE_HASH) + 1n);
      // PAYER: 21000 + calldata (29 zero bytes, 3 non-zero: 164) + 5 PUSH1 + PUSH1 CALLDATALOAD GAS + POP = 21189,
      // plus CALL with value to an account with no code: access + 9000 - the 2300 stipend returned,
      // + 25000 only when the target is dead. The coinbase is warm (EIP-3651: 100), Z cold (2600).
      ck.eq(`receipt ${P + 5} gasUsed (value CALL to the warm, fee-created coinbase: no new-account charge)`, r.receipts[P + 5].gasUsed, 21189n + 100n + 6700n);
      ck.eq(`receipt ${P + 6} gasUsed (value CALL to a cold new account)`, r.receipts[P + 6].gasUsed, 21189n + 2600n + 6700n + 25000n);
      // SELFDESTRUCT: 5000, + 25000 only when sending value to a dead beneficiary (the coinbase is warm).
      ck.eq(`receipt ${P + 4} gasUsed (SELFDESTRUCT to the fee-created coinbase: no new-account charge)`, r.receipts[P + 4].gasUsed, 21000n + 3n + 5000n);
      ck.eq("coinbase balance (fee of tx 2 + 1 wei + 10 wei)", accountOf(r, c, cb)?.balance, r.receipts[P + 2].gasUsed * 2n + 11n);
      return ck.out;
    },
  };
}

/** (e) CREATE2 in one transaction, calls to the new contract in the next ones; and a CREATE transaction. */
function createThenCallScenario(): Scenario {
  const factory = address(0xfac7), probe = address(0x9b0e);
  const A = SENDER(600), B = SENDER(601), C = SENDER(602), D = SENDER(603);
  const init = initcode(asm(spin(SPIN), push(0x99), push(5), "SSTORE"), CALLER_COUNTER); // a slow constructor
  const X = create2Address(factory, 0n, init);
  const Y = createAddress(C, 0);
  const make = () => {
    const b = new BlockBuilder(CANCUN, CB);
    b.contract(factory, FACTORY, { storage: [[1n, 0xdeadn], [2n, 0xdeadn]] });
    b.contract(probe, SIZE_PROBE);
    for (let i = 0; i < 8; i++) b.eoa(SENDER(600 + i));
    warmup(b); // the numbers below are indices after the P warm-up transactions
    b.tx(SENDER(604), probe, { data: concat(word(1), word(X)) }); // 0: no code yet
    b.tx(A, X, { data: Uint8Array.of(1) }); // 1: call before creation: no code runs
    b.tx(SENDER(605), factory, { data: factoryInput(1, 0, init), gas: 1_000_000n }); // 2: CREATE2 X
    b.tx(SENDER(606), probe, { data: concat(word(2), word(X)) }); // 3: code exists
    b.tx(A, X, { data: Uint8Array.of(1) }); // 4: counter 1, caller A
    b.tx(SENDER(607), address(0xe0e3), { value: 3n, gas: 21_000n });
    b.tx(B, X, { data: Uint8Array.of(1) }); // 6: counter 2, caller B
    b.tx(C, null, { data: init }); // 7: CREATE Y
    b.tx(D, Y, {}); // 8: counter 1, caller D
    b.tx(SENDER(605), factory, { data: factoryInput(2, 0, init), gas: 1_000_000n }); // 9: CREATE2 again: collision
    return b.build();
  };
  return {
    name: "(e) create-then-call: CREATE2 and CREATE contracts called later in the block",
    make,
    statuses: all(P + 10),
    check(label, r, c) {
      const ck = new Checks(label);
      ck.eq("probe slot 1 (EXTCODESIZE before CREATE2, +1)", slotOf(r, c, probe, 1), 1n);
      ck.eq("probe slot 2 (EXTCODESIZE after CREATE2, +1)", slotOf(r, c, probe, 2), BigInt(CALLER_COUNTER.length + 1));
      ck.eq(`receipt ${P + 1} gasUsed (call to a codeless address)`, r.receipts[P + 1].gasUsed, 21016n);
      ck.eq("factory slot 1 (CREATE2 address)", slotOf(r, c, factory, 1), big(X));
      ck.eq("factory slot 2 (second CREATE2 collides: 0)", slotOf(r, c, factory, 2), 0n);
      ck.eq("X slot 0 (counter)", slotOf(r, c, X, 0), 2n);
      ck.eq("X slot 1 (last caller)", slotOf(r, c, X, 1), big(B));
      ck.eq("X slot 5 (constructor)", slotOf(r, c, X, 5), 0x99n);
      ck.eq("X code hash", accountOf(r, c, X)?.codeHash, hex(keccak(CALLER_COUNTER)));
      ck.eq(`receipt ${P + 7} contractAddress`, r.receipts[P + 7].contractAddress ? hex(r.receipts[P + 7].contractAddress!) : null, hex(Y));
      ck.eq("Y slot 0", slotOf(r, c, Y, 0), 1n);
      ck.eq("Y slot 1", slotOf(r, c, Y, 1), big(D));
      ck.eq("factory nonce (one successful CREATE2; the collision also bumps it)", accountOf(r, c, factory)?.nonce, 3n);
      return ck.out;
    },
  };
}

/**
 * (f) Shanghai: a contract with storage self-destructs, is re-created at the same address by
 * CREATE2 in a later transaction (its constructor must read 0 from the old slots), then used.
 */
function selfdestructRecreateShanghai(): Scenario {
  const factory = address(0xfac8), probe = address(0x9b0f), ben = address(0xbe4e);
  const init = mortalInit(ben);
  const V = create2Address(factory, 0n, init);
  const make = () => {
    const b = new BlockBuilder(SHANGHAI, CB);
    b.contract(factory, FACTORY, { nonce: 2n, storage: [[1n, 0xdeadn]] });
    b.contract(probe, SIZE_PROBE);
    b.contract(V, mortal(ben), { balance: 1000n, storage: [[7n, 0x55n], [1n, 0x66n], [5n, 0x77n]] });
    for (let i = 0; i < 8; i++) b.eoa(SENDER(700 + i));
    warmup(b); // the numbers below are indices after the P warm-up transactions
    b.tx(SENDER(700), probe, { data: concat(word(1), word(V)) }); // 0: code present
    b.tx(SENDER(701), V, {}); // 1: SELFDESTRUCT (pre-Cancun: account deleted)
    b.tx(SENDER(702), probe, { data: concat(word(2), word(V)) }); // 2: no code
    b.tx(SENDER(703), V, { data: Uint8Array.of(1) }); // 3: no code runs
    b.tx(SENDER(704), factory, { data: factoryInput(1, 0, init), gas: 1_000_000n }); // 4: CREATE2 V again
    b.tx(SENDER(705), V, { data: Uint8Array.of(1) }); // 5: slot4 = slot1 + 1 = 1, slot1 = 9
    b.tx(SENDER(706), probe, { data: concat(word(3), word(V)) }); // 6: code present
    b.tx(SENDER(707), V, { data: Uint8Array.of(1) }); // 7: slot4 = 10
    return b.build();
  };
  return {
    name: "(f) Shanghai: self-destruct, then re-create at the same address with CREATE2 (storage cleared)",
    make,
    statuses: all(P + 8),
    check(label, r, c) {
      const ck = new Checks(label);
      const size = BigInt(mortal(ben).length);
      ck.eq("probe slot 1 (before)", slotOf(r, c, probe, 1), size + 1n);
      ck.eq("probe slot 2 (after SELFDESTRUCT)", slotOf(r, c, probe, 2), 1n);
      ck.eq("probe slot 3 (after re-creation)", slotOf(r, c, probe, 3), size + 1n);
      ck.eq(`receipt ${P + 3} gasUsed (call to the destroyed address)`, r.receipts[P + 3].gasUsed, 21016n);
      ck.eq("factory slot 1 (re-created address)", slotOf(r, c, factory, 1), big(V));
      ck.eq("V slot 7 (constructor: old slot must read 0)", slotOf(r, c, V, 7), 1n);
      ck.eq("V slot 4", slotOf(r, c, V, 4), 10n);
      ck.eq("V slot 1", slotOf(r, c, V, 1), 9n);
      ck.eq("V slot 5 (old storage, cleared)", slotOf(r, c, V, 5), 0n);
      const v = accountOf(r, c, V);
      ck.eq("V nonce", v?.nonce, 1n);
      ck.eq("V balance", v?.balance, 0n);
      ck.eq("beneficiary balance", accountOf(r, c, ben)?.balance, 1000n);
      return ck.out;
    },
  };
}

/**
 * (f) Cancun, EIP-6780: a pre-existing contract's SELFDESTRUCT only moves its balance (CREATE2 to
 * its address then collides); a contract created and self-destructed in the same transaction is
 * deleted, and re-created later with fresh storage.
 */
function selfdestructCancun(): Scenario {
  const factory = address(0xfac9), probe = address(0x9b10), ben = address(0xbe4f);
  const init = mortalInit(ben);
  const otherInit = concat(init, Uint8Array.of(0)); // a different initcode: another address, same runtime
  const V = create2Address(factory, 0n, init); // pre-existing
  const W = create2Address(factory, 0n, otherInit); // created and destroyed in one transaction
  const make = () => {
    const b = new BlockBuilder(CANCUN, CB);
    b.contract(factory, FACTORY, { nonce: 2n, storage: [[1n, 0xdeadn], [2n, 0xdeadn], [3n, 0xdeadn]] });
    b.contract(probe, SIZE_PROBE);
    b.contract(V, mortal(ben), { balance: 1000n, storage: [[7n, 0x55n], [1n, 0x66n], [5n, 0x77n]] });
    for (let i = 0; i < 10; i++) b.eoa(SENDER(800 + i));
    warmup(b); // the numbers below are indices after the P warm-up transactions
    b.tx(SENDER(800), V, {}); // 0: SELFDESTRUCT of an old contract: balance only
    b.tx(SENDER(801), factory, { data: factoryInput(1, 0, init), gas: 1_000_000n }); // 1: CREATE2 collides
    b.tx(SENDER(802), V, { data: Uint8Array.of(1) }); // 2: slot4 = 0x66 + 1, slot1 = 9
    b.tx(SENDER(803), factory, { data: factoryInput(2, 1, otherInit), gas: 1_000_000n }); // 3: create W + SELFDESTRUCT
    b.tx(SENDER(804), probe, { data: concat(word(1), word(W)) }); // 4: W gone
    b.tx(SENDER(805), factory, { data: factoryInput(3, 0, otherInit), gas: 1_000_000n }); // 5: W again, slot7 = 1
    b.tx(SENDER(806), W, { data: Uint8Array.of(1), value: 500n }); // 6: slot4 = 1, slot1 = 9
    b.tx(SENDER(807), W, {}); // 7: SELFDESTRUCT in a later transaction: balance only
    b.tx(SENDER(808), probe, { data: concat(word(2), word(W)) }); // 8: W still has code
    b.tx(SENDER(809), probe, { data: concat(word(3), word(V)) }); // 9: V still has code
    return b.build();
  };
  return {
    name: "(f) Cancun EIP-6780: SELFDESTRUCT of an old contract keeps it; create + SELFDESTRUCT in one transaction deletes it",
    make,
    statuses: all(P + 10),
    check(label, r, c) {
      const ck = new Checks(label);
      const size = BigInt(mortal(ben).length);
      ck.eq("factory slot 1 (CREATE2 onto the surviving contract: 0)", slotOf(r, c, factory, 1), 0n);
      ck.eq("V slot 7 (kept)", slotOf(r, c, V, 7), 0x55n);
      ck.eq("V slot 5 (kept)", slotOf(r, c, V, 5), 0x77n);
      ck.eq("V slot 4", slotOf(r, c, V, 4), 0x67n);
      ck.eq("V slot 1", slotOf(r, c, V, 1), 9n);
      ck.eq("V balance", accountOf(r, c, V)?.balance, 0n);
      ck.eq("V code hash", accountOf(r, c, V)?.codeHash, hex(keccak(mortal(ben))));
      ck.eq("factory slot 2 (W, created then destroyed)", slotOf(r, c, factory, 2), big(W));
      ck.eq("probe slot 1 (W after create + SELFDESTRUCT in one transaction)", slotOf(r, c, probe, 1), 1n);
      ck.eq("factory slot 3 (W re-created)", slotOf(r, c, factory, 3), big(W));
      ck.eq("W slot 7 (constructor after re-creation: old slot reads 0)", slotOf(r, c, W, 7), 1n);
      ck.eq("W slot 4", slotOf(r, c, W, 4), 1n);
      ck.eq("W slot 1", slotOf(r, c, W, 1), 9n);
      ck.eq("W balance (sent away by the later SELFDESTRUCT)", accountOf(r, c, W)?.balance, 0n);
      ck.eq("probe slot 2 (W keeps its code)", slotOf(r, c, probe, 2), size + 1n);
      ck.eq("probe slot 3 (V keeps its code)", slotOf(r, c, probe, 3), size + 1n);
      ck.eq("beneficiary balance", accountOf(r, c, ben)?.balance, 1500n);
      return ck.out;
    },
  };
}

/**
 * (f) A contract writes its own storage, then self-destructs, in one transaction (found by a
 * random-block fuzzer: Block-STM's commit applied those writes after the wipe). Before Cancun the
 * account and all its slots go, written ones included; a later payment makes it a plain account.
 * From Cancun on the old contract keeps its code and the writes, and a contract created and
 * self-destructed in one transaction (its constructor wrote a slot) leaves nothing.
 */
function writeThenSelfdestruct(fork: "Shanghai" | "Cancun"): Scenario {
  const K = address(fork === "Shanghai" ? 0x5d01 : 0x5d02), probe = address(0x9b11), ben = address(0xbe50), factory = address(0xfaca);
  const runtime = asm(push(5), push(1), "SSTORE", push(7), push(3), "SSTORE", push(ben), "SELFDESTRUCT");
  const init = mortalInit(ben);
  const W = create2Address(factory, 0n, init);
  const make = () => {
    const b = new BlockBuilder(fork === "Shanghai" ? SHANGHAI : CANCUN, CB);
    b.contract(K, runtime, { balance: 1000n, storage: [[1n, 0x11n], [2n, 0x22n]] });
    b.contract(probe, SIZE_PROBE);
    b.contract(factory, FACTORY, { nonce: 2n });
    for (let i = 0; i < 5; i++) b.eoa(SENDER(820 + i));
    warmup(b); // the numbers below are indices after the P warm-up transactions
    b.tx(SENDER(820), K, {}); // 0: slot1 = 5, slot3 = 7, SELFDESTRUCT
    b.tx(SENDER(821), probe, { data: concat(word(1), word(K)) }); // 1: K's code size + 1
    b.tx(SENDER(822), K, { value: 100n, gas: 100_000n }); // 2: pays K (runs its code again where it is kept)
    b.tx(SENDER(823), factory, { data: factoryInput(1, 1, init), gas: 1_000_000n }); // 3: create W (slot7 = 1) + SELFDESTRUCT
    b.tx(SENDER(824), probe, { data: concat(word(2), word(W)) }); // 4: W gone
    return b.build();
  };
  return {
    name: `(f) ${fork}: a contract writes its storage and self-destructs in the same transaction`,
    make,
    statuses: all(P + 5),
    check(label, r, c) {
      const ck = new Checks(label);
      const k = accountOf(r, c, K);
      if (fork === "Shanghai") {
        for (const slot of [1, 2, 3]) ck.eq(`K slot ${slot} (cleared with the account)`, slotOf(r, c, K, slot), 0n);
        ck.eq("probe slot 1 (K has no code)", slotOf(r, c, probe, 1), 1n);
        ck.eq("K code hash", k?.codeHash, hex(EMPTY_CODE_HASH));
        ck.eq("K balance (the later payment)", k?.balance, 100n);
        ck.eq("beneficiary balance", accountOf(r, c, ben)?.balance, 1000n);
      } else {
        ck.eq("K slot 1 (written, kept)", slotOf(r, c, K, 1), 5n);
        ck.eq("K slot 2 (kept)", slotOf(r, c, K, 2), 0x22n);
        ck.eq("K slot 3 (written, kept)", slotOf(r, c, K, 3), 7n);
        ck.eq("probe slot 1 (K keeps its code)", slotOf(r, c, probe, 1), BigInt(runtime.length) + 1n);
        ck.eq("K balance (the payment, sent on by its code)", k?.balance, 0n);
        ck.eq("beneficiary balance", accountOf(r, c, ben)?.balance, 1100n);
      }
      ck.eq("factory slot 1 (W)", slotOf(r, c, factory, 1), big(W));
      ck.eq("probe slot 2 (W gone)", slotOf(r, c, probe, 2), 1n);
      ck.eq("W slot 7 (its constructor's write, gone with it)", slotOf(r, c, W, 7), 0n);
      ck.ok("W does not exist", accountOf(r, c, W) === null);
      return ck.out;
    },
  };
}

/** Invalid blocks: a transaction invalid only because of an earlier transaction. */
function invalidScenarios(): Scenario[] {
  const S = address(0x5bad01);
  const nonceReuse = (): BlockCase => {
    const b = new BlockBuilder(CANCUN, CB);
    b.eoa(S);
    for (let i = 0; i < 4; i++) b.eoa(SENDER(900 + i));
    b.tx(SENDER(900), address(0xe0e4), { value: 1n, gas: 21_000n });
    b.tx(S, address(0xe0e4), { value: 1n, gas: 21_000n, nonce: 0n });
    b.tx(SENDER(901), address(0xe0e4), { value: 1n, gas: 21_000n });
    b.tx(SENDER(902), address(0xe0e4), { value: 1n, gas: 21_000n });
    b.tx(S, address(0xe0e5), { value: 1n, gas: 21_000n, nonce: 0n }); // 4: nonce 0 again
    b.tx(SENDER(903), address(0xe0e4), { value: 1n, gas: 21_000n });
    return b.build();
  };
  const drained = (): BlockCase => {
    const b = new BlockBuilder(CANCUN, CB);
    const maxCost = 21_000n * 1000n;
    b.eoa(S, 2n * maxCost + 10n ** 9n);
    for (let i = 0; i < 3; i++) b.eoa(SENDER(910 + i));
    b.tx(SENDER(910), address(0xe0e4), { value: 1n, gas: 21_000n });
    b.tx(S, address(0xe0e4), { value: 10n ** 9n, gas: 21_000n }); // 1: leaves less than maxCost + value
    b.tx(SENDER(911), address(0xe0e4), { value: 1n, gas: 21_000n });
    b.tx(S, address(0xe0e5), { value: maxCost, gas: 21_000n }); // 3: would be valid first
    b.tx(SENDER(912), address(0xe0e4), { value: 1n, gas: 21_000n });
    return b.build();
  };
  const gasAllowance = (): BlockCase => {
    const b = new BlockBuilder(CANCUN, CB, 100_000n);
    for (let i = 0; i < 5; i++) b.eoa(SENDER(920 + i));
    for (let i = 0; i < 5; i++) b.tx(SENDER(920 + i), address(0xe0e4), { value: 1n, gas: 40_000n }); // 3: 40000 > 100000 - 63000
    return b.build();
  };
  return [
    { name: "invalid: nonce reused by a later transaction of the same sender", make: nonceReuse, invalidTx: 4 },
    { name: "invalid: sender's balance drained by its earlier transaction", make: drained, invalidTx: 3 },
    { name: "invalid: block gas allowance used up by earlier transactions", make: gasAllowance, invalidTx: 3 },
  ];
}

/** Every scenario, in the order the tests run them (invalid blocks in the middle: the pools must survive them). */
export function scenarios(): Scenario[] {
  return [
    counterScenario(48, false),
    counterScenario(400, false), // enough conflicts for the serial fallback
    counterScenario(32, true),
    chainScenario(),
    sameSenderScenario(),
    ...invalidScenarios(),
    coinbaseScenario(12_345n),
    coinbaseScenario(null),
    contractCoinbaseScenario(),
    coinbaseExistenceScenario(),
    createThenCallScenario(),
    selfdestructRecreateShanghai(),
    selfdestructCancun(),
    writeThenSelfdestruct("Shanghai"),
    writeThenSelfdestruct("Cancun"),
    blockHashScenario(),
    manyLocationsScenario(),
    hotRecipientScenario(),
    withdrawalsScenario(),
    ripemdTouchScenario(false),
    ripemdTouchScenario(true),
  ];
}

/**
 * `who`'s balance through the block from the result's receipts: value sent to it by successful
 * transactions, what it spends as a sender, and `extra[i]` wei sent to it inside transaction i.
 * Returns the balance transaction i starts from (`seen[i]`) and the balance after the block.
 */
function balanceModel(r: BlockResult, c: BlockCase, who: Address, start: bigint, extra: Map<number, bigint> = new Map()): { seen: bigint[]; end: bigint } {
  let bal = start;
  const seen: bigint[] = [];
  c.block.transactions.forEach((t, i) => {
    seen.push(bal);
    const ok = r.receipts[i].status === "success";
    if (hex(t.sender!) === hex(who)) bal -= r.receipts[i].gasUsed * price(t) + (ok && !(t.to && hex(t.to) === hex(who)) ? t.value : 0n);
    else if (ok && t.to && hex(t.to) === hex(who)) bal += t.value;
    if (ok) bal += extra.get(i) ?? 0n;
  });
  return { seen, end: bal };
}

/**
 * (j) Deposits: value sent from many senders to one account H (Block-STM credits such a
 * recipient lazily), with H's balance read amid them by BALANCE in a contract, by H's own
 * transactions (which spend the deposits), by a contract's CALL and a SELFDESTRUCT paying H, and
 * by a zero-value transfer; deposits to an account absent from the pre-state; and deposits to an
 * address X before and after a contract is created there (then its code runs).
 */
function hotRecipientScenario(): Scenario {
  const H = address(0xd0e501), N = address(0xd0e502), cold = address(0xc01d), reader = address(0xba1b);
  const payer = address(0x9a7f), factory = address(0xfaca), ben = H;
  const V = address(0xdead5d);
  // X's code: slot0 += 1, slot1 = CALLER, slot2 = SELFBALANCE (the deposits before, and the value)
  const xCode = asm(CALLER_COUNTER.subarray(0, CALLER_COUNTER.length - 1), "SELFBALANCE", push(2), "SSTORE", "STOP");
  const init = initcode(asm(push(0x77), push(5), "SSTORE"), xCode);
  const X = create2Address(factory, 0n, init);
  const START = 10n ** 15n, DEPOSIT = 10n ** 15n;
  const make = () => {
    const b = new BlockBuilder(CANCUN, CB);
    b.eoa(H, START);
    b.contract(reader, BALANCE_READER);
    b.contract(payer, PAYER, { balance: ETHER });
    b.contract(factory, FACTORY);
    b.contract(V, mortal(ben), { balance: 1000n });
    for (let i = 0; i < 40; i++) b.eoa(SENDER(1000 + i));
    warmup(b); // the numbers below are indices after the P warm-up transactions
    let s = 0;
    const deposit = (to: Address, m: number, sameSender = false, gas = 21_000n) => {
      for (let j = 0; j < m; j++) b.tx(SENDER(1000 + (sameSender && j > 0 ? s - 1 : s++)), to, { value: DEPOSIT + BigInt(s), gas, tip: BigInt(1 + (s % 3)) });
    };
    deposit(H, 6); // 0-5
    // 6: with 8 KiB of calldata it is an early start (src/block/staging.ts), run before the
    // deposits before it on a thread of its own: their credits must then invalidate its read.
    b.tx(SENDER(1000 + s++), reader, { data: concat(word(1), word(H), new Uint8Array(8192)), gas: 200_000n });
    b.tx(H, cold, { value: 5n * DEPOSIT, gas: 21_000n }); // 7: spends deposits
    deposit(H, 4); // 8-11
    b.tx(SENDER(1000 + s++), payer, { data: word(H) }); // 12: 1 wei from a contract
    b.tx(SENDER(1000 + s++), reader, { data: concat(word(2), word(H)) }); // 13
    b.tx(SENDER(1000 + s++), H, { gas: 21_000n }); // 14: no value
    deposit(N, 3); // 15-17: a new account
    deposit(X, 2); // 18-19: no code there yet
    b.tx(SENDER(1000 + s++), factory, { data: factoryInput(1, 0, init), gas: 1_000_000n }); // 20: CREATE2 X
    deposit(X, 2, false, 100_000n); // 21-22: X's code runs
    b.tx(SENDER(1000 + s++), V, {}); // 23: SELFDESTRUCT pays H 1000 wei
    deposit(H, 2); // 24-25
    deposit(H, 2, true); // 26-27: one sender twice
    b.tx(SENDER(1000 + s++), reader, { data: concat(word(3), word(H)) }); // 28
    b.tx(H, cold, { value: 4n * DEPOSIT, gas: 21_000n }); // 29
    deposit(H, 1); // 30
    b.tx(SENDER(1000 + s++), reader, { data: concat(word(4), word(H)) }); // 31
    return b.build();
  };
  const c0 = make();
  return {
    name: "(j) deposits: many senders pay one account, which spends them, amid BALANCE reads, a contract's payment, a new account and a contract created at a paid address",
    make,
    statuses: all(c0.block.transactions.length),
    // Every deposit to H and N but the first, and the second to X before its creation.
    minCredits: 17,
    check(label, r, c) {
      const ck = new Checks(label);
      const { seen, end } = balanceModel(r, c, H, START, new Map([[P + 12, 1n], [P + 23, 1000n]]));
      c.block.transactions.forEach((t, i) => {
        if (!t.to || hex(t.to) !== hex(reader)) return;
        const slot = big(t.data.slice(0, 32));
        ck.eq(`reader slot ${slot} (tx ${i}: BALANCE(H))`, slotOf(r, c, reader, slot), seen[i]);
      });
      ck.eq("H balance", accountOf(r, c, H)?.balance, end);
      ck.eq("H nonce", accountOf(r, c, H)?.nonce, 2n);
      ck.eq("cold balance", accountOf(r, c, cold)?.balance, 9n * DEPOSIT);
      const paid = (a: Address) => c.block.transactions.filter((t) => t.to && hex(t.to) === hex(a)).reduce((sum, t) => sum + t.value, 0n);
      ck.eq("N balance (absent before the block)", accountOf(r, c, N)?.balance, paid(N));
      ck.eq("X balance", accountOf(r, c, X)?.balance, paid(X));
      ck.eq("X code hash", accountOf(r, c, X)?.codeHash, hex(keccak(xCode)));
      ck.eq("X slot 0 (calls after its creation)", slotOf(r, c, X, 0), 2n);
      ck.eq("X slot 2 (SELFBALANCE in the last call)", slotOf(r, c, X, 2), paid(X));
      ck.eq("X slot 5 (constructor)", slotOf(r, c, X, 5), 0x77n);
      ck.eq("factory slot 1 (CREATE2 onto a paid address)", slotOf(r, c, factory, 1), big(X));
      return ck.out;
    },
  };
}

/**
 * (i) Two transactions of 1M gas each reach as many locations as that gas allows (BALANCE of 340
 * accounts, SLOAD of 400 slots, summing into slot 0) among 20 plain transfers: a worker's local
 * tables, sized by the block's largest gas limit (src/parallel/execute.ts), must hold them.
 */
function manyLocationsScenario(): Scenario {
  const ACCOUNTS = 340, SLOTS = 400, GAS = 1_000_000n, FIRST = 0x1000;
  // acc = 0; for (i = n; i != 0; i--) acc += READ(i [+ FIRST]); storage[0] = acc
  const summer = (n: number, read: AsmItem[]) => asm(push(0), pushN(2, n), "JUMPDEST",
    "DUP1", ...read, [0x82] /* DUP3 */, "ADD", [0x91] /* SWAP2 */, "POP",
    push(1), "SWAP1", "SUB", "DUP1", push(5), "JUMPI", "POP", push(0), "SSTORE", "STOP");
  const balances = address(0xba1a), slots = address(0x5107);
  const make = () => {
    const b = new BlockBuilder(CANCUN, CB);
    b.contract(balances, summer(ACCOUNTS, [pushN(2, FIRST), "ADD", "BALANCE"]));
    b.contract(slots, summer(SLOTS, ["SLOAD"]), { storage: Array.from({ length: SLOTS }, (_, i) => [BigInt(i + 1), 2n] as [bigint, bigint]) });
    for (let i = 1; i <= ACCOUNTS; i++) b.eoa(address(FIRST + i), 3n);
    b.tx(b.eoa(SENDER(0)), balances, { gas: GAS });
    for (let i = 0; i < 20; i++) b.tx(b.eoa(SENDER(10 + i)), address(0xdead00 + i), { value: 1n, gas: 21_000n });
    b.tx(b.eoa(SENDER(1)), slots, { gas: GAS });
    return b.build();
  };
  return {
    name: `(i) one transaction reads ${ACCOUNTS} accounts, another ${SLOTS} slots (as many as 1M gas reaches), amid transfers`,
    make,
    statuses: all(22),
    check(label, r, c) {
      const ck = new Checks(label);
      ck.eq("sum of the balances", slotOf(r, c, balances, 0), 3n * BigInt(ACCOUNTS));
      ck.eq("sum of the slots", slotOf(r, c, slots, 0), 2n * BigInt(SLOTS));
      return ck.out;
    },
  };
}

/**
 * (k) Withdrawals (Shanghai, EIP-4895) are balance increases after the transactions, and under
 * EIP-161 one that leaves its account empty deletes it (found against @ethereumjs/vm by a
 * random-block fuzzer: Braid had kept an empty account a withdrawal of 0 reached, and created
 * one where the address had none).
 */
function withdrawalsScenario(): Scenario {
  const empty = address(0xe3e0), missing = address(0xe3e1), fresh = address(0xe3e2), funded = address(0xe3e3), twice = address(0xe3e4);
  const counter = address(0xe3c0);
  const make = () => {
    const b = new BlockBuilder(SHANGHAI, CB);
    b.account(empty, {}); // exists, empty (nonce 0, balance 0, no code)
    b.eoa(funded, 7n);
    b.account(twice, {});
    b.contract(counter, CALLER_COUNTER);
    for (let i = 0; i < 4; i++) b.eoa(SENDER(840 + i));
    for (let i = 0; i < 4; i++) b.tx(SENDER(840 + i), counter, {});
    b.withdrawals = [
      { address: empty, amountGwei: 0n }, // deleted
      { address: missing, amountGwei: 0n }, // still missing
      { address: fresh, amountGwei: 5n }, // created with 5 gwei
      { address: funded, amountGwei: 0n }, // unchanged
      { address: counter, amountGwei: 3n }, // a contract: credited
      { address: twice, amountGwei: 0n }, { address: twice, amountGwei: 2n }, // deleted, then back with 2 gwei
    ];
    return b.build();
  };
  return {
    name: "(k) Shanghai withdrawals: zero to an empty account deletes it, zero to a missing one creates nothing",
    make,
    statuses: all(4),
    check(label, r, c) {
      const ck = new Checks(label);
      ck.ok("empty account deleted (state diff null)", r.stateDiff.get(hex(empty)) === null);
      ck.ok("missing account not created", !r.stateDiff.has(hex(missing)));
      ck.eq("fresh account balance", accountOf(r, c, fresh)?.balance, 5n * 10n ** 9n);
      ck.ok("funded account unchanged", !r.stateDiff.has(hex(funded)));
      ck.eq("contract balance", accountOf(r, c, counter)?.balance, 3n * 10n ** 9n);
      ck.eq("contract counter", slotOf(r, c, counter, 0), 4n);
      ck.eq("account deleted then credited: balance", accountOf(r, c, twice)?.balance, 2n * 10n ** 9n);
      return ck.out;
    },
  };
}

/**
 * (l) The RIPEMD-160 quirk: from Spurious Dragon a revert never undoes a touch of 0x03, so an empty
 * account there that a failed call touched is deleted at the end of the transaction (geth, revm,
 * evmone and ethereumjs; found against @ethereumjs/vm by the random precompile test). Other
 * precompiles' touches are undone: an empty 0x02 that a failed call touched stays, an empty 0x04
 * that a successful call touched goes. `direct`: the transaction itself calls 0x03 and runs out of
 * gas; otherwise a contract calls 0x02, 0x03 and 0x04 with 50 gas each (SHA-256 and RIPEMD-160 of
 * 40 bytes need 84 and 840; the identity 21).
 */
function ripemdTouchScenario(direct: boolean): Scenario {
  const sha = address(2), ripemd = address(3), identity = address(4), caller = address(0x3e3d);
  // CALL(50, p, 0, 0, 40, 0, 0) for each p, storing each call's success in slot p.
  const callEach = asm(...[2, 3, 4].flatMap((p) => [push(0), push(0), push(40), push(0), push(0), push(p), push(50), "CALL", push(p), "SSTORE"]), "STOP");
  const make = () => {
    const b = new BlockBuilder(CANCUN, CB);
    for (const p of [sha, ripemd, identity]) b.account(p, {}); // exist, empty
    b.contract(caller, callEach);
    const from = b.eoa(SENDER(870));
    if (direct) b.tx(from, ripemd, { data: new Uint8Array(40), gas: 21_000n + 40n * 4n + 100n });
    else b.tx(from, caller, {});
    b.tx(b.eoa(SENDER(871)), caller, {}); // after: the precompile accounts as the first left them
    return b.build();
  };
  return {
    name: `(l) a failed ${direct ? "transaction to" : "call of"} RIPEMD-160 keeps its touch: the empty account at 0x03 is deleted`,
    make,
    statuses: direct ? ["halt", "success"] : all(2),
    check(label, r, c) {
      const ck = new Checks(label);
      ck.ok("0x03 deleted (state diff null)", r.stateDiff.get(hex(ripemd)) === null);
      if (!direct) {
        ck.ok("0x02 kept: the failed call's touch was undone", !r.stateDiff.has(hex(sha)));
        ck.ok("0x04 deleted: a successful call touched it", r.stateDiff.get(hex(identity)) === null);
        ck.eq("first call's results (0x02, 0x03, 0x04)", [2, 3, 4].map((p) => slotOf(r, c, caller, p)).join(","), "0,0,1");
      } else ck.ok("0x02 untouched", !r.stateDiff.has(hex(sha)));
      return ck.out;
    },
  };
}

/**
 * (h) BLOCKHASH read by the workers (from the ring the coordinator stages): hashes 1, 2 and 256
 * blocks back, one the pre-state does not know, the current block and 257 back (both zero).
 */
function blockHashScenario(): Scenario {
  // Stores BLOCKHASH(NUMBER - k) in slot k, k = the call's first word.
  const probe = asm(push(0), "CALLDATALOAD", "NUMBER", "SUB", "BLOCKHASH", push(0), "CALLDATALOAD", "SSTORE", "STOP");
  const contract = address(0xb10c);
  const known = [1, 2, 256, 257];
  const asked = [1, 2, 5, 256, 0, 257];
  const hashOf = (k: number) => keccak(word(k));
  const make = () => {
    const b = new BlockBuilder(CANCUN, CB);
    b.contract(contract, probe);
    for (const k of known) b.blockHashes.set(CANCUN.number - BigInt(k), hashOf(k));
    asked.forEach((k, i) => b.tx(b.eoa(SENDER(i)), contract, { data: word(k) }));
    return b.build();
  };
  return {
    name: "(h) BLOCKHASH of recent, unknown, current and too old blocks",
    make,
    statuses: all(asked.length),
    check(label, r, c) {
      const ck = new Checks(label);
      for (const k of asked) {
        const want = k >= 1 && k <= 256 && known.includes(k) ? big(hashOf(k)) : 0n;
        ck.eq(`slot ${k} (BLOCKHASH(number - ${k}))`, slotOf(r, c, contract, k), want);
      }
      return ck.out;
    },
  };
}

/** All failures of one (valid-block) result: receipts sanity plus the scenario's own checks. */
export function checkScenario(label: string, s: Scenario, r: BlockResult, c: BlockCase): string[] {
  return [...checkReceipts(label, r, c, s.statuses ?? []), ...(s.check?.(label, r, c) ?? [])];
}
