// Programs for the pure-opcode part of the pipeline suite. Every program keeps K accumulators
// on the stack under a loop counter and runs N steps (UNROLL per loop iteration); a step turns
// one accumulator into the next value through the measured opcode(s):
//   chain     every step works on accumulator 1: each consumes the previous result;
//   streams   steps cycle over the K accumulators: consecutive steps are independent;
//   baseline  the streams program with each measured opcode replaced by a stand-in of the same
//             stack effect (STAND_IN), so the shuffling, loop and runCode cost can be subtracted.
// All three run as many instructions per step, but for MULMOD (its stand-in is two POPs).
import { Asm } from "./asm.js";
import { keccak256 } from "../../dist/trie/mpt.js";
import { bigIntToBytes, bytesToBigInt } from "../../dist/encoding/hex.js";
import { Fork } from "../../dist/fork.js";
import { RUN_CALLER, RUN_TARGET, runCode, type RunCodeResult } from "../../dist/vm/run-code.js";
import type { Vm } from "../../dist/vm/vm.js";

export type Shape = "chain" | "streams" | "baseline";
export const SHAPES: readonly Shape[] = ["chain", "streams", "baseline"];

export const K = 4;
export const UNROLL = 64;
const OUT = 0x1000; // where the accumulators are returned from
const MOD = 1n << 256n;

// MLOAD has none so that the MLOAD/MSTORE pair's stand-in is two instructions, like the pair.
export const STAND_IN: Record<string, string[]> = {
  ADD: ["POP"], MUL: ["POP"], DIV: ["POP"], EXP: ["POP"], KECCAK256: ["POP"],
  MULMOD: ["POP", "POP"], MSTORE: ["POP", "POP"], MLOAD: [], SLOAD: ["JUMPDEST"],
};

export interface PureCase {
  name: string;
  /** The measured opcodes of one step. */
  ops: string[];
  /** Starting accumulators, top of the stack first. */
  init: bigint[];
  /** Emits one step on the accumulator at stack position `pos` (stream `i`), leaving the new value on top. */
  step(a: Asm, pos: number, i: number, m: (op: string) => void): void;
  /** JS model of one step. */
  next(acc: bigint): bigint;
  prologue?(a: Asm): void;
  /** Pre-state storage of the contract (all keys go in the access list: the loads are warm). */
  storage?: Map<bigint, bigint>;
}

// Arbitrary odd 256-bit constants (odd: products and powers of odd values never reach 0 mod 2^256).
const C1 = 0x9e3779b97f4a7c15f39cc0605cedc8341082276bf3a27251f86c6a11d0c18e95n;
const C2 = 0xbf58476d1ce4e5b994d049bb133111eb7f4a7c15f39cc0605cedc834109e3779n;
const C3 = 0xd6e8feb86659fd93c6a11d0c18e95f86e9b9f86c6a11d0c18e95d6e8feb86659n;
const EXPONENT = 0xdeadbeefn; // 4 bytes: 32 squarings per EXP
// Arithmetic streams all start from the same value, so data-dependent costs (DIV's limb counts)
// are alike in both shapes; the walks through memory and storage start at different places.
const same = (v: bigint) => new Array<bigint>(K).fill(v);
const h = (v: bigint) => bytesToBigInt(keccak256(bigIntToBytes(v, 32)));

function modpow(b: bigint, e: bigint): bigint {
  let r = 1n;
  for (b %= MOD; e > 0n; e >>= 1n, b = (b * b) % MOD) if (e & 1n) r = (r * b) % MOD;
  return r;
}

// Memory linked list for MLOAD: word j holds the byte offset of word (j + 17) % 64, one cycle.
const LIST = 64;
const SCRATCH = 0x800;
const listNext = (p: bigint) => BigInt(32 * ((Number(p) / 32 + 17) % LIST));

// Storage linked list for SLOAD: slot key j holds key (j + 17) % 64 (keys are hashes).
const KEYS = Array.from({ length: LIST }, (_, j) => h(BigInt(j) + 1n));
const STORAGE = new Map(KEYS.map((k, j) => [k, KEYS[(j + 17) % LIST]!]));

