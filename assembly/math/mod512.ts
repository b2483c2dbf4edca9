// The remainder of a 512-bit number by a 256-bit modulus whose top limb is nonzero: MULMOD's
// reduction for the moduli of elliptic-curve and field arithmetic (bn254, secp256k1), where it
// is most of the instruction's time. Knuth's algorithm D on 64-bit limbs with one quotient digit
// per step from a three-by-two division by the cached reciprocal of the modulus's top two limbs
// (Moller & Granlund 2011, algorithm 5): no hardware division and no correction loop, one add-back
// in rare cases. Locals only; the reciprocal cache is per instance (per thread).
import { mulhi, reciprocal3by2, carryL, carryR } from "./limb";

/**
 * r = (hi:lo) mod n, where lo and hi hold the low and high 256 bits of the dividend and n's top
 * limb is nonzero. r may alias lo, hi or n (everything is read before r is written).
 */
export function mod512_by256(lo: usize, hi: usize, n: usize, r: usize): void {
  // Normalise: shift the modulus (and the dividend) left until bit 255 is set.
  const n3 = load<u64>(n, 24), n2 = load<u64>(n, 16), n1 = load<u64>(n, 8), n0 = load<u64>(n);
  const s = <u64>clz(n3);
  const d3 = (n3 << s) | carryL(n2, s);
  const d2 = (n2 << s) | carryL(n1, s);
  const d1 = (n1 << s) | carryL(n0, s);
  const d0 = n0 << s;
  const v = reciprocal3by2(d3, d2);

  // Window r3:r2:r1:r0, always below d3:d2:d1:d0, starts as the top four limbs of the shifted
  // dividend (its ninth limb holds only the s < 64 bits shifted out, so r3 < 2^s <= d3).
  const x7 = load<u64>(hi, 24), x6 = load<u64>(hi, 16), x5 = load<u64>(hi, 8);
  const x4 = load<u64>(hi);
  let r3 = carryL(x7, s);
  let r2 = (x7 << s) | carryL(x6, s);
  let r1 = (x6 << s) | carryL(x5, s);
  let r0 = (x5 << s) | carryL(x4, s);
  let next = x4;
  let k: i32 = 4;
  // A product of two reduced operands is below n^2: its shifted top four limbs already lie
  // below d, and the window can start one limb lower (four digits instead of five).
  if (r3 == 0) {
    const x3 = load<u64>(lo, 24);
    const u4 = (x4 << s) | carryL(x3, s);
    if (r2 < d3 || (r2 == d3 && (r1 < d2 || (r1 == d2 && (r0 < d1 || (r0 == d1 && u4 < d0)))))) {
      r3 = r2; r2 = r1; r1 = r0; r0 = u4;
      next = x3;
      k = 3;
    }
  }

  // One digit per remaining limb of the dividend, down to limb 0.
  for (; k >= 0; k--) {
    const cur = next;
    next = k > 0 ? load<u64>(lo + (<usize>(k - 1) << 3)) : 0;
    const x = (cur << s) | carryL(next, s);
    let w3: u64, w2: u64, w1: u64, w0: u64;
    if (r3 == d3 && r2 == d2) {
      // The digit is 2^64 - 1 exactly (r3:r2 equal to the modulus's top limbs forces it):
      // new window = (r - d) * 2^64 + x + d, computed mod 2^256 (the result lies in [0, d)).
      const e0 = r0 - d0; const b0 = <u64>(r0 < d0);
      const t1 = r1 - d1; const e1 = t1 - b0; const b1 = <u64>(r1 < d1) | <u64>(t1 < b0);
      const e2 = <u64>0 - b1;
      w0 = x + d0; let c = <u64>(w0 < d0);
      let t = e0 + c; c = <u64>(t < c); w1 = t + d1; c |= <u64>(w1 < d1);
      t = e1 + c; c = <u64>(t < c); w2 = t + d2; c |= <u64>(w2 < d2);
      w3 = e2 + d3 + c;
    } else {
      // q = floor((r3:r2:r1) / (d3:d2)) by the reciprocal, with rh1:rh0 its remainder.
      let ql = v * r3, q = mulhi(v, r3);
      const sl = ql + r2;
      q += r3 + <u64>(sl < ql);
      ql = sl;
      let rh1 = r2 - q * d3;
      const tl = d2 * q, th = mulhi(d2, q);
      let rh0 = r1 - tl;
      rh1 = rh1 - th - <u64>(r1 < tl);
      const b = <u64>(rh0 < d2);
      rh0 -= d2;
      rh1 = rh1 - d3 - b;
      // q + 1, less one (and the remainder plus the divisor) when rh1 >= ql: about half the
      // digits either way, so masks rather than a branch the CPU would mispredict.
      const back = <u64>0 - <u64>(rh1 >= ql);
      q = q + 1 + back;
      const a0 = d2 & back;
      rh0 += a0;
      rh1 += (d3 & back) + <u64>(rh0 < a0);
      if (rh1 > d3 || (rh1 == d3 && rh0 >= d2)) { // rare
        q++;
        const bb = <u64>(rh0 < d2);
        rh0 -= d2;
        rh1 = rh1 - d3 - bb;
      }
      // Window = rh1:rh0:r0:x - q * (d1:d0); q is one too large when that borrows: add d back.
      const p0l = q * d0, p0h = mulhi(q, d0);
      const p1l = q * d1, p1h = mulhi(q, d1);
      const m1 = p1l + p0h;
      const m2 = p1h + <u64>(m1 < p1l);
      w0 = x - p0l; let br = <u64>(x < p0l);
      let t = r0 - m1; let bn = <u64>(r0 < m1); w1 = t - br; br = bn | <u64>(t < br);
      t = rh0 - m2; bn = <u64>(rh0 < m2); w2 = t - br; br = bn | <u64>(t < br);
      w3 = rh1 - br; br = <u64>(rh1 < br);
      if (br) {
        w0 += d0; let c = <u64>(w0 < d0);
        t = w1 + c; c = <u64>(t < c); w1 = t + d1; c |= <u64>(w1 < d1);
        t = w2 + c; c = <u64>(t < c); w2 = t + d2; c |= <u64>(w2 < d2);
        w3 = w3 + d3 + c;
      }
    }
    r3 = w3; r2 = w2; r1 = w1; r0 = w0;
  }

  // Undo the normalisation.
  store<u64>(r, (r0 >> s) | carryR(r1, s));
  store<u64>(r, (r1 >> s) | carryR(r2, s), 8);
  store<u64>(r, (r2 >> s) | carryR(r3, s), 16);
  store<u64>(r, r3 >> s, 24);
}
