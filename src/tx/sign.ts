import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { BraidError } from '../encoding/errors.js';
import { bigIntToBytes } from '../encoding/hex.js';
import { recoverPublicKey } from '../crypto/secp256k1.js';
import { rlpEncode } from '../encoding/rlp.js';
import { Fork } from '../fork.js';
import { encodeTransaction, envelope, transactionFields } from './decode.js';
import type { Transaction } from './types.js';

/** secp256k1 group order. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N >> 1n;

/** The hash that is signed: keccak256 of the (typed) transaction without its signature. */
export function signingHash(tx: Transaction): Uint8Array {
  return keccak_256(envelope(tx.type, rlpEncode(transactionFields(tx, true))));
}

/** The transaction hash: keccak256 of the signed encoding. */
export function transactionHash(tx: Transaction): Uint8Array {
  return keccak_256(encodeTransaction(tx));
}

/** Ethereum address of an uncompressed (65-byte, 0x04-prefixed) or raw 64-byte public key. */
export function publicKeyToAddress(pub: Uint8Array): Uint8Array {
  const raw = pub.length === 65 ? pub.subarray(1) : pub;
  if (raw.length !== 64) throw new BraidError('KEY_INVALID', `public key must be 64 or 65 bytes, got ${pub.length}`);
  return keccak_256(raw).slice(12);
}

/** Address controlled by a 32-byte secp256k1 private key. */
export function privateKeyToAddress(privateKey: Uint8Array): Uint8Array {
  try {
    return publicKeyToAddress(secp256k1.getPublicKey(privateKey, false));
  } catch (e) {
    if (e instanceof BraidError) throw e;
    throw new BraidError('KEY_INVALID', `invalid private key: ${(e as Error).message}`, { cause: e });
  }
}

function sigError(tx: Transaction, problem: string): BraidError {
  return new BraidError('INVALID_SIGNATURE_VRS', `transaction (type ${tx.type}): invalid signature: ${problem}`);
}

/** The recovery id (0/1) encoded in v, checking v against the transaction type and chain id. */
function recoveryId(tx: Transaction, fork: Fork): number {
  const v = tx.v;
  if (tx.type !== 0) {
    if (v !== 0n && v !== 1n) throw sigError(tx, `yParity must be 0 or 1, got ${v}`);
    return Number(v);
  }
  if (tx.chainId === undefined) {
    if (v !== 27n && v !== 28n) throw sigError(tx, `v must be 27 or 28 (or an EIP-155 value >= 35), got ${v}`);
    return Number(v - 27n);
  }
  if (fork < Fork.SpuriousDragon) throw sigError(tx, `EIP-155 v value ${v} before Spurious Dragon`);
  const rec = v - 35n - 2n * tx.chainId;
  if (rec !== 0n && rec !== 1n) throw sigError(tx, `v ${v} does not match chain id ${tx.chainId} (expected ${2n * tx.chainId + 35n} or ${2n * tx.chainId + 36n})`);
  return Number(rec);
}

/**
 * Recovers the sender address (20 bytes) from the signature. Checks 0 < r < n, 0 < s < n,
 * s <= n/2 from Homestead on (EIP-2), and v against type/chain id. `fork` defaults to the latest.
 * Throws BraidError('INVALID_SIGNATURE_VRS').
 */
export function recoverSender(tx: Transaction, fork: Fork = Fork.Osaka): Uint8Array {
  const job = recoveryJob(tx, fork);
  try {
    return recoverAddress(job);
  } catch (e) {
    throw sigError(tx, `public key recovery failed (${(e as Error).message})`);
  }
}

/** What public-key recovery needs, after the cheap checks (so it can run on another thread). */
export interface RecoveryJob {
  hash: Uint8Array;
  r: bigint;
  s: bigint;
  rec: number;
}

/** Checks r, s and v and computes the signing hash. Throws BraidError('INVALID_SIGNATURE_VRS'). */
export function recoveryJob(tx: Transaction, fork: Fork = Fork.Osaka): RecoveryJob {
  const { r, s } = tx;
  if (r <= 0n || r >= SECP256K1_N) throw sigError(tx, `r = 0x${r.toString(16)} is not in [1, n-1]`);
  if (s <= 0n || s >= SECP256K1_N) throw sigError(tx, `s = 0x${s.toString(16)} is not in [1, n-1]`);
  if (fork >= Fork.Homestead && s > HALF_N) throw sigError(tx, `s = 0x${s.toString(16)} is greater than n/2 (EIP-2)`);
  return { hash: signingHash(tx), r, s, rec: recoveryId(tx, fork) };
}

/** The signer's address (the expensive part: secp256k1 public-key recovery). */
export function recoverAddress(job: RecoveryJob): Uint8Array {
  const rs = new Uint8Array(64);
  rs.set(bigIntToBytes(job.r, 32), 0);
  rs.set(bigIntToBytes(job.s, 32), 32);
  return publicKeyToAddress(recoverPublicKey(job.hash, rs, job.rec));
}

/**
 * Signs a transaction (RFC 6979 deterministic, low-s). For legacy transactions, a defined
 * `chainId` selects EIP-155 (v = chainId*2+35+parity), otherwise v = 27+parity. Returns a new
 * transaction with v, r, s and sender set.
 */
export function signTransaction(tx: Transaction, privateKey: Uint8Array): Transaction {
  const hash = signingHash(tx);
  let sig;
  try {
    sig = secp256k1.Signature.fromBytes(secp256k1.sign(hash, privateKey, { prehash: false, format: 'recovered' }), 'recovered');
  } catch (e) {
    throw new BraidError('KEY_INVALID', `cannot sign with the given private key: ${(e as Error).message}`, { cause: e });
  }
  const parity = BigInt(sig.recovery!);
  let v: bigint;
  if (tx.type !== 0) v = parity;
  else if (tx.chainId !== undefined) v = tx.chainId * 2n + 35n + parity;
  else v = 27n + parity;
  const signed: Transaction = { ...tx, v, r: sig.r, s: sig.s };
  signed.sender = privateKeyToAddress(privateKey);
  return signed;
}
