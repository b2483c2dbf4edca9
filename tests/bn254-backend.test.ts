// The mcl backend (Node adapter) of the bn254 precompiles 0x06 ECADD, 0x07 ECMUL, 0x08 ECPAIRING
// must agree with @noble/curves on every input: valid points and random multiples, infinity,
// coordinates >= p, points off the curve or the twist, G2 points outside the order-r subgroup,
// truncated and over-long inputs, pairings that hold and that do not. Each input runs through the
// whole precompile (runPrecompile: padding, length and coordinate rules, gas) once per backend.
import { afterAll, describe, expect, it, vi } from "vitest";
import { bn254 } from "@noble/curves/bn254.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes } from "@noble/hashes/utils.js";
import { Fork } from "../src/fork.js";
import { bn254Backend, bn254Impl, nobleBn254, setBn254Backend, type Bn254Backend } from "../src/crypto/bn254.js";
import { runPrecompile } from "../src/precompiles/index.js";
import { useMclBn254 } from "../src/node/bn254.js";

const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
const { Fp2 } = bn254.fields;
const P = bn254.fields.Fp.ORDER;
const R = bn254.fields.Fr.ORDER;
type G1P = InstanceType<typeof G1>;
type G2P = InstanceType<typeof G2>;

const word = (v: bigint) => {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
};
const g1 = (p: G1P) => {
  if (p.is0()) return new Uint8Array(64);
  const { x, y } = p.toAffine();
  return concatBytes(word(x), word(y));
};
const g2 = (p: G2P) => {
  if (p.is0()) return new Uint8Array(128);
  const { x, y } = p.toAffine();
  return concatBytes(word(x.c1), word(x.c0), word(y.c1), word(y.c0));
};

/** Deterministic pseudo-random 256-bit values. */
let counter = 0;
const rand = (): bigint => BigInt("0x" + bytesToHex(sha256(Uint8Array.of(counter >> 8, counter++ & 0xff, 0x5b))));
const randBytes = (n: number) => {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 32) out.set(word(rand()).subarray(0, Math.min(32, n - o)), o);
  return out;
};

/** Points on the twist E'(Fp2) but (almost surely, and checked) outside the order-r subgroup. */
function twistPointsOutsideG2(count: number): Uint8Array[] {
  const b2 = G2.CURVE().b;
  const out: Uint8Array[] = [];
  for (let k = 1n; out.length < count; k++) {
    const x = Fp2.fromBigTuple([k * 7n + 3n, k]);
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b2);
    let y;
    try {
      y = Fp2.sqrt(rhs);
    } catch {
      continue; // not a square
    }
    if (!Fp2.eql(Fp2.sqr(y), rhs)) continue;
    const pt = new G2(x, y, Fp2.ONE);
    expect(pt.multiplyUnsafe(R - 1n).add(pt).is0()).toBe(false);
    out.push(concatBytes(word(x.c1), word(x.c0), word(y.c1), word(y.c0)));
  }
  return out;
}

