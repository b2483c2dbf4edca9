// Allocation-free 256-bit EVM word arithmetic.
//
// A word lives in linear memory as 4 little-endian u64 limbs: limb 0 (least
// significant) at ptr+0, limb 3 at ptr+24 -- i.e. the whole word is a 32-byte
// little-endian integer, so byte k of the number is at ptr+k.
//
// Operand convention (EVM stack): binary ops get a = stack top, b = word below,
// the result is written to b (a may be clobbered). Ternary ops (ADDMOD/MULMOD)
// get a = top, b = second, n = third and write the result to n (a and b may be
// clobbered). Unary ops work in place on a.
//
// Everything works on wasm locals (no scratch memory, no heap); the only globals
// are limb.ts's reciprocal caches, which are per instance and so per thread. It
// is thread safe with shared memory and the stub runtime.
//
// Perf notes:
//  * MUL uses 8x32-bit limbs with native 64-bit products (36 i64.mul, operand
//    scanning, no 128-bit emulation needed), with fast paths for u64 x u64
//    (one 64x64->128 product) and word x u64 (15 products); EXP squares with a
//    dedicated 20-product squaring; MULMOD does the full 64-product 512-bit
//    product the same way.
//  * MULMOD by a modulus of four limbs reduces in mod512.ts (three-by-two digits).
//  * DIV/MOD/ADDMOD/MULMOD use Knuth algorithm D on 64-bit digits with the
//    divisor normalised to bit 255; the dividend is streamed limb by limb from
//    memory, the 5-limb running remainder window is kept in locals. Quotient
//    digits are estimated with a 128/64 division by the precomputed reciprocal
//    of the top divisor limb (Moller-Granlund 2-by-1, no hardware division per
//    digit; the reciprocal itself costs one Hacker's Delight divlu per call).
//    Single-limb divisors use a dedicated 128/64 loop; u64/u64 operands use
//    native i64.div_u/rem_u.
//  * Bitwise ops, EQ, ISZERO and big-endian conversions use SIMD (v128;
//    byte reversal is one i8x16.shuffle per half instead of scalar bswaps).
//  * Small ops are @inline (still exported) so the interpreter's opcode
//    handlers get them inlined.

import { M32, mulhi, divlu, reciprocal, div2by1, carryL, carryR } from "./limb";
import { mod512_by256 } from "./mod512";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

// @ts-ignore: decorator
@inline
export function u256_is_zero(p: usize): bool {
  return !v128.any_true(v128.or(v128.load(p), v128.load(p, 16)));
}

// @ts-ignore: decorator
@inline
export function u256_fits_u64(p: usize): bool {
  return (load<u64>(p, 8) | load<u64>(p, 16) | load<u64>(p, 24)) == 0;
}

// @ts-ignore: decorator
@inline
export function u256_set_u64(p: usize, v: u64): void {
  store<u64>(p, v);
  store<u64>(p, 0, 8);
  v128.store(p, i64x2.splat(0), 16);
}

// @ts-ignore: decorator
@inline
export function u256_copy(dst: usize, src: usize): void {
  let lo = v128.load(src);
  let hi = v128.load(src, 16);
  v128.store(dst, lo);
  v128.store(dst, hi, 16);
}

// @ts-ignore: decorator
@inline
export function u256_eq_bool(a: usize, b: usize): bool {
  let x = v128.or(
    v128.xor(v128.load(a), v128.load(b)),
    v128.xor(v128.load(a, 16), v128.load(b, 16))
  );
  return !v128.any_true(x);
}

/** Unsigned a < b. */
// @ts-ignore: decorator
@inline
export function u256_lt_bool(a: usize, b: usize): bool {
  let x = load<u64>(a, 24), y = load<u64>(b, 24);
  if (x != y) return x < y;
  x = load<u64>(a, 16); y = load<u64>(b, 16);
  if (x != y) return x < y;
  x = load<u64>(a, 8); y = load<u64>(b, 8);
  if (x != y) return x < y;
  return load<u64>(a) < load<u64>(b);
}

/** Signed (two's complement) a < b. */
// @ts-ignore: decorator
@inline
function slt_bool(a: usize, b: usize): bool {
  let x = load<u64>(a, 24), y = load<u64>(b, 24);
  if (x != y) return <i64>x < <i64>y;
  x = load<u64>(a, 16); y = load<u64>(b, 16);
  if (x != y) return x < y;
  x = load<u64>(a, 8); y = load<u64>(b, 8);
  if (x != y) return x < y;
  return load<u64>(a) < load<u64>(b);
}

/** Number of leading zero bits (256 for zero). */
// @ts-ignore: decorator
@inline
function clz256(p: usize): u64 {
  let x = load<u64>(p, 24);
  if (x) return clz(x);
  x = load<u64>(p, 16);
  if (x) return 64 + clz(x);
  x = load<u64>(p, 8);
  if (x) return 128 + clz(x);
  return 192 + clz(load<u64>(p));
}

/** Number of significant bytes of the word (0 for zero); EXP gas. */
// @ts-ignore: decorator
@inline
export function u256_byte_len(p: usize): u32 {
  return <u32>((263 - clz256(p)) >> 3);
}

// @ts-ignore: decorator
@inline
function negate(p: usize): void {
  let x0 = ~load<u64>(p), x1 = ~load<u64>(p, 8);
  let x2 = ~load<u64>(p, 16), x3 = ~load<u64>(p, 24);
  x0 += 1;
  let c = <u64>(x0 == 0);
  x1 += c; c &= <u64>(x1 == 0);
  x2 += c; c &= <u64>(x2 == 0);
  x3 += c;
  store<u64>(p, x0);
  store<u64>(p, x1, 8);
  store<u64>(p, x2, 16);
  store<u64>(p, x3, 24);
}

// @ts-ignore: decorator
@inline
function set_zero(p: usize): void {
  let z = i64x2.splat(0);
  v128.store(p, z);
  v128.store(p, z, 16);
}

