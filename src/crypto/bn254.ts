// bn254 / alt_bn128 curve operations behind the 0x06 ECADD, 0x07 ECMUL and 0x08 ECPAIRING
// precompiles, behind one switch like secp256k1 recovery: @noble/curves everywhere by default; the
// Node adapter installs herumi's mcl (WebAssembly build, `mcl-wasm`) when it loads
// (src/node/bn254.ts), several times faster. The choice never changes a result: every backend must
// accept and reject exactly the same inputs and compute the same outputs (tests/bn254-backend.test.ts).
import { bn254 } from '@noble/curves/bn254.js';
import { Backend } from './backend.js';

/**
 * One implementation of the three operations. The precompile (src/precompiles/bn254.ts) hands it
 * inputs already padded or truncated to their exact sizes, with every coordinate checked to be
 * below the field modulus p; the backend validates the points itself (G1: on the curve; G2: on
 * the twist and in the order-r subgroup; all-zero encodings are the point at infinity) and throws
 * on an invalid one. Points are big-endian words: G1 = x ‖ y, G2 = x_imag ‖ x_real ‖ y_imag ‖ y_real
 * (EIP-197). Inputs are never modified; outputs are fresh arrays.
 */
export interface Bn254Backend {
  /** Sum of two G1 points; `input` is 128 bytes (two points), the result 64 bytes. */
  add(input: Uint8Array): Uint8Array;
  /**
   * G1 point (64 bytes) times a 32-byte big-endian scalar of any size (reduced mod r, which is
   * exact since rP = O); `input` is 96 bytes, the result 64 bytes.
   */
  mul(input: Uint8Array): Uint8Array;
  /**
   * Whether the product of the pairings e(P_i, Q_i) is one; `input` is k·192 bytes (k ≥ 0) of
   * (G1, G2) pairs. Every point is validated, also when the other point of its pair is infinity.
   */
  pairingCheck(input: Uint8Array): boolean;
  /**
   * The pairing check in parts (optional), so that two threads can share one: the product of the
   * Miller loops of some of the pairs, then the final exponentiation of the parts' product.
   * millerLoops(a ‖ b) parts multiplied give what pairingCheck(a ‖ b) decides on.
   */
  pairingParts?: PairingParts;
}

export interface PairingParts {
  /** Names the parts' encoding: a thread with another backend cannot use them. */
  format: number;
  /** The product of the Miller loops of `input`'s pairs (validated as by pairingCheck), encoded. */
  millerLoops(input: Uint8Array): Uint8Array;
  /** Whether the final exponentiation of the product of `parts` is one. */
  isOne(parts: Uint8Array[]): boolean;
}

const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
const { Fp, Fp2, Fp12 } = bn254.fields;
type G1Point = InstanceType<typeof G1>;
type G2Point = InstanceType<typeof G2>;

/** Base field modulus p. */
export const BN254_P = Fp.ORDER;
/** Group order r (G1 has cofactor 1, so every valid G1 point has order dividing r). */
export const BN254_R = bn254.fields.Fr.ORDER;

function word(data: Uint8Array, offset: number): bigint {
  let v = 0n;
  for (let i = offset; i < offset + 32; i++) v = (v << 8n) | BigInt(data[i]!);
  return v;
}

function coordinate(data: Uint8Array, offset: number): bigint {
  const v = word(data, offset);
  if (v >= BN254_P) throw new Error('bn254: coordinate not below the field modulus');
  return v;
}

/** G1 point from 64 bytes (x, y); (0, 0) is the point at infinity. Validates it is on the curve. */
function readG1(data: Uint8Array, offset: number): G1Point {
  const x = coordinate(data, offset);
  const y = coordinate(data, offset + 32);
  if (x === 0n && y === 0n) return G1.ZERO;
  const p = G1.fromAffine({ x, y });
  p.assertValidity(); // on the curve (the subgroup is the whole curve)
  return p;
}

/** G2 point from 128 bytes; all zero is infinity. Validates it is on the twist and in the order-r subgroup. */
function readG2(data: Uint8Array, offset: number): G2Point {
  const xi = coordinate(data, offset);
  const xr = coordinate(data, offset + 32);
  const yi = coordinate(data, offset + 64);
  const yr = coordinate(data, offset + 96);
  if (xi === 0n && xr === 0n && yi === 0n && yr === 0n) return G2.ZERO;
  const p = G2.fromAffine({ x: Fp2.fromBigTuple([xr, xi]), y: Fp2.fromBigTuple([yr, yi]) });
  p.assertValidity(); // on the curve and torsion-free
  return p;
}

function writeG1(p: G1Point): Uint8Array {
  const out = new Uint8Array(64);
  if (p.is0()) return out;
  const { x, y } = p.toAffine();
  for (let i = 31, a = x, b = y; i >= 0; i--, a >>= 8n, b >>= 8n) {
    out[i] = Number(a & 0xffn);
    out[32 + i] = Number(b & 0xffn);
  }
  return out;
}

function readPairs(input: Uint8Array): { g1: G1Point; g2: G2Point }[] {
  const pairs: { g1: G1Point; g2: G2Point }[] = [];
  for (let off = 0; off + 192 <= input.length; off += 192) {
    const g1 = readG1(input, off);
    const g2 = readG2(input, off + 64);
    if (!g1.is0() && !g2.is0()) pairs.push({ g1, g2 }); // e(O, Q) = e(P, O) = 1
  }
  return pairs;
}

/** The @noble/curves implementation (audited, pure JavaScript, works everywhere). */
export const nobleBn254: Bn254Backend = {
  add: (input) => writeG1(readG1(input, 0).add(readG1(input, 64))),
  mul: (input) => writeG1(readG1(input, 0).multiplyUnsafe(word(input, 64) % BN254_R)),
  pairingCheck: (input) => {
    const pairs = readPairs(input);
    return pairs.length === 0 || Fp12.eql(bn254.pairingBatch(pairs), Fp12.ONE);
  },
  pairingParts: {
    format: 1,
    millerLoops: (input) => {
      const pairs = readPairs(input);
      return Fp12.toBytes(pairs.length === 0 ? Fp12.ONE : bn254.pairingBatch(pairs, false));
    },
    isOne: (parts) => {
      const product = parts.reduce((acc, p) => Fp12.mul(acc, Fp12.fromBytes(p)), Fp12.ONE);
      return Fp12.eql(Fp12.finalExponentiate(product), Fp12.ONE);
    },
  },
};

const backend = new Backend<Bn254Backend>(nobleBn254, '@noble/curves');

/** The backend in use in this thread. */
export function bn254Impl(): Bn254Backend {
  return backend.impl;
}

/** Installs another implementation (it must agree with noble on every input). */
export function setBn254Backend(impl: Bn254Backend, name: string): void {
  backend.set(impl, name);
}

/** Which implementation runs the bn254 precompiles in this thread. */
export function bn254Backend(): string {
  return backend.name;
}
