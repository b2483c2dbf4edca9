// Shared types and byte helpers for the precompiled contracts.
// Everything here must stay browser-safe: no Node-only APIs (fs, Buffer, ...).
import type { Fork } from '../fork.js';

/** Outcome of one precompile call, as reported back to the interpreter. */
export interface PrecompileResult {
  /** false: the call failed (out of gas or invalid input) and consumed all the gas it was given. */
  success: boolean;
  gasUsed: bigint;
  output: Uint8Array;
}

/** One precompiled contract. Entries live in the table in index.ts. */
export interface Precompile {
  /** Address as a small integer (0x01 … 0x0a today, 0x0b … 0x11 from Prague, 0x100 from Osaka). */
  readonly address: number;
  readonly name: string;
  /** First fork at which the contract exists. */
  readonly since: Fork;
  /** Gas cost of a call with this input. May be astronomically large (bigint), never negative. */
  gas(input: Uint8Array, fork: Fork): bigint;
  /**
   * Executes the contract; only called once the gas has been found affordable.
   * Throws (preferably a PrecompileFailure) when the input is invalid: the call then fails and
   * consumes all the gas it was given. Must return a fresh array (never a view of `input`).
   */
  run(input: Uint8Array, fork: Fork): Uint8Array;
}

/** Thrown by a precompile's run() on invalid input. */
export class PrecompileFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrecompileFailure';
  }
}

export const EMPTY = new Uint8Array(0);

/** Number of 32-byte words needed for `len` bytes, rounded up. */
export function words(len: number): bigint {
  return BigInt(Math.ceil(len / 32));
}

/** `input` right-padded with zeros (or truncated) to exactly `len` bytes; always a fresh copy. */
export function padRight(input: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  out.set(input.length > len ? input.subarray(0, len) : input);
  return out;
}

/**
 * `len` bytes of `input` starting at `offset`, reading past the end as zeros. Offsets and
 * lengths are bigints so that absurd declared lengths (modexp) never overflow; the caller bounds
 * `len` to something allocatable.
 */
export function readPadded(input: Uint8Array, offset: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const size = BigInt(input.length);
  if (offset >= size || len === 0) return out;
  const start = Number(offset);
  const end = Math.min(input.length, start + len);
  out.set(input.subarray(start, end));
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Big-endian unsigned integer from bytes. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let hex = '0x';
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i]];
  return BigInt(hex);
}

/** Big-endian encoding of `value` (>= 0) in exactly `len` bytes (high bytes dropped if too long). */
export function bigIntToBytes(value: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let v = value;
  for (let i = len - 1; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