/** Byte-reverse a v128 (shuffle lowers to a single pshufb). */
// @ts-ignore: decorator
@inline
function rev16(x: v128): v128 {
  return v128.shuffle<u8>(x, x, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
}

/** dst (LE limbs) = 32 big-endian bytes at src. dst may equal src. */
// @ts-ignore: decorator
@inline
export function u256_load_be(dst: usize, src: usize): void {
  let hi = v128.load(src);
  let lo = v128.load(src, 16);
  v128.store(dst, rev16(lo));
  v128.store(dst, rev16(hi), 16);
}

/** 32 big-endian bytes at dst = word at src. dst may equal src. */
// @ts-ignore: decorator
@inline
export function u256_store_be(dst: usize, src: usize): void {
  let lo = v128.load(src);
  let hi = v128.load(src, 16);
  v128.store(dst, rev16(hi));
  v128.store(dst, rev16(lo), 16);
}

/**
 * dst = the n (0..32) big-endian bytes at src, zero extended (e.g. a PUSHn
 * immediate). Reads exactly [src, src+n) unless src+n >= 32, in which case it
 * reads the 32 bytes ending at src+n and masks (never traps, faster).
 */
export function u256_load_be_n(dst: usize, src: usize, n: u32): void {
  let end = src + <usize>n;
  if (end >= 32) {
    let hi = rev16(v128.load(end - 32)); // LE bytes 16..31
    let lo = rev16(v128.load(end - 16)); // LE bytes 0..15
    let nn = i8x16.splat(<i8>n);
    let mlo = v128.lt<u8>(i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), nn);
    let mhi = v128.lt<u8>(i8x16(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31), nn);
    v128.store(dst, v128.and(lo, mlo));
    v128.store(dst, v128.and(hi, mhi), 16);
  } else {
    set_zero(dst);
    for (let k: u32 = 0; k < n; k++) {
      store<u8>(dst + <usize>k, load<u8>(end - 1 - <usize>k));
    }
  }
}

// ---------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------

/** b = a + b */
// @ts-ignore: decorator
@inline
export function u256_add(a: usize, b: usize): void {
  let a0 = load<u64>(a), a1 = load<u64>(a, 8), a2 = load<u64>(a, 16), a3 = load<u64>(a, 24);
  let b0 = load<u64>(b), b1 = load<u64>(b, 8), b2 = load<u64>(b, 16), b3 = load<u64>(b, 24);
  let r0 = a0 + b0;
  let c = <u64>(r0 < a0);
  let t = a1 + c;
  let r1 = t + b1;
  c = <u64>(t < c) | <u64>(r1 < t);
  t = a2 + c;
  let r2 = t + b2;
  c = <u64>(t < c) | <u64>(r2 < t);
  let r3 = a3 + b3 + c;
  store<u64>(b, r0);
  store<u64>(b, r1, 8);
  store<u64>(b, r2, 16);
  store<u64>(b, r3, 24);
}

/** b = a - b */
// @ts-ignore: decorator
@inline
export function u256_sub(a: usize, b: usize): void {
  let a0 = load<u64>(a), a1 = load<u64>(a, 8), a2 = load<u64>(a, 16), a3 = load<u64>(a, 24);
  let b0 = load<u64>(b), b1 = load<u64>(b, 8), b2 = load<u64>(b, 16), b3 = load<u64>(b, 24);
  let r0 = a0 - b0;
  let c = <u64>(a0 < b0);
  let t = a1 - b1;
  let r1 = t - c;
  c = <u64>(a1 < b1) | <u64>(t < c);
  t = a2 - b2;
  let r2 = t - c;
  c = <u64>(a2 < b2) | <u64>(t < c);
  let r3 = a3 - b3 - c;
  store<u64>(b, r0);
  store<u64>(b, r1, 8);
  store<u64>(b, r2, 16);
  store<u64>(b, r3, 24);
}

/** dst = x * y mod 2^256 for a word x and a u64 y (15 products). dst may alias x. */
// @ts-ignore: decorator
@inline
function mul_small(x: usize, y: u64, dst: usize): void {
  let a0: u64 = <u64>load<u32>(x, 0);
  let a1: u64 = <u64>load<u32>(x, 4);
  let a2: u64 = <u64>load<u32>(x, 8);
  let a3: u64 = <u64>load<u32>(x, 12);
  let a4: u64 = <u64>load<u32>(x, 16);
  let a5: u64 = <u64>load<u32>(x, 20);
  let a6: u64 = <u64>load<u32>(x, 24);
  let a7: u64 = <u64>load<u32>(x, 28);
  let y0 = y & M32, y1 = y >> 32;
  let t: u64, c: u64;
  t = a0 * y0; let r0 = t & M32; c = t >> 32;
  t = a1 * y0 + c; let r1 = t & M32; c = t >> 32;
  t = a2 * y0 + c; let r2 = t & M32; c = t >> 32;
  t = a3 * y0 + c; let r3 = t & M32; c = t >> 32;
  t = a4 * y0 + c; let r4 = t & M32; c = t >> 32;
  t = a5 * y0 + c; let r5 = t & M32; c = t >> 32;
  t = a6 * y0 + c; let r6 = t & M32; c = t >> 32;
  let r7 = a7 * y0 + c;
  t = r1 + a0 * y1; r1 = t & M32; c = t >> 32;
  t = r2 + a1 * y1 + c; r2 = t & M32; c = t >> 32;
  t = r3 + a2 * y1 + c; r3 = t & M32; c = t >> 32;
  t = r4 + a3 * y1 + c; r4 = t & M32; c = t >> 32;
  t = r5 + a4 * y1 + c; r5 = t & M32; c = t >> 32;
  t = r6 + a5 * y1 + c; r6 = t & M32; c = t >> 32;
  r7 += a6 * y1 + c;
  store<u64>(dst, r0 | (r1 << 32));
  store<u64>(dst, r2 | (r3 << 32), 8);
  store<u64>(dst, r4 | (r5 << 32), 16);
  store<u64>(dst, r6 | (r7 << 32), 24);
}

