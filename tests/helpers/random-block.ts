// Random blocks for differential tests (tests/random-blocks.test.ts): a few senders (the coinbase
// among them) calling two contracts of random bytecode that share the senders, the coinbase, the
// precompiles and each other as call targets, with CREATE/CREATE2 of random initcode,
// SELFDESTRUCT, storage and transient storage on a few keys, logs, and value transfers, at a
// random fork from Frontier to Cancun. Seeded: a seed always gives the same block. Nothing here
// knows what the results should be; the tests compare executors with each other.
import type { Transaction } from "../../src/tx/types.js";
import type { AccountInit } from "../../src/vm/types.js";
import type { BlockCase } from "./braid-dist.js";
import { asm, push as op } from "./asm.js";
import { create2Address, initcode } from "./conflicts.js";

/** A small deterministic generator (xorshift-multiply over a 32-bit LCG state). */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (Math.imul(this.state, 1103515245) + 12345) >>> 0;
    let x = this.state ^ (this.state >>> 16);
    x = Math.imul(x, 0x45d9f3b) >>> 0;
    return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
  }
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]!; }
  chance(p: number): boolean { return this.next() < p; }
}

export const addr = (byte: number): Uint8Array => new Uint8Array(20).fill(byte);
const precompile = (n: number): Uint8Array => { const a = new Uint8Array(20); a[19] = n; return a; };
const A = addr(0xaa), B = addr(0xbb), C = addr(0xcc);
/** Who sends the transactions (the coinbase among them), and what the code calls, reads and sends to. */
export interface Parties {
  senders: Uint8Array[];
  coinbase: Uint8Array;
  targets: Uint8Array[];
}
/** Parties for senders of the caller's choosing (a test that signs needs keys for them); the coinbase sends too. */
export function parties(senders: Uint8Array[], coinbase: Uint8Array): Parties {
  const all = [...senders, coinbase];
  // The contracts, an EOA, the senders, precompiles, a never-seen address.
  return { senders: all, coinbase, targets: [A, B, C, ...all, ...Array.from({ length: 10 }, (_, i) => precompile(i + 1)), addr(0xde)] };
}
const DEFAULT_PARTIES = parties([addr(0x11), addr(0x12), addr(0x13), addr(0x14)], addr(0xc0));

/** Stack inputs of the defined opcodes (a fork decides which are valid). */
const INPUTS = new Map<number, number>([
  [0x00, 0], [0x01, 2], [0x02, 2], [0x03, 2], [0x04, 2], [0x05, 2], [0x06, 2], [0x07, 2], [0x08, 3], [0x09, 3], [0x0a, 2], [0x0b, 2],
  [0x10, 2], [0x11, 2], [0x12, 2], [0x13, 2], [0x14, 2], [0x15, 1], [0x16, 2], [0x17, 2], [0x18, 2], [0x19, 1], [0x1a, 2],
  [0x1b, 2], [0x1c, 2], [0x1d, 2], [0x20, 2],
  [0x30, 0], [0x31, 1], [0x32, 0], [0x33, 0], [0x34, 0], [0x35, 1], [0x36, 0], [0x37, 3], [0x38, 0], [0x39, 3], [0x3a, 0],
  [0x3b, 1], [0x3c, 4], [0x3d, 0], [0x3e, 3], [0x3f, 1], [0x41, 0], [0x42, 0], [0x43, 0], [0x44, 0], [0x45, 0], [0x46, 0],
  [0x47, 0], [0x48, 0], [0x49, 1], [0x4a, 0],
  [0x50, 1], [0x51, 1], [0x52, 2], [0x53, 2], [0x54, 1], [0x55, 2], [0x58, 0], [0x59, 0], [0x5a, 0], [0x5b, 0], [0x5c, 1],
  [0x5d, 2], [0x5e, 3], [0x5f, 0],
  [0xa0, 2], [0xa1, 3], [0xa2, 4], [0xa3, 5], [0xa4, 6],
  ...Array.from({ length: 4 }, (_, i) => [0x80 + i, 0] as [number, number]), // DUP1-4
  ...Array.from({ length: 4 }, (_, i) => [0x90 + i, 0] as [number, number]), // SWAP1-4
]);
const MEMORY_OPS = new Set([0x20, 0x37, 0x39, 0x3c, 0x3e, 0x51, 0x52, 0x53, 0x5e, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4]);
const STORAGE_OPS = new Set([0x54, 0x55, 0x5c, 0x5d]);

