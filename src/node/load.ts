// Node adapter: loads the compiled wasm module from the package's build/ folder (and installs the
// native secp256k1 backend for this thread).
import { readFileSync } from "node:fs";
import { useNativeSecp256k1 } from "./secp256k1.js";

let cached: WebAssembly.Module | undefined;

export function loadBraidModule(): WebAssembly.Module {
  useNativeSecp256k1();
  if (!cached) {
    const bytes = readFileSync(new URL("../../build/braid.wasm", import.meta.url));
    cached = new WebAssembly.Module(bytes);
  }
  return cached;
}
