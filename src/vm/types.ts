import type { Fork } from "../fork.js";

/** Block context visible to the EVM. */
export interface BlockEnv {
  fork: Fork;
  coinbase: Uint8Array; // 20 bytes
  number: bigint;
  timestamp: bigint;
  gasLimit: bigint;
  chainId: bigint;
  baseFee: bigint;
  /** PREVRANDAO from Paris on, DIFFICULTY before. */
  prevRandao: bigint;
  blobBaseFee: bigint;
  /** Hash of block `n` for BLOCKHASH (only called for the 256 most recent blocks). */
  blockHash: (n: bigint) => Uint8Array;
}

/** A validated transaction, ready to execute. */
export interface Message {
  caller: Uint8Array;
  to: Uint8Array | null;
  value: bigint;
  data: Uint8Array;
  gasLimit: bigint;
  intrinsicGas: bigint;
  /** Effective gas price (what GASPRICE returns and the sender pays per gas). */
  gasPrice: bigint;
  /** Tip per gas paid to the coinbase. */
  priorityFee: bigint;
  /** Taken from the sender before execution: gasLimit * gasPrice + blob fee. */
  upfront: bigint;
  accessList: Array<{ address: Uint8Array; storageKeys: Uint8Array[] }>;
  blobHashes: Uint8Array[];
  /** A system call (EIP-4788 beacon root): no nonce increment, fees or refund. */
  system?: boolean;
}

export type ExecStatus = "success" | "revert" | "halt";

export interface LogEntry {
  address: Uint8Array;
  topics: Uint8Array[];
  data: Uint8Array;
}

export interface TxResult {
  status: ExecStatus;
  gasUsed: bigint;
  /** Gas left when execution ended, before the refund. */
  gasLeft: bigint;
  refundCounter: bigint;
  output: Uint8Array;
  logs: LogEntry[];
  createdAddress: Uint8Array | null;
  steps: bigint;
  /** Logs bloom of this transaction (computed in wasm). */
  logsBloom: Uint8Array;
}

export interface AccountInit {
  nonce: bigint;
  balance: bigint;
  code: Uint8Array;
  storage: Array<[bigint, bigint]>;
}