/** b = a * b mod 2^256. a and b may be the same pointer (squaring). */
export function u256_mul(a: usize, b: usize): void {
  let aSmall = u256_fits_u64(a);
  let bSmall = u256_fits_u64(b);
  if (aSmall | bSmall) {
    if (aSmall & bSmall) {
      let x = load<u64>(a), y = load<u64>(b);
      store<u64>(b, x * y);
      store<u64>(b, mulhi(x, y), 8);
    } else if (aSmall) {
      mul_small(b, load<u64>(a), b);
    } else {
      mul_small(a, load<u64>(b), b);
    }
    return;
  }
  let a0: u64 = <u64>load<u32>(a, 0);
  let a1: u64 = <u64>load<u32>(a, 4);
  let a2: u64 = <u64>load<u32>(a, 8);
  let a3: u64 = <u64>load<u32>(a, 12);
  let a4: u64 = <u64>load<u32>(a, 16);
  let a5: u64 = <u64>load<u32>(a, 20);
  let a6: u64 = <u64>load<u32>(a, 24);
  let a7: u64 = <u64>load<u32>(a, 28);
  let b0: u64 = <u64>load<u32>(b, 0);
  let b1: u64 = <u64>load<u32>(b, 4);
  let b2: u64 = <u64>load<u32>(b, 8);
  let b3: u64 = <u64>load<u32>(b, 12);
  let b4: u64 = <u64>load<u32>(b, 16);
  let b5: u64 = <u64>load<u32>(b, 20);
  let b6: u64 = <u64>load<u32>(b, 24);
  let b7: u64 = <u64>load<u32>(b, 28);
  let t: u64, c: u64;
  t = a0 * b0; let r0 = t & M32; c = t >> 32;
  t = a0 * b1 + c; let r1 = t & M32; c = t >> 32;
  t = a0 * b2 + c; let r2 = t & M32; c = t >> 32;
  t = a0 * b3 + c; let r3 = t & M32; c = t >> 32;
  t = a0 * b4 + c; let r4 = t & M32; c = t >> 32;
  t = a0 * b5 + c; let r5 = t & M32; c = t >> 32;
  t = a0 * b6 + c; let r6 = t & M32; c = t >> 32;
  let r7 = a0 * b7 + c;
  t = r1 + a1 * b0; r1 = t & M32; c = t >> 32;
  t = r2 + a1 * b1 + c; r2 = t & M32; c = t >> 32;
  t = r3 + a1 * b2 + c; r3 = t & M32; c = t >> 32;
  t = r4 + a1 * b3 + c; r4 = t & M32; c = t >> 32;
  t = r5 + a1 * b4 + c; r5 = t & M32; c = t >> 32;
  t = r6 + a1 * b5 + c; r6 = t & M32; c = t >> 32;
  r7 += a1 * b6 + c;
  t = r2 + a2 * b0; r2 = t & M32; c = t >> 32;
  t = r3 + a2 * b1 + c; r3 = t & M32; c = t >> 32;
  t = r4 + a2 * b2 + c; r4 = t & M32; c = t >> 32;
  t = r5 + a2 * b3 + c; r5 = t & M32; c = t >> 32;
  t = r6 + a2 * b4 + c; r6 = t & M32; c = t >> 32;
  r7 += a2 * b5 + c;
  t = r3 + a3 * b0; r3 = t & M32; c = t >> 32;
  t = r4 + a3 * b1 + c; r4 = t & M32; c = t >> 32;
  t = r5 + a3 * b2 + c; r5 = t & M32; c = t >> 32;
  t = r6 + a3 * b3 + c; r6 = t & M32; c = t >> 32;
  r7 += a3 * b4 + c;
  t = r4 + a4 * b0; r4 = t & M32; c = t >> 32;
  t = r5 + a4 * b1 + c; r5 = t & M32; c = t >> 32;
  t = r6 + a4 * b2 + c; r6 = t & M32; c = t >> 32;
  r7 += a4 * b3 + c;
  t = r5 + a5 * b0; r5 = t & M32; c = t >> 32;
  t = r6 + a5 * b1 + c; r6 = t & M32; c = t >> 32;
  r7 += a5 * b2 + c;
  t = r6 + a6 * b0; r6 = t & M32; c = t >> 32;
  r7 += a6 * b1 + c;
  r7 += a7 * b0;
  store<u64>(b, r0 | (r1 << 32));
  store<u64>(b, r2 | (r3 << 32), 8);
  store<u64>(b, r4 | (r5 << 32), 16);
  store<u64>(b, r6 | (r7 << 32), 24);
}

/** p = p * p mod 2^256 (20 products instead of 36: doubled cross terms + squares). */
function sqr_inplace(p: usize): void {
  if (u256_fits_u64(p)) {
    let x = load<u64>(p);
    store<u64>(p, x * x);
    store<u64>(p, mulhi(x, x), 8);
    return;
  }
  let a0: u64 = <u64>load<u32>(p, 0);
  let a1: u64 = <u64>load<u32>(p, 4);
  let a2: u64 = <u64>load<u32>(p, 8);
  let a3: u64 = <u64>load<u32>(p, 12);
  let a4: u64 = <u64>load<u32>(p, 16);
  let a5: u64 = <u64>load<u32>(p, 20);
  let a6: u64 = <u64>load<u32>(p, 24);
  let a7: u64 = <u64>load<u32>(p, 28);
  let t: u64, c: u64;
  t = a0 * a1; let r1 = t & M32; c = t >> 32;
  t = a0 * a2 + c; let r2 = t & M32; c = t >> 32;
  t = a0 * a3 + c; let r3 = t & M32; c = t >> 32;
  t = a0 * a4 + c; let r4 = t & M32; c = t >> 32;
  t = a0 * a5 + c; let r5 = t & M32; c = t >> 32;
  t = a0 * a6 + c; let r6 = t & M32; c = t >> 32;
  let r7 = a0 * a7 + c;
  t = r3 + a1 * a2; r3 = t & M32; c = t >> 32;
  t = r4 + a1 * a3 + c; r4 = t & M32; c = t >> 32;
  t = r5 + a1 * a4 + c; r5 = t & M32; c = t >> 32;
  t = r6 + a1 * a5 + c; r6 = t & M32; c = t >> 32;
  r7 += a1 * a6 + c;
  t = r5 + a2 * a3; r5 = t & M32; c = t >> 32;
  t = r6 + a2 * a4 + c; r6 = t & M32; c = t >> 32;
  r7 += a2 * a5 + c;
  r7 += a3 * a4;
  // X = cross terms (32-bit limbs r1..r7), result = 2X + sum(a_i^2 * 2^(64 i))
  let x0 = r1 << 32, x1 = r2 | (r3 << 32), x2 = r4 | (r5 << 32), x3 = r6 | (r7 << 32);
  let y3 = (x3 << 1) | (x2 >> 63);
  let y2 = (x2 << 1) | (x1 >> 63);
  let y1 = (x1 << 1) | (x0 >> 63);
  let y0 = x0 << 1;
  let z0 = y0 + a0 * a0;
  let cy = <u64>(z0 < y0);
  t = y1 + cy;
  let z1 = t + a1 * a1;
  cy = <u64>(t < cy) | <u64>(z1 < t);
  t = y2 + cy;
  let z2 = t + a2 * a2;
  cy = <u64>(t < cy) | <u64>(z2 < t);
  let z3 = y3 + a3 * a3 + cy;
  store<u64>(p, z0);
  store<u64>(p, z1, 8);
  store<u64>(p, z2, 16);
  store<u64>(p, z3, 24);
}

