import { BraidError } from '../encoding/errors.js';
import { hexToBigInt, hexToBytes } from '../encoding/hex.js';
import { signTransaction } from './sign.js';
import type { AccessList, Transaction } from './types.js';

/** The `transaction` section of a GeneralStateTest (filled form). */
export interface StateTestTransactionJson {
  data: string[];
  gasLimit: string[];
  value: string[];
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  nonce: string;
  /** "" for contract creation */
  to: string;
  sender?: string;
  secretKey?: string;
  /** indexed by the data index; an entry may be null */
  accessLists?: Array<Array<{ address: string; storageKeys: string[] }> | null>;
  maxFeePerBlobGas?: string;
  blobVersionedHashes?: string[];
  chainId?: string;
}

export interface StateTestIndexes {
  data: number;
  gas: number;
  value: number;
}

export interface FromJsonOptions {
  /**
   * Chain id for a legacy transaction: undefined (default) builds a pre-EIP-155 transaction
   * (v = 27/28), as most ethereum/tests fixtures are signed; the Python-filled fixtures
   * (Pyspecs/) sign legacy transactions with EIP-155 and chain id 1. The JSON does not say which.
   */
  legacyChainId?: bigint;
}

function jsonError(field: string, problem: string): BraidError {
  return new BraidError('TX_FIELD_INVALID', `state test transaction: '${field}' ${problem}`);
}

/** Parses a quantity, accepting the "0x:bigint 0x..." form the test suite uses for out-of-range values. */
function quantity(v: unknown, field: string): bigint {
  if (typeof v !== 'string') throw jsonError(field, `must be a hex string, got ${JSON.stringify(v)}`);
  let s = v.trim();
  if (s.startsWith('0x:bigint ')) s = s.slice('0x:bigint '.length).trim();
  try {
    return hexToBigInt(s);
  } catch (e) {
    throw jsonError(field, `is not a hex quantity: ${(e as Error).message}`);
  }
}

function bytes(v: unknown, field: string, len?: number): Uint8Array {
  if (typeof v !== 'string') throw jsonError(field, `must be a hex string, got ${JSON.stringify(v)}`);
  let b: Uint8Array;
  try {
    b = hexToBytes(v);
  } catch (e) {
    throw jsonError(field, `is not hex data: ${(e as Error).message}`);
  }
  if (len !== undefined && b.length !== len) throw jsonError(field, `must be ${len} bytes, got ${b.length}`);
  return b;
}

function pick<T>(arr: T[] | undefined, index: number, field: string): T {
  if (!Array.isArray(arr)) throw jsonError(field, 'must be an array');
  if (!Number.isInteger(index) || index < 0 || index >= arr.length) {
    throw jsonError(field, `has no entry ${index} (length ${arr.length})`);
  }
  return arr[index]!;
}

/**
 * Builds the (unsigned, v = r = s = 0) transaction a state test post entry describes. `sender` is
 * taken from the JSON. Type: blobVersionedHashes -> 3, maxFeePerGas -> 2, a non-null access list
 * for this data index -> 1, else legacy (pre-EIP-155 unless options.legacyChainId is given).
 * Typed transactions get chainId 1 unless the JSON gives one.
 */
export function transactionFromJson(json: StateTestTransactionJson, indexes: StateTestIndexes, options: FromJsonOptions = {}): Transaction {
  if (json === null || typeof json !== 'object') throw jsonError('transaction', 'must be an object');
  if (json.accessLists !== undefined && json.accessLists !== null && !Array.isArray(json.accessLists)) {
    throw jsonError('accessLists', 'must be an array');
  }
  const accessListJson = json.accessLists ? (json.accessLists[indexes.data] ?? null) : null;
  const type = json.blobVersionedHashes !== undefined ? 3 : json.maxFeePerGas !== undefined ? 2 : accessListJson !== null ? 1 : 0;
  const alField = `accessLists[${indexes.data}]`;
  if (accessListJson !== null && !Array.isArray(accessListJson)) throw jsonError(alField, 'must be an array or null');
  const accessList: AccessList = (accessListJson ?? []).map((e, i) => {
    if (e === null || typeof e !== 'object' || !Array.isArray(e.storageKeys)) {
      throw jsonError(`${alField}[${i}]`, 'must be { address, storageKeys[] }');
    }
    return {
      address: bytes(e.address, `${alField}[${i}].address`, 20),
      storageKeys: e.storageKeys.map((k, j) => bytes(k, `${alField}[${i}].storageKeys[${j}]`, 32)),
    };
  });
  const tx: Transaction = {
    type,
    nonce: quantity(json.nonce, 'nonce'),
    gasLimit: quantity(pick(json.gasLimit, indexes.gas, 'gasLimit'), `gasLimit[${indexes.gas}]`),
    to: json.to === '' || json.to === undefined || json.to === null ? null : bytes(json.to, 'to', 20),
    value: quantity(pick(json.value, indexes.value, 'value'), `value[${indexes.value}]`),
    data: bytes(pick(json.data, indexes.data, 'data'), `data[${indexes.data}]`),
    accessList,
    v: 0n,
    r: 0n,
    s: 0n,
  };
  if (type !== 0) tx.chainId = json.chainId !== undefined ? quantity(json.chainId, 'chainId') : 1n;
  else if (options.legacyChainId !== undefined) tx.chainId = options.legacyChainId;
  if (type <= 1) {
    if (json.gasPrice === undefined) throw jsonError('gasPrice', 'is missing');
    tx.gasPrice = quantity(json.gasPrice, 'gasPrice');
  } else {
    tx.maxFeePerGas = quantity(json.maxFeePerGas, 'maxFeePerGas');
    tx.maxPriorityFeePerGas = quantity(json.maxPriorityFeePerGas, 'maxPriorityFeePerGas');
  }
  if (type === 3) {
    tx.maxFeePerBlobGas = quantity(json.maxFeePerBlobGas, 'maxFeePerBlobGas');
    if (!Array.isArray(json.blobVersionedHashes)) throw jsonError('blobVersionedHashes', 'must be an array');
    tx.blobVersionedHashes = json.blobVersionedHashes.map((h, i) => bytes(h, `blobVersionedHashes[${i}]`, 32));
  }
  if (json.sender !== undefined && json.sender !== '') tx.sender = bytes(json.sender, 'sender', 20);
  return tx;
}

/** transactionFromJson, then signed with the JSON `secretKey`. */
export function signedTransactionFromJson(json: StateTestTransactionJson, indexes: StateTestIndexes, options: FromJsonOptions = {}): Transaction {
  const tx = transactionFromJson(json, indexes, options);
  if (json.secretKey === undefined) throw jsonError('secretKey', 'is missing');
  return signTransaction(tx, bytes(json.secretKey, 'secretKey', 32));
}
