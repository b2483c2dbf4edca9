// Random calls of the precompiles (0x01-0x0a) with structured inputs, as one-transaction state
// tests: valid signatures, curve points, pairings and KZG proofs beside near misses (a byte
// changed, a coordinate off the curve, a length one short), MODEXP lengths from 0 to 2^255, and the
// gas for the call from far too little to plenty. The contract stores what the call gave (success,
// return data size and hash, the output buffer's hash, the gas left), so any difference in
// output, success or gas shows in the post-state root. Seeded: a seed always gives the same test.
import { bytesToHex } from "@ethereumjs/util";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bn254 } from "@noble/curves/bn254.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { getKzg } from "../../src/crypto/kzg.js";
import type { StateTestJson } from "../../src/statetest/run.js";
import { LEVEL, Rng } from "./random-block.js";
import { ENV, SENDER, SENDER_KEY, STATE_TEST_FORKS } from "./ethjs-state-test.js";

const TARGET = "0x" + "aa".repeat(20);
const hex = (n: bigint) => "0x" + n.toString(16);
const SECP_N = secp256k1.Point.CURVE().n;
const BN_P = bn254.fields.Fp.ORDER;
const BN_R = bn254.fields.Fr.ORDER;
const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

function word(v: bigint, size = 32): number[] {
  const out = new Array<number>(size).fill(0);
  for (let i = size - 1; i >= 0 && v > 0n; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}
const bytesOf = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.int(256));
const randomWord = (rng: Rng) => BigInt(bytesToHex(Uint8Array.from(bytesOf(rng, 32))));

/** A scalar: small, near an order, or any 256-bit value. */
function scalar(rng: Rng, order: bigint): bigint {
  const r = rng.next();
  if (r < 0.1) return 0n;
  if (r < 0.2) return BigInt(1 + rng.int(3));
  if (r < 0.3) return order - 1n + BigInt(rng.int(3)); // order - 1, order, order + 1
  if (r < 0.4) return (1n << 256n) - 1n - BigInt(rng.int(2));
  return randomWord(rng) % (rng.chance(0.7) ? order : 1n << 256n);
}

/** Cuts or pads an input to a random length now and then. */
function reshape(rng: Rng, input: number[]): number[] {
  const r = rng.next();
  if (r < 0.08) return input.slice(0, rng.int(input.length + 1));
  if (r < 0.14) return [...input, ...bytesOf(rng, 1 + rng.int(40))];
  return input;
}

function ecrecoverInput(rng: Rng): number[] {
  const hash = bytesOf(rng, 32);
  const sig = secp256k1.sign(Uint8Array.from(hash), Uint8Array.from(word(1n + randomWord(rng) % (SECP_N - 1n))), { prehash: false, format: "recovered" });
  let v = BigInt(27 + sig[0]!);
  let r = BigInt(bytesToHex(sig.slice(1, 33))), s = BigInt(bytesToHex(sig.slice(33, 65)));
  const k = rng.next();
  if (k < 0.1) v = rng.pick([0n, 1n, 29n, 27n + (1n << 8n), randomWord(rng)]);
  else if (k < 0.15) v = 55n - v; // the other recovery id
  else if (k < 0.2) r = rng.pick([0n, SECP_N, SECP_N + 1n, randomWord(rng)]);
  else if (k < 0.25) s = rng.pick([0n, SECP_N, SECP_N - s, randomWord(rng)]); // n - s: high s, still valid here
  else if (k < 0.3) hash[rng.int(32)]! ^= 1 + rng.int(255);
  return reshape(rng, [...hash, ...word(v), ...word(r), ...word(s)]);
}

/** A MODEXP length field: mostly small, sometimes large enough that the gas alone fails the call. */
function modexpLength(rng: Rng): bigint {
  const r = rng.next();
  if (r < 0.2) return 0n;
  if (r < 0.6) return BigInt(1 + rng.int(32));
  if (r < 0.8) return BigInt(33 + rng.int(96));
  if (r < 0.9) return BigInt(129 + rng.int(400));
  return rng.pick([1n << 32n, (1n << 64n) - 1n, 1n << 255n, randomWord(rng), BigInt(1024 + rng.int(50_000))]);
}