/** Full 512-bit product: lo = low 256 bits, hi = high 256 bits of a*b. May alias a/b. */
function mul512(a: usize, b: usize, lo: usize, hi: usize): void {
  let a0: u64 = <u64>load<u32>(a, 0);
  let a1: u64 = <u64>load<u32>(a, 4);
  let a2: u64 = <u64>load<u32>(a, 8);
  let a3: u64 = <u64>load<u32>(a, 12);
  let a4: u64 = <u64>load<u32>(a, 16);
  let a5: u64 = <u64>load<u32>(a, 20);
  let a6: u64 = <u64>load<u32>(a, 24);
  let a7: u64 = <u64>load<u32>(a, 28);
  let b0: u64 = <u64>load<u32>(b, 0);
  let b1: u64 = <u64>load<u32>(b, 4);
  let b2: u64 = <u64>load<u32>(b, 8);
  let b3: u64 = <u64>load<u32>(b, 12);
  let b4: u64 = <u64>load<u32>(b, 16);
  let b5: u64 = <u64>load<u32>(b, 20);
  let b6: u64 = <u64>load<u32>(b, 24);
  let b7: u64 = <u64>load<u32>(b, 28);
  let t: u64, c: u64;
  t = a0 * b0; let r0 = t & M32; c = t >> 32;
  t = a0 * b1 + c; let r1 = t & M32; c = t >> 32;
  t = a0 * b2 + c; let r2 = t & M32; c = t >> 32;
  t = a0 * b3 + c; let r3 = t & M32; c = t >> 32;
  t = a0 * b4 + c; let r4 = t & M32; c = t >> 32;
  t = a0 * b5 + c; let r5 = t & M32; c = t >> 32;
  t = a0 * b6 + c; let r6 = t & M32; c = t >> 32;
  t = a0 * b7 + c; let r7 = t & M32; c = t >> 32;
  let r8 = c;
  t = r1 + a1 * b0; r1 = t & M32; c = t >> 32;
  t = r2 + a1 * b1 + c; r2 = t & M32; c = t >> 32;
  t = r3 + a1 * b2 + c; r3 = t & M32; c = t >> 32;
  t = r4 + a1 * b3 + c; r4 = t & M32; c = t >> 32;
  t = r5 + a1 * b4 + c; r5 = t & M32; c = t >> 32;
  t = r6 + a1 * b5 + c; r6 = t & M32; c = t >> 32;
  t = r7 + a1 * b6 + c; r7 = t & M32; c = t >> 32;
  t = r8 + a1 * b7 + c; r8 = t & M32; c = t >> 32;
  let r9 = c;
  t = r2 + a2 * b0; r2 = t & M32; c = t >> 32;
  t = r3 + a2 * b1 + c; r3 = t & M32; c = t >> 32;
  t = r4 + a2 * b2 + c; r4 = t & M32; c = t >> 32;
  t = r5 + a2 * b3 + c; r5 = t & M32; c = t >> 32;
  t = r6 + a2 * b4 + c; r6 = t & M32; c = t >> 32;
  t = r7 + a2 * b5 + c; r7 = t & M32; c = t >> 32;
  t = r8 + a2 * b6 + c; r8 = t & M32; c = t >> 32;
  t = r9 + a2 * b7 + c; r9 = t & M32; c = t >> 32;
  let r10 = c;
  t = r3 + a3 * b0; r3 = t & M32; c = t >> 32;
  t = r4 + a3 * b1 + c; r4 = t & M32; c = t >> 32;
  t = r5 + a3 * b2 + c; r5 = t & M32; c = t >> 32;
  t = r6 + a3 * b3 + c; r6 = t & M32; c = t >> 32;
  t = r7 + a3 * b4 + c; r7 = t & M32; c = t >> 32;
  t = r8 + a3 * b5 + c; r8 = t & M32; c = t >> 32;
  t = r9 + a3 * b6 + c; r9 = t & M32; c = t >> 32;
  t = r10 + a3 * b7 + c; r10 = t & M32; c = t >> 32;
  let r11 = c;
  t = r4 + a4 * b0; r4 = t & M32; c = t >> 32;
  t = r5 + a4 * b1 + c; r5 = t & M32; c = t >> 32;
  t = r6 + a4 * b2 + c; r6 = t & M32; c = t >> 32;
  t = r7 + a4 * b3 + c; r7 = t & M32; c = t >> 32;
  t = r8 + a4 * b4 + c; r8 = t & M32; c = t >> 32;
  t = r9 + a4 * b5 + c; r9 = t & M32; c = t >> 32;
  t = r10 + a4 * b6 + c; r10 = t & M32; c = t >> 32;
  t = r11 + a4 * b7 + c; r11 = t & M32; c = t >> 32;
  let r12 = c;
  t = r5 + a5 * b0; r5 = t & M32; c = t >> 32;
  t = r6 + a5 * b1 + c; r6 = t & M32; c = t >> 32;
  t = r7 + a5 * b2 + c; r7 = t & M32; c = t >> 32;
  t = r8 + a5 * b3 + c; r8 = t & M32; c = t >> 32;
  t = r9 + a5 * b4 + c; r9 = t & M32; c = t >> 32;
  t = r10 + a5 * b5 + c; r10 = t & M32; c = t >> 32;
  t = r11 + a5 * b6 + c; r11 = t & M32; c = t >> 32;
  t = r12 + a5 * b7 + c; r12 = t & M32; c = t >> 32;
  let r13 = c;
  t = r6 + a6 * b0; r6 = t & M32; c = t >> 32;
  t = r7 + a6 * b1 + c; r7 = t & M32; c = t >> 32;
  t = r8 + a6 * b2 + c; r8 = t & M32; c = t >> 32;
  t = r9 + a6 * b3 + c; r9 = t & M32; c = t >> 32;
  t = r10 + a6 * b4 + c; r10 = t & M32; c = t >> 32;
  t = r11 + a6 * b5 + c; r11 = t & M32; c = t >> 32;
  t = r12 + a6 * b6 + c; r12 = t & M32; c = t >> 32;
  t = r13 + a6 * b7 + c; r13 = t & M32; c = t >> 32;
  let r14 = c;
  t = r7 + a7 * b0; r7 = t & M32; c = t >> 32;
  t = r8 + a7 * b1 + c; r8 = t & M32; c = t >> 32;
  t = r9 + a7 * b2 + c; r9 = t & M32; c = t >> 32;
  t = r10 + a7 * b3 + c; r10 = t & M32; c = t >> 32;
  t = r11 + a7 * b4 + c; r11 = t & M32; c = t >> 32;
  t = r12 + a7 * b5 + c; r12 = t & M32; c = t >> 32;
  t = r13 + a7 * b6 + c; r13 = t & M32; c = t >> 32;
  t = r14 + a7 * b7 + c; r14 = t & M32; c = t >> 32;
  let r15 = c;
  store<u64>(lo, r0 | (r1 << 32), 0);
  store<u64>(lo, r2 | (r3 << 32), 8);
  store<u64>(lo, r4 | (r5 << 32), 16);
  store<u64>(lo, r6 | (r7 << 32), 24);
  store<u64>(hi, r8 | (r9 << 32), 0);
  store<u64>(hi, r10 | (r11 << 32), 8);
  store<u64>(hi, r12 | (r13 << 32), 16);
  store<u64>(hi, r14 | (r15 << 32), 24);
}

