import { describe, expect, it } from 'vitest';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bn254 } from '@noble/curves/bn254.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes, utf8ToBytes, concatBytes } from '@noble/hashes/utils.js';
import { Fork } from '../src/fork.js';
import {
  activePrecompiles,
  getPrecompile,
  isPrecompile,
  precompileCount,
  runPrecompile,
  type PrecompileResult,
} from '../src/precompiles/index.js';
import { getKzg, kzgToVersionedHash } from '../src/precompiles/kzg.js';

const hex = (b: Uint8Array) => bytesToHex(b);
const h = (s: string) => hexToBytes(s.replace(/^0x/, '').replace(/\s+/g, ''));
const word = (v: bigint) => h(v.toString(16).padStart(64, '0'));
const run = (address: number, input: Uint8Array, gasLimit = 10_000_000n, fork = Fork.Cancun) =>
  runPrecompile(address, input, gasLimit, fork);

function expectFail(r: PrecompileResult, gasLimit: bigint): void {
  expect(r.success).toBe(false);
  expect(r.gasUsed).toBe(gasLimit);
  expect(r.output.length).toBe(0);
}

const SECP_N = secp256k1.Point.CURVE().n;

describe('precompile table', () => {
  it('precompileCount per fork', () => {
    expect(precompileCount(Fork.Frontier)).toBe(4);
    expect(precompileCount(Fork.SpuriousDragon)).toBe(4);
    expect(precompileCount(Fork.Byzantium)).toBe(8);
    expect(precompileCount(Fork.Petersburg)).toBe(8);
    expect(precompileCount(Fork.Istanbul)).toBe(9);
    expect(precompileCount(Fork.Shanghai)).toBe(9);
    expect(precompileCount(Fork.Cancun)).toBe(10);
    expect(precompileCount(Fork.Prague)).toBeGreaterThanOrEqual(10);
  });

  it('activation and lookup', () => {
    expect(isPrecompile(0, Fork.Cancun)).toBe(false);
    expect(isPrecompile(5, Fork.Homestead)).toBe(false);
    expect(isPrecompile(5, Fork.Byzantium)).toBe(true);
    expect(isPrecompile(9, Fork.Petersburg)).toBe(false);
    expect(isPrecompile(10, Fork.Shanghai)).toBe(false);
    expect(getPrecompile(10, Fork.Cancun)?.name).toBe('KZG_POINT_EVALUATION');
    expect(activePrecompiles(Fork.Istanbul)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => runPrecompile(9, new Uint8Array(213), 100n, Fork.Byzantium)).toThrow(RangeError);
  });

  it('output does not alias the input', () => {
    const input = utf8ToBytes('hello');
    const r = run(4, input);
    input[0] = 0;
    expect(new TextDecoder().decode(r.output)).toBe('hello');
  });
});

