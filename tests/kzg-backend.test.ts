// The native KZG verifier (rust-eth-kzg, Node adapter) of the point-evaluation precompile 0x0a
// must agree with micro-eth-signer on every input: real proofs (random blobs, the zero blob,
// points z inside and outside the evaluation domain) and corrupted ones (wrong y or z, flipped
// bits, swapped or substituted points, infinity, bad flag bits, x >= p, points on the curve but
// outside the order-r subgroup, non-canonical field elements).
import { afterAll, describe, expect, it, vi } from "vitest";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes } from "@noble/hashes/utils.js";
import { Fork } from "../src/fork.js";
import { kzgBackend, kzgImpl, nobleVerifyKzgProof, setKzgVerifier, verifyKzgProof, type VerifyKzgProof } from "../src/crypto/kzg.js";
import { kzgToVersionedHash } from "../src/precompiles/kzg.js";
import { runPrecompile } from "../src/precompiles/index.js";
import { useNativeKzg, warmNativeKzg } from "../src/node/kzg.js";

const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
const FP = bls12_381.fields.Fp.ORDER;
const G1 = bls12_381.G1.Point;

const be = (v: bigint, len: number) => {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
};
const word = (v: bigint) => be(v, 32);
const big = (b: Uint8Array) => BigInt("0x" + bytesToHex(b));

let counter = 0;
const rand = (): bigint => big(sha256(Uint8Array.of(counter >> 8, counter++ & 0xff, 0x4b)));
const fr = () => rand() % BLS_MODULUS;

/** A blob of 4096 canonical field elements. */
const blobOf = (f: (i: number) => bigint) => {
  const blob = new Uint8Array(4096 * 32);
  for (let i = 0; i < 4096; i++) blob.set(word(f(i)), 32 * i);
  return blob;
};

const INF = concatBytes(Uint8Array.of(0xc0), new Uint8Array(47));

/** Compressed encodings of points on E(Fp) that are not in the order-r subgroup. */
function outsideSubgroup(count: number): Uint8Array[] {
  const Fp = bls12_381.fields.Fp;
  const out: Uint8Array[] = [];
  for (let x = 1n; out.length < count; x++) {
    const rhs = Fp.add(Fp.mul(Fp.sqr(x), x), 4n);
    let y: bigint;
    try {
      y = Fp.sqrt(rhs);
    } catch {
      continue;
    }
    if (Fp.sqr(y) !== rhs) continue;
    const p = new G1(x, y, 1n);
    if (p.isTorsionFree()) continue;
    const enc = be(x, 48);
    enc[0]! |= 0x80 | (y > (FP - 1n) / 2n ? 0x20 : 0);
    out.push(enc);
  }
  return out;
}