// ---------------------------------------------------------------------------
// Division
// ---------------------------------------------------------------------------

/** Limb j (0..7) of a dividend of L limbs split over lo (limbs 0..3) and hi (4..7). */
// @ts-ignore: decorator
@inline
function dlimb(lo: usize, hi: usize, L: i32, j: i32): u64 {
  if (j < 0 || j >= L) return 0;
  return j < 4 ? load<u64>(lo + (<usize>j << 3)) : load<u64>(hi + (<usize>(j - 4) << 3));
}

/** Limb k of (dividend << (64*ws + bs)). */
// @ts-ignore: decorator
@inline
function ulimb(lo: usize, hi: usize, L: i32, k: i32, ws: i32, bs: u64): u64 {
  return (dlimb(lo, hi, L, k - ws) << bs) | carryL(dlimb(lo, hi, L, k - ws - 1), bs);
}

/**
 * Unsigned division of U (L <= 8 limbs: 0..3 at lo, 4..7 at hi) by the nonzero
 * word at v. Writes the quotient to q (if q != 0; only valid when U / v fits in
 * 256 bits) and the remainder to r (if r != 0). q and r may alias v, and lo/hi
 * may alias r, but q must not alias lo/hi.
 */
function udivrem(lo: usize, hi: usize, L: i32, v: usize, q: usize, r: usize): void {
  let v0 = load<u64>(v), v1 = load<u64>(v, 8), v2 = load<u64>(v, 16), v3 = load<u64>(v, 24);
  let vlen = v3 ? 4 : v2 ? 3 : v1 ? 2 : 1;
  let ulen = L;
  while (ulen > 0 && dlimb(lo, hi, L, ulen - 1) == 0) ulen--;

  if (ulen < vlen) {
    // quotient 0, remainder U (which then fits in the lo word)
    if (r && r != lo) u256_copy(r, lo);
    if (q) set_zero(q);
    return;
  }

  if (vlen == 1) {
    if (ulen <= 1) {
      let x = load<u64>(lo);
      if (q) u256_set_u64(q, x / v0);
      if (r) u256_set_u64(r, x % v0);
      return;
    }
    // single-limb divisor: schoolbook with 128/64 steps
    let s = <u64>clz(v0);
    let vn = v0 << s;
    let vinv = reciprocal(vn);
    if (q) set_zero(q);
    let k = ulen - 1;
    let rr = carryL(dlimb(lo, hi, L, k), s); // < 2^s <= vn
    while (k >= 0) {
      let d = (dlimb(lo, hi, L, k) << s) | carryL(dlimb(lo, hi, L, k - 1), s);
      let qd = div2by1(rr, d, vn, vinv);
      rr = d - qd * vn;
      if (q && k < 4) store<u64>(q + (<usize>k << 3), qd);
      k--;
    }
    if (r) u256_set_u64(r, rr >> s);
    return;
  }

  // Multi-limb divisor: normalise V = v << (64*ws + bs) so bit 255 is set.
  let ws = 4 - vlen;
  if (vlen == 3) { v3 = v2; v2 = v1; v1 = v0; v0 = 0; }
  else if (vlen == 2) { v3 = v1; v2 = v0; v1 = 0; v0 = 0; }
  let bs = <u64>clz(v3);
  v3 = (v3 << bs) | carryL(v2, bs);
  v2 = (v2 << bs) | carryL(v1, bs);
  v1 = (v1 << bs) | carryL(v0, bs);
  v0 = v0 << bs;
  let vinv = reciprocal(v3);

  if (q) set_zero(q);

  // Running remainder R = r3:r2:r1:r0, initialised with the top 4 limbs of U.
  // R < V because its top limb holds only the bits shifted out of u's top
  // limb (< 2^bs <= 2^63 <= v3).
  let top = ulen + ws; // index of the highest (possibly zero) limb of U
  let r3 = ulimb(lo, hi, L, top, ws, bs);
  let r2 = ulimb(lo, hi, L, top - 1, ws, bs);
  let r1 = ulimb(lo, hi, L, top - 2, ws, bs);
  let r0 = ulimb(lo, hi, L, top - 3, ws, bs);

  for (let k = top - 4; k >= 0; k--) {
    let d = ulimb(lo, hi, L, k, ws, bs);
    // estimate qhat = (r3:r2) / v3, clamp to 2^64-1
    let qhat: u64, rhat: u64;
    let refine = true;
    if (r3 >= v3) {
      qhat = <u64>-1;
      rhat = r2 + v3;
      refine = rhat >= v3; // no overflow
    } else {
      qhat = div2by1(r3, r2, v3, vinv);
      rhat = r2 - qhat * v3;
    }
    if (refine) {
      // while qhat * v2 > rhat:r1 -> qhat--, rhat += v3 (at most twice)
      while (true) {
        let ph = mulhi(qhat, v2), pl = qhat * v2;
        if (ph < rhat || (ph == rhat && pl <= r1)) break;
        qhat--;
        let nr = rhat + v3;
        if (nr < rhat) break; // rhat >= 2^64
        rhat = nr;
      }
    }
    // (r3 r2 r1 r0 d) -= qhat * V; low limbs of V are zero for short divisors
    let w0 = d, c: u64 = 0;
    if (v0) {
      let pl = qhat * v0, ph = mulhi(qhat, v0);
      w0 = d - pl;
      c = ph + <u64>(d < pl);
    }
    let w1: u64;
    if (v1) {
      let pl = qhat * v1 + c, ph = mulhi(qhat, v1) + <u64>(pl < c);
      w1 = r0 - pl;
      c = ph + <u64>(r0 < pl);
    } else {
      w1 = r0 - c;
      c = <u64>(r0 < c);
    }
    let pl = qhat * v2 + c, ph = mulhi(qhat, v2) + <u64>(pl < c);
    let w2 = r1 - pl;
    c = ph + <u64>(r1 < pl);

    pl = qhat * v3 + c; ph = mulhi(qhat, v3) + <u64>(pl < c);
    let w3 = r2 - pl;
    c = ph + <u64>(r2 < pl);

    if (r3 < c) {
      // qhat was one too large: add V back
      qhat--;
      let t = w0 + v0; let cy = <u64>(t < w0); w0 = t;
      t = w1 + cy; let c2 = <u64>(t < cy); w1 = t + v1; cy = c2 | <u64>(w1 < t);
      t = w2 + cy; c2 = <u64>(t < cy); w2 = t + v2; cy = c2 | <u64>(w2 < t);
      w3 = w3 + v3 + cy;
    }
    r3 = w3; r2 = w2; r1 = w1; r0 = w0;
    if (q && k < 4) store<u64>(q + (<usize>k << 3), qhat);
  }

  if (r) {
    // remainder = R >> (64*ws + bs)
    r0 = (r0 >> bs) | carryR(r1, bs);
    r1 = (r1 >> bs) | carryR(r2, bs);
    r2 = (r2 >> bs) | carryR(r3, bs);
    r3 = r3 >> bs;
    if (ws == 1) { r0 = r1; r1 = r2; r2 = r3; r3 = 0; }
    else if (ws == 2) { r0 = r2; r1 = r3; r2 = 0; r3 = 0; }
    store<u64>(r, r0);
    store<u64>(r, r1, 8);
    store<u64>(r, r2, 16);
    store<u64>(r, r3, 24);
  }
}

