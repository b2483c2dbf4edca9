// Node adapter: loads the compiled wasm module from the package's build/ folder.
import { readFileSync } from "node:fs";

let cached: WebAssembly.Module | undefined;

export function loadBraidModule(): WebAssembly.Module {
  if (!cached) {
    const bytes = readFileSync(new URL("../../build/braid.wasm", import.meta.url));
    cached = new WebAssembly.Module(bytes);
  }
  return cached;
}
