// A node's receipts (eth_getBlockReceipts / eth_getTransactionReceipt) and their comparison
// with Braid's.
import { BraidError } from "../encoding/errors.js";
import { bytesToHex, hexToBigInt, hexToBytes } from "../encoding/hex.js";
import type { Receipt } from "../block/types.js";
import type { LogEntry } from "../vm/types.js";

export interface NodeReceipt {
  type: number;
  /** null before Byzantium (the receipt holds a state root instead of a status). */
  success: boolean | null;
  gasUsed: bigint;
  cumulativeGasUsed: bigint;
  logs: LogEntry[];
  logsBloom: Uint8Array;
  contractAddress: Uint8Array | null;
  transactionHash: Uint8Array;
}

type Json = Record<string, unknown>;

function str(o: Json, name: string, where: string): string {
  const v = o[name];
  if (typeof v !== "string") throw new BraidError("RECEIPT_INVALID", `${where}: field '${name}' is missing or not a string`);
  return v;
}

export function receiptFromRpc(json: unknown, where = "receipt"): NodeReceipt {
  if (!json || typeof json !== "object") throw new BraidError("RECEIPT_INVALID", `${where}: expected an object (null: unknown transaction?)`);
  const o = json as Json;
  try {
    const logs = o.logs;
    if (!Array.isArray(logs)) throw new BraidError("RECEIPT_INVALID", `${where}: 'logs' is not an array`);
    return {
      type: typeof o.type === "string" ? Number(hexToBigInt(o.type)) : 0,
      success: typeof o.status === "string" ? hexToBigInt(o.status) === 1n : null,
      gasUsed: hexToBigInt(str(o, "gasUsed", where)),
      cumulativeGasUsed: hexToBigInt(str(o, "cumulativeGasUsed", where)),
      logs: logs.map((l: Json, i) => ({
        address: hexToBytes(str(l, "address", `${where}.logs[${i}]`)),
        topics: ((l.topics as string[]) ?? []).map((t) => hexToBytes(t)),
        data: hexToBytes(str(l, "data", `${where}.logs[${i}]`)),
      })),
      logsBloom: hexToBytes(str(o, "logsBloom", where)),
      contractAddress: typeof o.contractAddress === "string" ? hexToBytes(o.contractAddress) : null,
      transactionHash: hexToBytes(str(o, "transactionHash", where)),
    };
  } catch (e) {
    if (e instanceof BraidError && e.code === "RECEIPT_INVALID") throw e;
    throw new BraidError("RECEIPT_INVALID", `${where}: ${(e as Error).message}`, { cause: e });
  }
}

/** As Braid's Receipt (status "revert" stands for any failure: a node does not say which). */
export function asReceipt(r: NodeReceipt): Receipt {
  return {
    type: r.type, status: r.success === false ? "revert" : "success", success: r.success !== false, gasUsed: r.gasUsed,
    cumulativeGasUsed: r.cumulativeGasUsed, logs: r.logs, logsBloom: r.logsBloom, contractAddress: r.contractAddress,
  };
}

const hex = (b: Uint8Array | null) => (b ? bytesToHex(b) : "null");

/**
 * Differences between Braid's receipts and a node's (empty when they agree): status,
 * gasUsed, cumulativeGasUsed, logs (address, topics, data), logsBloom and contractAddress.
 */
export function compareReceipts(ours: readonly Receipt[], theirs: readonly NodeReceipt[]): string[] {
  const out: string[] = [];
  if (ours.length !== theirs.length) out.push(`receipt count: ours ${ours.length}, node ${theirs.length}`);
  const n = Math.min(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    const a = ours[i]!, b = theirs[i]!;
    const at = `tx ${i} (${bytesToHex(b.transactionHash)})`;
    if (b.success !== null && a.success !== b.success) out.push(`${at}: status ours ${a.status}, node ${b.success ? "success" : "failure"}`);
    if (a.gasUsed !== b.gasUsed) out.push(`${at}: gasUsed ours ${a.gasUsed}, node ${b.gasUsed}`);
    if (a.cumulativeGasUsed !== b.cumulativeGasUsed) out.push(`${at}: cumulativeGasUsed ours ${a.cumulativeGasUsed}, node ${b.cumulativeGasUsed}`);
    // Nodes name the would-be address of a failed creation too; Braid only a deployed one.
    if (b.success !== false && hex(a.contractAddress) !== hex(b.contractAddress)) out.push(`${at}: contractAddress ours ${hex(a.contractAddress)}, node ${hex(b.contractAddress)}`);
    if (a.logs.length !== b.logs.length) out.push(`${at}: ${a.logs.length} logs, node ${b.logs.length}`);
    else a.logs.forEach((l, j) => {
      const m = b.logs[j]!;
      if (hex(l.address) !== hex(m.address)) out.push(`${at} log ${j}: address ours ${hex(l.address)}, node ${hex(m.address)}`);
      if (l.topics.map(hex).join() !== m.topics.map(hex).join()) out.push(`${at} log ${j}: topics differ`);
      if (hex(l.data) !== hex(m.data)) out.push(`${at} log ${j}: data ours ${hex(l.data)}, node ${hex(m.data)}`);
    });
    if (hex(a.logsBloom) !== hex(b.logsBloom)) out.push(`${at}: logsBloom differs`);
  }
  return out;
}
