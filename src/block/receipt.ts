// Receipts read from the transaction records of an executed block. Status and gas are plain
// fields; the logs are decoded on first access from one copy of the block's log bytes, and the
// bloom is computed from them: building a typed array per address, topic and datum of thousands of
// receipts costs more than executing their transactions, and a replay that checks roots never
// needs them (the receipts root and the block's bloom come from wasm).
import type { ExecStatus, LogEntry } from "../vm/types.js";
import { logsBloom } from "./bloom.js";
import { decodeLogRecords } from "../vm/logs.js";
import type { Receipt } from "./types.js";

/** A block's log records, copied out of wasm memory (records in the format of op_log). */
export interface LogSnapshot {
  bytes: Uint8Array;
  view: DataView;
}

export class RecordedReceipt implements Receipt {
  #logs: LogEntry[] | undefined;
  #bloom: Uint8Array | undefined;
  #bloomSet = false;
  // Gas as numbers (below 2^53), BigInts on access: two BigInts per receipt were a fifth of the
  // time reading a block of transfers' receipts.
  #gasUsed: number | bigint;
  #cumulativeGasUsed: number | bigint;
  success: boolean;

  constructor(
    public type: number,
    public status: ExecStatus,
    gasUsed: number,
    cumulativeGasUsed: number,
    public contractAddress: Uint8Array | null,
    private readonly snapshot: LogSnapshot | null,
    /** Offset of the first log record in the snapshot. */
    private readonly at: number,
    private readonly count: number,
  ) {
    this.success = status === "success";
    this.#gasUsed = gasUsed;
    this.#cumulativeGasUsed = cumulativeGasUsed;
  }

  get gasUsed(): bigint {
    return BigInt(this.#gasUsed);
  }

  set gasUsed(gas: bigint) {
    this.#gasUsed = gas;
  }

  get cumulativeGasUsed(): bigint {
    return BigInt(this.#cumulativeGasUsed);
  }

  set cumulativeGasUsed(gas: bigint) {
    this.#cumulativeGasUsed = gas;
  }

  get logs(): LogEntry[] {
    return (this.#logs ??= decodeLogs(this.snapshot, this.at, this.count));
  }

  set logs(logs: LogEntry[]) {
    this.#logs = logs;
  }

  get logsBloom(): Uint8Array {
    return (this.#bloom ??= logsBloom(this.logs));
  }

  set logsBloom(bloom: Uint8Array) {
    this.#bloom = bloom;
    this.#bloomSet = true;
  }

  /** Whether logsBloom is computed from the logs (true unless a bloom was assigned). */
  get bloomFromLogs(): boolean {
    return !this.#bloomSet;
  }

  /** Every field as plain data (JSON.stringify uses this; so can a structured clone). */
  toJSON(): Receipt {
    return {
      type: this.type, status: this.status, success: this.success, gasUsed: this.gasUsed, cumulativeGasUsed: this.cumulativeGasUsed,
      logs: this.logs, logsBloom: this.logsBloom, contractAddress: this.contractAddress,
    };
  }
}

function decodeLogs(snap: LogSnapshot | null, at: number, count: number): LogEntry[] {
  return snap === null ? new Array<LogEntry>(count) : decodeLogRecords(snap.bytes, snap.view, at, count);
}
