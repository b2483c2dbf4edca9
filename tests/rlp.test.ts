import { describe, expect, it } from 'vitest';
import { BraidError, isBraidError } from '../src/encoding/errors.js';
import {
  bigIntToBytes,
  bytesToBigInt,
  bytesToHex,
  compareBytes,
  concatBytes,
  equalBytes,
  hexToBigInt,
  hexToBytes,
  isHexString,
} from '../src/encoding/hex.js';
import { RLP as ethjsRlp } from '@ethereumjs/rlp';
import { rlpDecode, rlpEncode, rlpToJson, type RlpDecoded, type RlpItem } from '../src/encoding/rlp.js';

const enc = (s: string) => new TextEncoder().encode(s);

function expectBraid(fn: () => unknown, code: string, message?: RegExp): BraidError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BraidError);
    const be = e as BraidError;
    expect(be.code).toBe(code);
    if (message) expect(be.message).toMatch(message);
    return be;
  }
  throw new Error('expected a BraidError to be thrown');
}

describe('hex', () => {
  it('round-trips bytes and hex', () => {
    const b = Uint8Array.from({ length: 256 }, (_, i) => i);
    const h = bytesToHex(b);
    expect(h.startsWith('0x000102')).toBe(true);
    expect(h.endsWith('fdfeff')).toBe(true);
    expect(hexToBytes(h)).toEqual(b);
    expect(hexToBytes(h.toUpperCase().replace('0X', '0x'))).toEqual(b);
    expect(hexToBytes(h.slice(2))).toEqual(b);
    expect(hexToBytes('0x')).toEqual(new Uint8Array(0));
    expect(hexToBytes('')).toEqual(new Uint8Array(0));
    expect(bytesToHex(new Uint8Array(0))).toBe('0x');
    expect(hexToBytes('0XaBcD')).toEqual(Uint8Array.of(0xab, 0xcd));
  });

  it('rejects odd length and bad characters, naming the input', () => {
    expectBraid(() => hexToBytes('0xabc'), 'HEX_INVALID', /odd number of digits \(3\) in "0xabc"/);
    expectBraid(() => hexToBytes('0xzz'), 'HEX_INVALID', /invalid character "z" at position 2 in "0xzz"/);
    expectBraid(() => hexToBytes('0x0g'), 'HEX_INVALID', /position 3/);
    expectBraid(() => hexToBigInt('0x12q'), 'HEX_INVALID', /"q"/);
    expectBraid(() => hexToBytes(12 as unknown as string), 'HEX_INVALID', /expected a string/);
    expect(isHexString('0x12ab')).toBe(true);
    expect(isHexString('0x12ag')).toBe(false);
  });

  it('converts bigints', () => {
    expect(hexToBigInt('0x')).toBe(0n);
    expect(hexToBigInt('0x00ff')).toBe(255n);
    expect(hexToBigInt('ff')).toBe(255n);
    expect(hexToBigInt('0x0')).toBe(0n);
    expect(bigIntToBytes(0n)).toEqual(new Uint8Array(0));
    expect(bigIntToBytes(1n)).toEqual(Uint8Array.of(1));
    expect(bigIntToBytes(0x1234n)).toEqual(Uint8Array.of(0x12, 0x34));
    expect(bigIntToBytes(0x123n)).toEqual(Uint8Array.of(0x01, 0x23));
    expect(bigIntToBytes(0x1234n, 4)).toEqual(Uint8Array.of(0, 0, 0x12, 0x34));
    expect(bigIntToBytes(0n, 2)).toEqual(Uint8Array.of(0, 0));
    expectBraid(() => bigIntToBytes(0x123456n, 2), 'VALUE_INVALID', /does not fit in 2 bytes/);
    expectBraid(() => bigIntToBytes(-1n), 'VALUE_INVALID', /negative/);
    const max = (1n << 256n) - 1n;
    expect(bytesToBigInt(bigIntToBytes(max))).toBe(max);
    expect(bigIntToBytes(max).length).toBe(32);
    expect(bytesToBigInt(new Uint8Array(0))).toBe(0n);
    expect(bytesToBigInt(Uint8Array.of(0, 0, 1))).toBe(1n);
    for (let i = 0; i < 200; i++) {
      const v = BigInt('0x' + [...crypto.getRandomValues(new Uint8Array(1 + (i % 40)))].map((x) => x.toString(16).padStart(2, '0')).join(''));
      expect(bytesToBigInt(bigIntToBytes(v))).toBe(v);
      expect(hexToBigInt(bytesToHex(bigIntToBytes(v)))).toBe(v);
    }
  });

  it('concatenates and compares', () => {
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    expect(concatBytes()).toEqual(new Uint8Array(0));
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
    expect(compareBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(2), Uint8Array.of(1, 0))).toBeGreaterThan(0);
  });
});

