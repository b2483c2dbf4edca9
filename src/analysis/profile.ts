// Per-basic-block execution counts from the wasm interpreter (assembly/analysis/profile.ts).
//
// The counter table must sit where nothing else is placed while the code runs. Block execution
// resets the Vm (and re-lays out its regions when it retries with larger ones) and then carves
// staging space from the end of its regions, so the table is carved out of the code arena instead:
// right after every Vm.reset, the arena's bump pointer is advanced past a fresh zeroed table. The
// space is reclaimed when the Vm next empties its code table. Counts therefore cover what ran after
// the LAST reset inside `fn` (a block retried with larger regions counts once).
//
// Counts are keyed by absolute code address; after the run they are mapped back to (code, pc)
// through the code table's records. Init code is not in that table (it runs from private
// records) and its counts are reported as `unattributed`.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "../encoding/hex.js";
import * as L from "../wasm/layout.js";
import type { Vm } from "../vm/vm.js";
import { BraidError } from "../encoding/errors.js";

interface ProfileExports {
  profile_start(table: number, cap: number): void;
  profile_stop(): void;
  profile_dropped(): number;
}

export interface CodeProfile {
  codeHash: string;
  code: Uint8Array;
  /** Block start pc -> times the block was entered. */
  counts: Map<number, number>;
}

export interface ProfileResult<T> {
  result: T;
  /** Every code that ran, by code hash. */
  codes: Map<string, CodeProfile>;
  /** Block entries in code that is not in the code table (init code). */
  unattributed: number;
}

const ENTRY_BYTES = 8;

function profileExports(vm: Vm): ProfileExports {
  const x = vm.exports as unknown as Partial<ProfileExports>;
  if (typeof x.profile_start !== "function" || typeof x.profile_stop !== "function" || typeof x.profile_dropped !== "function") {
    throw new Error("this build of braid.wasm has no profiling exports (rebuild with npm run build:wasm)");
  }
  return x as ProfileExports;
}

/** Runs `fn` with block counting on; `cap` is the table's entry count (a power of two). */
export function profileRun<T>(vm: Vm, fn: () => T, cap = 1 << 16): ProfileResult<T> {
  // A power of two: the table is hashed by masking (and a zero or negative cap placed no table).
  if (!Number.isSafeInteger(cap) || cap < 1 || (cap & (cap - 1)) !== 0 || cap > 1 << 24) {
    throw new BraidError("OPTIONS_INVALID", `profileRun: cap must be a power of two from 1 to 2^24, got ${String(cap)}`);
  }
  // One profile at a time: an inner one would stop the outer's counting and undo its reset hook.
  if (Object.prototype.hasOwnProperty.call(vm, "reset")) throw new BraidError("VM_BUSY", "profileRun: this Vm is being profiled already (profiles do not nest)");
  const px = profileExports(vm);
  for (;;) {
    let table = 0, failed = false;
    const place = () => {
      px.profile_stop();
      const dv = vm.dv();
      const top = Math.ceil(dv.getUint32(vm.ctx + L.CTX_CODE_ARENA_TOP, true) / 64) * 64;
      const end = dv.getUint32(vm.ctx + L.CTX_CODE_ARENA_END, true);
      if (top + cap * ENTRY_BYTES > end) { failed = true; return; }
      dv.setUint32(vm.ctx + L.CTX_CODE_ARENA_TOP, top + cap * ENTRY_BYTES, true);
      vm.exports.mem_zero(top, cap * ENTRY_BYTES);
      table = top;
      px.profile_start(table, cap);
    };
    const reset = vm.reset;
    vm.reset = (sizes) => { reset.call(vm, sizes); place(); };
    let result: T;
    try {
      place();
      result = fn();
    } finally {
      px.profile_stop();
      delete (vm as { reset?: unknown }).reset; // back to the prototype's method
    }
    if (failed) throw new BraidError("REGION_EXHAUSTED", `profileRun: the code arena has no room for a profile table of ${cap} entries`);
    if (px.profile_dropped() > 0) { cap *= 4; continue; }
    return { result, ...readCounts(vm, table, cap) };
  }
}

/** Maps the table's counters back to codes through the code table. */
function readCounts(vm: Vm, table: number, cap: number): Omit<ProfileResult<unknown>, "result"> {
  const dv = vm.dv();
  const u8 = vm.u8();
  const recs: Array<{ at: number; len: number; rec: number }> = [];
  const codeTable = dv.getUint32(vm.ctx + L.CTX_CODE_TABLE, true);
  const codeCap = dv.getUint32(vm.ctx + L.CTX_CODE_CAP, true);
  for (let i = 0; i < codeCap; i++) {
    const rec = codeTable + i * L.CODE_REC_SIZE;
    if (dv.getUint32(rec + L.C_USED, true) !== 2) continue;
    recs.push({ at: dv.getUint32(rec + L.C_CODE, true), len: dv.getUint32(rec + L.C_LEN, true), rec });
  }
  recs.sort((a, b) => a.at - b.at);
  const codes = new Map<string, CodeProfile>();
  let unattributed = 0;
  for (let i = 0; i < cap; i++) {
    const key = dv.getUint32(table + i * ENTRY_BYTES, true);
    if (key === 0) continue;
    const count = dv.getUint32(table + i * ENTRY_BYTES + 4, true);
    const r = findRecord(recs, key);
    if (!r) { unattributed += count; continue; }
    if (key - r.at >= r.len) continue; // fall-through into the padding: the implicit STOP
    const hash = bytesToHex(vm.codeHashOf(r.rec));
    let p = codes.get(hash);
    if (!p) codes.set(hash, (p = { codeHash: hash, code: u8.slice(r.at, r.at + r.len), counts: new Map() }));
    p.counts.set(key - r.at, (p.counts.get(key - r.at) ?? 0) + count);
  }
  return { codes, unattributed };
}

function findRecord<R extends { at: number; len: number }>(recs: R[], key: number): R | undefined {
  let lo = 0, hi = recs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (recs[mid].at > key) hi = mid - 1;
    else if (recs[mid].at + recs[mid].len < key) lo = mid + 1; // == len: the padding's STOP
    else return recs[mid];
  }
  return undefined;
}

/** Adds `from`'s counts into `into` (several profiled runs of one workload). */
export function mergeProfiles(into: Map<string, CodeProfile>, from: Map<string, CodeProfile>): Map<string, CodeProfile> {
  for (const [hash, p] of from) {
    const q = into.get(hash);
    if (!q) { into.set(hash, { ...p, counts: new Map(p.counts) }); continue; }
    for (const [pc, n] of p.counts) q.counts.set(pc, (q.counts.get(pc) ?? 0) + n);
  }
  return into;
}

/** Code hash as analyzeCode reports it (for callers that hold code without a profile). */
export function codeHashHex(code: Uint8Array): string {
  return bytesToHex(keccak_256(code));
}
