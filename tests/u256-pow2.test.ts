// DIV and MOD by powers of two take a shift/mask fast path in assembly/math/u256.ts: check every
// exponent 0..255 against BigInt, with dividends of every width.
import { describe, it, expect, beforeAll } from "vitest";
import { instantiateRaw } from "./helpers/wasm.js";

const WASM = new URL("../build/braid.wasm", import.meta.url);
const M = (1n << 256n) - 1n;
const A = 1 << 20, B = A + 32, C = A + 64;
let ex: Record<string, any>;
let dv: DataView;

function put(addr: number, x: bigint): void {
  for (let i = 0; i < 4; i++) dv.setBigUint64(addr + 8 * i, (x >> BigInt(64 * i)) & 0xffffffffffffffffn, true);
}
function get(addr: number): bigint {
  let x = 0n;
  for (let i = 3; i >= 0; i--) x = (x << 64n) | dv.getBigUint64(addr + 8 * i, true);
  return x;
}

describe("DIV/MOD by 2^k", () => {
  beforeAll(async () => {
    const w = await instantiateRaw(WASM);
    ex = w.exports;
    dv = new DataView(w.memory.buffer);
  });
  const dividends = [0n, 1n, 0xffn, (1n << 64n) - 1n, 1n << 64n, 0x1234567890abcdef1234567890abcdefn, M, M >> 1n, 1n << 255n,
    0xdeadbeefcafebabe0123456789abcdeffedcba98765432100f1e2d3c4b5a6978n];
  it("matches BigInt for every k and dividend", () => {
    for (let k = 0; k < 256; k++) {
      const d = 1n << BigInt(k);
      for (const a of dividends) {
        put(A, a); put(B, d); ex.test_u256(0x04, A, B, C);
        expect(get(B), `DIV ${a} / 2^${k}`).toBe(a / d);
        put(A, a); put(B, d); ex.test_u256(0x06, A, B, C);
        expect(get(B), `MOD ${a} % 2^${k}`).toBe(a % d);
      }
    }
  });
  it("still divides by non-powers of two", () => {
    for (const [a, d] of [[M, 3n], [M, (1n << 200n) + 1n], [12345n, 6n], [1n << 255n, (1n << 64n) + (1n << 63n)]] as Array<[bigint, bigint]>) {
      put(A, a); put(B, d); ex.test_u256(0x04, A, B, C);
      expect(get(B)).toBe(a / d);
      put(A, a); put(B, d); ex.test_u256(0x06, A, B, C);
      expect(get(B)).toBe(a % d);
    }
  });
});