describe('rlp encode', () => {
  const vectors: Array<[RlpItem, string]> = [
    [enc('dog'), '0x83646f67'],
    [[enc('cat'), enc('dog')], '0xc88363617483646f67'],
    [new Uint8Array(0), '0x80'],
    [[], '0xc0'],
    [0, '0x80'],
    [0n, '0x80'],
    [Uint8Array.of(0), '0x00'],
    [15, '0x0f'],
    [0x7f, '0x7f'],
    [0x80, '0x8180'],
    [1024, '0x820400'],
    [1024n, '0x820400'],
    [[[], [[]], [[], [[]]]], '0xc7c0c1c0c3c0c1c0'],
    [
      enc('Lorem ipsum dolor sit amet, consectetur adipisicing elit'),
      '0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974',
    ],
    [(1n << 256n) - 1n, '0xa0' + 'ff'.repeat(32)],
  ];
  for (const [item, hex] of vectors) {
    it(`encodes ${hex.slice(0, 24)}`, () => {
      expect(bytesToHex(rlpEncode(item))).toBe(hex);
    });
  }

  it('uses long forms for long strings and lists', () => {
    const s = new Uint8Array(1024).fill(0xaa);
    const e = rlpEncode(s);
    expect(bytesToHex(e.subarray(0, 3))).toBe('0xb90400');
    expect(rlpDecode(e)).toEqual(s);
    const list = Array.from({ length: 60 }, () => Uint8Array.of(1));
    const el = rlpEncode(list);
    expect(bytesToHex(el.subarray(0, 2))).toBe('0xf83c');
    expect((rlpDecode(el) as RlpDecoded[]).length).toBe(60);
    const s55 = new Uint8Array(55).fill(1);
    expect(rlpEncode(s55)[0]).toBe(0xb7);
    const s56 = new Uint8Array(56).fill(1);
    expect(bytesToHex(rlpEncode(s56).subarray(0, 2))).toBe('0xb838');
  });

  it('rejects values it cannot encode', () => {
    expectBraid(() => rlpEncode(-1), 'RLP_ENCODE_INVALID', /non-negative/);
    expectBraid(() => rlpEncode(1.5), 'RLP_ENCODE_INVALID');
    expectBraid(() => rlpEncode(-5n), 'RLP_ENCODE_INVALID', /negative/);
    expectBraid(() => rlpEncode(null as unknown as RlpItem), 'RLP_ENCODE_INVALID', /null/);
  });
});

function randomItem(depth: number): RlpItem {
  const r = Math.random();
  if (depth > 3 || r < 0.6) {
    const lens = [0, 1, 1, 2, 20, 55, 56, 57, 100, 300];
    const len = lens[Math.floor(Math.random() * lens.length)]!;
    return crypto.getRandomValues(new Uint8Array(len));
  }
  const n = Math.floor(Math.random() * 8);
  return Array.from({ length: n }, () => randomItem(depth + 1));
}

function randomWithInts(depth: number): RlpItem {
  const r = Math.random();
  if (depth > 3 || r < 0.6) {
    const pick = Math.floor(Math.random() * 6);
    if (pick === 0) return Math.floor(Math.random() * 300);
    if (pick === 1) return BigInt(Math.floor(Math.random() * 2 ** 53));
    if (pick === 2) return BigInt('0x' + Buffer.from(crypto.getRandomValues(new Uint8Array(1 + Math.floor(Math.random() * 60)))).toString('hex'));
    return randomItem(depth);
  }
  const n = Math.floor(Math.random() * 8);
  return Array.from({ length: n }, () => randomWithInts(depth + 1));
}