describe("KZG verification backends", () => {
  const installed = useNativeKzg();
  const fast: VerifyKzgProof = kzgImpl();
  const fastName = kzgBackend();
  afterAll(() => setKzgVerifier(fast, fastName));
  const ctx = warmNativeKzg();

  it("uses rust-eth-kzg in Node", () => {
    expect(installed).toBe(kzgBackend());
    expect(installed).toMatch(/rust-eth-kzg/);
    expect(ctx).toBeDefined();
  });

  // Real openings, made with the native prover.
  const blobs = [blobOf(() => fr()), blobOf(() => fr()), blobOf(() => 0n), blobOf((i) => BigInt(i) * 0x1234567n + 1n)];
  const omega = (() => {
    // a primitive 4096th root of unity of the scalar field (7 generates its multiplicative group)
    let r = 1n, b = 7n, e = (BLS_MODULUS - 1n) / 4096n;
    for (; e > 0n; e >>= 1n, b = (b * b) % BLS_MODULUS) if (e & 1n) r = (r * b) % BLS_MODULUS;
    return r;
  })();
  type Opening = { commitment: Uint8Array; z: Uint8Array; y: Uint8Array; proof: Uint8Array };
  const openings: Opening[] = [];
  for (const [b, blob] of blobs.entries()) {
    const commitment = ctx!.blobToKzgCommitment(blob);
    const zs = [fr(), 0n, 1n, (omega * omega) % BLS_MODULUS, BLS_MODULUS - 1n].slice(0, b === 0 ? 5 : 2);
    for (const zv of zs) {
      const z = word(zv);
      const [proof, y] = ctx!.computeKzgProof(blob, z);
      openings.push({ commitment, z, y: y!, proof: proof! });
    }
  }

  const direct = (o: Opening, label: string) => {
    const want = nobleVerifyKzgProof(o.commitment, o.z, o.y, o.proof);
    expect(verifyKzgProof(o.commitment, o.z, o.y, o.proof), label).toBe(want);
    return want;
  };
  const input = (o: Opening, hashOf = o.commitment) => concatBytes(kzgToVersionedHash(hashOf), o.z, o.y, o.commitment, o.proof);
  /** The whole precompile, once per verifier. */
  const viaPrecompile = (bytes: Uint8Array, label: string) => {
    const run = () => {
      const r = runPrecompile(0x0a, bytes, 1_000_000n, Fork.Cancun);
      return r.success ? bytesToHex(r.output) : "fail";
    };
    setKzgVerifier(nobleVerifyKzgProof, "micro-eth-signer");
    let want: string;
    try {
      want = run();
    } finally {
      setKzgVerifier(fast, fastName);
    }
    expect(run(), label).toBe(want);
    return want;
  };

  it("accepts the same real proofs (random, zero and small blobs; z in and outside the domain)", () => {
    for (const [i, o] of openings.entries()) {
      expect(direct(o, `opening ${i}`), `opening ${i}`).toBe(true);
      expect(viaPrecompile(input(o), `opening ${i}`)).not.toBe("fail");
    }
    const trivial = { commitment: INF, z: word(fr()), y: word(0n), proof: INF };
    expect(direct(trivial, "zero polynomial")).toBe(true);
    expect(viaPrecompile(input(trivial), "zero polynomial")).not.toBe("fail");
  });

  it("rejects the same corrupted proofs", () => {
    const validPoints = [G1.BASE, G1.BASE.multiply(fr() || 1n), G1.BASE.multiply(fr() || 1n)].map((p) => p.toBytes(true));
    const outside = outsideSubgroup(3);
    let rejected = 0;
    for (const [i, o] of openings.slice(0, 6).entries()) {
      const variants: Array<[string, Opening]> = [
        ["y + 1", { ...o, y: word((big(o.y) + 1n) % BLS_MODULUS) }],
        ["z + 1", { ...o, z: word((big(o.z) + 1n) % BLS_MODULUS) }],
        ["proof = infinity", { ...o, proof: INF }],
        ["commitment = infinity", { ...o, commitment: INF }],
        ["proof and commitment swapped", { ...o, commitment: o.proof, proof: o.commitment }],
        ["another valid proof point", { ...o, proof: validPoints[i % 3]! }],
        ["another valid commitment point", { ...o, commitment: validPoints[(i + 1) % 3]! }],
        ["proof outside the subgroup", { ...o, proof: outside[i % 3]! }],
        ["commitment outside the subgroup", { ...o, commitment: outside[(i + 1) % 3]! }],
      ];
      for (const byte of [0, 1, 24, 47]) {
        for (const bit of [0, 5, 7]) {
          const proof = o.proof.slice();
          proof[byte]! ^= 1 << bit;
          variants.push([`proof byte ${byte} bit ${bit}`, { ...o, proof }]);
          const commitment = o.commitment.slice();
          commitment[byte]! ^= 1 << bit;
          variants.push([`commitment byte ${byte} bit ${bit}`, { ...o, commitment }]);
        }
      }
      const flags = (f: number, p = o.proof) => concatBytes(Uint8Array.of((p[0]! & 0x1f) | f), p.subarray(1));
      variants.push(
        ["proof uncompressed flag", { ...o, proof: flags(0x00) }],
        ["proof sign flipped", { ...o, proof: flags((o.proof[0]! & 0xe0) ^ 0x20) }],
        ["proof infinity flag with payload", { ...o, proof: flags(0xc0) }],
        ["infinity with the sign bit", { ...o, proof: concatBytes(Uint8Array.of(0xe0), new Uint8Array(47)) }],
        ["infinity without the compression bit", { ...o, proof: concatBytes(Uint8Array.of(0x40), new Uint8Array(47)) }],
        ["proof x = p", { ...o, proof: flags(0x80, be(FP, 48)) }],
        ["proof x >= p", { ...o, proof: flags(0xa0, be(FP + big(o.proof.subarray(1)) % 1000n, 48)) }],
        ["all-ones proof", { ...o, proof: new Uint8Array(48).fill(0xff) }],
        ["all-zero proof", { ...o, proof: new Uint8Array(48) }],
      );
      for (const [label, v] of variants) {
        const ok = direct(v, `opening ${i}: ${label}`);
        if (!ok) rejected++;
        if (label.startsWith("proof") || label.includes("commitment")) viaPrecompile(input(v), `opening ${i}: ${label} (precompile)`);
      }
    }
    expect(rejected).toBeGreaterThan(200);
  });

  it("the precompile's own checks (hash, lengths, z and y canonical) apply to both", () => {
    const o = openings[0]!;
    const good = input(o);
    expect(viaPrecompile(good, "good")).not.toBe("fail");
    expect(viaPrecompile(good.subarray(0, 191), "191 bytes")).toBe("fail");
    expect(viaPrecompile(concatBytes(good, new Uint8Array(1)), "193 bytes")).toBe("fail");
    const wrongHash = input(o, openings.find((p) => bytesToHex(p.commitment) !== bytesToHex(o.commitment))!.commitment);
    expect(viaPrecompile(wrongHash, "versioned hash of another commitment")).toBe("fail");
    for (const zv of [big(o.z) + BLS_MODULUS, BLS_MODULUS, (1n << 256n) - 1n]) {
      if (zv >= 1n << 256n) continue;
      expect(viaPrecompile(input({ ...o, z: word(zv) }), `z = ${zv}`)).toBe("fail");
      expect(viaPrecompile(input({ ...o, y: word(zv) }), `y = ${zv}`)).toBe("fail");
      // and the verifiers themselves reject non-canonical scalars
      expect(verifyKzgProof(o.commitment, word(zv), o.y, o.proof)).toBe(false);
      expect(verifyKzgProof(o.commitment, o.z, word(zv), o.proof)).toBe(false);
    }
  });

  it("BRAID_KZG=noble keeps micro-eth-signer", async () => {
    vi.resetModules();
    vi.stubEnv("BRAID_KZG", "noble");
    try {
      const node = await import("../src/node/kzg.js");
      const crypto = await import("../src/crypto/kzg.js");
      expect(node.useNativeKzg()).toBe("micro-eth-signer");
      expect(crypto.kzgBackend()).toBe("micro-eth-signer");
      expect(node.warmNativeKzg()).toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