function modexpInput(rng: Rng): number[] {
  const [bl, el, ml] = [modexpLength(rng), modexpLength(rng), modexpLength(rng)];
  const body = (len: bigint, kind: "base" | "exp" | "mod"): number[] => {
    const n = Number(len > 600n ? BigInt(rng.int(64)) : len); // what follows a huge length: a few bytes
    const b = bytesOf(rng, n);
    const r = rng.next();
    if (r < 0.15) b.fill(0); // zero
    else if (r < 0.25 && n > 0) { b.fill(0); b[n - 1] = 1; } // one
    else if (r < 0.45 && n > 1) for (let i = 0; i < rng.int(n); i++) b[i] = 0; // leading zeros (the exponent's head)
    if (kind === "mod" && n > 0 && rng.chance(0.2)) b[n - 1]! &= 0xfe; // even modulus
    return b;
  };
  const input = [...word(bl), ...word(el), ...word(ml), ...body(bl, "base"), ...body(el, "exp"), ...body(ml, "mod")];
  return rng.chance(0.15) ? input.slice(0, rng.int(input.length + 1)) : input;
}

/** A bn254 G1 point as 64 bytes: on the curve, infinity, or a near miss. */
function g1(rng: Rng): number[] {
  const r = rng.next();
  if (r < 0.1) return word(0n, 64);
  const P = bn254.G1.Point.BASE.multiply(1n + randomWord(rng) % (BN_R - 1n)).toAffine();
  if (r < 0.15) return [...word(P.x), ...word(P.y + 1n)]; // off the curve
  if (r < 0.2) return [...word(P.x + BN_P), ...word(P.y)]; // a coordinate not below p
  if (r < 0.23) return [...word(0n), ...word(P.y)];
  return [...word(P.x), ...word(P.y)];
}

/** A bn254 G2 point (imaginary part first), 128 bytes. */
function g2Of(k: bigint): number[] {
  const Q = bn254.G2.Point.BASE.multiply(k).toAffine();
  return [...word(Q.x.c1), ...word(Q.x.c0), ...word(Q.y.c1), ...word(Q.y.c0)];
}

function g2(rng: Rng): number[] {
  const r = rng.next();
  if (r < 0.1) return word(0n, 128);
  const q = g2Of(1n + randomWord(rng) % (BN_R - 1n));
  if (r < 0.16) q[127]! ^= 1; // off the curve
  else if (r < 0.2) q.splice(0, 32, ...word(BigInt(bytesToHex(Uint8Array.from(q.slice(0, 32)))) + BN_P)); // not below p
  return q;
}

/** Pairs whose product is one (e(aP, bQ) e(-abP, Q)) or random pairs, 0 to 3 of them. */
function pairingInput(rng: Rng): number[] {
  const out: number[] = [];
  if (rng.chance(0.5)) {
    const a = 1n + randomWord(rng) % (BN_R - 1n), b = 1n + randomWord(rng) % (BN_R - 1n);
    const P = bn254.G1.Point.BASE.multiply(a).toAffine(), N = bn254.G1.Point.BASE.multiply(a * b % BN_R).negate().toAffine();
    out.push(...word(P.x), ...word(P.y), ...g2Of(b), ...word(N.x), ...word(N.y), ...g2Of(1n));
    if (rng.chance(0.3)) out[rng.int(out.length)]! ^= 1 << rng.int(8); // a bit flipped somewhere
  } else {
    for (let i = rng.int(3); i > 0; i--) out.push(...g1(rng), ...g2(rng));
  }
  return reshape(rng, out);
}

function blake2fInput(rng: Rng): number[] {
  const rounds = rng.chance(0.85) ? rng.int(24) : rng.pick([1000 + rng.int(100_000), 0xffffffff]);
  const f = rng.chance(0.9) ? rng.int(2) : 2 + rng.int(254);
  const input = [...word(BigInt(rounds), 4), ...bytesOf(rng, 64 + 128 + 16), f];
  return rng.chance(0.15) ? input.slice(0, 200 + rng.int(30)) : input;
}

