import { BraidError } from './errors.js';

// Byte -> two lowercase hex chars.
const HEX_PAIRS: string[] = new Array(256);
for (let i = 0; i < 256; i++) HEX_PAIRS[i] = (i < 16 ? '0' : '') + i.toString(16);

// Char code -> nibble value, 255 for "not a hex digit".
const NIBBLE = new Uint8Array(256).fill(255);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i; // 0-9
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i; // A-F
  NIBBLE[97 + i] = 10 + i; // a-f
}

function describe(s: string): string {
  return s.length > 80 ? `${JSON.stringify(s.slice(0, 77))}... (${s.length} chars)` : JSON.stringify(s);
}

function stripPrefix(s: string): number {
  return s.length >= 2 && s.charCodeAt(0) === 48 && (s.charCodeAt(1) | 0x20) === 120 ? 2 : 0;
}

/** True if `s` is a (0x-prefixed or bare) string of hex digits, of any length. */
export function isHexString(s: string): boolean {
  if (typeof s !== 'string') return false;
  for (let i = stripPrefix(s); i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255 || NIBBLE[c] === 255) return false;
  }
  return true;
}

/** Decodes hex ("0x"-prefixed or bare, either case) to bytes. Throws BraidError HEX_INVALID. */
export function hexToBytes(s: string): Uint8Array {
  if (typeof s !== 'string') throw new BraidError('HEX_INVALID', `hex: expected a string, got ${typeof s}`);
  const start = stripPrefix(s);
  const digits = s.length - start;
  if (digits & 1) throw new BraidError('HEX_INVALID', `hex: odd number of digits (${digits}) in ${describe(s)}`);
  const out = new Uint8Array(digits >> 1);
  for (let i = 0, j = start; i < out.length; i++, j += 2) {
    const a = s.charCodeAt(j);
    const b = s.charCodeAt(j + 1);
    const hi = a < 256 ? NIBBLE[a]! : 255;
    const lo = b < 256 ? NIBBLE[b]! : 255;
    if ((hi | lo) === 255) {
      const bad = hi === 255 ? j : j + 1;
      throw new BraidError('HEX_INVALID', `hex: invalid character ${JSON.stringify(s[bad])} at position ${bad} in ${describe(s)}`);
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Encodes bytes as a 0x-prefixed lowercase hex string. */
export function bytesToHex(b: Uint8Array): string {
  return hexOfRange(b, 0, b.length);
}

/** Hex of b[from, from + len) without copying the bytes out (e.g. from wasm memory). */
export function hexOfRange(b: Uint8Array, from: number, len: number): string {
  let s = '0x';
  for (let i = from; i < from + len; i++) s += HEX_PAIRS[b[i]!];
  return s;
}

/** Parses a hex quantity ("0x"-prefixed or bare; "0x" and "" are 0) into a bigint. */
export function hexToBigInt(s: string): bigint {
  if (typeof s !== 'string') throw new BraidError('HEX_INVALID', `hex: expected a string, got ${typeof s}`);
  const start = stripPrefix(s);
  if (start === s.length) return 0n;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255 || NIBBLE[c] === 255) {
      throw new BraidError('HEX_INVALID', `hex: invalid character ${JSON.stringify(s[i])} at position ${i} in ${describe(s)}`);
    }
  }
  return BigInt(start === 2 ? '0x' + s.slice(2) : '0x' + s);
}

/**
 * Big-endian bytes of a non-negative bigint: minimal (0 -> empty) or, with `len`, left-padded to
 * exactly `len` bytes (throws if the value does not fit).
 */
export function bigIntToBytes(v: bigint, len?: number): Uint8Array {
  if (typeof v !== 'bigint') v = BigInt(v as unknown as number);
  if (v < 0n) throw new BraidError('VALUE_INVALID', `bigIntToBytes: negative value ${v}`);
  let out: Uint8Array;
  if (v === 0n) out = new Uint8Array(0);
  else if (v < 256n) out = Uint8Array.of(Number(v));
  else {
    let hex = v.toString(16);
    if (hex.length & 1) hex = '0' + hex;
    out = hexToBytes(hex);
  }
  if (len === undefined || out.length === len) return out;
  if (out.length > len) {
    throw new BraidError('VALUE_INVALID', `bigIntToBytes: value 0x${v.toString(16)} does not fit in ${len} bytes`);
  }
  const padded = new Uint8Array(len);
  padded.set(out, len - out.length);
  return padded;
}

/** Interprets bytes as an unsigned big-endian integer (empty -> 0n). */
export function bytesToBigInt(b: Uint8Array): bigint {
  const n = b.length;
  if (n === 0) return 0n;
  if (n <= 6) {
    let x = 0;
    for (let i = 0; i < n; i++) x = x * 256 + b[i]!;
    return BigInt(x);
  }
  let s = '0x';
  for (let i = 0; i < n; i++) s += HEX_PAIRS[b[i]!];
  return BigInt(s);
}

/** Concatenates byte arrays into a new array. */
export function concatBytes(...arrays: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const a of arrays) len += a.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const a of arrays) {
    out.set(a, off);
    off += a.length;
  }
  return out;
}

/** Whether `v` is a Uint8Array (of exactly `len` bytes when given). */
export function isBytes(v: unknown, len?: number): v is Uint8Array {
  return v instanceof Uint8Array && (len === undefined || v.length === len);
}

/** Byte-wise equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic byte comparison: negative, 0 or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