/** b = a / b (0 if b == 0) */
/** log2(p) when p is a power of two (one bit set), else -1. Division by 2^k is common (shifts
 *  written as DIV by compilers and hand-written code, e.g. sha1_divs). */
function pow2_log(p: usize): i32 {
  const x0 = load<u64>(p), x1 = load<u64>(p, 8), x2 = load<u64>(p, 16), x3 = load<u64>(p, 24);
  let x: u64, base: i32;
  if (x1 == 0 && x2 == 0 && x3 == 0) { x = x0; base = 0; }
  else if (x0 == 0 && x2 == 0 && x3 == 0) { x = x1; base = 64; }
  else if (x0 == 0 && x1 == 0 && x3 == 0) { x = x2; base = 128; }
  else if (x0 == 0 && x1 == 0 && x2 == 0) { x = x3; base = 192; }
  else return -1;
  if (x == 0 || (x & (x - 1)) != 0) return -1;
  return base + <i32>ctz(x);
}

export function u256_div(a: usize, b: usize): void {
  const k = pow2_log(b);
  if (k >= 0) { // a / 2^k
    u256_copy(b, a);
    shr_inplace(b, <u32>k, 0);
    return;
  }
  if (u256_fits_u64(b)) {
    let y = load<u64>(b);
    if (y == 0) return; // b is already zero
    if (u256_fits_u64(a)) {
      store<u64>(b, load<u64>(a) / y);
      return;
    }
  }
  udivrem(a, a, 4, b, b, 0);
}

/** b = a % b (0 if b == 0) */
export function u256_mod(a: usize, b: usize): void {
  const k = pow2_log(b);
  if (k >= 0) { // a mod 2^k: keep the low k bits
    for (let i: i32 = 0; i < 4; i++) {
      const lo = i << 6;
      const w = load<u64>(a + (<usize>i << 3));
      store<u64>(b + (<usize>i << 3), k >= lo + 64 ? w : k <= lo ? 0 : w & ((<u64>1 << <u64>(k - lo)) - 1));
    }
    return;
  }
  if (u256_fits_u64(b)) {
    let y = load<u64>(b);
    if (y == 0) return;
    if (u256_fits_u64(a)) {
      store<u64>(b, load<u64>(a) % y);
      return;
    }
  }
  udivrem(a, a, 4, b, 0, b);
}

/** b = a / b signed (x/0 = 0, -2^255 / -1 = -2^255) */
export function u256_sdiv(a: usize, b: usize): void {
  let sa = load<u64>(a, 24) >> 63;
  let sb = load<u64>(b, 24) >> 63;
  if (sa) negate(a);
  if (sb) negate(b);
  u256_div(a, b);
  if (sa != sb) negate(b);
}

