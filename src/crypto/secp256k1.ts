// secp256k1 public-key recovery (ECRECOVER and transaction senders) behind one switch: @noble/curves
// everywhere by default; the Node adapter installs libsecp256k1's native binding when it loads
// (src/node/secp256k1.ts), about 20x faster. Both are audited; the choice never changes a result.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Backend } from './backend.js';

/**
 * Recovers the uncompressed public key (65 bytes, 0x04 ‖ x ‖ y) from a 32-byte hash, r and s
 * (each in [1, n-1], 32 bytes big-endian, concatenated) and the recovery id (0 or 1). Throws when
 * no key exists (r is not the x of a curve point, or the key would be the point at infinity).
 */
export type RecoverPublicKey = (hash: Uint8Array, rs: Uint8Array, recid: number) => Uint8Array;

function bytesToBig(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

export const nobleRecover: RecoverPublicKey = (hash, rs, recid) =>
  new secp256k1.Signature(bytesToBig(rs.subarray(0, 32)), bytesToBig(rs.subarray(32, 64)), recid).recoverPublicKey(hash).toBytes(false);

const backend = new Backend<RecoverPublicKey>(nobleRecover, '@noble/curves');

export function recoverPublicKey(hash: Uint8Array, rs: Uint8Array, recid: number): Uint8Array {
  return backend.impl(hash, rs, recid);
}

/** Installs another recovery implementation (it must agree with noble on every input). */
export function setSecp256k1Recover(fn: RecoverPublicKey, name: string): void {
  backend.set(fn, name);
}

/** Which implementation recovers public keys in this thread. */
export function secp256k1Backend(): string {
  return backend.name;
}
