// 64-bit limb primitives for the 256-bit word arithmetic (u256.ts, mod512.ts): the high half of
// a 64x64 product (wasm has no 128-bit multiply), 128/64 division, and Moller-Granlund
// reciprocals that replace the hardware division when one divisor is used many times.

// @ts-ignore: decorator
@inline export const M32: u64 = 0xFFFFFFFF;

/** High 64 bits of the 128-bit product a*b. */
// @ts-ignore: decorator
@inline
export function mulhi(a: u64, b: u64): u64 {
  let a0 = a & M32, a1 = a >> 32;
  let b0 = b & M32, b1 = b >> 32;
  let t = a0 * b0;
  let w1 = a1 * b0 + (t >> 32);
  let w2 = a0 * b1 + (w1 & M32);
  return a1 * b1 + (w1 >> 32) + (w2 >> 32);
}

/**
 * floor((u1 * 2^64 + u0) / v) for a normalised v (top bit set) and u1 < v.
 * The remainder is u0 - q * v (mod 2^64).
 * Hacker's Delight divlu, two 64/32 digit steps with native 64-bit division.
 */
export function divlu(u1: u64, u0: u64, v: u64): u64 {
  let vn1 = v >> 32, vn0 = v & M32;
  let un1 = u0 >> 32, un0 = u0 & M32;

  let q1 = u1 / vn1;
  let rhat = u1 - q1 * vn1;
  while (q1 > M32 || q1 * vn0 > ((rhat << 32) | un1)) {
    q1--;
    rhat += vn1;
    if (rhat > M32) break;
  }
  let un21 = (u1 << 32) + un1 - q1 * v;

  let q0 = un21 / vn1;
  rhat = un21 - q0 * vn1;
  while (q0 > M32 || q0 * vn0 > ((rhat << 32) | un0)) {
    q0--;
    rhat += vn1;
    if (rhat > M32) break;
  }
  return (q1 << 32) | q0;
}

// The last divisor's reciprocal (per instance, so per thread): MULMOD/ADDMOD/MOD in a loop
// usually reuse one modulus, and the reciprocal costs a software 128/64 division.
let rcp_d: u64 = 0;
let rcp_v: u64 = 0;

/**
 * Reciprocal of a normalised divisor d (top bit set): floor((2^128 - 1) / d) - 2^64
 * (Moller & Granlund, "Improved division by invariant integers", 2011).
 */
export function reciprocal(d: u64): u64 {
  if (d == rcp_d) return rcp_v;
  const v = divlu(~d, <u64>-1, d);
  rcp_d = d;
  rcp_v = v;
  return v;
}

/**
 * floor((u1 * 2^64 + u0) / d) for normalised d with u1 < d, using the
 * precomputed reciprocal v = reciprocal(d) (MG algorithm 4: one 64x64->128
 * product, no hardware division). The remainder is u0 - q * d (mod 2^64).
 */
// @ts-ignore: decorator
@inline
export function div2by1(u1: u64, u0: u64, d: u64, v: u64): u64 {
  let ql = v * u1;
  let qh = mulhi(v, u1);
  let nl = ql + u0;
  qh += u1 + 1 + <u64>(nl < ql);
  let r = u0 - qh * d;
  if (r > nl) { qh--; r += d; }
  if (r >= d) { qh++; }
  return qh;
}

/** x >> (64 - s) for s in 0..63 (0 when s == 0): the bits carried by a left shift. */
// @ts-ignore: decorator
@inline
export function carryL(x: u64, s: u64): u64 {
  return (x >> 1) >> (63 - s);
}

/** x << (64 - s) for s in 0..63 (0 when s == 0): the bits carried by a right shift. */
// @ts-ignore: decorator
@inline
export function carryR(x: u64, s: u64): u64 {
  return (x << 1) << (63 - s);
}

// The last two-limb divisor's reciprocal, cached like rcp_d above.
let rcp3_d1: u64 = 0;
let rcp3_d0: u64 = 0;
let rcp3_v: u64 = 0;

/**
 * Reciprocal of a normalised two-limb divisor d1:d0 (top bit of d1 set):
 * floor((2^192 - 1) / (d1:d0)) - 2^64 (Moller & Granlund 2011, algorithm 6). With it a
 * three-limb by two-limb quotient digit (div3by2 in mod512.ts) is exact or one too large,
 * where the 2-by-1 estimate can be two too large and needs a correction loop.
 */
export function reciprocal3by2(d1: u64, d0: u64): u64 {
  if (d1 == rcp3_d1 && d0 == rcp3_d0) return rcp3_v; // d1 == 0 never: the top bit is set
  let v = reciprocal(d1);
  let p = d1 * v + d0;
  if (p < d0) {
    v--;
    if (p >= d1) { v--; p -= d1; }
    p -= d1;
  }
  const tl = v * d0, th = mulhi(v, d0);
  p += th;
  if (p < th) {
    v--;
    if (p > d1 || (p == d1 && tl >= d0)) v--;
  }
  rcp3_d1 = d1;
  rcp3_d0 = d0;
  rcp3_v = v;
  return v;
}
