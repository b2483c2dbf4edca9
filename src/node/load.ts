// Node adapter: loads the compiled wasm module from the package's build/ folder (and installs the
// fast crypto backends for this thread: native secp256k1, mcl for bn254, native KZG).
import { readFileSync } from "node:fs";
import { useMclBn254 } from "./bn254.js";
import { useNativeKzg } from "./kzg.js";
import { useNativeSecp256k1 } from "./secp256k1.js";

let cached: WebAssembly.Module | undefined;

export function loadBraidModule(): WebAssembly.Module {
  useNativeSecp256k1();
  useMclBn254();
  useNativeKzg();
  if (!cached) {
    const bytes = readFileSync(new URL("../../build/braid.wasm", import.meta.url));
    cached = new WebAssembly.Module(bytes);
  }
  return cached;
}