/**
 * Opcode levels: which opcodes a fork defines (randomCode's `level`). 0 Frontier to Tangerine
 * Whistle (DELEGATECALL, from Homestead, is left to fail on Frontier), 1 Spurious Dragon,
 * 2 Byzantium, 3 Constantinople and Petersburg, 4 Istanbul, 5 Berlin, 6 London, 7 Paris,
 * 8 Shanghai, 9 Cancun.
 */
export const LEVEL = { Frontier: 0, Homestead: 0, TangerineWhistle: 0, SpuriousDragon: 1, Byzantium: 2, Petersburg: 3, Istanbul: 4, Berlin: 5, London: 6, Paris: 7, Shanghai: 8, Cancun: 9 } as const;
/**
 * The forks the blocks use, at a mainnet block number (and timestamp) of each: Spurious Dragon,
 * Byzantium, Shanghai and Cancun at the first block of their fork, so that both sides must switch
 * rules exactly there (London's first block would need its initial base fee of 1 gwei, which
 * @ethereumjs/vm checks).
 */
const FORKS: Array<{ fork: keyof typeof LEVEL; number: bigint; timestamp: bigint }> = [
  { fork: "Frontier", number: 1_000_000n, timestamp: 0n }, { fork: "Homestead", number: 2_000_000n, timestamp: 0n },
  { fork: "TangerineWhistle", number: 2_500_000n, timestamp: 0n }, { fork: "SpuriousDragon", number: 2_675_000n, timestamp: 0n },
  { fork: "Byzantium", number: 4_370_000n, timestamp: 0n }, { fork: "Petersburg", number: 7_300_000n, timestamp: 0n },
  { fork: "Istanbul", number: 10_000_000n, timestamp: 0n }, { fork: "Berlin", number: 12_500_000n, timestamp: 0n },
  { fork: "London", number: 13_000_000n, timestamp: 0n }, { fork: "Paris", number: 16_000_000n, timestamp: 1_600_000_000n },
  { fork: "Shanghai", number: 17_034_870n, timestamp: 1_681_338_455n }, { fork: "Cancun", number: 19_426_587n, timestamp: 1_710_338_135n },
];
/** The first opcode level where an opcode is defined (absent: from the start). */
const FIRST_LEVEL = new Map<number, number>([
  [0x3d, 2], [0x3e, 2], [0xfa, 2], [0xfd, 2], [0x1b, 3], [0x1c, 3], [0x1d, 3], [0x3f, 3], [0xf5, 3], [0x46, 4], [0x47, 4],
  [0x48, 6], [0x5f, 8], [0x49, 9], [0x4a, 9], [0x5c, 9], [0x5d, 9], [0x5e, 9],
]);

/**
 * The factory of the random blocks: CREATE2 with salt = the calldata's first byte of the initcode
 * that follows it, then a CALL of the new contract with all the gas left.
 */
const FACTORY = addr(0xfa);
const FACTORY_CODE = asm(
  op(1), "CALLDATASIZE", "SUB", op(1), op(0), "CALLDATACOPY", // memory = initcode
  op(0), "CALLDATALOAD", op(248), "SHR", op(1), "CALLDATASIZE", "SUB", op(0), op(0), "CREATE2", // salt, size, offset, value
  op(0), op(0), op(0), op(0), op(0), [0x85], "GAS", "CALL", "STOP", // DUP6: the new address
);

/** EIP-4788's contract and its runtime code (from the EIP's deployment section). */
const BEACON_ROOTS = Uint8Array.from(Buffer.from("000f3df6d732807ef1319fb7b8bb8522d0beac02", "hex"));
const BEACON_ROOTS_CODE = Uint8Array.from(Buffer.from(
  "3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500", "hex"));

const big = (b: Uint8Array): bigint => b.reduce((v, x) => v * 256n + BigInt(x), 0n);

function push(rng: Rng, v: bigint): number[] {
  v = BigInt.asUintN(256, v);
  if (v === 0n && rng.chance(0.5)) return [0x60, 0];
  const bytes: number[] = [];
  for (let x = v; x > 0n || bytes.length === 0; x >>= 8n) bytes.unshift(Number(x & 0xffn));
  return [0x5f + bytes.length, ...bytes];
}

