import { BraidError } from '../encoding/errors.js';
import { bytesToBigInt } from '../encoding/hex.js';
import { rlpDecode, rlpEncode, type RlpDecoded, type RlpItem } from '../encoding/rlp.js';
import type { AccessList, Transaction, TxType } from './types.js';

function fieldError(type: number, field: string, problem: string): BraidError {
  return new BraidError('TX_FIELD_INVALID', `transaction (type ${type}): field '${field}' ${problem}`);
}

function bytesField(item: RlpDecoded, type: number, field: string): Uint8Array {
  if (!(item instanceof Uint8Array)) throw fieldError(type, field, 'must be a byte string, got a list');
  return item;
}

/** Canonical unsigned integer of at most `maxBytes` bytes (no leading zeros). */
function uintField(item: RlpDecoded, type: number, field: string, maxBytes = 32): bigint {
  const b = bytesField(item, type, field);
  if (b.length > maxBytes) throw fieldError(type, field, `is a ${b.length}-byte integer (max ${maxBytes} bytes)`);
  if (b.length > 0 && b[0] === 0) throw fieldError(type, field, 'is an integer with leading zero bytes');
  return bytesToBigInt(b);
}

function addressField(item: RlpDecoded, type: number, field: string): Uint8Array {
  const b = bytesField(item, type, field);
  if (b.length !== 20) throw fieldError(type, field, `must be a 20-byte address, got ${b.length} bytes`);
  return b;
}

function toField(item: RlpDecoded, type: number): Uint8Array | null {
  const b = bytesField(item, type, 'to');
  if (b.length === 0) {
    if (type === 3) {
      throw new BraidError('TYPE_3_TX_CONTRACT_CREATION', "transaction (type 3): field 'to' is empty, but blob transactions cannot create contracts");
    }
    return null;
  }
  if (b.length !== 20) throw fieldError(type, 'to', `must be a 20-byte address or empty, got ${b.length} bytes`);
  return b;
}

function listField(item: RlpDecoded, type: number, field: string): RlpDecoded[] {
  if (item instanceof Uint8Array) throw fieldError(type, field, 'must be a list, got a byte string');
  return item;
}

function accessListField(item: RlpDecoded, type: number): AccessList {
  const list = listField(item, type, 'accessList');
  return list.map((entry, i) => {
    const e = listField(entry, type, `accessList[${i}]`);
    if (e.length !== 2) throw fieldError(type, `accessList[${i}]`, `must be [address, storageKeys], got ${e.length} items`);
    const address = addressField(e[0]!, type, `accessList[${i}].address`);
    const storageKeys = listField(e[1]!, type, `accessList[${i}].storageKeys`).map((k, j) => {
      const key = bytesField(k, type, `accessList[${i}].storageKeys[${j}]`);
      if (key.length !== 32) throw fieldError(type, `accessList[${i}].storageKeys[${j}]`, `must be 32 bytes, got ${key.length}`);
      return key;
    });
    return { address, storageKeys };
  });
}

function expectFields(fields: RlpDecoded, type: number, names: readonly string[]): RlpDecoded[] {
  if (fields instanceof Uint8Array) {
    throw new BraidError('RLP_INVALID', `transaction (type ${type}): payload must be an RLP list, got a byte string`);
  }
  if (fields.length !== names.length) {
    throw new BraidError('RLP_INVALID', `transaction (type ${type}): expected ${names.length} fields [${names.join(', ')}], got ${fields.length}`);
  }
  return fields;
}

const LEGACY_FIELDS = ['nonce', 'gasPrice', 'gasLimit', 'to', 'value', 'data', 'v', 'r', 's'] as const;
const TYPE1_FIELDS = ['chainId', 'nonce', 'gasPrice', 'gasLimit', 'to', 'value', 'data', 'accessList', 'yParity', 'r', 's'] as const;
const TYPE2_FIELDS = ['chainId', 'nonce', 'maxPriorityFeePerGas', 'maxFeePerGas', 'gasLimit', 'to', 'value', 'data', 'accessList', 'yParity', 'r', 's'] as const;
const TYPE3_FIELDS = ['chainId', 'nonce', 'maxPriorityFeePerGas', 'maxFeePerGas', 'gasLimit', 'to', 'value', 'data', 'accessList', 'maxFeePerBlobGas', 'blobVersionedHashes', 'yParity', 'r', 's'] as const;

