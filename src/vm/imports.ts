// The host functions a Braid wasm instance imports; shared by the main-thread Vm and workers.
import { runPrecompile } from "../precompiles/index.js";
import type { Fork } from "../fork.js";

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
        const u8 = new Uint8Array(memory.buffer);
        const r = runPrecompile(id, u8.slice(input, input + len), gas, fork as Fork);
        if (!r.success || r.output.length > cap) return -1n;
        u8.set(r.output, out);
        new DataView(memory.buffer).setUint32(outLenPtr, r.output.length, true);
        return r.gasUsed;
      },
      state_fetch: (ctx: number) => {
        if (!stateFetch) throw new Error("Braid: state is missing but no state provider is attached");
        stateFetch(ctx >>> 0);
      },
      block_hash: (n: bigint, out: number) => {
        new Uint8Array(memory.buffer).set(blockHash(n).subarray(0, 32), out);
      },
    },
  };
}