/** b = a % b signed, result has the sign of a (x%0 = 0) */
export function u256_smod(a: usize, b: usize): void {
  let sa = load<u64>(a, 24) >> 63;
  if (sa) negate(a);
  if (load<u64>(b, 24) >> 63) negate(b);
  u256_mod(a, b);
  if (sa) negate(b);
}

/** n = (a + b) mod n with a 257-bit intermediate (0 if n == 0). a, b clobbered. */
export function u256_addmod(a: usize, b: usize, n: usize): void {
  if (u256_is_zero(n)) return;
  let bothSmall = u256_lt_bool(a, n) && u256_lt_bool(b, n);
  // s = a + b (257 bits: carry + 4 limbs), stored into a
  let a0 = load<u64>(a), a1 = load<u64>(a, 8), a2 = load<u64>(a, 16), a3 = load<u64>(a, 24);
  let b0 = load<u64>(b), b1 = load<u64>(b, 8), b2 = load<u64>(b, 16), b3 = load<u64>(b, 24);
  let r0 = a0 + b0;
  let c = <u64>(r0 < a0);
  let t = a1 + c;
  let r1 = t + b1;
  c = <u64>(t < c) | <u64>(r1 < t);
  t = a2 + c;
  let r2 = t + b2;
  c = <u64>(t < c) | <u64>(r2 < t);
  t = a3 + c;
  let r3 = t + b3;
  c = <u64>(t < c) | <u64>(r3 < t);
  if (bothSmall) {
    // s < 2n: subtract n once if s >= n
    let n0 = load<u64>(n), n1 = load<u64>(n, 8), n2 = load<u64>(n, 16), n3 = load<u64>(n, 24);
    let ge = c != 0 || (r3 != n3 ? r3 > n3 : r2 != n2 ? r2 > n2 : r1 != n1 ? r1 > n1 : r0 >= n0);
    if (ge) {
      let x = r0 - n0; let br = <u64>(r0 < n0); r0 = x;
      x = r1 - n1; let b2 = <u64>(r1 < n1) | <u64>(x < br); r1 = x - br; br = b2;
      x = r2 - n2; b2 = <u64>(r2 < n2) | <u64>(x < br); r2 = x - br; br = b2;
      r3 = r3 - n3 - br;
    }
    store<u64>(n, r0);
    store<u64>(n, r1, 8);
    store<u64>(n, r2, 16);
    store<u64>(n, r3, 24);
    return;
  }
  store<u64>(a, r0);
  store<u64>(a, r1, 8);
  store<u64>(a, r2, 16);
  store<u64>(a, r3, 24);
  store<u64>(b, c);
  udivrem(a, b, c ? 5 : 4, n, 0, n);
}

/** n = (a * b) mod n with a 512-bit intermediate (0 if n == 0). a, b clobbered. */
export function u256_mulmod(a: usize, b: usize, n: usize): void {
  if (u256_is_zero(n)) return;
  if (u256_fits_u64(a) && u256_fits_u64(b) && u256_fits_u64(n)) {
    let x = load<u64>(a), y = load<u64>(b), m = load<u64>(n);
    let lo = x * y, hi = mulhi(x, y);
    let res: u64;
    if (hi == 0) {
      res = lo % m;
    } else {
      hi = hi % m;
      let s = <u64>clz(m);
      let vn = m << s;
      let u1 = (hi << s) | carryL(lo, s);
      let u0 = lo << s;
      let qd = divlu(u1, u0, vn);
      res = (u0 - qd * vn) >> s;
    }
    store<u64>(n, res);
    return;
  }
  mul512(a, b, a, b);
  if (load<u64>(n, 24) != 0) mod512_by256(a, b, n, n); // field and curve moduli
  else udivrem(a, b, 8, n, 0, n);
}

/** b = a ^ b mod 2^256 (a = base, b = exponent). a clobbered. */
export function u256_exp(a: usize, b: usize): void {
  let e0 = load<u64>(b), e1 = load<u64>(b, 8), e2 = load<u64>(b, 16), e3 = load<u64>(b, 24);
  if ((e1 | e2 | e3) == 0) {
    if (e0 == 0) { u256_set_u64(b, 1); return; }
    if (e0 == 1) { u256_copy(b, a); return; }
  }
  if (u256_fits_u64(a)) {
    let x = load<u64>(a);
    if (x <= 1) { u256_set_u64(b, x); return; } // 0^e = 0, 1^e = 1 (e > 0)
    if (x == 2) {
      // 2^e = 1 << e
      if ((e1 | e2 | e3) != 0 || e0 >= 256) { set_zero(b); return; }
      u256_set_u64(b, 1);
      shl_inplace(b, <u32>e0);
      return;
    }
  }
  // right-to-left binary exponentiation; b holds the result, a the base power
  let bits = 256 - <i32>clz256(b);
  u256_set_u64(b, 1);
  let first = true;
  for (let i = 0; i < bits; i++) {
    let limb = i < 64 ? e0 : i < 128 ? e1 : i < 192 ? e2 : e3;
    if ((limb >> <u64>(i & 63)) & 1) {
      if (first) { u256_copy(b, a); first = false; }
      else u256_mul(a, b);
    }
    if (i + 1 < bits) sqr_inplace(a);
  }
}

/** b = SIGNEXTEND(byteIndex = a, x = b) */
export function u256_signextend(a: usize, b: usize): void {
  if (!u256_fits_u64(a)) return;
  let k = load<u64>(a);
  if (k >= 31) return;
  let bit = <u32>(k << 3) + 7; // 7..247
  let li = bit >> 6;
  let lp = b + (<usize>li << 3);
  let x = load<u64>(lp);
  let sh = <u64>(bit & 63);
  let fill = <u64>0 - ((x >> sh) & 1);
  // bits 0..sh kept (sh <= 62 or 63)
  let mask = sh == 63 ? <u64>-1 : (<u64>2 << sh) - 1;
  store<u64>(lp, (x & mask) | (fill & ~mask));
  for (let i = li + 1; i < 4; i++) store<u64>(b + (<usize>i << 3), fill);
}

