// Node adapter: herumi's mcl (the `mcl-wasm` package, curve BN_SNARK1 = Ethereum's alt_bn128) for
// the bn254 precompiles (0x06–0x08), several times faster than @noble/curves. mcl's
// initialisation is asynchronous (it instantiates its WebAssembly module), so this module does it
// with a top-level await: a static import of this file (src/node/load.ts, src/node/stm-worker.ts)
// finishes only once mcl is ready, and useMclBn254() then installs it synchronously. With
// BRAID_BN254=noble, or if mcl cannot be loaded, the precompiles stay on @noble/curves.
//
// The precompile checks lengths, padding and coordinates < p before calling this backend; mcl
// itself rejects points off the curve or the twist (setStr, isValid) and G2 points outside the
// order-r subgroup (isValidOrder), exactly the EIP-196/197 rules (tests/bn254-backend.test.ts compares it
// with noble).
import type * as Mcl from "mcl-wasm";
import { bn254Backend, setBn254Backend, type Bn254Backend } from "../crypto/bn254.js";

type McLib = typeof Mcl;

const disabled = () => process.env.BRAID_BN254 === "noble";

async function loadMcl(): Promise<McLib | undefined> {
  if (disabled()) return undefined;
  try {
    const mod = (await import("mcl-wasm")) as McLib & { default?: McLib };
    // The CommonJS exports object itself where there is one: an ES namespace over it copies the
    // exports at import time and misses `mod`, which init sets (millerLoopProduct uses it).
    const mcl = mod.default !== undefined && typeof mod.default.init === "function" ? mod.default : mod;
    await mcl.init(mcl.BN_SNARK1);
    // setStr then only checks that a point is on the curve; the backend checks the G2 subgroup
    // itself, once (mcl-wasm's default re-checks the order in setStr and again in isValid).
    mcl.verifyOrderG1(false);
    mcl.verifyOrderG2(false);
    return mcl;
  } catch {
    return undefined; // no WebAssembly or a broken install: keep @noble/curves
  }
}

const mcl = await loadMcl();

function isZero(data: Uint8Array, offset: number, len: number): boolean {
  for (let i = offset; i < offset + len; i++) if (data[i] !== 0) return false;
  return true;
}

/** Writes an Fp element as a 32-byte big-endian word (mcl serializes little-endian). */
function putFp(out: Uint8Array, offset: number, v: Mcl.Fp): void {
  const le = v.serialize();
  for (let i = 0; i < 32; i++) out[offset + i] = i < le.length ? le[le.length - 1 - i]! : 0;
}

/**
 * The mcl backend; `lib` must have been initialised with BN_SNARK1. Points go in and out as field
 * elements (setBigEndianMod, serialize), not as text: a hex string per coordinate, parsed and
 * printed by mcl, took most of an ECADD's time (34 us of which mcl's addition was 3).
 */
export function mclBn254(lib: McLib): Bn254Backend {
  const loops = millerLoopProduct(lib);
  const one = new lib.Fp();
  one.setInt(1);
  const one2 = new lib.Fp2();
  one2.setInt(1, 0);
  // Coordinates are below p (checked by the precompile), so "mod" never reduces them.
  const fp = (data: Uint8Array, offset: number): Mcl.Fp => {
    const v = new lib.Fp();
    v.setBigEndianMod(data.subarray(offset, offset + 32));
    return v;
  };
  const readG1 = (data: Uint8Array, offset: number): Mcl.G1 => {
    const p = new lib.G1(); // infinity (z = 0) for all-zero input
    if (!isZero(data, offset, 64)) {
      p.setX(fp(data, offset));
      p.setY(fp(data, offset + 32));
      p.setZ(one);
    }
    if (!p.isValid()) throw new Error("G1 point not on the curve");
    return p;
  };
  const fp2 = (data: Uint8Array, offset: number): Mcl.Fp2 => {
    // EIP-197 orders an Fp2 coordinate (imaginary, real); mcl's a is the real part.
    const v = new lib.Fp2();
    v.set_a(fp(data, offset + 32));
    v.set_b(fp(data, offset));
    return v;
  };
  const readG2 = (data: Uint8Array, offset: number): Mcl.G2 => {
    const q = new lib.G2();
    if (!isZero(data, offset, 128)) {
      q.setX(fp2(data, offset));
      q.setY(fp2(data, offset + 64));
      q.setZ(one2);
    }
    if (!q.isValid() || !q.isValidOrder()) throw new Error("G2 point not on the twist or not in the subgroup");
    return q;
  };
  const writeG1 = (p: Mcl.G1): Uint8Array => {
    const out = new Uint8Array(64);
    if (p.isZero()) return out;
    p.normalize(); // affine: z = 1
    putFp(out, 0, p.getX());
    putFp(out, 32, p.getY());
    return out;
  };
  /** The pairs' points, validated, without those pairs with a point at infinity (e(O, Q) = e(P, O) = 1). */
  const readPairs = (input: Uint8Array): [Mcl.G1[], Mcl.G2[]] => {
    const ps: Mcl.G1[] = [], qs: Mcl.G2[] = [];
    for (let off = 0; off + 192 <= input.length; off += 192) {
      const p = readG1(input, off);
      const q = readG2(input, off + 64);
      if (p.isZero() || q.isZero()) continue;
      ps.push(p);
      qs.push(q);
    }
    return [ps, qs];
  };
  const gtOne = new lib.GT();
  gtOne.setInt(1);
  return {
    add: (input) => writeG1(lib.add(readG1(input, 0), readG1(input, 64))),
    mul: (input) => {
      const p = readG1(input, 0);
      const k = new lib.Fr();
      k.setBigEndianMod(input.subarray(64, 96)); // any 256-bit scalar, reduced mod r
      return writeG1(lib.mul(p, k));
    },
    pairingCheck: (input) => {
      const [ps, qs] = readPairs(input);
      return ps.length === 0 || lib.finalExp(loops(ps, qs)).isOne();
    },
    pairingParts: {
      format: 2,
      millerLoops: (input) => {
        const [ps, qs] = readPairs(input);
        return (ps.length === 0 ? gtOne : loops(ps, qs)).serialize();
      },
      isOne: (parts) => {
        let product = gtOne;
        for (const part of parts) {
          const f = new lib.GT();
          f.deserialize(part);
          product = lib.mul(product, f);
        }
        return lib.finalExp(product).isOne();
      },
    },
  };
}

