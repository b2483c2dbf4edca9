// Receipts from the transaction records both executors fill (stm/layout.ts): the snapshot of
// blooms and logs the host decodes receipts from, and the receipts root (each receipt RLP-encoded
// with its EIP-658 status and EIP-2718 type prefix, the ordinal trie hashed in wasm).
import * as L from "../layout";
import * as H from "../stm/layout";
import { header_len, write_header, bytes_size, write_bytes, uint_size, write_uint } from "../trie/rlp";
import { ordinal_root, ordinal_scratch } from "../trie/ordinal";
import { g_ctx } from "../globals";

@inline function record(header: usize, i: u32): usize {
  return <usize>load<u32>(header + H.H_TXS) + <usize>i * H.TXR_SIZE;
}

/** Payload size of one log record's RLP list [address, [topics], data]. */
function log_payload(rec: usize): u32 {
  const topics = load<u32>(rec, 4) * 33;
  return 21 + header_len(topics) + topics + bytes_size(rec + 32 + (<usize>load<u32>(rec, 4) << 5), load<u32>(rec, 8));
}

/** Payload size of transaction t's logs list. */
function logs_payload(t: usize): u32 {
  let size: u32 = 0;
  let rec = <usize>load<u32>(t + H.T_LOGS);
  const count = load<u32>(t + H.T_LOG_COUNT);
  for (let k: u32 = 0; k < count; k++) {
    const p = log_payload(rec);
    size += header_len(p) + p;
    rec += load<u32>(rec);
  }
  return size;
}

/** Payload size of the receipt list [status, cumulativeGas, bloom, logs]. */
@inline function receipt_payload(t: usize, cumulative: u64): u32 {
  const logs = logs_payload(t);
  return 1 + uint_size(cumulative) + 259 + header_len(logs) + logs;
}

/** Encoded size of a receipt (with its type byte when typed). */
@inline function receipt_size(t: usize, cumulative: u64): u32 {
  const p = receipt_payload(t, cumulative);
  return (load<u32>(t + H.T_TYPE) != 0 ? 1 : 0) + header_len(p) + p;
}

function write_receipt(at: usize, t: usize, cumulative: u64): usize {
  const type = load<u32>(t + H.T_TYPE);
  if (type != 0) store<u8>(at++, <u8>type);
  at = write_header(at, receipt_payload(t, cumulative), 0xc0);
  store<u8>(at++, load<u32>(t + H.T_RESULT) == L.STATUS_SUCCESS ? 0x01 : 0x80);
  at = write_uint(at, cumulative);
  const count = load<u32>(t + H.T_LOG_COUNT);
  if (count != 0) {
    at = write_bytes(at, t + H.T_BLOOM, 256);
  } else {
    at = write_header(at, 256, 0x80); // no logs: an empty bloom (T_BLOOM is not written then)
    memory.fill(at, 0, 256);
    at += 256;
  }
  at = write_header(at, logs_payload(t), 0xc0);
  let rec = <usize>load<u32>(t + H.T_LOGS);
  for (let k: u32 = 0; k < count; k++) {
    at = write_header(at, log_payload(rec), 0xc0);
    at = write_bytes(at, rec + 12, 20);
    const nt = load<u32>(rec, 4);
    at = write_header(at, nt * 33, 0xc0);
    for (let j: u32 = 0; j < nt; j++) at = write_bytes(at, rec + 32 + (<usize>j << 5), 32);
    at = write_bytes(at, rec + 32 + (<usize>nt << 5), load<u32>(rec, 8));
    rec += load<u32>(rec);
  }
  return at;
}

/** Scratch bytes receipts_root needs for the block staged at `header`. */
export function receipts_root_scratch(header: usize): u32 {
  const n = load<u32>(header + H.H_N);
  let cumulative: u64 = 0;
  let values: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const t = record(header, i);
    cumulative += load<u64>(t + H.T_GAS_USED);
    values += receipt_size(t, cumulative);
  }
  return n * 8 + values + ordinal_scratch(n, values) + 64;
}

/** out[0..32) = the receipts root of the executed block staged at `header` (Byzantium and later). */
export function receipts_root(header: usize, scratch: usize, out: usize): void {
  const n = load<u32>(header + H.H_N);
  const table = scratch;
  let at = scratch + (<usize>n << 3);
  let cumulative: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const t = record(header, i);
    cumulative += load<u64>(t + H.T_GAS_USED);
    const end = write_receipt(at, t, cumulative);
    store<u32>(table + (<usize>i << 3), <u32>at);
    store<u32>(table + (<usize>i << 3), <u32>(end - at), 4);
    at = end;
  }
  ordinal_root(table, n, (at + 7) & ~7, out);
}

/**
 * receipts_root of the block staged at the bound context's CTX_STM, with the scratch and output
 * the host set in its H_ROOT_SCRATCH and H_ROOT_OUT: a worker's job while the coordinator reads
 * the state diff.
 */
export function receipts_root_staged(): void {
  const header = <usize>load<u32>(g_ctx + L.CTX_STM);
  receipts_root(header, <usize>load<u32>(header + H.H_ROOT_SCRATCH), <usize>load<u32>(header + H.H_ROOT_OUT));
}

/** Bytes receipts_snapshot writes: the log records of every transaction. */
export function receipts_snapshot_size(header: usize): u32 {
  const n = load<u32>(header + H.H_N);
  let size: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const t = record(header, i);
    if (load<u32>(t + H.T_LOG_COUNT) != 0) size += load<u32>(t + H.T_LOG_BYTES);
  }
  return size;
}

/**
 * Copies the log records of each transaction with logs to dst, one after another, noting each
 * one's offset in T_SNAP, and ORs the transactions' blooms into the block's bloom at `bloom`.
 */
export function receipts_snapshot(header: usize, dst: usize, bloom: usize): void {
  const n = load<u32>(header + H.H_N);
  memory.fill(bloom, 0, 256);
  let at: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const t = record(header, i);
    if (load<u32>(t + H.T_LOG_COUNT) == 0) continue; // no logs: an empty bloom
    store<u32>(t + H.T_SNAP, at);
    for (let k: usize = 0; k < 256; k += 8) store<u64>(bloom + k, load<u64>(bloom + k) | load<u64>(t + H.T_BLOOM + k));
    const bytes = load<u32>(t + H.T_LOG_BYTES);
    memory.copy(dst + at, <usize>load<u32>(t + H.T_LOGS), bytes);
    at += bytes;
  }
}