function decodeLegacy(f: RlpDecoded[]): Transaction {
  const v = uintField(f[6]!, 0, 'v');
  const tx: Transaction = {
    type: 0,
    nonce: uintField(f[0]!, 0, 'nonce', 8),
    gasPrice: uintField(f[1]!, 0, 'gasPrice'),
    gasLimit: uintField(f[2]!, 0, 'gasLimit', 8),
    to: toField(f[3]!, 0),
    value: uintField(f[4]!, 0, 'value'),
    data: bytesField(f[5]!, 0, 'data'),
    accessList: [],
    v,
    r: uintField(f[7]!, 0, 'r'),
    s: uintField(f[8]!, 0, 's'),
  };
  if (v >= 35n) tx.chainId = (v - 35n) >> 1n;
  return tx;
}

function decodeTyped(type: TxType, f: RlpDecoded[]): Transaction {
  let i = 0;
  const chainId = uintField(f[i++]!, type, 'chainId');
  const nonce = uintField(f[i++]!, type, 'nonce', 8);
  let gasPrice: bigint | undefined;
  let maxPriorityFeePerGas: bigint | undefined;
  let maxFeePerGas: bigint | undefined;
  if (type === 1) {
    gasPrice = uintField(f[i++]!, type, 'gasPrice');
  } else {
    maxPriorityFeePerGas = uintField(f[i++]!, type, 'maxPriorityFeePerGas');
    maxFeePerGas = uintField(f[i++]!, type, 'maxFeePerGas');
  }
  const gasLimit = uintField(f[i++]!, type, 'gasLimit', 8);
  const to = toField(f[i++]!, type);
  const value = uintField(f[i++]!, type, 'value');
  const data = bytesField(f[i++]!, type, 'data');
  const accessList = accessListField(f[i++]!, type);
  const tx: Transaction = { type, chainId, nonce, gasLimit, to, value, data, accessList, v: 0n, r: 0n, s: 0n };
  if (gasPrice !== undefined) tx.gasPrice = gasPrice;
  if (maxFeePerGas !== undefined) {
    tx.maxPriorityFeePerGas = maxPriorityFeePerGas!;
    tx.maxFeePerGas = maxFeePerGas;
  }
  if (type === 3) {
    tx.maxFeePerBlobGas = uintField(f[i++]!, type, 'maxFeePerBlobGas');
    tx.blobVersionedHashes = listField(f[i++]!, type, 'blobVersionedHashes').map((h, j) => {
      const b = bytesField(h, type, `blobVersionedHashes[${j}]`);
      if (b.length !== 32) throw fieldError(type, `blobVersionedHashes[${j}]`, `must be 32 bytes, got ${b.length}`);
      return b;
    });
  }
  tx.v = uintField(f[i++]!, type, 'yParity');
  tx.r = uintField(f[i++]!, type, 'r');
  tx.s = uintField(f[i++]!, type, 's');
  return tx;
}

/**
 * Decodes a signed transaction: a legacy RLP list, or an EIP-2718 envelope `type || rlp(fields)`
 * for types 1 (EIP-2930), 2 (EIP-1559) and 3 (EIP-4844). Does not recover the sender.
 * Throws BraidError: RLP_INVALID, TX_TYPE_NOT_SUPPORTED, TX_FIELD_INVALID, TYPE_3_TX_CONTRACT_CREATION.
 */
