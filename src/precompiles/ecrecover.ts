// 0x01 ECRECOVER: secp256k1 public-key recovery, returning the signer's address.
import { keccak_256 } from '@noble/hashes/sha3.js';
import { Fork } from '../fork.js';
import { recoverPublicKey } from '../crypto/secp256k1.js';
import { EMPTY, bytesToBigInt, padRight, type Precompile } from './types.js';

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * Recovers the address; returns an empty array when the signature is not acceptable
 * (the call itself still succeeds and is charged). Does not enforce low-s (EIP-2 applies to
 * transactions only).
 */
export function ecrecover(input: Uint8Array): Uint8Array {
  const data = padRight(input, 128);
  const hash = data.subarray(0, 32);
  // v: a 32-byte word equal to 27 or 28.
  for (let i = 32; i < 63; i++) if (data[i] !== 0) return EMPTY;
  const v = data[63];
  if (v !== 27 && v !== 28) return EMPTY;
  const rs = data.subarray(64, 128);
  const r = bytesToBigInt(rs.subarray(0, 32));
  const s = bytesToBigInt(rs.subarray(32, 64));
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) return EMPTY;
  let pub: Uint8Array;
  try {
    pub = recoverPublicKey(hash, rs, v - 27); // 0x04 ‖ x ‖ y
  } catch {
    return EMPTY; // r is not the x of a curve point, or the recovered key is the identity
  }
  const out = new Uint8Array(32);
  out.set(keccak_256(pub.subarray(1)).subarray(12), 12);
  return out;
}

export const ECRECOVER: Precompile = {
  address: 0x01,
  name: 'ECREC',
  since: Fork.Frontier,
  gas: () => 3000n,
  run: (input) => ecrecover(input),
};