describe("bn254 backends", () => {
  const installed = useMclBn254();
  const fast: Bn254Backend = bn254Impl();
  const fastName = bn254Backend();
  afterAll(() => setBn254Backend(fast, fastName));

  const outcome = (address: number, input: Uint8Array) => {
    const r = runPrecompile(address, input, 100_000_000n, Fork.Cancun);
    return r.success ? bytesToHex(r.output) : "fail";
  };
  const tally = new Map<string, number>();
  /** Runs the input on noble and on the installed backend; they must agree. Returns the outcome. */
  const agree = (address: number, input: Uint8Array, label: string): string => {
    setBn254Backend(nobleBn254, "@noble/curves");
    let want: string;
    try {
      want = outcome(address, input);
    } finally {
      setBn254Backend(fast, fastName);
    }
    const got = outcome(address, input);
    expect(got, `${label} (0x0${address}, ${input.length} bytes)`).toBe(want);
    const kind = `${address}:${want === "fail" ? "fail" : /^0*$/.test(want) ? "zero" : want === "0".repeat(63) + "1" ? "one" : "value"}`;
    tally.set(kind, (tally.get(kind) ?? 0) + 1);
    return want;
  };

  it("uses mcl in Node", () => {
    expect(installed).toBe(bn254Backend());
    expect(installed).toMatch(/mcl/);
    expect(fast).not.toBe(nobleBn254);
  });

  // A few valid points: generator, random multiples, a multiple of r - 1 (= -G).
  const pts = [G1.BASE, G1.BASE.negate(), G1.BASE.double(), ...Array.from({ length: 10 }, () => G1.BASE.multiply(rand() % (R - 1n) + 1n))];
  const validG1 = pts.map(g1);
  const offCurve = [
    concatBytes(word(1n), word(3n)),
    concatBytes(word(0n), word(1n)),
    concatBytes(word(1n), word(0n)),
    concatBytes(word(0n), word(2n)),
    ...Array.from({ length: 6 }, () => concatBytes(word(rand() % P), word(rand() % P))),
    ...validG1.slice(3, 7).map((p) => { const q = p.slice(); q[63] ^= 1; return q; }),
  ];
  const tooBig = [
    concatBytes(word(P), word(2n)),
    concatBytes(word(1n + P), word(2n)), // (1, 2) shifted by p: the generator mod p
    concatBytes(word(1n), word(2n + P)),
    concatBytes(word((1n << 256n) - 1n), word(2n)),
    concatBytes(word(P), word(0n)),
    concatBytes(word(0n), word(P)),
    ...validG1.slice(3, 6).map((p) => concatBytes(word(BigInt("0x" + bytesToHex(p.subarray(0, 32))) + P), p.subarray(32))),
  ];
  const INF = new Uint8Array(64);

  it("ECADD agrees on valid, infinite, doubled, opposite, invalid and odd-length inputs", () => {
    const all = [...validG1, INF];
    for (let i = 0; i < all.length; i++) {
      for (let j = i; j < all.length; j += 3) agree(6, concatBytes(all[i]!, all[j]!), `add ${i}+${j}`);
      agree(6, concatBytes(all[i]!, all[i]!), `double ${i}`);
    }
    for (const p of pts) agree(6, concatBytes(g1(p), g1(p.negate())), "P + (-P)");
    for (const bad of [...offCurve, ...tooBig]) {
      agree(6, concatBytes(bad, validG1[0]!), "bad first");
      agree(6, concatBytes(validG1[1]!, bad), "bad second");
      agree(6, concatBytes(bad, INF), "bad + O");
    }
    const full = concatBytes(validG1[3]!, validG1[4]!);
    for (const n of [0, 1, 31, 32, 63, 64, 65, 96, 127, 128]) agree(6, full.subarray(0, n), `truncated to ${n}`);
    for (const extra of [1, 32, 64, 200]) agree(6, concatBytes(full, randBytes(extra)), `${extra} bytes past the end`);
    agree(6, concatBytes(validG1[3]!, validG1[4]!.subarray(0, 40)), "second point cut mid-word");
    expect(tally.get("6:value")).toBeGreaterThan(40);
    expect(tally.get("6:fail")).toBeGreaterThan(50);
    expect(tally.get("6:zero")).toBeGreaterThan(10);
  });

  it("ECMUL agrees on boundary and random scalars, infinity, invalid points and odd lengths", () => {
    const scalars = [0n, 1n, 2n, 3n, R - 2n, R - 1n, R, R + 1n, R + 2n, 2n * R, (1n << 256n) - 1n, (1n << 255n), (1n << 128n) - 1n, P, P - 1n];
    for (let i = 0; i < 12; i++) scalars.push(rand(), rand() >> BigInt(8 * (i + 1)));
    for (const [i, k] of scalars.entries()) {
      agree(7, concatBytes(validG1[i % validG1.length]!, word(k)), `${i}: k = ${k}`);
      if (i % 3 === 0) agree(7, concatBytes(INF, word(k)), `O * ${k}`);
    }
    for (const bad of [...offCurve, ...tooBig]) {
      agree(7, concatBytes(bad, word(2n)), "bad point * 2");
      agree(7, concatBytes(bad, word(0n)), "bad point * 0");
    }
    const full = concatBytes(validG1[5]!, word(rand()));
    for (const n of [0, 1, 32, 63, 64, 65, 80, 95, 96]) agree(7, full.subarray(0, n), `truncated to ${n}`);
    for (const extra of [1, 31, 96]) agree(7, concatBytes(full, randBytes(extra)), `${extra} bytes past the end`);
    expect(tally.get("7:value")).toBeGreaterThan(25);
    expect(tally.get("7:fail")).toBeGreaterThan(30);
    expect(tally.get("7:zero")).toBeGreaterThan(10);
  });

  it("ECPAIRING agrees on identities that hold, products that do not, infinity and every invalid input class", () => {
    const Q = G2.BASE;
    const qs = [Q, Q.double(), ...Array.from({ length: 4 }, () => Q.multiply(rand() % (R - 1n) + 1n))];
    const Qenc = g2(Q);
    agree(8, new Uint8Array(0), "empty");
    // e(aP, bQ) · e(-abP, Q) = 1, with and without infinite pairs around it
    for (let i = 0; i < 4; i++) {
      const a = rand() % R, b = rand() % R;
      const holds = concatBytes(g1(G1.BASE.multiply(a)), g2(Q.multiply(b)), g1(G1.BASE.multiply((a * b) % R).negate()), Qenc);
      expect(agree(8, holds, `identity ${i}`)).toBe("0".repeat(63) + "1");
      agree(8, concatBytes(holds, INF, g2(qs[i]!)), `identity ${i} + (O, Q)`);
      agree(8, concatBytes(validG1[i]!, new Uint8Array(128), holds), `(P, O) + identity ${i}`);
      const broken = holds.slice();
      broken.set(g1(G1.BASE.multiply((a * b + 1n) % R).negate()), 192);
      expect(agree(8, broken, `broken identity ${i}`)).toBe("0".repeat(64));
    }
    // products of 1..5 random pairs (almost surely not one), and of pairs that cancel two by two
    for (let n = 1; n <= 5; n++) {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < n; i++) parts.push(validG1[(i * 3 + n) % validG1.length]!, g2(qs[(i + n) % qs.length]!));
      agree(8, concatBytes(...parts), `${n} random pairs`);
      const cancel: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        const p = pts[(i + n) % pts.length]!, q = qs[i % qs.length]!;
        cancel.push(g1(p), g2(q), g1(p.negate()), g2(q));
      }
      expect(agree(8, concatBytes(...cancel), `${n} cancelling pairs`)).toBe("0".repeat(63) + "1");
    }
    agree(8, concatBytes(INF, new Uint8Array(128)), "(O, O)");
    agree(8, concatBytes(INF, Qenc, validG1[2]!, new Uint8Array(128)), "(O, Q)(P, O)");
    // invalid G1 (with a valid G2, and with G2 = O)
    for (const bad of [...offCurve, ...tooBig]) {
      agree(8, concatBytes(bad, Qenc), "bad G1");
      agree(8, concatBytes(validG1[0]!, Qenc, bad, new Uint8Array(128)), "bad G1 with O");
    }
    // G2: each coordinate >= p, off the twist, swapped halves, outside the subgroup
    for (let c = 0; c < 4; c++) {
      const v = BigInt("0x" + bytesToHex(Qenc.subarray(32 * c, 32 * c + 32)));
      for (const w of [v + P, P, (1n << 256n) - 1n]) {
        const q = Qenc.slice();
        q.set(word(w), 32 * c);
        expect(agree(8, concatBytes(validG1[0]!, q), `G2 word ${c} = ${w}`)).toBe("fail");
      }
    }
    for (const q of qs.map(g2)) {
      for (const flip of [31, 63, 95, 127]) {
        const bad = q.slice();
        bad[flip] ^= 1;
        agree(8, concatBytes(validG1[1]!, bad), `G2 off the twist (byte ${flip})`);
      }
      const swapped = concatBytes(q.subarray(32, 64), q.subarray(0, 32), q.subarray(96, 128), q.subarray(64, 96));
      agree(8, concatBytes(validG1[1]!, swapped), "G2 with real and imaginary parts swapped");
    }
    for (const outside of twistPointsOutsideG2(6)) {
      expect(agree(8, concatBytes(validG1[2]!, outside), "G2 outside the subgroup")).toBe("fail");
      expect(agree(8, concatBytes(INF, outside), "G2 outside the subgroup, with O")).toBe("fail");
      agree(8, concatBytes(validG1[2]!, Qenc, validG1[3]!, outside), "second pair outside the subgroup");
    }
    // lengths that are not a multiple of 192
    const two = concatBytes(validG1[0]!, Qenc, validG1[1]!, Qenc);
    for (const n of [1, 32, 191, 193, 383]) agree(8, two.subarray(0, n), `${n} bytes`);
    agree(8, concatBytes(two, new Uint8Array(1)), "385 bytes");
    expect(tally.get("8:one")).toBeGreaterThan(10);
    expect(tally.get("8:zero")).toBeGreaterThan(8);
    expect(tally.get("8:fail")).toBeGreaterThan(60);
  });

  it("ECPAIRING in parts (two threads sharing one check) decides as the whole check, at every cut, on both backends", () => {
    const Q = G2.BASE;
    const a = rand() % R, b = rand() % R;
    const holds = concatBytes(g1(G1.BASE.multiply(a)), g2(Q.multiply(b)), g1(G1.BASE.multiply((a * b) % R).negate()), g2(Q));
    const inputs = [
      concatBytes(holds, holds),
      concatBytes(holds, validG1[1]!, g2(Q.double())),
      concatBytes(INF, g2(Q), holds, validG1[2]!, new Uint8Array(128)),
      concatBytes(validG1[4]!, g2(Q), validG1[5]!, g2(Q.double())),
    ];
    const outside = twistPointsOutsideG2(1)[0]!;
    expect(fast.pairingParts!.format).not.toBe(nobleBn254.pairingParts!.format);
    for (const backend of [nobleBn254, fast]) {
      const parts = backend.pairingParts!;
      const decided: boolean[] = [];
      for (const input of inputs) {
        const want = backend.pairingCheck(input);
        decided.push(want);
        for (let cut = 0; cut <= input.length / 192; cut++) {
          const split = [parts.millerLoops(input.subarray(0, 192 * cut)), parts.millerLoops(input.subarray(192 * cut))];
          expect(parts.isOne(split), `cut at pair ${cut}`).toBe(want);
        }
      }
      expect(decided).toEqual([true, false, true, false]);
      expect(() => parts.millerLoops(concatBytes(validG1[2]!, outside))).toThrow();
      expect(() => parts.millerLoops(concatBytes(offCurve[0]!, g2(Q)))).toThrow();
    }
  });

  it("BRAID_BN254=noble keeps @noble/curves", async () => {
    vi.resetModules();
    vi.stubEnv("BRAID_BN254", "noble");
    try {
      const node = await import("../src/node/bn254.js");
      const crypto = await import("../src/crypto/bn254.js");
      expect(node.useMclBn254()).toBe("@noble/curves");
      expect(crypto.bn254Backend()).toBe("@noble/curves");
      expect(node.mclLibrary()).toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
