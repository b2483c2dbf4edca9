import { describe, it, expect, beforeAll } from "vitest";
import { instantiateRaw } from "./helpers/wasm.js";

// Switch to "../build/braid.wasm" once assembly/index.ts re-exports ./testing.
const WASM = new URL("../build/braid.wasm", import.meta.url);

const M = (1n << 256n) - 1n;
const S = 1n << 255n;

// fixed scratch addresses well above the module's static data
const A = 1 << 20;
const B = A + 32;
const C = A + 64;
const D = A + 128; // raw byte area for load/store tests

let ex: Record<string, any>;
let dv: DataView;
let u8: Uint8Array;

function put(addr: number, x: bigint): void {
  x &= M;
  for (let i = 0; i < 4; i++) dv.setBigUint64(addr + 8 * i, (x >> BigInt(64 * i)) & 0xffffffffffffffffn, true);
}
function get(addr: number): bigint {
  let x = 0n;
  for (let i = 3; i >= 0; i--) x = (x << 64n) | dv.getBigUint64(addr + 8 * i, true);
  return x;
}

// ---------------------------------------------------------------------------
// deterministic PRNG (splitmix64) and value generators
// ---------------------------------------------------------------------------
let seed = 0x1234_5678_9abc_def0n;
function next64(): bigint {
  seed = (seed + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  let z = seed;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return z ^ (z >> 31n);
}
function randInt(n: number): number {
  return Number(next64() % BigInt(n));
}
function rand256(): bigint {
  return (next64() << 192n) | (next64() << 128n) | (next64() << 64n) | next64();
}
const SPECIAL_LIMBS = [
  0n, 1n, 2n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0x8000000000000000n, 0x7fffffffffffffffn,
  0x8000000000000001n, 0x100000000n, 0xffffffffn, 0xffffffff00000000n, 0x80000000n,
];
/** Random value mixing widths 0..256 and limb patterns that stress carries/Knuth corrections. */
function randVal(): bigint {
  const kind = randInt(10);
  if (kind < 5) {
    // random width, top bit set at that width
    const w = randInt(257);
    if (w === 0) return 0n;
    return (rand256() & ((1n << BigInt(w)) - 1n)) | (1n << BigInt(w - 1));
  }
  if (kind < 7) return rand256();
  if (kind < 9) {
    // limbs from a special set (or random), random number of limbs
    const n = 1 + randInt(4);
    let x = 0n;
    for (let i = 0; i < n; i++) {
      const l = randInt(3) === 0 ? next64() : SPECIAL_LIMBS[randInt(SPECIAL_LIMBS.length)];
      x |= l << BigInt(64 * i);
    }
    return x;
  }
  // small
  return next64() % 1000n;
}

const EDGE: bigint[] = [
  0n, 1n, 2n, 3n, 7n, 0xffn, (1n << 64n) - 1n, 1n << 64n, (1n << 64n) + 1n, (1n << 64n) + 5n, 1n << 128n,
  (1n << 128n) - 1n, 1n << 192n, (1n << 192n) - 1n, S, S - 1n, S + 1n, M, M - 1n, 10n ** 18n,
  0x8000000000000000n, 0x7fffffffffffffffn,
];
const SHIFTS: bigint[] = [0n, 1n, 7n, 8n, 31n, 32n, 63n, 64n, 65n, 127n, 128n, 129n, 191n, 192n, 255n, 256n, 257n,
  (1n << 64n) + 5n, 1n << 128n, M];

// ---------------------------------------------------------------------------
// reference implementations (a = top, b = second, c = third)
// ---------------------------------------------------------------------------
const sgn = (x: bigint) => (x >= S ? x - (1n << 256n) : x);
const bool = (x: boolean) => (x ? 1n : 0n);
const bitlen = (x: bigint) => (x === 0n ? 0 : x.toString(2).length);

function modpow(base: bigint, e: bigint): bigint {
  let r = 1n;
  base &= M;
  while (e > 0n) {
    if (e & 1n) r = (r * base) & M;
    base = (base * base) & M;
    e >>= 1n;
  }
  return r;
}

type Ref = (a: bigint, b: bigint, c: bigint) => bigint;
interface OpDef { name: string; code: number; arity: 1 | 2 | 3; ref: Ref; }

const OPS: OpDef[] = [
  { name: "ADD", code: 0x01, arity: 2, ref: (a, b) => (a + b) & M },
  { name: "MUL", code: 0x02, arity: 2, ref: (a, b) => (a * b) & M },
  { name: "SUB", code: 0x03, arity: 2, ref: (a, b) => (a - b) & M },
  { name: "DIV", code: 0x04, arity: 2, ref: (a, b) => (b === 0n ? 0n : a / b) },
  { name: "SDIV", code: 0x05, arity: 2, ref: (a, b) => (b === 0n ? 0n : (sgn(a) / sgn(b)) & M) },
  { name: "MOD", code: 0x06, arity: 2, ref: (a, b) => (b === 0n ? 0n : a % b) },
  { name: "SMOD", code: 0x07, arity: 2, ref: (a, b) => (b === 0n ? 0n : (sgn(a) % sgn(b)) & M) },
  { name: "ADDMOD", code: 0x08, arity: 3, ref: (a, b, n) => (n === 0n ? 0n : (a + b) % n) },
  { name: "MULMOD", code: 0x09, arity: 3, ref: (a, b, n) => (n === 0n ? 0n : (a * b) % n) },
  { name: "EXP", code: 0x0a, arity: 2, ref: (a, b) => modpow(a, b) },
  {
    name: "SIGNEXTEND", code: 0x0b, arity: 2,
    ref: (k, x) => {
      if (k >= 31n) return x;
      const bit = 8n * k + 7n;
      const low = (1n << (bit + 1n)) - 1n;
      return (x >> bit) & 1n ? (x | (M ^ low)) : (x & low);
    },
  },
  { name: "LT", code: 0x10, arity: 2, ref: (a, b) => bool(a < b) },
  { name: "GT", code: 0x11, arity: 2, ref: (a, b) => bool(a > b) },
  { name: "SLT", code: 0x12, arity: 2, ref: (a, b) => bool(sgn(a) < sgn(b)) },
  { name: "SGT", code: 0x13, arity: 2, ref: (a, b) => bool(sgn(a) > sgn(b)) },
  { name: "EQ", code: 0x14, arity: 2, ref: (a, b) => bool(a === b) },
  { name: "ISZERO", code: 0x15, arity: 1, ref: (a) => bool(a === 0n) },
  { name: "AND", code: 0x16, arity: 2, ref: (a, b) => a & b },
  { name: "OR", code: 0x17, arity: 2, ref: (a, b) => a | b },
  { name: "XOR", code: 0x18, arity: 2, ref: (a, b) => a ^ b },
  { name: "NOT", code: 0x19, arity: 1, ref: (a) => M ^ a },
  { name: "BYTE", code: 0x1a, arity: 2, ref: (i, x) => (i >= 32n ? 0n : (x >> (8n * (31n - i))) & 0xffn) },
  { name: "SHL", code: 0x1b, arity: 2, ref: (s, x) => (s >= 256n ? 0n : (x << s) & M) },
  { name: "SHR", code: 0x1c, arity: 2, ref: (s, x) => (s >= 256n ? 0n : x >> s) },
  { name: "SAR", code: 0x1d, arity: 2, ref: (s, x) => (s >= 256n ? (x >= S ? M : 0n) : (sgn(x) >> s) & M) },
  { name: "CLZ", code: 0x1e, arity: 1, ref: (a) => BigInt(256 - bitlen(a)) },
];

/** Runs op in wasm with the interpreter convention and returns the result word. */
function run(op: OpDef, a: bigint, b = 0n, c = 0n): bigint {
  put(A, a);
  put(B, b);
  put(C, c);
  ex.test_u256(op.code, A, B, C);
  return get(op.arity === 1 ? A : op.arity === 2 ? B : C);
}

function check(op: OpDef, a: bigint, b = 0n, c = 0n): void {
  const got = run(op, a, b, c);
  const want = op.ref(a, b, c);
  if (got !== want) {
    const h = (x: bigint) => "0x" + x.toString(16);
    expect.fail(`${op.name}(a=${h(a)}, b=${h(b)}, c=${h(c)}) = ${h(got)}, want ${h(want)}`);
  }
}

/** Operand generator per op: shift/index-like first operands get small values often. */
function genFor(op: OpDef, pos: number): bigint {
  const small = (op.name === "SIGNEXTEND" || op.name === "BYTE") && pos === 0
    ? true
    : ["SHL", "SHR", "SAR"].includes(op.name) && pos === 0;
  if (small && randInt(4) !== 0) {
    return op.name === "SIGNEXTEND" || op.name === "BYTE" ? BigInt(randInt(40)) : BigInt(randInt(300));
  }
  if (op.name === "EXP" && pos === 1 && randInt(2) === 0) return BigInt(randInt(300));
  if (op.name === "EXP" && pos === 0 && randInt(4) === 0) return BigInt(randInt(5));
  // signed ops: make negatives common
  if (["SDIV", "SMOD", "SLT", "SGT", "SAR"].includes(op.name) && randInt(3) === 0) {
    return (-randVal()) & M;
  }
  return randVal();
}

const RANDOM_PER_OP = 4000;

beforeAll(() => {
  const inst = instantiateRaw(WASM);
  ex = inst.exports;
  dv = new DataView(inst.memory.buffer);
  u8 = inst.u8;
});

describe("u256 ops vs BigInt reference", () => {
  for (const op of OPS) {
    it(`${op.name}: edge values`, () => {
      const vals = op.arity === 1 ? EDGE : EDGE;
      if (op.arity === 1) {
        for (const a of vals) check(op, a);
      } else if (op.arity === 2) {
        const first = ["SHL", "SHR", "SAR"].includes(op.name)
          ? [...SHIFTS, ...EDGE]
          : op.name === "SIGNEXTEND" || op.name === "BYTE"
            ? [...Array.from({ length: 34 }, (_, i) => BigInt(i)), 255n, 256n, 1n << 64n, (1n << 64n) + 5n, S, M]
            : EDGE;
        for (const a of first) for (const b of EDGE) check(op, a, b);
      } else {
        for (const a of EDGE) for (const b of EDGE) for (const n of [0n, 1n, 2n, 7n, (1n << 64n) - 1n, 1n << 64n, S, M, M - 1n, 10n ** 18n]) check(op, a, b, n);
      }
    });

    it(`${op.name}: ${RANDOM_PER_OP} random`, () => {
      for (let i = 0; i < RANDOM_PER_OP; i++) {
        check(op, genFor(op, 0), genFor(op, 1), genFor(op, 2));
      }
    });
  }

  it("SDIV/SMOD sign cases", () => {
    const sdiv = OPS.find((o) => o.name === "SDIV")!;
    const smod = OPS.find((o) => o.name === "SMOD")!;
    // -2^255 / -1 = -2^255
    expect(run(sdiv, S, M)).toBe(S);
    for (const [x, y] of [[7n, 3n], [-7n, 3n], [7n, -3n], [-7n, -3n], [-1n, 0n], [0n, -1n], [-S, 1n], [-S, -2n], [S - 1n, -1n]]) {
      check(sdiv, x & M, y & M);
      check(smod, x & M, y & M);
    }
    expect(run(smod, (-7n) & M, 3n)).toBe((-1n) & M);
    expect(run(smod, 7n, (-3n) & M)).toBe(1n);
    expect(run(smod, (-8n) & M, 0n)).toBe(0n);
  });

  it("DIV/MOD/MULMOD stress Knuth corrections (structured limbs)", () => {
    const div = OPS.find((o) => o.name === "DIV")!;
    const mod = OPS.find((o) => o.name === "MOD")!;
    const mulmod = OPS.find((o) => o.name === "MULMOD")!;
    const addmod = OPS.find((o) => o.name === "ADDMOD")!;
    const limbs = [0n, 1n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xfffffffffffffffen, 0xffffffffffffffffn, 0xffffffff00000000n, 0x00000000ffffffffn];
    const mk = (i: number, n: number) => {
      let x = 0n;
      for (let k = 0; k < n; k++) {
        x |= limbs[i % limbs.length] << BigInt(64 * k);
        i = Math.floor(i / limbs.length);
      }
      return x;
    };
    for (let i = 0; i < 3000; i++) {
      const a = mk(i * 7 + 3, 4) ^ (randInt(4) === 0 ? next64() : 0n);
      const b = mk(i * 13 + 5 + randInt(1000), 1 + randInt(4));
      check(div, a, b);
      check(mod, a, b);
      check(mulmod, a, a ^ 0xffffn, b);
      check(addmod, a, M - (b >> 1n), b);
    }
  });

  it("MULMOD by four-limb moduli: every digit path of the three-by-two reduction (mod512.ts)", () => {
    const mulmod = OPS.find((o) => o.name === "MULMOD")!;
    const ones = 0xffffffffffffffffn;
    const moduli = [
      M, // d3:d2 all ones: a window equal to them takes the digit 2^64 - 1 path
      M - 1n, M - (1n << 128n), (ones << 192n) | (ones << 128n) | 1n,
      S, S + 1n, (1n << 192n) | 1n, (1n << 192n) + (ones << 64n),
      0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n, // bn254 field
      0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn, // secp256k1 field
    ];
    for (let i = 0; i < 40; i++) moduli.push(((randVal() | 1n) & M) | (1n << BigInt(192 + randInt(64))));
    for (const n of moduli) {
      const edge = [0n, 1n, 2n, n - 1n, n - 2n, n >> 1n, (n >> 1n) + 1n, n, n + 1n, M, M - 1n, S, n ^ ones, (n - 1n) ^ (ones << 128n)];
      for (const a of edge) for (const b of edge) check(mulmod, a & M, b & M, n);
      for (let k = 0; k < 400; k++) {
        const a = randInt(2) ? rand256() % n : randVal();
        const b = randInt(3) ? rand256() % n : randVal();
        check(mulmod, a, b, n);
      }
    }
  });

  it("ADDMOD/MULMOD with modulus of every width", () => {
    const addmod = OPS.find((o) => o.name === "ADDMOD")!;
    const mulmod = OPS.find((o) => o.name === "MULMOD")!;
    for (let w = 1; w <= 256; w++) {
      for (let k = 0; k < 20; k++) {
        const n = (rand256() & ((1n << BigInt(w)) - 1n)) | (1n << BigInt(w - 1));
        const a = randVal(), b = randVal();
        check(addmod, a, b, n);
        check(mulmod, a, b, n);
        check(addmod, a % n, b % n, n);
        check(mulmod, a % n, b % n, n);
      }
    }
  });
});

// helpers go through the test-only dispatcher so the file works against braid.wasm too
const H = { isZero: 0, fitsU64: 1, setU64: 2, copy: 3, eqBool: 4, ltBool: 5, byteLen: 6, loadBe: 7, storeBe: 8, loadBeN: 9 };
function helper(op: number, a: number, b = 0, v = 0n): bigint {
  if (typeof ex.test_u256_helper !== "function") throw new Error("wasm does not export test_u256_helper (assembly/testing.ts)");
  return ex.test_u256_helper(op, a, b, v);
}

describe("u256 helpers", () => {
  it("is_zero / fits_u64 / eq_bool / lt_bool / byte_len / set_u64 / copy", () => {
    const vals = [...EDGE];
    for (let i = 0; i < 500; i++) vals.push(randVal());
    for (const x of vals) {
      put(A, x);
      expect(helper(H.isZero, A)).toBe(x === 0n ? 1n : 0n);
      expect(helper(H.fitsU64, A)).toBe(x < 1n << 64n ? 1n : 0n);
      expect(helper(H.byteLen, A)).toBe(BigInt(Math.ceil(bitlen(x) / 8)));
      put(C, randVal());
      helper(H.copy, C, A);
      expect(get(C)).toBe(x);
      const y = randInt(3) === 0 ? x : randVal();
      put(B, y);
      expect(helper(H.eqBool, A, B)).toBe(x === y ? 1n : 0n);
      expect(helper(H.ltBool, A, B)).toBe(x < y ? 1n : 0n);
      expect(helper(H.ltBool, B, A)).toBe(y < x ? 1n : 0n);
    }
    put(A, M);
    helper(H.setU64, A, 0, 0xdeadbeefcafebaben);
    expect(get(A)).toBe(0xdeadbeefcafebaben);
    helper(H.setU64, A, 0, 0xffffffffffffffffn);
    expect(get(A)).toBe(0xffffffffffffffffn);
  });

  it("load_be / store_be", () => {
    for (let i = 0; i < 300; i++) {
      const x = randVal();
      const be = x.toString(16).padStart(64, "0");
      const off = D + randInt(16); // unaligned too
      for (let k = 0; k < 32; k++) u8[off + k] = parseInt(be.slice(2 * k, 2 * k + 2), 16);
      helper(H.loadBe, A, off);
      expect(get(A)).toBe(x);
      u8.fill(0xaa, D + 48, D + 160);
      const out = D + 64 + randInt(16);
      helper(H.storeBe, out, A);
      for (let k = 0; k < 32; k++) expect(u8[out + k]).toBe(parseInt(be.slice(2 * k, 2 * k + 2), 16));
      expect(u8[out - 1]).toBe(0xaa);
      expect(u8[out + 32]).toBe(0xaa);
      // in place
      put(B, x);
      helper(H.storeBe, B, B);
      helper(H.loadBe, B, B);
      expect(get(B)).toBe(x);
    }
  });

  it("load_be_n for n = 0..32 (fast path and low-address slow path)", () => {
    for (let n = 0; n <= 32; n++) {
      for (let rep = 0; rep < 20; rep++) {
        const bytes = Array.from({ length: n }, () => randInt(256));
        const want = bytes.reduce((acc, v) => (acc << 8n) | BigInt(v), 0n);
        // surround with junk so masking is tested
        const off = D + 40 + randInt(8);
        for (let k = -40; k < 40; k++) u8[off + k] = 0xff;
        for (let k = 0; k < n; k++) u8[off + k] = bytes[k];
        put(A, M);
        helper(H.loadBeN, A, off, BigInt(n));
        expect(get(A)).toBe(want);
        // slow path: source near address 0 (src + n < 32)
        if (n < 32) {
          const low = randInt(32 - n);
          const saved = u8.slice(0, 64);
          for (let k = 0; k < n; k++) u8[low + k] = bytes[k];
          put(A, M);
          helper(H.loadBeN, A, low, BigInt(n));
          const got = get(A);
          u8.set(saved, 0);
          expect(got).toBe(want);
        }
      }
    }
  });
});
