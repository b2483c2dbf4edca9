// The host functions a Braid wasm instance imports; shared by the main-thread Vm and workers.
import { runPrecompile } from "../precompiles/index.js";
import type { Fork } from "../fork.js";
import { openHelpDesk, takeHelpJob } from "../worker/help-desk.js";

/** Answers a context's state requests (remote state); returns once they are in the tables. */
export type StateFetchHandler = (ctx: number) => void;

export function braidImports(memory: WebAssembly.Memory, blockHash: (n: bigint) => Uint8Array, stateFetch?: StateFetchHandler): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort: (_msg: number, _file: number, line: number, col: number) => {
        throw new Error(`Braid wasm abort at ${line}:${col}`);
      },
      precompile: (id: number, input: number, len: number, gas: bigint, fork: number, out: number, cap: number, outLenPtr: number): bigint => {
        // Addresses arrive as i32: above 2 GiB they read negative, so take them unsigned.
        const u8 = new Uint8Array(memory.buffer);
        const at = input >>> 0;
        const r = runPrecompile(id, u8.slice(at, at + (len >>> 0)), gas, fork as Fork);
        if (!r.success || r.output.length > cap >>> 0) return -1n;
        u8.set(r.output, out >>> 0);
        new DataView(memory.buffer).setUint32(outLenPtr >>> 0, r.output.length, true);
        return r.gasUsed;
      },
      state_fetch: (ctx: number) => {
        if (!stateFetch) throw new Error("Braid: state is missing but no state provider is attached");
        stateFetch(ctx >>> 0);
      },
      help_desk: (slot: number) => openHelpDesk(memory, slot >>> 0),
      help_run: (slot: number) => takeHelpJob(memory, slot >>> 0),
      block_hash: (n: bigint, out: number) => {
        new Uint8Array(memory.buffer).set(blockHash(n).subarray(0, 32), out >>> 0);
      },
    },
  };
}