/** The KZG tuple for a zero blob: its commitment and every proof are the point at infinity, y = 0 at any z. */
const INFINITY = [0xc0, ...new Array<number>(47).fill(0)];

function kzgInput(rng: Rng, proven: KzgCase[]): number[] {
  let c: { commitment: number[]; z: bigint; y: bigint; proof: number[] };
  if (rng.chance(0.5) && proven.length) {
    const p = rng.pick(proven);
    c = { commitment: [...p.commitment], z: p.z, y: p.y, proof: [...p.proof] };
  } else c = { commitment: INFINITY, z: rng.chance(0.9) ? randomWord(rng) % BLS_MODULUS : BLS_MODULUS + BigInt(rng.int(3)), y: 0n, proof: INFINITY };
  const hash = [...sha256(Uint8Array.from(c.commitment))];
  hash[0] = 1;
  const input = [...hash, ...word(c.z), ...word(c.y), ...c.commitment, ...c.proof];
  const r = rng.next();
  if (r < 0.1) input[0] = rng.pick([0, 2]); // wrong version
  else if (r < 0.3) input[rng.int(input.length)]! ^= 1 << rng.int(8);
  return reshape(rng, input);
}

/** A KZG proof computed beforehand (computing one takes about a second). */
export interface KzgCase { commitment: number[]; z: bigint; y: bigint; proof: number[] }

const INPUTS: Record<number, (rng: Rng, kzg: KzgCase[]) => number[]> = {
  1: ecrecoverInput,
  2: (rng) => bytesOf(rng, rng.int(300)),
  3: (rng) => bytesOf(rng, rng.int(300)),
  4: (rng) => bytesOf(rng, rng.int(300)),
  5: modexpInput,
  6: (rng) => reshape(rng, [...g1(rng), ...g1(rng)]),
  7: (rng) => reshape(rng, [...g1(rng), ...word(scalar(rng, BN_R))]),
  8: pairingInput,
  9: blake2fInput,
  10: kzgInput,
};

/** The precompiles a fork has (by opcode level). */
const lastPrecompile = (level: number) => (level >= LEVEL.Cancun ? 10 : level >= LEVEL.Istanbul ? 9 : level >= LEVEL.Byzantium ? 8 : 4);

const push = (v: number) => [0x62, (v >> 16) & 255, (v >> 8) & 255, v & 255]; // PUSH3

/**
 * The calling contract: copies its calldata to memory, calls precompile `p` with it (opcode `op`,
 * `gas`, or all that is left when gas is null), and stores the call's success, the gas left, the
 * output buffer's hash and (Byzantium on) the return data's size and hash.
 */
function caller(p: number, op: number, gas: number | null, value: number, outSize: number, byzantium: boolean): Uint8Array {
  const OUT = 0x1000;
  const code = [0x36, 0x60, 0, 0x60, 0, 0x37]; // CALLDATACOPY(0, 0, CALLDATASIZE)
  code.push(...push(outSize), ...push(OUT), 0x36, 0x60, 0); // out size, out offset, in size, in offset
  if (op === 0xf1 || op === 0xf2) code.push(...push(value));
  code.push(0x60, p, ...(gas === null ? [0x5a] : push(gas)), op);
  code.push(0x60, 0, 0x55); // SSTORE(0, success)
  code.push(0x5a, 0x60, 4, 0x55); // SSTORE(4, gas left)
  code.push(...push(outSize), ...push(OUT), 0x20, 0x60, 3, 0x55); // SSTORE(3, keccak(out))
  if (byzantium) {
    code.push(0x3d, 0x60, 1, 0x55); // SSTORE(1, RETURNDATASIZE)
    code.push(0x3d, 0x60, 0, 0x60, 0, 0x3e, 0x3d, 0x60, 0, 0x20, 0x60, 2, 0x55); // SSTORE(2, keccak(return data))
  }
  code.push(0x00);
  return Uint8Array.from(code);
}