function value(rng: Rng, targets: Uint8Array[]): bigint {
  const r = rng.next();
  if (r < 0.45) return BigInt(rng.int(40));
  if (r < 0.6) return BigInt(rng.int(300));
  if (r < 0.7) return (1n << BigInt(rng.int(256))) - BigInt(rng.int(3));
  if (r < 0.8) return (1n << 256n) - 1n - BigInt(rng.int(40));
  if (r < 0.9) return big(rng.pick(targets));
  let v = 0n;
  for (let i = 0; i < 32; i++) v = v * 256n + BigInt(rng.int(256));
  return v;
}

/**
 * Random bytecode for fork `level`. Most programs are "tidy" (every opcode gets its inputs,
 * only valid opcodes, forward jumps) so that they run far; the others also jump anywhere, run
 * out of stack, hit undefined opcodes and stop early.
 */
export function randomCode(rng: Rng, level: number, depth = 0, targets = DEFAULT_PARTIES.targets): Uint8Array {
  const tidy = rng.chance(0.6);
  const valid = (op: number) => (FIRST_LEVEL.get(op) ?? 0) <= level;
  const code: number[] = [];
  const jumps: number[] = [], dests: number[] = [];
  const pushes = (n: number, v: () => bigint) => { for (let i = 0; i < n; i++) code.push(...push(rng, v())); };
  pushes(4 + rng.int(12), () => value(rng, targets));
  for (let k = 0, len = 10 + rng.int(60); k < len; k++) {
    const r = rng.next();
    if (r < 0.25) code.push(...push(rng, value(rng, targets)));
    else if (r < 0.30) { dests.push(code.length); code.push(0x5b); }
    else if (r < 0.35) { code.push(...push(rng, BigInt(rng.int(3))), 0x61, 0, 0); jumps.push(code.length - 2); code.push(0x57); }
    else if (r < 0.37 && !tidy) { code.push(0x61, 0, 0); jumps.push(code.length - 2); code.push(0x56); }
    else if (r < 0.47) {
      // CALL, CALLCODE, DELEGATECALL, STATICCALL with small memory ranges
      let op = rng.pick([0xf1, 0xf2, 0xf4, 0xfa]);
      if (tidy && !valid(op)) op = 0xf1;
      const args = [BigInt(rng.int(64)), BigInt(rng.int(64)), BigInt(rng.int(200)), BigInt(rng.int(64))]; // outSize, outOffset, inSize, inOffset
      if (op === 0xf1 || op === 0xf2) args.push(rng.chance(0.7) ? 0n : BigInt(rng.int(1000)));
      for (const v of args) code.push(...push(rng, v));
      code.push(0x73, ...rng.pick(targets));
      if (rng.chance(0.5)) code.push(0x5a); else code.push(...push(rng, BigInt(rng.int(100_000))));
      code.push(op);
    } else if (r < 0.50) {
      // CREATE or CREATE2 of initcode stored in memory (random bytes, or a random program)
      const init = depth < 1 && rng.chance(0.5) ? [...randomCode(rng, level, depth + 1, targets)] : Array.from({ length: rng.int(40) }, () => rng.int(256));
      const padded = [...init];
      while (padded.length % 32) padded.push(0);
      for (let i = 0; i < padded.length; i += 32) code.push(0x7f, ...padded.slice(i, i + 32), ...push(rng, BigInt(i)), 0x52);
      const create2 = rng.chance(0.5) && (!tidy || valid(0xf5));
      if (create2) code.push(...push(rng, value(rng, targets)));
      code.push(...push(rng, BigInt(init.length)), 0x60, 0, ...push(rng, BigInt(rng.int(3))), create2 ? 0xf5 : 0xf0);
    } else if (r < 0.51) {
      code.push(0x73, ...rng.pick(targets), 0xff); // SELFDESTRUCT
    } else if (r < 0.515) {
      code.push(tidy ? 0x50 : rng.pick([0x00, 0xf3, 0xfd, 0xfe]));
    } else {
      const ops = [...INPUTS.keys()].filter((op) => !tidy || valid(op));
      const op = rng.pick(ops);
      const inputs = INPUTS.get(op)!;
      if (MEMORY_OPS.has(op) && rng.chance(0.8)) pushes(inputs, () => BigInt(rng.int(70)));
      else if (STORAGE_OPS.has(op) && rng.chance(0.8)) pushes(inputs, () => BigInt(rng.int(4)));
      else if (tidy || rng.chance(0.7)) pushes(inputs, () => value(rng, targets));
      code.push(op);
    }
  }
  dests.push(code.length);
  code.push(0x5b);
  for (const j of jumps) {
    const ahead = dests.filter((d) => d > j);
    const d = tidy ? (rng.chance(0.9) ? rng.pick(ahead) : rng.pick(dests)) : rng.chance(0.9) ? rng.pick(dests) : rng.int(code.length + 2);
    code[j] = d >> 8;
    code[j + 1] = d & 255;
  }
  if (rng.chance(0.5)) code.push(...push(rng, BigInt(rng.int(64))), ...push(rng, BigInt(rng.int(64))), 0xf3);
  return Uint8Array.from(code);
}