// ---------------------------------------------------------------------------
// Comparison & bitwise
// ---------------------------------------------------------------------------

/** b = a < b */
// @ts-ignore: decorator
@inline
export function u256_lt(a: usize, b: usize): void {
  u256_set_u64(b, <u64>u256_lt_bool(a, b));
}

/** b = a > b */
// @ts-ignore: decorator
@inline
export function u256_gt(a: usize, b: usize): void {
  u256_set_u64(b, <u64>u256_lt_bool(b, a));
}

/** b = a < b (signed) */
// @ts-ignore: decorator
@inline
export function u256_slt(a: usize, b: usize): void {
  u256_set_u64(b, <u64>slt_bool(a, b));
}

/** b = a > b (signed) */
// @ts-ignore: decorator
@inline
export function u256_sgt(a: usize, b: usize): void {
  u256_set_u64(b, <u64>slt_bool(b, a));
}

/** b = a == b */
// @ts-ignore: decorator
@inline
export function u256_eq(a: usize, b: usize): void {
  u256_set_u64(b, <u64>u256_eq_bool(a, b));
}

/** a = a == 0 */
// @ts-ignore: decorator
@inline
export function u256_iszero(a: usize): void {
  u256_set_u64(a, <u64>u256_is_zero(a));
}

// @ts-ignore: decorator
@inline
export function u256_and(a: usize, b: usize): void {
  v128.store(b, v128.and(v128.load(a), v128.load(b)));
  v128.store(b, v128.and(v128.load(a, 16), v128.load(b, 16)), 16);
}

// @ts-ignore: decorator
@inline
export function u256_or(a: usize, b: usize): void {
  v128.store(b, v128.or(v128.load(a), v128.load(b)));
  v128.store(b, v128.or(v128.load(a, 16), v128.load(b, 16)), 16);
}

// @ts-ignore: decorator
@inline
export function u256_xor(a: usize, b: usize): void {
  v128.store(b, v128.xor(v128.load(a), v128.load(b)));
  v128.store(b, v128.xor(v128.load(a, 16), v128.load(b, 16)), 16);
}

// @ts-ignore: decorator
@inline
export function u256_not(a: usize): void {
  v128.store(a, v128.not(v128.load(a)));
  v128.store(a, v128.not(v128.load(a, 16)), 16);
}

/** b = BYTE(i = a, x = b): byte i counting from the most significant, 0 if i >= 32 */
// @ts-ignore: decorator
@inline
export function u256_byte(a: usize, b: usize): void {
  let i = load<u64>(a);
  if (!u256_fits_u64(a) || i >= 32) { set_zero(b); return; }
  u256_set_u64(b, <u64>load<u8>(b + 31 - <usize>i));
}

// ---------------------------------------------------------------------------
// Shifts
// ---------------------------------------------------------------------------

/** p <<= s for s in 0..255 */
function shl_inplace(p: usize, s: u32): void {
  let x0 = load<u64>(p), x1 = load<u64>(p, 8), x2 = load<u64>(p, 16), x3 = load<u64>(p, 24);
  let ws = s >> 6;
  let bs = <u64>(s & 63);
  if (ws == 1) { x3 = x2; x2 = x1; x1 = x0; x0 = 0; }
  else if (ws == 2) { x3 = x1; x2 = x0; x1 = 0; x0 = 0; }
  else if (ws == 3) { x3 = x0; x2 = 0; x1 = 0; x0 = 0; }
  store<u64>(p, x0 << bs);
  store<u64>(p, (x1 << bs) | carryL(x0, bs), 8);
  store<u64>(p, (x2 << bs) | carryL(x1, bs), 16);
  store<u64>(p, (x3 << bs) | carryL(x2, bs), 24);
}

/** p >>= s for s in 0..255, filling with `fill` (0 or all ones) */
// @ts-ignore: decorator
@inline
function shr_inplace(p: usize, s: u32, fill: u64): void {
  let x0 = load<u64>(p), x1 = load<u64>(p, 8), x2 = load<u64>(p, 16), x3 = load<u64>(p, 24);
  let ws = s >> 6;
  let bs = <u64>(s & 63);
  if (ws == 1) { x0 = x1; x1 = x2; x2 = x3; x3 = fill; }
  else if (ws == 2) { x0 = x2; x1 = x3; x2 = fill; x3 = fill; }
  else if (ws == 3) { x0 = x3; x1 = fill; x2 = fill; x3 = fill; }
  store<u64>(p, (x0 >> bs) | carryR(x1, bs));
  store<u64>(p, (x1 >> bs) | carryR(x2, bs), 8);
  store<u64>(p, (x2 >> bs) | carryR(x3, bs), 16);
  store<u64>(p, (x3 >> bs) | carryR(fill, bs), 24);
}

/** b = b << a (0 if a >= 256) */
// @ts-ignore: decorator
@inline
export function u256_shl(a: usize, b: usize): void {
  let s = load<u64>(a);
  if (!u256_fits_u64(a) || s >= 256) { set_zero(b); return; }
  shl_inplace(b, <u32>s);
}

/** b = b >> a (logical; 0 if a >= 256) */
// @ts-ignore: decorator
@inline
export function u256_shr(a: usize, b: usize): void {
  let s = load<u64>(a);
  if (!u256_fits_u64(a) || s >= 256) { set_zero(b); return; }
  shr_inplace(b, <u32>s, 0);
}

/** b = b >> a (arithmetic; shifts >= 256 give 0 or all ones by sign) */
// @ts-ignore: decorator
@inline
export function u256_sar(a: usize, b: usize): void {
  let s = load<u64>(a);
  let fill = <u64>(<i64>load<u64>(b, 24) >> 63);
  if (!u256_fits_u64(a) || s >= 256) {
    let f = i64x2.splat(<i64>fill);
    v128.store(b, f);
    v128.store(b, f, 16);
    return;
  }
  shr_inplace(b, <u32>s, fill);
}

/** a = number of leading zero bits of a (256 for zero) */
// @ts-ignore: decorator
@inline
export function u256_clz(a: usize): void {
  u256_set_u64(a, clz256(a));
}
