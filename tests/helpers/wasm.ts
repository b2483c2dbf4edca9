import { readFileSync } from "node:fs";

export interface RawInstance {
  /** Raw wasm exports (functions take i32 pointers / BigInt for u64). */
  exports: Record<string, any>;
  /** The imported shared memory. */
  memory: WebAssembly.Memory;
  /** Byte view of the memory (make a new one with `new Uint8Array(memory.buffer)` after growth). */
  u8: Uint8Array;
}

/**
 * Instantiates a Braid wasm module built with `--bindings raw`, importing a
 * fresh shared memory (matching asconfig: initial 256 pages, maximum 65536)
 * as `env.memory` and `env.abort`. Any other function import the module
 * declares (host callbacks that unit tests do not exercise) gets a stub that
 * throws when called, unless `extra` provides it.
 */
export function instantiateRaw(
  path: string | URL,
  extra: Record<string, (...args: any[]) => any> = {},
): RawInstance {
  const bytes = readFileSync(path);
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  const module = new WebAssembly.Module(bytes);
  const env: Record<string, any> = {
    memory,
    abort(msg: number, file: number, line: number, col: number) {
      throw new Error(`wasm abort at ${line}:${col} (msg@${msg}, file@${file})`);
    },
    ...extra,
  };
  const imports: Record<string, Record<string, any>> = { env };
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = (imports[imp.module] ??= {});
    if (imp.kind === "function" && !(imp.name in ns)) {
      ns[imp.name] = () => {
        throw new Error(`unexpected call to import ${imp.module}.${imp.name}`);
      };
    }
  }
  const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  return { exports: instance.exports as Record<string, any>, memory, u8: new Uint8Array(memory.buffer) };
}
