// 0x06 ECADD, 0x07 ECMUL, 0x08 ECPAIRING on alt_bn128 / bn254 (EIP-196, EIP-197),
// repriced by EIP-1108 (Istanbul). This file owns the input rules (padding, truncation, the
// pairing length, coordinates below p) and the gas; the curve arithmetic, point validation and
// pairing come from the backend in src/crypto/bn254.ts (@noble/curves, or mcl in Node).
import { bn254Impl } from '../crypto/bn254.js';
import { Fork } from '../fork.js';
import { PrecompileFailure, padRight, type Precompile } from './types.js';
import { helpDeskOpen, registerHelpJob, shareWork } from '../worker/help-desk.js';

/** The base field modulus p, big-endian. */
const P_BYTES = Uint8Array.from([
  0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
  0x97, 0x81, 0x6a, 0x91, 0x68, 0x71, 0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c, 0xfd, 0x47,
]);

/** Throws unless each of the `count` 32-byte words from `offset` is below p. */
function checkCoordinates(data: Uint8Array, offset: number, count: number): void {
  for (let w = 0; w < count; w++) {
    const o = offset + 32 * w;
    for (let i = 0; i < 32; i++) {
      const b = data[o + i]!;
      if (b < P_BYTES[i]!) break;
      if (b > P_BYTES[i]! || i === 31) throw new PrecompileFailure('bn254: coordinate not below the field modulus');
    }
  }
}

function backendCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof PrecompileFailure ? e : new PrecompileFailure(`bn254: ${(e as Error)?.message ?? 'invalid point'}`);
  }
}

export function bn254Add(input: Uint8Array): Uint8Array {
  const data = padRight(input, 128);
  checkCoordinates(data, 0, 4);
  return backendCall(() => bn254Impl().add(data));
}

export function bn254Mul(input: Uint8Array): Uint8Array {
  const data = padRight(input, 96);
  checkCoordinates(data, 0, 2);
  return backendCall(() => bn254Impl().mul(data));
}

export function bn254Pairing(input: Uint8Array): Uint8Array {
  if (input.length % 192 !== 0) throw new PrecompileFailure('bn254 pairing: length not a multiple of 192');
  checkCoordinates(input, 0, input.length / 32);
  // Every point is validated by the backend, even when the other one of its pair is infinity.
  const ok = backendCall(() => pairingCheck(input));
  const out = new Uint8Array(32);
  out[31] = ok ? 1 : 0;
  return out;
}

/** Help-desk job: the Miller loops of the pairs after a one-byte tag naming the parts' format. */
const HELP_MILLER_LOOPS = 1;

registerHelpJob(HELP_MILLER_LOOPS, (input) => {
  const parts = bn254Impl().pairingParts;
  return parts !== undefined && parts.format === input[0] ? parts.millerLoops(input.subarray(1)) : undefined;
});

/**
 * A zk-proof check (a 2- to 4-pair pairing, milliseconds) is often a block's longest piece of work,
 * run while the other workers have nothing left: on Block-STM, the last pairs' Miller loops go to
 * an idle worker (src/worker/help-desk.ts) while this one runs the first ones.
 */
function pairingCheck(input: Uint8Array): boolean {
  const impl = bn254Impl();
  const parts = impl.pairingParts;
  const pairs = input.length / 192;
  if (parts !== undefined && pairs >= 2 && helpDeskOpen()) {
    const cut = (pairs - (pairs >> 1)) * 192; // the first half (rounded up) stays here
    const theirs = new Uint8Array(1 + input.length - cut);
    theirs[0] = parts.format;
    theirs.set(input.subarray(cut), 1);
    const shared = shareWork(HELP_MILLER_LOOPS, theirs, () => parts.millerLoops(input.subarray(0, cut)));
    if (shared !== undefined) return parts.isOne([shared.mine, shared.theirs]);
  }
  return impl.pairingCheck(input);
}

export const BN254_ADD: Precompile = {
  address: 0x06,
  name: 'BN254_ADD',
  since: Fork.Byzantium,
  gas: (_input, fork) => (fork >= Fork.Istanbul ? 150n : 500n),
  run: (input) => bn254Add(input),
};

export const BN254_MUL: Precompile = {
  address: 0x07,
  name: 'BN254_MUL',
  since: Fork.Byzantium,
  gas: (_input, fork) => (fork >= Fork.Istanbul ? 6000n : 40000n),
  run: (input) => bn254Mul(input),
};

export const BN254_PAIRING: Precompile = {
  address: 0x08,
  name: 'BN254_PAIRING',
  since: Fork.Byzantium,
  gas: (input, fork) => {
    const k = BigInt(Math.floor(input.length / 192));
    return fork >= Fork.Istanbul ? 45000n + 34000n * k : 100000n + 80000n * k;
  },
  run: (input) => bn254Pairing(input),
};
