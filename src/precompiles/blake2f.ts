// 0x09 BLAKE2F (EIP-152): the BLAKE2b compression function F with a caller-chosen round count.
//
// Input, exactly 213 bytes: rounds (u32 big-endian) ‖ h (8 × u64 LE) ‖ m (16 × u64 LE) ‖
// t0, t1 (u64 LE) ‖ f (1 byte, 0 or 1). Output: the new h, 8 × u64 little-endian.
// 64-bit words are held as (lo, hi) pairs of 32-bit halves in an Int32Array, word i at
// [2i] (low) and [2i + 1] (high).
import { Fork } from '../fork.js';
import { PrecompileFailure, type Precompile } from './types.js';

const IV = new Int32Array([
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a,
  0xade682d1, 0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
]);

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
].map((row) => Uint8Array.from(row));

/**
 * The BLAKE2b mixing function G on words a, b, c, d of `v` with message words x, y of `m`
 * (word indices; word i is v[2i] low, v[2i + 1] high, as int32). Values are kept as int32
 * (`| 0`) so V8 keeps them unboxed; low-half sums are formed unsigned (exact in a double) to
 * derive the carry into the high half.
 */
function G(v: Int32Array, a: number, b: number, c: number, d: number, m: Int32Array, x: number, y: number): void {
  let al = v[2 * a], ah = v[2 * a + 1];
  let bl = v[2 * b], bh = v[2 * b + 1];
  let cl = v[2 * c], ch = v[2 * c + 1];
  let dl = v[2 * d], dh = v[2 * d + 1];
  let t: number, u: number;
  // a = a + b + m[x]
  t = (al >>> 0) + (bl >>> 0) + (m[2 * x] >>> 0);
  ah = (ah + bh + m[2 * x + 1] + ((t / 0x100000000) | 0)) | 0;
  al = t | 0;
  // d = rotr64(d ^ a, 32): xor, then swap the halves
  t = dl ^ al;
  dl = dh ^ ah;
  dh = t;
  // c = c + d
  t = (cl >>> 0) + (dl >>> 0);
  ch = (ch + dh + ((t / 0x100000000) | 0)) | 0;
  cl = t | 0;
  // b = rotr64(b ^ c, 24)
  t = bl ^ cl;
  u = bh ^ ch;
  bl = (t >>> 24) | (u << 8);
  bh = (u >>> 24) | (t << 8);
  // a = a + b + m[y]
  t = (al >>> 0) + (bl >>> 0) + (m[2 * y] >>> 0);
  ah = (ah + bh + m[2 * y + 1] + ((t / 0x100000000) | 0)) | 0;
  al = t | 0;
  // d = rotr64(d ^ a, 16)
  t = dl ^ al;
  u = dh ^ ah;
  dl = (t >>> 16) | (u << 16);
  dh = (u >>> 16) | (t << 16);
  // c = c + d
  t = (cl >>> 0) + (dl >>> 0);
  ch = (ch + dh + ((t / 0x100000000) | 0)) | 0;
  cl = t | 0;
  // b = rotr64(b ^ c, 63) = rotl64(b ^ c, 1)
  t = bl ^ cl;
  u = bh ^ ch;
  bl = (t << 1) | (u >>> 31);
  bh = (u << 1) | (t >>> 31);
  v[2 * a] = al; v[2 * a + 1] = ah;
  v[2 * b] = bl; v[2 * b + 1] = bh;
  v[2 * c] = cl; v[2 * c + 1] = ch;
  v[2 * d] = dl; v[2 * d + 1] = dh;
}

/**
 * The F compression function of RFC 7693 §3.2 with `rounds` rounds, updating `h` (16 32-bit halves)
 * in place. `m` is 32 32-bit halves, `t` = [t0 lo, t0 hi, t1 lo, t1 hi].
 */
export function blake2bCompress(rounds: number, h: Int32Array, m: Int32Array, t: Int32Array, final: boolean): void {
  const v = new Int32Array(32);
  v.set(h, 0);
  v.set(IV, 16);
  v[24] ^= t[0]; // v12 ^= t0
  v[25] ^= t[1];
  v[26] ^= t[2]; // v13 ^= t1
  v[27] ^= t[3];
  if (final) {
    v[28] = ~v[28]; // v14 = ~v14
    v[29] = ~v[29];
  }
  for (let i = 0; i < rounds; i++) {
    const s = SIGMA[i % 10];
    G(v, 0, 4, 8, 12, m, s[0], s[1]);
    G(v, 1, 5, 9, 13, m, s[2], s[3]);
    G(v, 2, 6, 10, 14, m, s[4], s[5]);
    G(v, 3, 7, 11, 15, m, s[6], s[7]);
    G(v, 0, 5, 10, 15, m, s[8], s[9]);
    G(v, 1, 6, 11, 12, m, s[10], s[11]);
    G(v, 2, 7, 8, 13, m, s[12], s[13]);
    G(v, 3, 4, 9, 14, m, s[14], s[15]);
  }
  for (let i = 0; i < 16; i++) h[i] ^= v[i] ^ v[i + 16];
}

function readU32LE(data: Uint8Array, offset: number, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const o = offset + 4 * i;
    out[i] = data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24);
  }
  return out;
}

function roundsOf(input: Uint8Array): number {
  return ((input[0] << 24) | (input[1] << 16) | (input[2] << 8) | input[3]) >>> 0;
}

export function blake2f(input: Uint8Array): Uint8Array {
  if (input.length !== 213) throw new PrecompileFailure('blake2f: input must be exactly 213 bytes');
  const f = input[212];
  if (f !== 0 && f !== 1) throw new PrecompileFailure('blake2f: invalid final block flag');
  const h = readU32LE(input, 4, 16);
  const m = readU32LE(input, 68, 32);
  const t = readU32LE(input, 196, 4);
  blake2bCompress(roundsOf(input), h, m, t, f === 1);
  const out = new Uint8Array(64);
  for (let i = 0; i < 16; i++) {
    const w = h[i];
    out[4 * i] = w & 0xff;
    out[4 * i + 1] = (w >>> 8) & 0xff;
    out[4 * i + 2] = (w >>> 16) & 0xff;
    out[4 * i + 3] = w >>> 24;
  }
  return out;
}

export const BLAKE2F: Precompile = {
  address: 0x09,
  name: 'BLAKE2F',
  since: Fork.Istanbul,
  // Invalid lengths cost nothing here; run() then fails, consuming all gas (as geth).
  gas: (input) => (input.length === 213 ? BigInt(roundsOf(input)) : 0n),
  run: (input) => blake2f(input),
};
