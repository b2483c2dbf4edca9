// 0x0a KZG point evaluation (EIP-4844): checks that the polynomial committed to by `commitment`
// evaluates to y at z. The proof itself is checked by the verifier in src/crypto/kzg.ts
// (micro-eth-signer with the Ethereum trusted setup, or rust-eth-kzg in Node).
//
// Input, exactly 192 bytes: versioned_hash (32) ‖ z (32) ‖ y (32) ‖ commitment (48) ‖ proof (48).
// Output: FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS as two 32-byte big-endian words.
import { sha256 } from '@noble/hashes/sha2.js';
import { verifyKzgProof } from '../crypto/kzg.js';
import { Fork } from '../fork.js';
import { PrecompileFailure, bigIntToBytes, bytesToBigInt, type Precompile } from './types.js';

export const FIELD_ELEMENTS_PER_BLOB = 4096n;
export const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
export const VERSIONED_HASH_VERSION_KZG = 0x01;

const RETURN_VALUE = new Uint8Array(64);
RETURN_VALUE.set(bigIntToBytes(FIELD_ELEMENTS_PER_BLOB, 32), 0);
RETURN_VALUE.set(bigIntToBytes(BLS_MODULUS, 32), 32);

export { getKzg } from '../crypto/kzg.js';

/** KZG versioned hash of a 48-byte commitment: 0x01 ‖ sha256(commitment)[1:]. */
export function kzgToVersionedHash(commitment: Uint8Array): Uint8Array {
  const h = sha256(commitment);
  h[0] = VERSIONED_HASH_VERSION_KZG;
  return h;
}

export function pointEvaluation(input: Uint8Array): Uint8Array {
  if (input.length !== 192) throw new PrecompileFailure('kzg: input must be exactly 192 bytes');
  const versionedHash = input.subarray(0, 32);
  const z = input.subarray(32, 64);
  const y = input.subarray(64, 96);
  const commitment = input.subarray(96, 144);
  const proof = input.subarray(144, 192);
  const expected = kzgToVersionedHash(commitment);
  for (let i = 0; i < 32; i++) {
    if (versionedHash[i] !== expected[i]) throw new PrecompileFailure('kzg: versioned hash mismatch');
  }
  if (bytesToBigInt(z) >= BLS_MODULUS || bytesToBigInt(y) >= BLS_MODULUS) {
    throw new PrecompileFailure('kzg: z or y not below the BLS modulus');
  }
  // False on any invalid encoding too (bad point, not in the subgroup, ...).
  if (!verifyKzgProof(commitment, z, y, proof)) throw new PrecompileFailure('kzg: proof verification failed');
  return RETURN_VALUE.slice();
}

export const POINT_EVALUATION: Precompile = {
  address: 0x0a,
  name: 'KZG_POINT_EVALUATION',
  since: Fork.Cancun,
  gas: () => 50000n,
  run: (input) => pointEvaluation(input),
};