/**
 * A state test (without post) calling one precompile: through the contract above (CALL,
 * CALLCODE, DELEGATECALL or STATICCALL) or as the transaction's own recipient.
 */
export function randomPrecompileTest(seed: number, kzg: KzgCase[]): { fork: string; hardfork: string; precompile: number; test: Omit<StateTestJson, "post"> } {
  const rng = new Rng(seed);
  const [fork, hardfork, level] = STATE_TEST_FORKS[rng.int(STATE_TEST_FORKS.length)]!;
  // Now and then one the fork does not have yet: a call to an empty account.
  const p = rng.chance(0.05) ? 1 + rng.int(10) : 1 + rng.int(lastPrecompile(level));
  const input = INPUTS[p]!(rng, kzg);
  const byzantium = level >= LEVEL.Byzantium;
  const ops = [0xf1, 0xf2, ...(level >= LEVEL.Homestead && fork !== "Frontier" ? [0xf4] : []), ...(byzantium ? [0xfa] : [])];
  const op = rng.chance(0.6) ? 0xf1 : rng.pick(ops);
  // The gas for the call: all there is, or a random amount (the call's cost may be just above or below).
  const gas = rng.chance(0.5) ? null : rng.pick([rng.int(200), rng.int(5_000), rng.int(100_000), rng.int(1_000_000)]);
  const value = rng.chance(0.8) ? 0 : 1 + rng.int(3);
  const outSize = rng.pick([0, 20, 32, 64, 128, rng.int(300)]);
  const pAddress = "0x" + p.toString(16).padStart(40, "0");
  const direct = rng.chance(0.15);
  const london = level >= LEVEL.London;
  const pre: StateTestJson["pre"] = {
    [SENDER]: { balance: hex(10n ** 20n), nonce: "0x0", code: "0x", storage: {} },
    [TARGET]: { balance: hex(BigInt(rng.int(3)) * 1000n), nonce: "0x1", code: bytesToHex(caller(p, op, gas, value, outSize, byzantium)), storage: {} },
  };
  // The precompile's account exists now and then: empty (a touch deletes it from Spurious Dragon) or with a balance.
  if (rng.chance(0.2)) pre[pAddress] = { balance: hex(BigInt(rng.int(2))), nonce: "0x0", code: "0x", storage: {} };
  return {
    fork, hardfork, precompile: p,
    test: {
      env: ENV,
      pre,
      transaction: {
        data: [bytesToHex(Uint8Array.from(input))],
        gasLimit: [hex(BigInt(rng.pick([60_000 + rng.int(200_000), 1_000_000 + rng.int(3_000_000)])))],
        value: [hex(BigInt(rng.chance(0.8) ? 0 : rng.int(2000)))],
        nonce: "0x0", to: direct ? pAddress : TARGET, secretKey: SENDER_KEY, sender: SENDER,
        ...(london && rng.chance(0.5) ? { maxFeePerGas: "0x20", maxPriorityFeePerGas: hex(BigInt(rng.int(3))) } : { gasPrice: "0x20" }),
      },
    },
  };
}

/** `n` valid KZG proofs of random blobs at random points (about a second each, with micro-eth-signer). */
export function provenKzgCases(seed: number, n: number): KzgCase[] {
  const rng = new Rng(seed);
  const kzg = getKzg();
  const out: KzgCase[] = [];
  for (let i = 0; i < n; i++) {
    const blob = "0x" + Array.from({ length: 4096 }, () => (randomWord(rng) % BLS_MODULUS).toString(16).padStart(64, "0")).join("");
    const z = randomWord(rng) % BLS_MODULUS;
    const commitment = kzg.blobToKzgCommitment(blob);
    const [proof, y] = kzg.computeProof(blob, "0x" + z.toString(16).padStart(64, "0"));
    const bytes = (h: string) => [...Buffer.from(h.slice(2), "hex")];
    out.push({ commitment: bytes(commitment), z, y: BigInt(y), proof: bytes(proof) });
  }
  return out;
}
