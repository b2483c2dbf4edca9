import type { Fork } from "../fork.js";
import type { Transaction } from "../tx/types.js";
import type { AccountInit, LogEntry, ExecStatus } from "../vm/types.js";

export interface BlockHeader {
  number: bigint;
  timestamp: bigint;
  coinbase: Uint8Array;
  gasLimit: bigint;
  gasUsed: bigint;
  baseFee?: bigint;
  difficulty: bigint;
  mixHash: Uint8Array; // PREVRANDAO after the merge
  excessBlobGas?: bigint;
  parentBeaconBlockRoot?: Uint8Array;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  /** Uncle hashes (their miners' rewards need `BlockInput.uncleHeaders`). */
  uncles: Uint8Array[];
}

/** What an uncle's reward needs from its header: its number and its miner. */
export interface UncleHeader {
  number: bigint;
  coinbase: Uint8Array;
}

export interface Withdrawal {
  address: Uint8Array;
  amountGwei: bigint;
}

export interface BlockInput {
  header: BlockHeader;
  /** Transactions with `sender` set when the source declared it (RPC `from`). */
  transactions: Transaction[];
  withdrawals: Withdrawal[];
  /**
   * The uncles' headers, in the order of `header.uncles`. With them the uncle miners are rewarded
   * (before the merge); without them (block JSON lists only the hashes) the result reports
   * `unclesNotRewarded`. `fetchBlockFromRpc` fetches them, checked against the header.
   */
  uncleHeaders?: UncleHeader[];
}

export interface PreState {
  accounts: Array<[Uint8Array, AccountInit]>;
  blockHashes: Map<bigint, Uint8Array>;
}

export interface Receipt {
  type: number;
  status: ExecStatus;
  /** false when the transaction was valid but failed (revert or halt). */
  success: boolean;
  gasUsed: bigint;
  cumulativeGasUsed: bigint;
  logs: LogEntry[];
  logsBloom: Uint8Array;
  contractAddress: Uint8Array | null;
}

export interface BlockResult {
  number: bigint;
  fork: Fork;
  receipts: Receipt[];
  gasUsed: bigint;
  logsBloom: Uint8Array;
  /** null before Byzantium: receipts then hold intermediate state roots a partial pre-state cannot give. */
  receiptsRoot: Uint8Array | null;
  /** Accounts whose state changed: [address, post account or null when deleted]. */
  stateDiff: Map<string, StateDiffEntry | null>;
  stats: BlockStats;
}

/** An account's post state; `storage` holds the slots whose value changed (0: cleared). */
export interface StateDiffEntry {
  nonce: bigint;
  balance: bigint;
  codeHash: string;
  storage: Map<string, bigint>;
  /**
   * Present (true) when the account's whole storage was cleared during the block: it was deleted
   * (SELFDESTRUCT, or touched while empty) and exists again at the end. Every slot `storage` does
   * not list is then zero.
   */
  storageCleared?: true;
}

export interface BlockStats {
  transactions: number;
  steps: bigint;
  senderRecoveryMs: number;
  /** Loading the pre-state into wasm memory (and, in parallel mode, staging the messages). */
  setupMs: number;
  /** The transactions (and system call, rewards, withdrawals; in parallel mode the commit). */
  executionMs: number;
  /** Receipts root and state diff. */
  finishMs: number;
  /** Each transaction's own time (ms), with executeBlock's timeTransactions option. */
  transactionMs?: number[];
  /** Present when uncle rewards could not be applied: the block lists uncle hashes without `uncleHeaders`. */
  unclesNotRewarded?: number;
}