export function decodeTransaction(bytes: Uint8Array): Transaction {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new BraidError('RLP_INVALID', 'transaction: empty input');
  }
  const first = bytes[0]!;
  if (first >= 0xc0) return decodeLegacy(expectFields(rlpDecode(bytes), 0, LEGACY_FIELDS));
  if (first >= 0x80) {
    throw new BraidError('RLP_INVALID', `transaction: first byte 0x${first.toString(16)} is neither a transaction type (< 0x80) nor an RLP list`);
  }
  switch (first) {
    case 1:
      return decodeTyped(1, expectFields(rlpDecode(bytes.subarray(1)), 1, TYPE1_FIELDS));
    case 2:
      return decodeTyped(2, expectFields(rlpDecode(bytes.subarray(1)), 2, TYPE2_FIELDS));
    case 3:
      return decodeTyped(3, expectFields(rlpDecode(bytes.subarray(1)), 3, TYPE3_FIELDS));
    default:
      throw new BraidError('TX_TYPE_NOT_SUPPORTED', `transaction: type 0x${first.toString(16).padStart(2, '0')} is not supported`);
  }
}

function need<T>(v: T | undefined, type: number, field: string): T {
  if (v === undefined) throw new BraidError('TX_FIELD_INVALID', `transaction (type ${type}): field '${field}' is missing`);
  return v;
}

function accessListItems(al: AccessList): RlpItem[] {
  return al.map((e) => [e.address, e.storageKeys]);
}

/**
 * The fields of a transaction as an RLP list, in wire order, without the type byte.
 * With `forSigning`, the signature fields are left out (and for legacy EIP-155 transactions
 * replaced by [chainId, 0, 0]).
 */
export function transactionFields(tx: Transaction, forSigning = false): RlpItem[] {
  const to = tx.to ?? new Uint8Array(0);
  const t = tx.type;
  let fields: RlpItem[];
  switch (t) {
    case 0: {
      fields = [tx.nonce, need(tx.gasPrice, t, 'gasPrice'), tx.gasLimit, to, tx.value, tx.data];
      if (!forSigning) fields.push(tx.v, tx.r, tx.s);
      else if (tx.chainId !== undefined) fields.push(tx.chainId, 0n, 0n);
      return fields;
    }
    case 1:
      fields = [need(tx.chainId, t, 'chainId'), tx.nonce, need(tx.gasPrice, t, 'gasPrice'), tx.gasLimit, to, tx.value, tx.data, accessListItems(tx.accessList)];
      break;
    case 2:
      fields = [need(tx.chainId, t, 'chainId'), tx.nonce, need(tx.maxPriorityFeePerGas, t, 'maxPriorityFeePerGas'), need(tx.maxFeePerGas, t, 'maxFeePerGas'), tx.gasLimit, to, tx.value, tx.data, accessListItems(tx.accessList)];
      break;
    case 3:
      fields = [need(tx.chainId, t, 'chainId'), tx.nonce, need(tx.maxPriorityFeePerGas, t, 'maxPriorityFeePerGas'), need(tx.maxFeePerGas, t, 'maxFeePerGas'), tx.gasLimit, to, tx.value, tx.data, accessListItems(tx.accessList), need(tx.maxFeePerBlobGas, t, 'maxFeePerBlobGas'), need(tx.blobVersionedHashes, t, 'blobVersionedHashes')];
      break;
    default:
      throw new BraidError('TX_TYPE_NOT_SUPPORTED', `transaction: type ${String(t)} is not supported`);
  }
  if (!forSigning) fields.push(tx.v, tx.r, tx.s);
  return fields;
}

/** Adds the EIP-2718 type byte in front of an RLP payload (nothing for legacy). */
export function envelope(type: number, payload: Uint8Array): Uint8Array {
  if (type === 0) return payload;
  const out = new Uint8Array(payload.length + 1);
  out[0] = type;
  out.set(payload, 1);
  return out;
}

/** Encodes a signed transaction (the inverse of decodeTransaction). */
export function encodeTransaction(tx: Transaction): Uint8Array {
  return envelope(tx.type, rlpEncode(transactionFields(tx)));
}