describe('0x01 ecrecover', () => {
  const hash = keccak_256(utf8ToBytes('braid'));
  const sign = (priv: bigint) => {
    const sk = word(priv);
    const sig = secp256k1.Signature.fromBytes(
      secp256k1.sign(hash, sk, { prehash: false, format: 'recovered' }),
      'recovered',
    );
    const pub = secp256k1.getPublicKey(sk, false);
    const addr = keccak_256(pub.subarray(1)).subarray(12);
    expect(hex(sig.recoverPublicKey(hash).toBytes(false))).toBe(hex(pub));
    return { sig, addr, recovery: sig.recovery! };
  };
  const input = (v: bigint, r: bigint, s: bigint, hs = hash) => concatBytes(hs, word(v), word(r), word(s));

  it('recovers the signer (private key 1 → 0x7e5f…5bdf)', () => {
    const { sig, addr, recovery } = sign(1n);
    expect(hex(addr)).toBe('7e5f4552091a69125d5dfcb7b8c2659029395bdf');
    const r = run(1, input(27n + BigInt(recovery), sig.r, sig.s));
    expect(r.success).toBe(true);
    expect(r.gasUsed).toBe(3000n);
    expect(hex(r.output)).toBe('000000000000000000000000' + hex(addr));
  });

  it('recovers for another key, accepts high s, ignores trailing bytes', () => {
    const { sig, addr, recovery } = sign(0xdeadbeefcafen);
    const ok = run(1, concatBytes(input(27n + BigInt(recovery), sig.r, sig.s), h('ffff')));
    expect(hex(ok.output)).toBe('000000000000000000000000' + hex(addr));
    // (r, n - s) with the other parity is the same signature, high-s form: not rejected.
    const high = run(1, input(28n - BigInt(recovery), sig.r, SECP_N - sig.s));
    expect(hex(high.output)).toBe('000000000000000000000000' + hex(addr));
    // the wrong parity recovers some other address
    const other = run(1, input(28n - BigInt(recovery), sig.r, sig.s));
    expect(other.output.length).toBe(32);
    expect(hex(other.output)).not.toBe('000000000000000000000000' + hex(addr));
  });

  it('returns empty output (success, gas charged) for invalid signatures', () => {
    const { sig, recovery } = sign(1n);
    const v = 27n + BigInt(recovery);
    const cases = [
      input(0n, sig.r, sig.s),
      input(29n, sig.r, sig.s),
      input(1n, sig.r, sig.s),
      input(v + (1n << 8n), sig.r, sig.s), // upper bytes of v must be zero
      input(v, 0n, sig.s),
      input(v, sig.r, 0n),
      input(v, SECP_N, sig.s),
      input(v, sig.r, SECP_N),
      input(v, sig.r, (1n << 256n) - 1n),
      new Uint8Array(0),
      input(27n, 5n, 1n), // arbitrary small r: recovers some key or nothing, never throws
    ];
    for (const c of cases.slice(0, -1)) {
      const r = run(1, c);
      expect(r.success).toBe(true);
      expect(r.gasUsed).toBe(3000n);
      expect(r.output.length).toBe(0);
    }
    const last = run(1, cases[cases.length - 1]);
    expect(last.success).toBe(true);
    expect([0, 32]).toContain(last.output.length);
  });

  it('out of gas', () => {
    expectFail(run(1, new Uint8Array(128), 2999n), 2999n);
  });
});

