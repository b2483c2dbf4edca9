// Deterministic randomness, keys and ABI helpers for the block synthesizer.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bigIntToBytes, bytesToBigInt, concatBytes } from "../encoding/hex.js";
import { SECP256K1_N } from "../tx/sign.js";

const utf8 = new TextEncoder();

/** keccak256 of a UTF-8 label: the root of every derived key, address and random stream. */
export function labelHash(label: string): Uint8Array {
  return keccak_256(utf8.encode(label));
}

/** Counter-mode keccak stream: block k = keccak256(seedHash ++ uint64(k)). Same seed, same numbers. */
export class Rng {
  private readonly seed: Uint8Array;
  private block = 0n;
  private buf = new Uint8Array(0);
  private pos = 0;

  constructor(label: string) {
    this.seed = labelHash(label);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (this.pos === this.buf.length) {
        this.buf = keccak_256(concatBytes(this.seed, bigIntToBytes(this.block++, 8)));
        this.pos = 0;
      }
      out[i] = this.buf[this.pos++]!;
    }
    return out;
  }

  /** Uniform in [lo, hi] (inclusive); the modulo bias of a 320-bit draw is negligible. */
  big(lo: bigint, hi: bigint): bigint {
    if (hi < lo) throw new Error(`Rng.big: empty range [${lo}, ${hi}]`);
    return lo + (bytesToBigInt(this.bytes(40)) % (hi - lo + 1n));
  }

  /** Integer in [lo, hi) (hi > lo). */
  int(lo: number, hi: number): number {
    return lo + Number(bytesToBigInt(this.bytes(8)) % BigInt(hi - lo));
  }

  chance(p: number): boolean {
    return this.int(0, 1_000_000) < p * 1_000_000;
  }

  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}

/**
 * Private key number `i` of a seed: keccak256("braid-synth/<seed>/key/<i>"), re-hashed until in
 * [1, n-1]. (Its address comes from signing: signTransaction sets `sender`.)
 */
export function derivePrivateKey(seed: string, i: number): Uint8Array {
  let h = labelHash(`braid-synth/${seed}/key/${i}`);
  for (;;) {
    const k = bytesToBigInt(h);
    if (k > 0n && k < SECP256K1_N) return h;
    h = keccak_256(h);
  }
}

/** A fresh address nobody holds a key for (recipients, contracts, coinbase): keccak256(label)[12..]. */
export function deriveAddress(seed: string, what: string, i = 0): Uint8Array {
  return labelHash(`braid-synth/${seed}/${what}/${i}`).slice(12);
}

export function word(v: bigint): Uint8Array {
  return bigIntToBytes(v, 32);
}

export function addressWord(a: Uint8Array): Uint8Array {
  const w = new Uint8Array(32);
  w.set(a, 12);
  return w;
}

/** Solidity's slot of `mapping(address => ...)` at slot `p`, entry `key`: keccak256(pad32(key) ++ pad32(p)). */
export function mappingSlot(key: Uint8Array, p: bigint): bigint {
  return bytesToBigInt(keccak_256(concatBytes(addressWord(key), word(p))));
}

/** The 4-byte function selector of a canonical signature such as "transfer(address,uint256)". */
export function selector(signature: string): Uint8Array {
  return labelHash(signature).slice(0, 4);
}

/** keccak256 of an event signature: its first topic. */
export function eventTopic(signature: string): Uint8Array {
  return labelHash(signature);
}

/** ABI call data: selector followed by 32-byte words. */
export function callData(signature: string, ...words: Uint8Array[]): Uint8Array {
  return concatBytes(selector(signature), ...words);
}