describe('rlp encode against @ethereumjs/rlp', () => {
  it('gives the same bytes for random nested bytes, numbers and bigints', () => {
    for (let i = 0; i < 1000; i++) {
      const item = randomWithInts(0);
      expect(bytesToHex(rlpEncode(item))).toBe(bytesToHex(ethjsRlp.encode(item as never)));
    }
  });
});

describe('rlp decode', () => {
  it('round-trips random structures', () => {
    for (let i = 0; i < 500; i++) {
      const item = randomItem(0);
      const e = rlpEncode(item);
      const d = rlpDecode(e);
      expect(rlpToJson(d)).toEqual(rlpToJson(item as RlpDecoded));
      expect(rlpEncode(d)).toEqual(e);
    }
  });

  it('decodes the standard vectors', () => {
    expect(rlpToJson(rlpDecode(hexToBytes('0xc88363617483646f67')))).toEqual(['0x636174', '0x646f67']);
    expect(rlpToJson(rlpDecode(hexToBytes('0xc7c0c1c0c3c0c1c0')))).toEqual([[], [[]], [[], [[]]]]);
    expect(rlpDecode(hexToBytes('0x80'))).toEqual(new Uint8Array(0));
    expect(rlpDecode(hexToBytes('0x00'))).toEqual(Uint8Array.of(0));
    expect(rlpDecode(hexToBytes('0x8180'))).toEqual(Uint8Array.of(0x80));
  });

  const bad: Array<[string, string, RegExp]> = [
    ['empty input', '0x', /empty input/],
    ['single byte < 0x80 as 0x81xx', '0x8100', /non-canonical single byte.*0x8100/],
    ['single byte 0x7f as 0x817f', '0x817f', /must be encoded as the byte itself/],
    ['long string form for a short string', '0xb80161', /long form used for length 1 < 56/],
    ['long string form for length 55', '0xb837' + '61'.repeat(55), /long form used for length 55 < 56/],
    ['long list form for a short list', '0xf80180', /non-canonical list length.*long form used for length 1/],
    ['leading zero in string length', '0xb90038' + '61'.repeat(56), /string length at offset 0 has a leading zero/],
    ['leading zero in list length', '0xf90038' + '80'.repeat(56), /list length at offset 0 has a leading zero/],
    ['trailing bytes', '0x8361626364', /1 trailing byte/],
    ['two items', '0x8080', /trailing byte/],
    ['string past end', '0x83616263'.slice(0, 8), /string of length 3 at offset 0 runs past the end/],
    ['list past end', '0xc3808080'.slice(0, 8), /list of length 3 at offset 0 runs past the end/],
    ['long string past end', '0xb840' + '61'.repeat(10), /string of length 64 .* runs past the end/],
    ['length-of-length past end', '0xbb0102', /length-of-length 4 .* runs past the end/],
    ['item overflowing its list', '0xc2830102', /string of length 3 at offset 1 runs past the end of its input \(1 bytes left\)/],
    ['huge length', '0xbfffffffffffffffff', /runs past the end/],
  ];
  for (const [name, hex, msg] of bad) {
    it(`rejects ${name}`, () => {
      expectBraid(() => rlpDecode(hexToBytes(hex)), 'RLP_INVALID', msg);
    });
  }

  it('rejects non-canonical forms nested inside lists', () => {
    expectBraid(() => rlpDecode(hexToBytes('0xc3c28100')), 'RLP_INVALID', /offset 2/);
  });

  it('never throws anything but BraidError on random or mutated input', () => {
    for (let i = 0; i < 3000; i++) {
      let input: Uint8Array;
      if (i % 2 === 0) {
        input = crypto.getRandomValues(new Uint8Array(1 + (i % 70)));
      } else {
        input = rlpEncode(randomItem(0)).slice();
        if (input.length > 0) input[Math.floor(Math.random() * input.length)] = Math.floor(Math.random() * 256);
        if (i % 3 === 0) input = input.subarray(0, Math.floor(Math.random() * input.length));
      }
      try {
        const d = rlpDecode(input);
        // anything accepted must be canonical
        expect(rlpEncode(d)).toEqual(input);
      } catch (e) {
        expect(isBraidError(e, 'RLP_INVALID')).toBe(true);
      }
    }
  });
});
