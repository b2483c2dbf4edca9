// Node adapter: rust-eth-kzg's native binding (`@crate-crypto/node-eth-kzg`, prebuilt napi
// binaries, the mainnet trusted setup built in) for KZG point evaluation (0x0a), about 20x faster
// per proof than micro-eth-signer. Without a binding for this platform, or with BRAID_KZG=noble,
// verification stays on micro-eth-signer.
//
// Building the native context parses and checks the whole trusted setup: about 2 s of CPU, per
// thread, the cost of some 80 proofs on micro-eth-signer (~23 ms each). So a thread verifies its
// first NATIVE_AFTER proofs on micro-eth-signer and builds the native context only when it keeps
// verifying (a rent-or-buy rule: never more than about twice the better choice's cost); a one-off
// `braid block` on a blob block does not pay 2 s. warmNativeKzg() builds it at once;
// BRAID_KZG_NATIVE_AFTER=n changes the threshold (0: native from the first proof).
import { createRequire } from "node:module";
import { kzgBackend, nobleVerifyKzgProof, setKzgVerifier } from "../crypto/kzg.js";

/** The parts of the binding's DasContextJs used here and in tests. */
export interface NativeKzgContext {
  verifyKzgProof(commitment: Uint8Array, z: Uint8Array, y: Uint8Array, proof: Uint8Array): boolean;
  blobToKzgCommitment(blob: Uint8Array): Uint8Array;
  /** [proof, y] */
  computeKzgProof(blob: Uint8Array, z: Uint8Array): Uint8Array[];
}
interface NodeEthKzg {
  DasContextJs: { create(options: { usePrecomp: boolean }): NativeKzgContext };
}

const DEFAULT_NATIVE_AFTER = 64;

let tried = false;
let viaNoble = 0; // proofs this thread verified on micro-eth-signer while the context was not built
let binding: NodeEthKzg | undefined;
let context: NativeKzgContext | null | undefined; // null: building it failed, micro-eth-signer it is

function getContext(): NativeKzgContext | null {
  if (context === undefined) {
    try {
      context = binding!.DasContextJs.create({ usePrecomp: false });
    } catch {
      context = null;
    }
  }
  return context;
}

/** Installs the native verifier once per thread; returns the backend in use. */
export function useNativeKzg(): string {
  if (tried) return kzgBackend();
  tried = true;
  if (process.env.BRAID_KZG === "noble") return kzgBackend();
  try {
    binding = createRequire(import.meta.url)("@crate-crypto/node-eth-kzg") as NodeEthKzg;
  } catch {
    return kzgBackend(); // no prebuilt binding for this platform: keep micro-eth-signer
  }
  const after = Number(process.env.BRAID_KZG_NATIVE_AFTER ?? DEFAULT_NATIVE_AFTER);
  const nativeAfter = Number.isFinite(after) && after >= 0 ? after : DEFAULT_NATIVE_AFTER;
  setKzgVerifier((commitment, z, y, proof) => {
    if (context === undefined && viaNoble < nativeAfter) {
      viaNoble++;
      return nobleVerifyKzgProof(commitment, z, y, proof);
    }
    const ctx = getContext();
    if (ctx === null) return nobleVerifyKzgProof(commitment, z, y, proof);
    try {
      return ctx.verifyKzgProof(commitment, z, y, proof);
    } catch {
      return false; // invalid encodings (not a point, not in the subgroup, z or y not canonical)
    }
  }, "rust-eth-kzg (native)");
  return kzgBackend();
}

/**
 * Builds the native context now rather than on the first proof, and returns it (undefined when
 * the native backend is not installed in this thread).
 */
export function warmNativeKzg(): NativeKzgContext | undefined {
  return binding === undefined ? undefined : getContext() ?? undefined;
}
