// Sizes of the regions a worker's context points to. Tables are sized per workload; the host
// enlarges them and runs again when the wasm side reports that one ran out.
import { BraidError } from "../encoding/errors.js";

export interface RegionSizes {
  accounts: number; // account table capacity (power of two)
  slots: number; // storage table capacity (power of two)
  transient: number; // transient-storage table capacity (power of two)
  codes: number; // code table capacity (power of two)
  codeArena: number; // bytes
  memory: number; // EVM memory arena, bytes (all frames together)
  returnData: number; // bytes
  logs: number; // bytes
  journal: number; // entries
  touched: number; // entries
  input: number; // bytes for transaction data, access list and blob hashes
}

export const DEFAULT_SIZES: RegionSizes = {
  accounts: 1024,
  slots: 4096,
  transient: 1024,
  codes: 1024,
  codeArena: 8 << 20,
  memory: 64 << 20,
  returnData: 16 << 20,
  logs: 8 << 20,
  journal: 1 << 17,
  touched: 1 << 16,
  input: 4 << 20,
};

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Sizes for a workload of `accounts` accounts, `slots` storage slots and `codes` distinct codes. */
export function sizesFor(accounts: number, slots: number, codes: number, codeBytes: number): RegionSizes {
  return {
    ...DEFAULT_SIZES,
    accounts: nextPow2(Math.max(256, 4 * (accounts + 64))),
    slots: nextPow2(Math.max(1024, 4 * (slots + 512))),
    // Room for a few blocks' worth of contracts (mainnet blocks bring up to ~220 codes and 1.7 MB),
    // in sizes most blocks share, so consecutive blocks keep the interned code (Vm.reset).
    codes: nextPow2(Math.max(4096, 4 * (codes + 64))),
    codeArena: Math.max(16 << 20, 4 * codeBytes + (1 << 20)),
  };
}

/** The next larger sizes after a region ran out (see FATAL_* in assembly/layout.ts). */
export function enlarge(s: RegionSizes, fatal: number): RegionSizes {
  const n = { ...s };
  switch (fatal) {
    case 1: n.accounts *= 8; break;
    case 2: n.slots *= 8; break;
    case 3: n.transient *= 8; break;
    case 4: n.journal *= 8; break;
    case 5: n.codes *= 8; n.codeArena *= 4; break;
    case 6: n.memory *= 4; break;
    case 7: n.returnData *= 4; break;
    case 8: n.logs *= 4; break;
    case 9: n.touched *= 8; break;
    default: break;
  }
  return n;
}

/**
 * Grows `memory` by enough 64 KiB pages for `bytes` more. A wasm memory holds at most 4 GiB (with
 * many worker contexts reserved, a large block can need more): that is a BraidError, not V8's
 * RangeError.
 */
export function growMemory(memory: WebAssembly.Memory, bytes: number): void {
  if (bytes <= 0) return;
  const pages = Math.ceil(bytes / 65536);
  try {
    memory.grow(pages);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const mib = (n: number) => Math.ceil(n / 2 ** 20);
    throw new BraidError("MEMORY_EXHAUSTED", `Braid needs ${mib(memory.buffer.byteLength + pages * 65536)} MiB of wasm memory, more than it can grow to (4096 MiB at most; fewer worker threads need less)`);
  }
}
