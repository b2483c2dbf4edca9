// 0x06 ECADD, 0x07 ECMUL, 0x08 ECPAIRING on alt_bn128 / bn254 (EIP-196, EIP-197),
// repriced by EIP-1108 (Istanbul). Curve arithmetic and pairing come from @noble/curves.
import { bn254 } from '@noble/curves/bn254.js';
import { Fork } from '../fork.js';
import { PrecompileFailure, bigIntToBytes, bytesToBigInt, padRight, type Precompile } from './types.js';

const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
const { Fp, Fp2, Fp12 } = bn254.fields;
type G1Point = InstanceType<typeof G1>;
type G2Point = InstanceType<typeof G2>;

/** Base field modulus p. */
const P = Fp.ORDER;
/** Group order r (G1 has cofactor 1, so every valid G1 point has order dividing r). */
const R = bn254.fields.Fr.ORDER;

function coordinate(data: Uint8Array, offset: number): bigint {
  const v = bytesToBigInt(data.subarray(offset, offset + 32));
  if (v >= P) throw new PrecompileFailure('bn254: coordinate not below the field modulus');
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

/**
 * G2 point from 128 bytes (x_imag, x_real, y_imag, y_real) per EIP-197; all zero is infinity.
 * Validates it is on the twist and in the order-r subgroup.
 */
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
  out.set(bigIntToBytes(x, 32), 0);
  out.set(bigIntToBytes(y, 32), 32);
  return out;
}

export function bn254Add(input: Uint8Array): Uint8Array {
  const data = padRight(input, 128);
  const a = readG1(data, 0);
  const b = readG1(data, 64);
  return writeG1(a.add(b));
}

export function bn254Mul(input: Uint8Array): Uint8Array {
  const data = padRight(input, 96);
  const p = readG1(data, 0);
  const k = bytesToBigInt(data.subarray(64, 96)) % R; // rP = O, so reducing the scalar is exact
  return writeG1(p.multiplyUnsafe(k));
}

export function bn254Pairing(input: Uint8Array): Uint8Array {
  if (input.length % 192 !== 0) throw new PrecompileFailure('bn254 pairing: length not a multiple of 192');
  const pairs: { g1: G1Point; g2: G2Point }[] = [];
  for (let off = 0; off < input.length; off += 192) {
    // Both points are validated even when the other one is infinity.
    const g1 = readG1(input, off);
    const g2 = readG2(input, off + 64);
    if (!g1.is0() && !g2.is0()) pairs.push({ g1, g2 }); // e(O, Q) = e(P, O) = 1
  }
  const ok = pairs.length === 0 || Fp12.eql(bn254.pairingBatch(pairs), Fp12.ONE);
  const out = new Uint8Array(32);
  out[31] = ok ? 1 : 0;
  return out;
}

export const BN254_ADD: Precompile = {
  address: 0x06,
  name: 'BN254_ADD',
  since: Fork.Byzantium,
  gas: (_input, fork) => (fork >= Fork.Istanbul ? 150n : 500n),
  run: (input) => bn254Add(input),
};

export const BN254_MUL: Precompile = {
  address: 0x07,
  name: 'BN254_MUL',
  since: Fork.Byzantium,
  gas: (_input, fork) => (fork >= Fork.Istanbul ? 6000n : 40000n),
  run: (input) => bn254Mul(input),
};

export const BN254_PAIRING: Precompile = {
  address: 0x08,
  name: 'BN254_PAIRING',
  since: Fork.Byzantium,
  gas: (input, fork) => {
    const k = BigInt(Math.floor(input.length / 192));
    return fork >= Fork.Istanbul ? 45000n + 34000n * k : 100000n + 80000n * k;
  },
  run: (input) => bn254Pairing(input),
};
