// Node adapter: libsecp256k1 (the `secp256k1` package's native binding) for public-key recovery.
// Only the native binding is loaded, never the package's JavaScript fallback; without a binding
// for this platform, or with BRAID_SECP256K1=noble, recovery stays on @noble/curves.
import { createRequire } from "node:module";
import { secp256k1Backend, setSecp256k1Recover } from "../crypto/secp256k1.js";

interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
}

let tried = false;

/** Installs the native backend once per thread; returns the backend in use. */
export function useNativeSecp256k1(): string {
  if (tried) return secp256k1Backend();
  tried = true;
  if (process.env.BRAID_SECP256K1 === "noble") return secp256k1Backend();
  try {
    const native = createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
    setSecp256k1Recover((hash, rs, recid) => native.ecdsaRecover(rs, recid, hash, false), "libsecp256k1 (native)");
  } catch {
    // no prebuilt binding for this platform: keep @noble/curves
  }
  return secp256k1Backend();
}