export interface RandomBlock extends BlockCase {
  fork: string;
  /** With the `invalid` option: the transaction made invalid, and how. */
  invalidTx?: number;
  invalidity?: Invalidity;
}

/**
 * A transfer's recipient: other senders (linking their transactions into groups), an empty
 * account (C: a transfer of nothing deletes it from Spurious Dragon on), addresses that do not
 * exist yet (created, or touched and left absent); in `odd` blocks also the coinbase, a
 * precompile or a contract (A), which the partitioned mode rules out up front or meets while running.
 */
function transferTo(rng: Rng, senders: Uint8Array[], p: Parties, odd: boolean): Uint8Array {
  const r = rng.next();
  if (odd && r < 0.1) return rng.pick([p.coinbase, precompile(1 + rng.int(9)), A]);
  if (r < 0.35) return rng.pick(senders);
  if (r < 0.45) return C;
  return addr(0xd0 + rng.int(24));
}

/** What makes the transaction `invalidTx` of an invalid random block invalid. */
export type Invalidity = "nonce too high" | "nonce too low" | "value above balance" | "gas limit above the block's"
  | "intrinsic gas above the gas limit" | "fee below the base fee" | "tip above the fee cap" | "blob fee below the blob base fee";

/**
 * Makes `t` invalid in a way its fork and type allow (after it was generated, so the rest of the
 * block stays as the seed made it).
 */
function invalidate(rng: Rng, t: Transaction, level: number, excessBlobGas: bigint): Invalidity {
  const ways: Invalidity[] = ["nonce too high", "value above balance", "gas limit above the block's", "intrinsic gas above the gas limit"];
  if (t.nonce > 0n) ways.push("nonce too low");
  if (level >= LEVEL.London) ways.push("fee below the base fee");
  if (t.type >= 2) ways.push("tip above the fee cap");
  if (t.type === 3 && excessBlobGas >= 10_000_000n) ways.push("blob fee below the blob base fee");
  const way = rng.pick(ways);
  switch (way) {
    case "nonce too high": t.nonce += 1n + BigInt(rng.int(3)); break;
    case "nonce too low": t.nonce -= 1n; break;
    case "value above balance": t.value = 10n ** 21n; break;
    case "gas limit above the block's": t.gasLimit = 30_000_001n; break;
    case "intrinsic gas above the gas limit": t.gasLimit = 20_999n; break;
    case "fee below the base fee": if (t.type >= 2) { t.maxFeePerGas = 6n; t.maxPriorityFeePerGas = 0n; } else t.gasPrice = 6n; break;
    case "tip above the fee cap": t.maxPriorityFeePerGas = t.maxFeePerGas! + 1n; break;
    case "blob fee below the blob base fee": t.maxFeePerBlobGas = 1n; break; // the blob base fee is 19 wei at 10M excess
  }
  return way;
}

/**
 * A random block of 2 to 81 transactions, and its pre-state. With `invalid`, one transaction
 * (`invalidTx`) is made invalid (`invalidity`): every executor must reject the block. With
 * `transfers`, every transaction is a plain value transfer (see transferTo): the blocks the
 * partitioned mode takes (src/parallel/partition.ts), and a few it must give up on.
 */