export const PURE_CASES: PureCase[] = [
  {
    name: "ADD", ops: ["ADD"], init: same(C1),
    step: (a, pos, _i, m) => { a.dup(pos).push(C1, 32); m("ADD"); },
    next: (x) => (x + C1) % MOD,
  },
  {
    name: "MUL", ops: ["MUL"], init: same(C1),
    step: (a, pos, _i, m) => { a.dup(pos).push(C1, 32); m("MUL"); },
    next: (x) => (x * C1) % MOD,
  },
  {
    // acc' = C / acc with acc near 2^128: stays a full 256-by-128-bit division.
    name: "DIV", ops: ["DIV"], init: same(C1 >> 128n),
    step: (a, pos, _i, m) => { a.dup(pos).push(C1, 32); m("DIV"); },
    next: (x) => C1 / x,
  },
  {
    name: "MULMOD", ops: ["MULMOD"], init: same(C1),
    step: (a, pos, _i, m) => { a.push(C3 >> 1n, 32).push(C2, 32).dup(pos + 2); m("MULMOD"); },
    next: (x) => (x * C2) % (C3 >> 1n),
  },
  {
    // Odd bases: an even one would reach 0 (2^e for e >= 256).
    name: "EXP", ops: ["EXP"], init: same(C1),
    step: (a, pos, _i, m) => { a.push(EXPONENT, 4).dup(pos + 1); m("EXP"); },
    next: (x) => modpow(x, EXPONENT),
  },
  {
    // The accumulator goes through memory (word i) and is hashed from there.
    name: "KECCAK256", ops: ["KECCAK256"], init: same(C1),
    step: (a, pos, i, m) => { a.dup(pos).push(32 * i, 2).op("MSTORE").push(32, 1).push(32 * i, 2); m("KECCAK256"); },
    next: (x) => h(x),
  },
  {
    // Pointer chasing: acc' = mload(acc), and acc' stored to a scratch word (one pair per step).
    name: "MLOAD/MSTORE", ops: ["MLOAD", "MSTORE"], init: [0n, 16n * 32n, 32n * 32n, 48n * 32n],
    prologue: (a) => { for (let j = 0; j < LIST; j++) a.push(listNext(BigInt(32 * j)), 2).push(32 * j, 2).op("MSTORE"); },
    step: (a, pos, i, m) => { a.dup(pos); m("MLOAD"); a.dup(1).push(SCRATCH + 32 * i, 2); m("MSTORE"); },
    next: listNext,
  },
  {
    name: "SLOAD (warm)", ops: ["SLOAD"], init: [KEYS[0]!, KEYS[16]!, KEYS[32]!, KEYS[48]!],
    storage: STORAGE,
    step: (a, pos, _i, m) => { a.dup(pos); m("SLOAD"); },
    next: (k) => STORAGE.get(k)!,
  },
];

/** The program for `c` in `shape` with `n` steps (a multiple of UNROLL). */
export function program(c: PureCase, shape: Shape, n: number): Uint8Array {
  if (n % UNROLL !== 0 || n < UNROLL) throw new RangeError(`steps must be a multiple of ${UNROLL}`);
  const a = new Asm();
  const m = (op: string) => (shape === "baseline" ? a.op(...STAND_IN[op]!) : a.op(op));
  c.prologue?.(a);
  for (let i = K - 1; i >= 0; i--) a.push(c.init[i]!, 32);
  a.push(n / UNROLL, 2).label("loop"); // stack: counter, acc 1..K
  for (let u = 0; u < UNROLL; u++) {
    const i = shape === "chain" ? 0 : u % K;
    const pos = i + 2;
    c.step(a, pos, i, m);
    a.swap(pos).op("POP"); // the new value replaces the old one
  }
  a.push(1, 1).swap(1).op("SUB").dup(1).pushLabel("loop").op("JUMPI");
  a.op("POP");
  for (let i = 0; i < K; i++) a.push(OUT + 32 * i, 2).op("MSTORE");
  return a.push(32 * K, 2).push(OUT, 2).op("RETURN").build();
}

/** The accumulators `shape` returns after `n` steps (the baseline is not modelled). */
export function expected(c: PureCase, shape: Exclude<Shape, "baseline">, n: number): bigint[] {
  const acc = [...c.init];
  for (let s = 0; s < n; s++) {
    const i = shape === "chain" ? 0 : s % K;
    acc[i] = c.next(acc[i]!);
  }
  return acc;
}

export function decodeWords(out: Uint8Array): bigint[] {
  const words: bigint[] = [];
  for (let o = 0; o + 32 <= out.length; o += 32) words.push(bytesToBigInt(out.subarray(o, o + 32)));
  return words;
}

const GAS = 1_000_000_000n;

/** runCode, or for a case with storage the same call with that storage and every key in the access list. */
export function runPure(vm: Vm, c: PureCase, code: Uint8Array): RunCodeResult {
  if (!c.storage) return runCode(vm, { code, gas: GAS });
  vm.reset();
  vm.setBlock({
    fork: Fork.Cancun, coinbase: new Uint8Array(20), number: 1n, timestamp: 1n, gasLimit: GAS, chainId: 1n, baseFee: 0n,
    prevRandao: 0n, blobBaseFee: 1n, blockHash: () => new Uint8Array(32),
  });
  vm.putAccounts([
    [RUN_CALLER, { nonce: 0n, balance: 0n, code: new Uint8Array(0), storage: [] }],
    [RUN_TARGET, { nonce: 1n, balance: 0n, code, storage: [...c.storage] }],
  ]);
  const storageKeys = [...c.storage.keys()].map((k) => bigIntToBytes(k, 32));
  const r = vm.execute({
    caller: RUN_CALLER, to: RUN_TARGET, value: 0n, data: new Uint8Array(0), gasLimit: GAS, intrinsicGas: 0n,
    gasPrice: 0n, priorityFee: 0n, upfront: 0n, accessList: [{ address: RUN_TARGET, storageKeys }], blobHashes: [],
  });
  return { output: r.output, gasUsed: GAS - r.gasLeft, status: r.status, steps: r.steps };
}
