// Precompiled contracts, run by the host on behalf of the wasm interpreter (through a host
// import). Each family lives in its own file; this table maps an address to its gas function and
// implementation, so later forks only add entries (Prague: BLS12-381 at 0x0b–0x11, Osaka:
// P256VERIFY at 0x100).
import type { Fork } from '../fork.js';
import { BLAKE2F } from './blake2f.js';
import { BN254_ADD, BN254_MUL, BN254_PAIRING } from './bn254.js';
import { ECRECOVER } from './ecrecover.js';
import { IDENTITY, RIPEMD160, SHA256 } from './hashes.js';
import { POINT_EVALUATION } from './kzg.js';
import { MODEXP } from './modexp.js';
import { EMPTY, type Precompile, type PrecompileResult } from './types.js';

export type { Precompile, PrecompileResult } from './types.js';
export { PrecompileFailure } from './types.js';

const TABLE = new Map<number, Precompile>();

/** Adds (or replaces) a precompile in the table; used for the built-ins and future forks. */
export function registerPrecompile(p: Precompile): void {
  TABLE.set(p.address, p);
}

for (const p of [ECRECOVER, SHA256, RIPEMD160, IDENTITY, MODEXP, BN254_ADD, BN254_MUL, BN254_PAIRING, BLAKE2F, POINT_EVALUATION]) {
  registerPrecompile(p);
}

/** The precompile at `address` if it is active at `fork`. */
export function getPrecompile(address: number, fork: Fork): Precompile | undefined {
  const p = TABLE.get(address);
  return p !== undefined && fork >= p.since ? p : undefined;
}

export function isPrecompile(address: number, fork: Fork): boolean {
  return getPrecompile(address, fork) !== undefined;
}

/** Addresses of every precompile active at `fork`, ascending (they are warm under EIP-2929). */
export function activePrecompiles(fork: Fork): number[] {
  return [...TABLE.values()].filter((p) => fork >= p.since).map((p) => p.address).sort((a, b) => a - b);
}

/**
 * Highest address N such that 0x01 … N are all precompiles at `fork`: 4 before Byzantium,
 * 8 from Byzantium, 9 from Istanbul, 10 from Cancun. (Precompiles outside that contiguous range,
 * like Osaka's 0x100, are found with isPrecompile / activePrecompiles.)
 */
export function precompileCount(fork: Fork): number {
  let n = 0;
  while (isPrecompile(n + 1, fork)) n++;
  return n;
}

/**
 * Runs the precompile at `address` (which must be active at `fork`; throws RangeError otherwise).
 * Out of gas or invalid input: `{ success: false, gasUsed: gasLimit, output: empty }`.
 * Otherwise `{ success: true, gasUsed: cost, output }`; `output` never aliases `input`.
 */
export function runPrecompile(address: number, input: Uint8Array, gasLimit: bigint, fork: Fork): PrecompileResult {
  const p = getPrecompile(address, fork);
  if (p === undefined) throw new RangeError(`no precompile at address ${address} in fork ${fork}`);
  const fail: PrecompileResult = { success: false, gasUsed: gasLimit, output: EMPTY };
  let gas: bigint;
  try {
    gas = p.gas(input, fork);
  } catch {
    return fail;
  }
  if (gas > gasLimit) return fail;
  let output: Uint8Array;
  try {
    output = p.run(input, fork);
  } catch {
    return fail; // invalid input (PrecompileFailure) or a library rejecting it
  }
  return { success: true, gasUsed: gas, output };
}