export function randomBlock(seed: number, p: Parties = DEFAULT_PARTIES, opts: { invalid?: boolean; transfers?: boolean } = {}): RandomBlock {
  const rng = new Rng(seed);
  const { fork, number, timestamp } = rng.pick(FORKS);
  const level = LEVEL[fork];
  const london = level >= LEVEL.London;
  const storage = (): Array<[bigint, bigint]> => {
    const slots = new Map<bigint, bigint>();
    for (let i = 0, n = rng.int(4); i < n; i++) slots.set(BigInt(rng.int(4)), BigInt.asUintN(256, value(rng, p.targets)) || 1n);
    return [...slots];
  };
  const accounts: Array<[Uint8Array, AccountInit]> = p.senders.map((s) => [s, { nonce: 0n, balance: 10n ** 20n, code: new Uint8Array(0), storage: [] }]);
  accounts.push([A, { nonce: 1n, balance: BigInt(rng.int(3)) * 1000n, code: randomCode(rng, level, 0, p.targets), storage: storage() }]);
  accounts.push([B, { nonce: 0n, balance: BigInt(rng.int(3)), code: randomCode(rng, level, 0, p.targets), storage: storage() }]);
  accounts.push([C, { nonce: 0n, balance: BigInt(rng.int(2)), code: new Uint8Array(0), storage: [] }]);
  // Precompile accounts that exist, empty or funded: calls touch them (EIP-161), and a failed
  // call's touch of 0x03 is never undone.
  if (rng.chance(0.3)) for (const n of [1, 2, 3, 4, 9]) if (rng.chance(0.5)) accounts.push([precompile(n), { nonce: 0n, balance: BigInt(rng.int(2)), code: new Uint8Array(0), storage: [] }]);
  // Cancun: the EIP-4788 beacon-roots contract, which the block's system call writes (the mainnet
  // fixtures' pre-states do not hold it, so only these blocks exercise that call).
  if (fork === "Cancun" && rng.chance(0.5)) accounts.push([BEACON_ROOTS, { nonce: 1n, balance: 0n, code: BEACON_ROOTS_CODE, storage: [] }]);
  // Constantinople on, half the blocks have a factory: transactions CREATE2 one of a few contracts
  // (salt 0 or 1) and call it at once, so later ones collide with it, or recreate it where it
  // self-destructed; others call the new addresses (before or after the contract is there).
  const made: Array<{ salt: number; init: Uint8Array }> = [];
  if (level >= LEVEL.Petersburg && rng.chance(0.5)) {
    accounts.push([FACTORY, { nonce: 1n, balance: 0n, code: FACTORY_CODE, storage: [] }]);
    for (let k = 1 + rng.int(3); k > 0; k--) {
      const prefix = rng.chance(0.5) ? asm(op(1 + rng.int(2)), op(rng.int(4)), "SSTORE") : new Uint8Array(0);
      made.push({ salt: rng.int(2), init: initcode(prefix, randomCode(rng, level, 1, p.targets)) });
    }
  }
  const nonces = new Map<Uint8Array, bigint>();
  const transactions: Transaction[] = [];
  let blobsLeft = 6; // Cancun's most blobs in a block
  // Transfer blocks: senders other than the coinbase, but now and then (it may not take part).
  const senders = opts.transfers && !rng.chance(0.1) ? p.senders.filter((x) => x !== p.coinbase) : p.senders;
  const odd = opts.transfers === true && rng.chance(0.25); // recipients the partitioned mode gives up on
  for (let i = 0, n = 2 + rng.int(rng.chance(0.2) ? 80 : 30); i < n; i++) {
    const sender = rng.pick(senders);
    const nonce = nonces.get(sender) ?? 0n;
    nonces.set(sender, nonce + 1n);
    const r = rng.next();
    let to = opts.transfers ? transferTo(rng, senders, p, odd) : r < 0.08 ? null : r < 0.5 ? A : r < 0.8 ? B : rng.pick(p.targets);
    let data = opts.transfers ? new Uint8Array(0) : to === null ? randomCode(rng, level, 1, p.targets) : Uint8Array.from({ length: rng.chance(1 / 3) ? 0 : rng.int(70) }, () => rng.int(256));
    if (made.length && !opts.transfers && rng.chance(0.35)) {
      const m = rng.pick(made);
      if (rng.chance(0.6)) [to, data] = [FACTORY, Uint8Array.from([m.salt, ...m.init])];
      else to = create2Address(FACTORY, BigInt(m.salt), m.init);
    }
    const common = {
      nonce, gasLimit: BigInt((to === null || data.length > 70 ? 200_000 : 30_000) + rng.int(400_000)), to: to && Uint8Array.from(to),
      value: BigInt(rng.chance(opts.transfers ? 0.7 : 1 / 3) ? rng.int(2000) : 0), data, accessList: [], v: 0n, r: 0n, s: 0n, sender: Uint8Array.from(sender),
    };
    const accessList = level >= LEVEL.Berlin && !opts.transfers && rng.chance(0.3) ? Array.from({ length: 1 + rng.int(3) }, () => ({
      address: Uint8Array.from(rng.pick(p.targets)),
      storageKeys: Array.from({ length: rng.int(3) }, () => { const k = new Uint8Array(32); k[31] = rng.int(4); return k; }),
    })) : [];
    const blobs = fork === "Cancun" && to !== null && !opts.transfers && blobsLeft > 0 && rng.chance(0.15) ? 1 + rng.int(Math.min(3, blobsLeft)) : 0;
    blobsLeft -= blobs;
    if (blobs > 0) {
      const blobVersionedHashes = Array.from({ length: blobs }, () => { const h = Uint8Array.from({ length: 32 }, () => rng.int(256)); h[0] = 1; return h; });
      transactions.push({ type: 3, chainId: 1n, maxFeePerGas: 1000n, maxPriorityFeePerGas: BigInt(rng.int(3)), maxFeePerBlobGas: 1000n, blobVersionedHashes, ...common, accessList });
    } else if (london && rng.chance(0.7)) {
      transactions.push({ type: 2, chainId: 1n, maxFeePerGas: 1000n, maxPriorityFeePerGas: BigInt(rng.int(3)), ...common, accessList });
    } else if (level >= LEVEL.Berlin && rng.chance(0.3)) {
      transactions.push({ type: 1, chainId: 1n, gasPrice: 1000n, ...common, accessList });
    } else {
      transactions.push({ type: 0, gasPrice: 1000n, ...common });
    }
  }
  // Withdrawals of 0 to 4 gwei (0 to an empty or missing account deletes it, or creates nothing).
  const excessBlobGas = rng.pick([0n, 1_000_000n, 10_000_000n]); // blob base fee 1, 1 and 19 wei
  // Half the blocks pay an address missing from the pre-state: fees create it, and a fee of 0 (no
  // tip) touches it while it is still empty (EIP-161 then deletes it, or before Spurious Dragon
  // leaves it empty).
  const coinbase = rng.chance(0.5) ? p.coinbase : addr(0xcb);
  const withdrawals = timestamp < 1_681_338_455n ? [] : Array.from({ length: rng.int(4) }, () => ({
    address: Uint8Array.from(rng.pick([A, C, p.coinbase, p.senders[0]!, addr(0xde)])), amountGwei: BigInt(rng.int(5)),
  }));
  const invalidTx = opts.invalid ? rng.int(transactions.length) : undefined;
  const invalidity = invalidTx === undefined ? undefined : invalidate(rng, transactions[invalidTx]!, level, fork === "Cancun" ? excessBlobGas : 0n);
  // Before the merge, uncles now and then, one to six generations back: their miners are rewarded.
  const uncleHeaders = timestamp > 0n || !rng.chance(0.3) ? [] : Array.from({ length: 1 + rng.int(2) }, () => ({
    number: number - 1n - BigInt(rng.int(6)), coinbase: Uint8Array.from(rng.pick([p.senders[0]!, p.coinbase, C, addr(0xcb), addr(0xdd)])),
  }));
  return {
    fork, invalidTx, invalidity,
    block: {
      header: {
        number, timestamp, coinbase: Uint8Array.from(coinbase), gasLimit: 30_000_000n, gasUsed: 0n, ...(london ? { baseFee: 7n } : {}),
        difficulty: timestamp > 0n ? 0n : 1000n, mixHash: new Uint8Array(32),
        ...(fork === "Cancun" ? { excessBlobGas: excessBlobGas, parentBeaconBlockRoot: new Uint8Array(32).fill(3) } : {}),
        receiptsRoot: new Uint8Array(32), logsBloom: new Uint8Array(256),
        uncles: uncleHeaders.map(() => Uint8Array.from({ length: 32 }, () => rng.int(256))),
      },
      transactions,
      withdrawals,
      ...(uncleHeaders.length ? { uncleHeaders } : {}),
    },
    pre: { accounts, blockHashes: new Map() },
  };
}
