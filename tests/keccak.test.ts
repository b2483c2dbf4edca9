import { describe, it, expect, beforeAll } from "vitest";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { instantiateRaw } from "./helpers/wasm.js";

// Switch to "../build/braid.wasm" once assembly/index.ts re-exports the crypto module.
const WASM = new URL("../build/braid.wasm", import.meta.url);

const SRC = 1 << 20;
const DST = SRC - 64;

let ex: Record<string, any>;
let u8: Uint8Array;

// deterministic byte generator (xorshift32)
let state = 0x9e3779b9;
function randBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function wasmKeccak(data: Uint8Array, src = SRC, dst = DST): string {
  u8.set(data, src);
  ex.keccak256(src, data.length, dst);
  return hex(u8.slice(dst, dst + 32));
}

beforeAll(() => {
  const inst = instantiateRaw(WASM);
  ex = inst.exports;
  u8 = inst.u8;
});

describe("keccak256", () => {
  it("known vectors", () => {
    expect(wasmKeccak(new Uint8Array(0))).toBe("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    expect(wasmKeccak(new TextEncoder().encode("abc"))).toBe("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  });

  it("lengths 0..300 match @noble/hashes", () => {
    for (let len = 0; len <= 300; len++) {
      const data = randBytes(len);
      expect(wasmKeccak(data), `len ${len}`).toBe(hex(keccak_256(data)));
    }
  });

  it("rate boundaries and unaligned input", () => {
    for (const len of [135, 136, 137, 271, 272, 273, 407, 408, 409]) {
      for (let shift = 0; shift < 8; shift++) {
        const data = randBytes(len);
        expect(wasmKeccak(data, SRC + shift), `len ${len} shift ${shift}`).toBe(hex(keccak_256(data)));
      }
    }
  });

  it("long inputs", () => {
    for (const len of [1000, 4096, 100000]) {
      const data = randBytes(len);
      expect(wasmKeccak(data), `len ${len}`).toBe(hex(keccak_256(data)));
    }
  });

  it("digest may overwrite its input", () => {
    for (const len of [0, 32, 64, 200]) {
      const data = randBytes(len);
      expect(wasmKeccak(data, SRC, SRC)).toBe(hex(keccak_256(data)));
    }
  });
});

describe("keccak256_memo (per-context memo of short inputs)", () => {
  const CTX = 8 << 20; // a zeroed context, as the host hands one over
  const memo = (data: Uint8Array, src = SRC, dst = DST): string => {
    u8.set(data, src);
    ex.keccak256_memo(src, data.length, dst);
    return hex(u8.slice(dst, dst + 32));
  };
  beforeAll(() => ex.worker_init(CTX));

  it("matches @noble/hashes on first sight and on repeats, across lengths 0..80", () => {
    const inputs = Array.from({ length: 600 }, (_, i) => randBytes(i % 81));
    for (let round = 0; round < 3; round++) {
      for (const data of inputs) expect(memo(data), `len ${data.length} round ${round}`).toBe(hex(keccak_256(data)));
    }
  });

  it("tells apart inputs that differ in one byte or only in length", () => {
    const base = randBytes(64);
    for (let i = 0; i < 64; i++) {
      const other = base.slice();
      other[i] ^= 1;
      expect(memo(base)).toBe(hex(keccak_256(base)));
      expect(memo(other), `byte ${i}`).toBe(hex(keccak_256(other)));
    }
    // The same bytes at two lengths (the overlapping last word reads the same memory).
    for (let len = 8; len < 64; len++) {
      expect(memo(base.subarray(0, len))).toBe(hex(keccak_256(base.subarray(0, len))));
      expect(memo(base.subarray(0, len + 1))).toBe(hex(keccak_256(base.subarray(0, len + 1))));
    }
  });

  it("digest may overwrite its input", () => {
    for (const len of [8, 20, 32, 64]) {
      const data = randBytes(len);
      expect(memo(data, SRC, SRC)).toBe(hex(keccak_256(data)));
      expect(memo(data, SRC, SRC)).toBe(hex(keccak_256(data)));
    }
  });
});
