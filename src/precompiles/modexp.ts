// 0x05 MODEXP (EIP-198), repriced by EIP-2565 (Berlin) and EIP-7883 + bounded by EIP-7823 (Osaka).
//
// Input: baseLen, expLen, modLen as 32-byte big-endian words, then base, exponent and modulus,
// read as if the input were followed by infinitely many zero bytes. The declared lengths are
// 256-bit values: gas is computed with bigints from the lengths and the exponent's first 32 bytes
// only, so absurd lengths cost absurd gas (and fail) without anything being allocated.
import { Fork } from '../fork.js';
import {
  EMPTY,
  PrecompileFailure,
  bigIntToBytes,
  bytesToBigInt,
  readPadded,
  type Precompile,
} from './types.js';

interface Header {
  baseLen: bigint;
  expLen: bigint;
  modLen: bigint;
}

function header(input: Uint8Array): Header {
  return {
    baseLen: bytesToBigInt(readPadded(input, 0n, 32)),
    expLen: bytesToBigInt(readPadded(input, 32n, 32)),
    modLen: bytesToBigInt(readPadded(input, 64n, 32)),
  };
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/**
 * EIP-198 "adjusted exponent length" (EIP-2565 "iteration count" before its max(…, 1)):
 * from the exponent's first min(expLen, 32) bytes and, past 32 bytes, `perByte` per extra byte
 * (8, or 16 from EIP-7883).
 */
function adjustedExpLen(input: Uint8Array, h: Header, perByte: bigint): bigint {
  const headLen = h.expLen < 32n ? Number(h.expLen) : 32;
  const head = bytesToBigInt(readPadded(input, 96n + h.baseLen, headLen));
  const highBit = head === 0n ? 0n : BigInt(bitLength(head) - 1);
  if (h.expLen <= 32n) return highBit;
  return perByte * (h.expLen - 32n) + highBit;
}

/** EIP-198 mult_complexity. */
function multComplexity198(x: bigint): bigint {
  if (x <= 64n) return x * x;
  if (x <= 1024n) return (x * x) / 4n + 96n * x - 3072n;
  return (x * x) / 16n + 480n * x - 199680n;
}

export function modexpGas(input: Uint8Array, fork: Fork): bigint {
  const h = header(input);
  const maxLen = h.baseLen > h.modLen ? h.baseLen : h.modLen;
  if (fork >= Fork.Osaka) {
    // EIP-7883
    const w = (maxLen + 7n) / 8n;
    const complexity = maxLen > 32n ? 2n * w * w : 16n;
    let iter = adjustedExpLen(input, h, 16n);
    if (iter < 1n) iter = 1n;
    const gas = complexity * iter;
    return gas < 500n ? 500n : gas;
  }
  let iter = adjustedExpLen(input, h, 8n);
  if (iter < 1n) iter = 1n;
  if (fork >= Fork.Berlin) {
    // EIP-2565
    const w = (maxLen + 7n) / 8n;
    const gas = (w * w * iter) / 3n;
    return gas < 200n ? 200n : gas;
  }
  // EIP-198 (GQUADDIVISOR = 20)
  return (multComplexity198(maxLen) * iter) / 20n;
}

/**
 * base^exp mod `mod` (`mod` > 1) by left-to-right square-and-multiply over the exponent's bytes,
 * where the exponent is `present` followed by `padBytes` zero bytes (the part of it past the end
 * of the input). Works on the bytes directly, so a long exponent is never turned into a bigint.
 */
function modPowBytes(base: bigint, present: Uint8Array, padBytes: number, mod: bigint): bigint {
  const b = base % mod;
  let result = 1n;
  let started = false;
  for (let i = 0; i < present.length; i++) {
    const byte = present[i];
    if (!started && byte === 0) continue;
    for (let bit = 7; bit >= 0; bit--) {
      if (started) result = (result * result) % mod;
      if ((byte >> bit) & 1) {
        result = started ? (result * b) % mod : b;
        started = true;
      }
    }
  }
  if (!started) return 1n; // exponent 0 (x^0 = 1, including 0^0)
  // Trailing zero bytes: 8 squarings each; 0 and 1 are fixed points.
  for (let i = 0; i < padBytes && result > 1n; i++) {
    for (let k = 0; k < 8; k++) result = (result * result) % mod;
  }
  return result;
}

// Largest base/modulus length run() will materialise. Reaching it needs an astronomically high
// gas limit (the gas grows quadratically in these lengths), so this only guards against callers
// passing such limits.
const MAX_ALLOC = 1n << 30n;

export function modexp(input: Uint8Array, fork: Fork): Uint8Array {
  const h = header(input);
  if (fork >= Fork.Osaka) {
    // EIP-7823: every length is bounded by 1024 bytes.
    if (h.baseLen > 1024n || h.expLen > 1024n || h.modLen > 1024n) {
      throw new PrecompileFailure('modexp: length above 1024 bytes');
    }
  }
  // Output length = modLen; a zero-length modulus needs nothing else (whatever the other lengths).
  if (h.modLen === 0n) return EMPTY;
  if (h.baseLen > MAX_ALLOC || h.modLen > MAX_ALLOC) {
    throw new PrecompileFailure('modexp: lengths too large');
  }
  const modLen = Number(h.modLen);
  const baseStart = 96n;
  const expStart = baseStart + h.baseLen;
  const modStart = expStart + h.expLen;
  const mod = bytesToBigInt(readPadded(input, modStart, modLen));
  if (mod <= 1n) return new Uint8Array(modLen); // x mod 0 = 0 by convention; x mod 1 = 0
  const base = bytesToBigInt(readPadded(input, baseStart, Number(h.baseLen)));
  // The exponent: the bytes present in the input, then zeros. (In practice nothing is padded
  // here: an exponent running past the input puts the modulus there too, which is then 0.)
  const size = BigInt(input.length);
  const expEnd = expStart + h.expLen;
  const presentEnd = expEnd < size ? expEnd : size;
  const present = expStart < presentEnd ? input.subarray(Number(expStart), Number(presentEnd)) : new Uint8Array(0);
  const pad = h.expLen - BigInt(present.length);
  if (pad > BigInt(Number.MAX_SAFE_INTEGER)) throw new PrecompileFailure('modexp: exponent too large');
  return bigIntToBytes(modPowBytes(base, present, Number(pad), mod), modLen);
}

export const MODEXP: Precompile = {
  address: 0x05,
  name: 'MODEXP',
  since: Fork.Byzantium,
  gas: modexpGas,
  run: modexp,
};
