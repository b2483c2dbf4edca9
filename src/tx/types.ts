/**
 * Transaction types Braid decodes. The set is meant to grow: Prague's type 4 (EIP-7702, with an
 * authorization list) is added by extending `TxType`, the optional fields below and the switches
 * in decode.ts / sign.ts / intrinsic.ts / validate.ts.
 */
export type TxType = 0 | 1 | 2 | 3;

export const TX_TYPE_LEGACY = 0;
export const TX_TYPE_ACCESS_LIST = 1; // EIP-2930
export const TX_TYPE_FEE_MARKET = 2; // EIP-1559
export const TX_TYPE_BLOB = 3; // EIP-4844

export interface AccessListEntry {
  /** 20 bytes */
  address: Uint8Array;
  /** 32 bytes each */
  storageKeys: Uint8Array[];
}

export type AccessList = AccessListEntry[];

export interface Transaction {
  type: TxType;
  /**
   * Typed transactions: the signed chain id. Legacy: the EIP-155 chain id (derived from v when
   * decoding); undefined for a pre-EIP-155 legacy transaction (v = 27/28).
   */
  chainId?: bigint;
  nonce: bigint;
  /** types 0 and 1 */
  gasPrice?: bigint;
  /** types 2 and 3 */
  maxPriorityFeePerGas?: bigint;
  /** types 2 and 3 */
  maxFeePerGas?: bigint;
  gasLimit: bigint;
  /** 20-byte recipient, or null for contract creation */
  to: Uint8Array | null;
  value: bigint;
  data: Uint8Array;
  /** empty for legacy transactions */
  accessList: AccessList;
  /** type 3 */
  maxFeePerBlobGas?: bigint;
  /** type 3: 32 bytes each */
  blobVersionedHashes?: Uint8Array[];
  /** legacy: 27/28 or chainId*2+35/36; typed: the y-parity, 0 or 1 */
  v: bigint;
  r: bigint;
  s: bigint;
  /** Recovered (or, for test fixtures, declared) sender address, 20 bytes. */
  sender?: Uint8Array;
}

export { U64_MAX as UINT64_MAX, U256_MAX as UINT256_MAX } from "../encoding/uint.js";
