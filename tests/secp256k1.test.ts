// The native libsecp256k1 backend (Node adapter) must agree with @noble/curves on every input:
// valid signatures, high s, r that is not the x of a curve point, and boundary values.
import { describe, expect, it } from "vitest";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { nobleRecover, recoverPublicKey, secp256k1Backend, type RecoverPublicKey } from "../src/crypto/secp256k1.js";
import { useNativeSecp256k1 } from "../src/node/secp256k1.js";
import { ecrecover } from "../src/precompiles/ecrecover.js";
import { ECRECOVER_VECTOR, warmHostPaths } from "../src/worker/warm.js";

const N = secp256k1.Point.CURVE().n;
const be32 = (v: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((v >> BigInt(8 * (31 - i))) & 0xffn));
const outcome = (f: RecoverPublicKey, h: Uint8Array, rs: Uint8Array, rec: number) => {
  try { return Buffer.from(f(h, rs, rec)).toString("hex"); } catch { return "no key"; }
};

describe("secp256k1 recovery backends", () => {
  const backend = useNativeSecp256k1();

  it("uses libsecp256k1 in Node", () => {
    expect(backend).toBe(secp256k1Backend());
    expect(backend).toMatch(/libsecp256k1/);
  });

  it("agrees with @noble/curves on signed messages, high s and random or boundary r, s", () => {
    let keys = 0, none = 0;
    for (let i = 0; i < 300; i++) {
      const hash = keccak_256(Uint8Array.of(i, i >> 8, 7));
      const rs = new Uint8Array(64);
      let rec = i & 1;
      if (i < 100) {
        const sig = secp256k1.sign(hash, secp256k1.utils.randomSecretKey(), { prehash: false, format: "recovered" });
        rs.set(sig.subarray(1, 65));
        rec = sig[0]!;
        if (i % 4 === 0) { // the same signature with s' = n - s and the other recovery id
          const s = BigInt("0x" + Buffer.from(rs.subarray(32)).toString("hex"));
          rs.set(be32(N - s), 32);
          rec ^= 1;
        }
      } else if (i < 200) {
        rs.set(crypto.getRandomValues(new Uint8Array(64)));
        rs.set(be32(BigInt("0x" + Buffer.from(rs.subarray(0, 32)).toString("hex")) % N || 1n), 0);
        rs.set(be32(BigInt("0x" + Buffer.from(rs.subarray(32)).toString("hex")) % N || 1n), 32);
      } else {
        const edges = [1n, 2n, N - 1n, N - 2n, 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n];
        rs.set(be32(edges[i % 5]!), 0);
        rs.set(be32(edges[Math.floor(i / 5) % 5]!), 32);
      }
      const a = outcome(nobleRecover, hash, rs, rec), b = outcome(recoverPublicKey, hash, rs, rec);
      expect(b, `input ${i}`).toBe(a);
      if (a === "no key") none++; else keys++;
    }
    expect(keys).toBeGreaterThan(150);
    expect(none).toBeGreaterThan(10); // random r is the x of a curve point only about half the time
  });

  it("the ECRECOVER precompile returns the signer with the native backend", () => {
    const priv = secp256k1.utils.randomSecretKey();
    const addr = keccak_256(secp256k1.getPublicKey(priv, false).subarray(1)).subarray(12);
    const hash = keccak_256(Uint8Array.of(1, 2, 3));
    const sig = secp256k1.sign(hash, priv, { prehash: false, format: "recovered" });
    const input = new Uint8Array(128);
    input.set(hash, 0);
    input[63] = 27 + sig[0]!;
    input.set(sig.subarray(1, 65), 64);
    expect(Buffer.from(ecrecover(input).subarray(12))).toEqual(Buffer.from(addr));
    input[63] = 29;
    expect(ecrecover(input).length).toBe(0);
  });

  it("a worker's warm-up recovers a real signer (the path a block's ECRECOVER calls take)", () => {
    expect(Buffer.from(ecrecover(ECRECOVER_VECTOR).subarray(12)).toString("hex")).toBe("7156526fbd7a3c72969b54f64e42c10fbb768c8a");
    expect(warmHostPaths(8, 1000)).toBe(8);
    expect(warmHostPaths(8, 0)).toBe(0);
  });
});