/**
 * mcl-wasm's module: its C API (mcl's bn.h) and heap. The JavaScript wrapper keeps each value's
 * limbs in `a_` and has no call for the product of several Miller loops.
 */
interface McLModule {
  _malloc(bytes: number): number;
  _free(at: number): void;
  HEAP32: Int32Array;
  _mclBn_millerLoopVec?: (out: number, g1s: number, g2s: number, n: number) => void;
}
type Limbs = { a_: Uint32Array };

/**
 * The product of the Miller loops of (ps[i], qs[i]) (n ≥ 1), as a function of `lib`.
 * mclBn_millerLoopVec runs them as one loop, squaring the accumulator once per step for all
 * pairs: a four-pair check (a Groth16 proof) takes three quarters of the time of four loops and
 * their product. Where the module lacks the call or the values are not stored as this expects
 * (another mcl-wasm version), the loops run one by one.
 */
function millerLoopProduct(lib: McLib): (ps: Mcl.G1[], qs: Mcl.G2[]) => Mcl.GT {
  const oneByOne = (ps: Mcl.G1[], qs: Mcl.G2[]) => {
    let f = lib.millerLoop(ps[0]!, qs[0]!);
    for (let i = 1; i < ps.length; i++) f = lib.mul(f, lib.millerLoop(ps[i]!, qs[i]!));
    return f;
  };
  const mod = (lib as unknown as { mod?: McLModule }).mod;
  const limbs = (v: unknown) => (v as Limbs).a_;
  const vec = mod?._mclBn_millerLoopVec;
  const [g1, g2, gt] = [new lib.G1(), new lib.G2(), new lib.GT()].map(limbs);
  if (mod === undefined || typeof vec !== "function" || ![g1, g2, gt].every((a) => a instanceof Uint32Array)) return oneByOne;
  const g1Bytes = g1!.length * 4, g2Bytes = g2!.length * 4;
  return (ps, qs) => {
    if (ps.length === 1) return oneByOne(ps, qs);
    const out = new lib.GT();
    const outLimbs = limbs(out);
    const g1s = mod._malloc(g1Bytes * ps.length), g2s = mod._malloc(g2Bytes * qs.length), at = mod._malloc(outLimbs.length * 4);
    try {
      const heap = mod.HEAP32; // after the allocations, which may grow (and replace) the heap
      ps.forEach((p, i) => heap.set(limbs(p), (g1s + i * g1Bytes) >> 2));
      qs.forEach((q, i) => heap.set(limbs(q), (g2s + i * g2Bytes) >> 2));
      vec.call(mod, at, g1s, g2s, ps.length);
      outLimbs.set(mod.HEAP32.subarray(at >> 2, (at >> 2) + outLimbs.length));
    } finally {
      mod._free(g1s);
      mod._free(g2s);
      mod._free(at);
    }
    return out;
  };
}

let tried = false;

/** Installs the mcl backend once per thread; returns the backend in use. */
export function useMclBn254(): string {
  if (tried) return bn254Backend();
  tried = true;
  if (disabled() || mcl === undefined) return bn254Backend();
  setBn254Backend(mclBn254(mcl), "mcl (mcl-wasm)");
  return bn254Backend();
}

/** The initialised mcl library (undefined when disabled or unavailable); for tests and benchmarks. */
export function mclLibrary(): McLib | undefined {
  return mcl;
}
