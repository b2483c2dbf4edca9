import { Fork } from '../fork.js';
import type { Transaction } from './types.js';

export const TX_GAS = 21000n;
export const TX_CREATE_GAS = 53000n; // 21000 + 32000, from Homestead
export const TX_DATA_ZERO_GAS = 4n;
export const TX_DATA_NONZERO_GAS_FRONTIER = 68n;
export const TX_DATA_NONZERO_GAS_ISTANBUL = 16n; // EIP-2028
export const ACCESS_LIST_ADDRESS_GAS = 2400n; // EIP-2930
export const ACCESS_LIST_STORAGE_KEY_GAS = 1900n;
export const INITCODE_WORD_GAS = 2n; // EIP-3860

/** Number of zero bytes in data. */
export function countZeroBytes(data: Uint8Array): number {
  let z = 0;
  for (let i = 0; i < data.length; i++) if (data[i] === 0) z++;
  return z;
}

/**
 * Gas charged before execution: base (21000, or 53000 for a create from Homestead on), calldata
 * (4 per zero byte; 68 per non-zero byte, 16 from Istanbul), access list (Berlin+: 2400 per
 * address, 1900 per storage key) and initcode words (Shanghai+ creates: 2 per 32-byte word).
 */
export function intrinsicGas(tx: Transaction, fork: Fork): bigint {
  const isCreate = tx.to === null;
  let gas = isCreate && fork >= Fork.Homestead ? TX_CREATE_GAS : TX_GAS;
  const zeros = countZeroBytes(tx.data);
  const nonZeros = tx.data.length - zeros;
  gas += BigInt(zeros) * TX_DATA_ZERO_GAS;
  gas += BigInt(nonZeros) * (fork >= Fork.Istanbul ? TX_DATA_NONZERO_GAS_ISTANBUL : TX_DATA_NONZERO_GAS_FRONTIER);
  if (fork >= Fork.Berlin) {
    let keys = 0;
    for (const e of tx.accessList) keys += e.storageKeys.length;
    gas += BigInt(tx.accessList.length) * ACCESS_LIST_ADDRESS_GAS + BigInt(keys) * ACCESS_LIST_STORAGE_KEY_GAS;
  }
  if (isCreate && fork >= Fork.Shanghai) gas += BigInt(Math.ceil(tx.data.length / 32)) * INITCODE_WORD_GAS;
  return gas;
}