describe('0x02 sha256, 0x03 ripemd160, 0x04 identity', () => {
  it('sha256', () => {
    let r = run(2, new Uint8Array(0));
    expect(hex(r.output)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(r.gasUsed).toBe(60n);
    r = run(2, utf8ToBytes('abc'));
    expect(hex(r.output)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(r.gasUsed).toBe(72n);
    expect(run(2, new Uint8Array(33)).gasUsed).toBe(60n + 24n);
    expectFail(run(2, new Uint8Array(33), 83n), 83n);
  });

  it('ripemd160', () => {
    let r = run(3, new Uint8Array(0));
    expect(hex(r.output)).toBe('0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31');
    expect(r.gasUsed).toBe(600n);
    r = run(3, utf8ToBytes('abc'));
    expect(hex(r.output)).toBe('0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc');
    expect(r.gasUsed).toBe(720n);
    expect(run(3, new Uint8Array(64)).gasUsed).toBe(840n);
    expectFail(run(3, new Uint8Array(1), 719n), 719n);
  });

  it('identity', () => {
    const data = Uint8Array.from({ length: 33 }, (_, i) => i);
    const r = run(4, data);
    expect(hex(r.output)).toBe(hex(data));
    expect(r.gasUsed).toBe(21n);
    const e = run(4, new Uint8Array(0));
    expect(e.output.length).toBe(0);
    expect(e.gasUsed).toBe(15n);
    expectFail(run(4, data, 20n), 20n);
  });
});

describe('0x05 modexp', () => {
  const encode = (b: Uint8Array, e: Uint8Array, m: Uint8Array) =>
    concatBytes(word(BigInt(b.length)), word(BigInt(e.length)), word(BigInt(m.length)), b, e, m);
  const big = (v: bigint, len: number) => h(v.toString(16).padStart(2 * len, '0'));
  const ref = (b: bigint, e: bigint, m: bigint) => {
    if (m === 0n) return 0n;
    let r = 1n % m;
    let x = b % m;
    for (let k = e; k > 0n; k >>= 1n) {
      if (k & 1n) r = (r * x) % m;
      x = (x * x) % m;
    }
    return r;
  };

  it('small cases match BigInt arithmetic', () => {
    const cases: [bigint, bigint, bigint, number, number, number][] = [
      [3n, 5n, 7n, 1, 1, 1],
      [2n, 10n, 1000n, 1, 1, 2],
      [0n, 0n, 7n, 1, 1, 1], // 0^0 = 1
      [5n, 0n, 1n, 1, 1, 1], // mod 1 → 0
      [5n, 3n, 0n, 1, 1, 1], // mod 0 → 0
      [123456789n, 987654321n, 1000000007n, 4, 4, 4],
      [2n ** 200n + 12345n, 65537n, 2n ** 255n - 19n, 32, 3, 32],
      [7n, 2n ** 300n + 1n, 2n ** 127n - 1n, 2, 40, 20],
      [1n, 2n ** 64n, 9n, 1, 9, 1],
      [10n, 1n, 3n, 1, 1, 5], // output is left-padded to modLen
    ];
    for (const [b, e, m, bl, el, ml] of cases) {
      const r = run(5, encode(big(b, bl), big(e, el), big(m, ml)), 10_000_000n, Fork.Berlin);
      expect(r.success).toBe(true);
      expect(hex(r.output)).toBe(hex(big(ref(b, e, m), ml)));
    }
  });

  // EIP-198 example 1: 3^(p-1) mod p = 1 for the secp256k1 field prime.
  const eip198ex1 = h(
    '0000000000000000000000000000000000000000000000000000000000000001' +
      '0000000000000000000000000000000000000000000000000000000000000020' +
      '0000000000000000000000000000000000000000000000000000000000000020' +
      '03' +
      'fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e' +
      'fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f',
  );

  it('EIP-198 examples and gas (Byzantium) / EIP-2565 gas (Berlin)', () => {
    let r = run(5, eip198ex1, 10_000_000n, Fork.Byzantium);
    expect(hex(r.output)).toBe(hex(word(1n)));
    expect(r.gasUsed).toBe(13056n); // 32^2 * 255 / 20
    r = run(5, eip198ex1, 10_000_000n, Fork.Berlin);
    expect(hex(r.output)).toBe(hex(word(1n)));
    expect(r.gasUsed).toBe(1360n); // ceil(32/8)^2 * 255 / 3
    // EIP-198 example 2: base length 0 → base 0, 0^(p-1) mod p = 0.
    const ex2 = h(
      '0000000000000000000000000000000000000000000000000000000000000000' +
        '0000000000000000000000000000000000000000000000000000000000000020' +
        '0000000000000000000000000000000000000000000000000000000000000020' +
        'fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e' +
        'fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f',
    );
    r = run(5, ex2, 10_000_000n, Fork.Byzantium);
    expect(hex(r.output)).toBe(hex(word(0n)));
    expect(r.gasUsed).toBe(13056n);
  });

  it('EIP-2565 gas: minimum 200, complexity, iteration count', () => {
    const gas = (input: Uint8Array, fork = Fork.Berlin) => getPrecompile(5, fork)!.gas(input, fork);
    // tiny inputs hit the 200 floor
    expect(gas(encode(big(3n, 1), big(5n, 1), big(7n, 1)))).toBe(200n);
    expect(gas(new Uint8Array(0))).toBe(200n);
    // 64-byte base and modulus, exponent 0x010001 (highest bit 16): 8^2 * 16 / 3 = 341
    expect(gas(encode(new Uint8Array(64), big(65537n, 3), new Uint8Array(64)))).toBe(341n);
    // 256-byte modulus, exponent 2^255 in 32 bytes: 32^2 * 255 / 3 = 87040
    expect(gas(encode(new Uint8Array(1), big(2n ** 255n, 32), new Uint8Array(256)))).toBe(87040n);
    // 40-byte exponent whose first 32 bytes are 1: iteration count 8*(40-32) + 0 = 64;
    // mlen 33 → 5 words: 25*64/3 = 533
    expect(gas(encode(new Uint8Array(0), h('00'.repeat(31) + '01' + '00'.repeat(8)), new Uint8Array(33)))).toBe(533n);
    // head 0x01 ‖ 31 zero bytes = 2^248: iteration count 64 + 248 = 312 → 25*312/3 = 2600
    expect(gas(encode(new Uint8Array(0), h('01' + '00'.repeat(39)), new Uint8Array(33)))).toBe(2600n);
    // expLen < 32 only looks at expLen bytes: 0x80 in 1 byte → highest bit 7; the base after it is not read
    expect(gas(encode(h('ff'.repeat(64)), h('80'), h('ff'.repeat(256))))).toBe((32n * 32n * 7n) / 3n);
    // zero exponent counts as 1 iteration: 128 words^2 ... 1024-byte modulus → 128^2 / 3 = 5461
    expect(gas(encode(new Uint8Array(0), new Uint8Array(0), new Uint8Array(1024)))).toBe(5461n);
    // Byzantium formula for the same: mult_complexity(1024) = 1024^2/4 + 96*1024 - 3072 = 357376; /20
    expect(gas(encode(new Uint8Array(0), new Uint8Array(0), new Uint8Array(1024)), Fork.Byzantium)).toBe(17868n);
    // mult_complexity(2048) = 2048^2/16 + 480*2048 - 199680 = 1045504; /20 = 52275
    expect(gas(encode(new Uint8Array(0), new Uint8Array(0), new Uint8Array(2048)), Fork.Byzantium)).toBe(52275n);
  });

  it('Osaka: EIP-7883 gas and EIP-7823 length bound', () => {
    const gas = (input: Uint8Array) => getPrecompile(5, Fork.Osaka)!.gas(input, Fork.Osaka);
    expect(gas(encode(big(3n, 1), big(5n, 1), big(7n, 1)))).toBe(500n);
    // 33-byte modulus → 5 words → 2 * 25; exponent 0x010001 → 16 iterations: 800
    expect(gas(encode(new Uint8Array(0), big(65537n, 3), new Uint8Array(33)))).toBe(800n);
    // 40-byte exponent with head 1: 16 * 8 = 128 iterations; 64-byte operands → 2 * 64: 16384
    expect(gas(encode(new Uint8Array(64), h('00'.repeat(31) + '01' + '00'.repeat(8)), new Uint8Array(64)))).toBe(16384n);
    const long = encode(new Uint8Array(1025), big(3n, 1), big(7n, 1));
    expectFail(run(5, long, 10_000_000n, Fork.Osaka), 10_000_000n);
    expect(run(5, long, 10_000_000n, Fork.Prague).success).toBe(true);
    const r = run(5, encode(big(3n, 1), big(5n, 1), big(7n, 1)), 10_000n, Fork.Osaka);
    expect(r).toEqual({ success: true, gasUsed: 500n, output: Uint8Array.of(5) }); // 243 mod 7
  });

  it('huge declared lengths', () => {
    // base length 2^255: astronomical gas → failure, nothing allocated
    const huge = concatBytes(word(1n << 255n), word(1n), word(1n << 255n));
    expectFail(run(5, huge, 30_000_000n, Fork.Berlin), 30_000_000n);
    expectFail(run(5, huge, 30_000_000n, Fork.Byzantium), 30_000_000n);
    // exp length 2^256-1 with empty base and modulus: cheap, empty output, no hang
    const hugeExp = concatBytes(word(0n), word((1n << 256n) - 1n), word(0n));
    let r = run(5, hugeExp, 30_000_000n, Fork.Berlin);
    expect(r).toEqual({ success: true, gasUsed: 200n, output: new Uint8Array(0) });
    r = run(5, hugeExp, 30_000_000n, Fork.Byzantium);
    expect(r).toEqual({ success: true, gasUsed: 0n, output: new Uint8Array(0) });
    // huge exponent with a 1-byte modulus: gas explodes
    const hugeExp2 = concatBytes(word(1n), word((1n << 256n) - 1n), word(1n), h('0203'));
    expectFail(run(5, hugeExp2, 30_000_000n, Fork.Berlin), 30_000_000n);
    // short input reads as zeros: 3-byte modulus of zeros → 3 zero bytes
    r = run(5, concatBytes(word(1n), word(1n), word(3n), h('02')), 1_000_000n, Fork.Berlin);
    expect(hex(r.output)).toBe('000000');
  });

  it('out of gas', () => {
    expectFail(run(5, eip198ex1, 1359n, Fork.Berlin), 1359n);
    expect(run(5, eip198ex1, 1360n, Fork.Berlin).success).toBe(true);
  });
});

describe('0x06–0x08 bn254', () => {
  const G1 = bn254.G1.Point;
  const G2 = bn254.G2.Point;
  const P = bn254.fields.Fp.ORDER;
  const R = bn254.fields.Fr.ORDER;
  const g1 = (p: InstanceType<typeof G1>) => {
    if (p.is0()) return new Uint8Array(64);
    const { x, y } = p.toAffine();
    return concatBytes(word(x), word(y));
  };
  const g2 = (p: InstanceType<typeof G2>) => {
    if (p.is0()) return new Uint8Array(128);
    const { x, y } = p.toAffine();
    return concatBytes(word(x.c1), word(x.c0), word(y.c1), word(y.c0));
  };
  const G = g1(G1.BASE);
  const TWO_G =
    '030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3' +
    '15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4';

  it('generator encoding is (1, 2)', () => {
    expect(hex(G)).toBe(hex(concatBytes(word(1n), word(2n))));
  });

  it('add: G + G = 2G, P + O = P, O + O = O, gas by fork', () => {
    let r = run(6, concatBytes(G, G));
    expect(r.success).toBe(true);
    expect(hex(r.output)).toBe(TWO_G);
    expect(r.gasUsed).toBe(150n);
    expect(run(6, concatBytes(G, G), 1000n, Fork.Byzantium).gasUsed).toBe(500n);
    r = run(6, G); // second point padded with zeros = infinity
    expect(hex(r.output)).toBe(hex(G));
    r = run(6, new Uint8Array(0));
    expect(hex(r.output)).toBe('00'.repeat(64));
    // P + (-P) = O
    r = run(6, concatBytes(G, g1(G1.BASE.negate())));
    expect(hex(r.output)).toBe('00'.repeat(64));
  });

  it('add: invalid points fail', () => {
    expectFail(run(6, concatBytes(word(1n), word(3n), G), 1000n), 1000n); // not on curve
    expectFail(run(6, concatBytes(G, word(0n), word(1n)), 1000n), 1000n); // (0, 1) not on curve
    expectFail(run(6, concatBytes(word(1n + P), word(2n), G), 1000n), 1000n); // x >= p
    expectFail(run(6, concatBytes(word(1n), word(P - 2n + P), G), 1000n), 1000n); // y >= p
    expectFail(run(6, concatBytes(G, G), 149n), 149n);
  });

  it('mul: 2G, 0 → infinity, r → infinity, r + 2 → 2G, big scalars', () => {
    let r = run(7, concatBytes(G, word(2n)));
    expect(hex(r.output)).toBe(TWO_G);
    expect(r.gasUsed).toBe(6000n);
    expect(run(7, concatBytes(G, word(2n)), 100000n, Fork.Byzantium).gasUsed).toBe(40000n);
    expect(hex(run(7, concatBytes(G, word(0n))).output)).toBe('00'.repeat(64));
    expect(hex(run(7, concatBytes(G, word(R))).output)).toBe('00'.repeat(64));
    expect(hex(run(7, concatBytes(G, word(R + 2n))).output)).toBe(TWO_G);
    const k = (1n << 256n) - 1n;
    expect(hex(run(7, concatBytes(G, word(k))).output)).toBe(hex(g1(G1.BASE.multiply(k % R))));
    expect(hex(run(7, concatBytes(new Uint8Array(64), word(5n))).output)).toBe('00'.repeat(64));
    expect(hex(run(7, G).output)).toBe('00'.repeat(64)); // scalar padded to 0
    expectFail(run(7, concatBytes(word(1n), word(3n), word(2n)), 10000n), 10000n);
    expectFail(run(7, concatBytes(G, word(2n)), 5999n), 5999n);
  });

  it('pairing: empty → 1, e(P,Q)·e(-P,Q) = 1, e(2P,Q)·e(-P,2Q) = 1, e(P,Q)^2 ≠ 1', () => {
    const one = hex(word(1n));
    const zero = hex(word(0n));
    let r = run(8, new Uint8Array(0));
    expect(hex(r.output)).toBe(one);
    expect(r.gasUsed).toBe(45000n);
    const Q = g2(G2.BASE);
    const negP = g1(G1.BASE.negate());
    r = run(8, concatBytes(G, Q, negP, Q));
    expect(hex(r.output)).toBe(one);
    expect(r.gasUsed).toBe(45000n + 2n * 34000n);
    expect(run(8, concatBytes(G, Q, negP, Q), 10_000_000n, Fork.Byzantium).gasUsed).toBe(100000n + 2n * 80000n);
    r = run(8, concatBytes(g1(G1.BASE.double()), Q, negP, g2(G2.BASE.double())));
    expect(hex(r.output)).toBe(one);
    r = run(8, concatBytes(G, Q, G, Q));
    expect(hex(r.output)).toBe(zero);
    r = run(8, concatBytes(G, Q));
    expect(hex(r.output)).toBe(zero);
    // pairs with a point at infinity contribute 1
    r = run(8, concatBytes(new Uint8Array(64), Q, G, new Uint8Array(128)));
    expect(hex(r.output)).toBe(one);
  });

  it('pairing: invalid inputs fail', () => {
    const Q = g2(G2.BASE);
    const limit = 1_000_000n;
    expectFail(run(8, concatBytes(G, Q).subarray(0, 191), limit), limit);
    expectFail(run(8, concatBytes(word(1n), word(3n), Q), limit), limit); // G1 not on curve
    const badQ = Q.slice();
    badQ[127] ^= 1; // y_real changed: not on the twist
    expectFail(run(8, concatBytes(G, badQ), limit), limit);
    // coordinates >= p
    expectFail(run(8, concatBytes(G, word(P), Q.subarray(32)), limit), limit);
    // a point on the twist but outside the order-r subgroup
    const { Fp2 } = bn254.fields;
    const b2 = G2.CURVE().b;
    let x = Fp2.fromBigTuple([1n, 0n]);
    let y;
    for (;;) {
      const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b2);
      try {
        y = Fp2.sqrt(rhs);
        if (Fp2.eql(Fp2.sqr(y), rhs)) break;
      } catch {
        /* not a square */
      }
      x = Fp2.add(x, Fp2.ONE);
    }
    const outside = new G2(x, y, Fp2.ONE);
    expect(outside.multiplyUnsafe(R - 1n).add(outside).is0()).toBe(false); // really not in G2
    const enc = concatBytes(word(x.c1), word(x.c0), word(y.c1), word(y.c0));
    expectFail(run(8, concatBytes(G, enc), limit), limit);
    expectFail(run(8, concatBytes(new Uint8Array(64), enc), limit), limit); // even when paired with O
    expectFail(run(8, concatBytes(G, Q), 78999n), 78999n);
  });
});

describe('0x09 blake2f', () => {
  // EIP-152 test vectors
  const BODY =
    '48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b' +
    '6162630000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' +
    '03000000000000000000000000000000';
  const v = (rounds: string, flag: string) => h(rounds + BODY + flag);

  it('vector 5 (12 rounds, "abc") = blake2b-512("abc")', () => {
    const r = run(9, v('0000000c', '01'));
    expect(r.success).toBe(true);
    expect(r.gasUsed).toBe(12n);
    expect(hex(r.output)).toBe(
      'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
    );
    expect(hex(r.output)).toBe(hex(blake2b(utf8ToBytes('abc'))));
  });

  it('vectors 4, 6, 7', () => {
    let r = run(9, v('00000000', '01'));
    expect(r.gasUsed).toBe(0n);
    expect(hex(r.output)).toBe(
      '08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b',
    );
    r = run(9, v('0000000c', '00'));
    expect(hex(r.output)).toBe(
      '75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735',
    );
    r = run(9, v('00000001', '01'));
    expect(r.gasUsed).toBe(1n);
    expect(hex(r.output)).toBe(
      'b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421',
    );
  });

  it('matches blake2b for a multi-block message', () => {
    // blake2b-512 of 200 bytes = two compressions; the first is not final.
    const msg = Uint8Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 0xff);
    const iv = h(BODY.slice(0, 128)); // IV with the parameter block (digest 64, fanout 1, depth 1) folded into h0
    const le64 = (n: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
      return b;
    };
    const block = (i: number) => {
      const b = new Uint8Array(128);
      b.set(msg.subarray(128 * i, 128 * i + 128));
      return b;
    };
    const r1 = run(9, concatBytes(h('0000000c'), iv, block(0), le64(128), le64(0), h('00')));
    const r2 = run(9, concatBytes(h('0000000c'), r1.output, block(1), le64(200), le64(0), h('01')));
    expect(hex(r2.output)).toBe(hex(blake2b(msg)));
  });

  it('invalid inputs fail (vectors 0–3), huge rounds fail on gas (vector 8)', () => {
    expectFail(run(9, new Uint8Array(0), 1000n), 1000n);
    expectFail(run(9, h('00000c' + BODY + '01'), 1000n), 1000n); // 212 bytes
    expectFail(run(9, h('000000000c' + BODY + '01'), 1000n), 1000n); // 214 bytes
    expectFail(run(9, v('0000000c', '02'), 1000n), 1000n); // bad flag
    expectFail(run(9, v('ffffffff', '01'), 10_000_000n), 10_000_000n); // 2^32-1 rounds
    expect(getPrecompile(9, Fork.Istanbul)!.gas(v('ffffffff', '01'), Fork.Istanbul)).toBe(4294967295n);
    expectFail(run(9, v('0000000c', '01'), 11n), 11n);
  });
});

