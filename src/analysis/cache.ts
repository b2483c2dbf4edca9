// Per-code analysis, cached by code hash: a module-level LRU map (so every caller in this thread
// shares it) plus a WeakMap on the code array itself, which spares hashing when the same
// Uint8Array comes back (callers must not mutate code arrays they have passed in).
// Block summaries are cached; the full dependency graph of a block is rebuilt on demand
// (blockGraph), since keeping every node of thousands of contracts would cost too much memory.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bigIntToBytes, bytesToHex, isBytes } from "../encoding/hex.js";
import { BraidError } from "../encoding/errors.js";
import { splitBlocks } from "./blocks.js";
import { analyzeBlock, type BlockGraph, type BlockSummary } from "./dataflow.js";

export interface CodeAnalysis {
  /** keccak256 of the code, 0x-prefixed hex. */
  codeHash: string;
  size: number;
  instructions: number;
  blocks: BlockSummary[];
}

export interface ConstantStateReads {
  /** Storage keys of SLOAD/SSTORE whose key is a constant. */
  slots: bigint[];
  /** Constant 20-byte addresses of BALANCE, EXTCODESIZE/HASH/COPY and the CALL family's targets. */
  addresses: Uint8Array[];
}

interface Entry {
  analysis: CodeAnalysis;
  reads?: ConstantStateReads;
}

const CAPACITY = 4096;
const byHash = new Map<string, Entry>();
let byArray = new WeakMap<Uint8Array, Entry>();
const ADDRESS_OPS = new Set(["BALANCE", "EXTCODESIZE", "EXTCODEHASH", "EXTCODECOPY", "CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"]);
const ADDRESS_MASK = (1n << 160n) - 1n;

function entry(code: Uint8Array): Entry {
  if (!isBytes(code)) throw new BraidError("OPTIONS_INVALID", `code analysis: code must be a Uint8Array, got ${code === null ? "null" : typeof code}`);
  const hit = byArray.get(code);
  if (hit) return hit;
  const hash = bytesToHex(keccak_256(code));
  let e = byHash.get(hash);
  if (e) {
    byHash.delete(hash); // re-inserted below as the most recently used
  } else {
    const blocks = splitBlocks(code).map((b) => analyzeBlock(code, b));
    e = { analysis: { codeHash: hash, size: code.length, instructions: blocks.reduce((n, b) => n + b.instructions, 0), blocks } };
    if (byHash.size >= CAPACITY) byHash.delete(byHash.keys().next().value as string);
  }
  byHash.set(hash, e);
  byArray.set(code, e);
  return e;
}

/** Basic blocks of `code` with their dataflow summaries (cached; treat as read-only). */
export function analyzeCode(code: Uint8Array): CodeAnalysis {
  return entry(code).analysis;
}

/** The full dependency graph of block `index` of `code` (not cached). */
export function blockGraph(code: Uint8Array, index: number): BlockGraph {
  const count = analyzeCode(code).blocks.length; // (checks the code)
  const b = Number.isInteger(index) ? splitBlocks(code)[index] : undefined;
  if (!b) throw new BraidError("OPTIONS_INVALID", `blockGraph: no block ${String(index)} (the code has ${count})`);
  return analyzeBlock(code, b, true);
}

/**
 * Every constant storage key (SLOAD, SSTORE) and every constant address (BALANCE, EXTCODE*,
 * CALL, CALLCODE, DELEGATECALL, STATICCALL) anywhere in `code`, deduplicated, for prefetching
 * state before a transaction runs. Cached; the arrays are shared, treat them as read-only.
 */
export function constantStateReads(code: Uint8Array): ConstantStateReads {
  return readsOf(entry(code));
}

function readsOf(e: Entry): ConstantStateReads {
  if (e.reads) return e.reads;
  const slots = new Set<bigint>(), addrs = new Set<bigint>();
  for (const b of e.analysis.blocks) {
    for (const l of b.longLatency) {
      const v = l.key?.value;
      if (v === undefined) continue;
      if (l.op === "SLOAD" || l.op === "SSTORE") slots.add(v);
      else if (ADDRESS_OPS.has(l.op)) addrs.add(v & ADDRESS_MASK);
    }
  }
  e.reads = { slots: [...slots], addresses: [...addrs].map((a) => bigIntToBytes(a, 20)) };
  return e.reads;
}

/**
 * constantStateReads for code already analyzed (by its keccak hash, 0x-prefixed hex), without
 * analyzing anything new: undefined when the code has not been analyzed in this thread.
 */
export function cachedConstantStateReads(codeHash: string): ConstantStateReads | undefined {
  const e = byHash.get(codeHash.toLowerCase());
  if (!e) return undefined;
  return readsOf(e);
}

/** Drops every cached analysis (tests, memory pressure). */
export function clearAnalysisCache(): void {
  byHash.clear();
  byArray = new WeakMap();
}
