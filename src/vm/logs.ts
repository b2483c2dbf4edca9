// Log records as op_log writes them (assembly/interpreter/memory_ops.ts): [size u32][topic count
// u32][data length u32][pad][address 20 @12][topics, 32 bytes each @32][data]. Read by a call's
// result (Vm.execute) and by a block's receipts (one copy of the block's records).
import type { LogEntry } from "./types.js";

/** The `count` log records starting at `at` in `bytes` (and `view` over the same buffer). */
export function decodeLogRecords(bytes: Uint8Array, view: DataView, at: number, count: number): LogEntry[] {
  const logs = new Array<LogEntry>(count);
  let p = at;
  for (let k = 0; k < count; k++) {
    const size = view.getUint32(p, true), nt = view.getUint32(p + 4, true), len = view.getUint32(p + 8, true);
    const topics = new Array<Uint8Array>(nt);
    for (let j = 0; j < nt; j++) topics[j] = bytes.slice(p + 32 + j * 32, p + 64 + j * 32);
    logs[k] = { address: bytes.slice(p + 12, p + 32), topics, data: bytes.slice(p + 32 + nt * 32, p + 32 + nt * 32 + len) };
    p += size;
  }
  return logs;
}