describe('0x0a KZG point evaluation', () => {
  const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
  const RETURN = hex(word(4096n)) + hex(word(BLS_MODULUS));

  const build = (commitment: Uint8Array, z: bigint, y: bigint, proof: Uint8Array) =>
    concatBytes(kzgToVersionedHash(commitment), word(z), word(y), commitment, proof);

  it('accepts the trivial opening of the zero polynomial', () => {
    const inf = h('c0' + '00'.repeat(47));
    const r = run(10, build(inf, 12345n, 0n, inf));
    expect(r.success).toBe(true);
    expect(r.gasUsed).toBe(50000n);
    expect(hex(r.output)).toBe(RETURN);
    expectFail(run(10, build(inf, 12345n, 1n, inf), 60000n), 60000n); // claims p(z) = 1
  });

  it('accepts a real proof, rejects a tampered one', () => {
    const kzg = getKzg();
    const blob = Array.from({ length: 4096 }, (_, i) => BigInt(i) * 0x1234567n + 1n);
    const commitment = h(kzg.blobToKzgCommitment(blob));
    const z = 0x0123456789abcdefn;
    const [proofHex, yHex] = kzg.computeProof(blob, '0x' + z.toString(16).padStart(64, '0'));
    const proof = h(proofHex);
    const y = BigInt(yHex);
    const input = build(commitment, z, y, proof);
    const ok = run(10, input);
    expect(ok.success).toBe(true);
    expect(ok.gasUsed).toBe(50000n);
    expect(hex(ok.output)).toBe(RETURN);

    const limit = 100_000n;
    const badProof = proof.slice();
    badProof[47] ^= 1;
    expectFail(run(10, build(commitment, z, y, badProof), limit), limit);
    expectFail(run(10, build(commitment, z, (y + 1n) % BLS_MODULUS, proof), limit), limit); // wrong y
    expectFail(run(10, build(commitment, z + 1n, y, proof), limit), limit); // wrong z
    const badHash = input.slice();
    badHash[0] = 0x02; // wrong version byte
    expectFail(run(10, badHash, limit), limit);
    const badHash2 = input.slice();
    badHash2[31] ^= 1;
    expectFail(run(10, badHash2, limit), limit);
    expectFail(run(10, build(commitment, z + BLS_MODULUS, y, proof), limit), limit); // z not canonical
    expectFail(run(10, build(commitment, z, y + BLS_MODULUS, proof), limit), limit); // y not canonical
    expectFail(run(10, input.subarray(0, 191), limit), limit);
    expectFail(run(10, concatBytes(input, h('00')), limit), limit);
    expectFail(run(10, input, 49999n), 49999n);
  });
});
