import { keccak_256 } from '@noble/hashes/sha3.js';
import { BraidError } from '../encoding/errors.js';
import { bigIntToBytes, bytesToHex, hexToBytes } from '../encoding/hex.js';
import { rlpEncode, type RlpItem } from '../encoding/rlp.js';
import { EMPTY_TRIE_ROOT, trieRoot } from './mpt.js';

/** keccak256 of empty code. */
export const EMPTY_CODE_HASH: Uint8Array = hexToBytes(
  '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
);

/** keccak256(rlp([])): the ommers hash of a block without ommers, and the logs hash of no logs. */
export const EMPTY_LOGS_HASH: Uint8Array = hexToBytes(
  '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347',
);

export interface AccountState {
  /** 20 bytes */
  address: Uint8Array;
  nonce: bigint;
  balance: bigint;
  /** 32 bytes; EMPTY_CODE_HASH for accounts without code */
  codeHash: Uint8Array;
  /** (slot, value) pairs; slots are 32 bytes (shorter ones are left-padded), values 32 bytes or a bigint. Zero values are skipped. */
  storage: Array<[Uint8Array, Uint8Array | bigint]>;
}

export interface Log {
  address: Uint8Array;
  topics: Uint8Array[];
  data: Uint8Array;
}

const TWO_256 = 1n << 256n;

function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return i === 0 ? b : b.subarray(i);
}

function slotKey(slot: Uint8Array, owner: Uint8Array): Uint8Array {
  if (slot.length === 32) return slot;
  if (slot.length > 32) {
    throw new BraidError('STATE_INVALID', `storage slot of ${slot.length} bytes (max 32) in account ${bytesToHex(owner)}`);
  }
  const padded = new Uint8Array(32);
  padded.set(slot, 32 - slot.length);
  return padded;
}

/** Root of an account's storage trie (secure trie of slot -> rlp(minimal value)); zero values are omitted. */
export function storageRoot(storage: ReadonlyArray<readonly [Uint8Array, Uint8Array | bigint]>, owner: Uint8Array = new Uint8Array(20)): Uint8Array {
  if (storage.length === 0) return EMPTY_TRIE_ROOT.slice();
  const entries: Array<[Uint8Array, Uint8Array]> = [];
  for (const [slot, value] of storage) {
    let v: Uint8Array;
    if (typeof value === 'bigint') {
      if (value < 0n || value >= TWO_256) {
        throw new BraidError('STATE_INVALID', `storage value ${value} out of range in account ${bytesToHex(owner)}`);
      }
      v = bigIntToBytes(value);
    } else {
      if (value.length > 32) {
        throw new BraidError('STATE_INVALID', `storage value of ${value.length} bytes (max 32) in account ${bytesToHex(owner)}`);
      }
      v = stripLeadingZeros(value);
    }
    if (v.length === 0) continue;
    entries.push([keccak_256(slotKey(slot, owner)), rlpEncode(v)]);
  }
  return trieRoot(entries);
}

/** RLP of an account as stored in the state trie: [nonce, balance, storageRoot, codeHash]. */
export function encodeAccount(nonce: bigint, balance: bigint, storageRootHash: Uint8Array, codeHash: Uint8Array): Uint8Array {
  return rlpEncode([nonce, balance, storageRootHash, codeHash]);
}

/**
 * State root of the given accounts (secure trie keyed by keccak256(address)). Every account given
 * is included: the caller drops the ones that no longer exist (e.g. empty accounts after EIP-161).
 */
export function stateRoot(accounts: readonly AccountState[]): Uint8Array {
  const entries: Array<[Uint8Array, Uint8Array]> = [];
  for (const a of accounts) {
    if (a.address.length !== 20) {
      throw new BraidError('STATE_INVALID', `account address must be 20 bytes, got ${a.address.length} (${bytesToHex(a.address)})`);
    }
    if (a.codeHash.length !== 32) {
      throw new BraidError('STATE_INVALID', `codeHash of account ${bytesToHex(a.address)} must be 32 bytes, got ${a.codeHash.length}`);
    }
    if (a.nonce < 0n || a.balance < 0n) {
      throw new BraidError('STATE_INVALID', `negative nonce or balance in account ${bytesToHex(a.address)}`);
    }
    entries.push([keccak_256(a.address), encodeAccount(a.nonce, a.balance, storageRoot(a.storage, a.address), a.codeHash)]);
  }
  return trieRoot(entries);
}

/** Root of a trie keyed by rlp(index): transactionsRoot, receiptsRoot, withdrawalsRoot. Items are the already-encoded values. */
export function ordinalTrieRoot(items: readonly Uint8Array[]): Uint8Array {
  return trieRoot(items.map((item, i) => [rlpEncode(i), item] as const));
}

/** keccak256(rlp([[address, [topics...], data], ...])), as in the state tests' `logs` field. */
export function logsHash(logs: readonly Log[]): Uint8Array {
  const items: RlpItem[] = logs.map((l) => [l.address, l.topics, l.data]);
  return keccak_256(rlpEncode(items));
}
