// Code records: interned by their bytes (a cheap digest, confirmed byte by byte), with the keccak256
// code hash computed on first use, and kept across resets that resize the state tables, so a
// replay of consecutive blocks does not hash and analyse the same contracts again.
import { beforeAll, describe, expect, it } from "vitest";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { Vm, loadBraidModule } from "./helpers/braid-dist.js";
import { sizesFor } from "../src/vm/regions.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 3)) & 255);

let vm: InstanceType<typeof Vm>;
beforeAll(() => {
  vm = new Vm(loadBraidModule());
});

describe("code interning", () => {
  it("equal bytes in different arrays share one record; any difference, even in length, does not", () => {
    vm.reset(sizesFor(16, 16, 16, 1 << 16));
    const a = bytes(3000, 1);
    const rec = vm.putCode(a);
    expect(vm.putCode(a.slice())).toBe(rec);
    const b = a.slice();
    b[2999] ^= 1;
    expect(vm.putCode(b)).not.toBe(rec);
    expect(vm.putCode(a.subarray(0, 2999))).not.toBe(rec);
    expect(vm.putCode(a.slice(0, 7))).not.toBe(vm.putCode(a.slice(0, 6)));
  });

  it("the code hash, computed on first use, is keccak256 of the bytes", () => {
    vm.reset(sizesFor(16, 16, 16, 1 << 16));
    for (const n of [1, 31, 32, 33, 135, 136, 137, 5000]) {
      const code = bytes(n, n);
      expect(hex(vm.codeHashOf(vm.putCode(code))), `length ${n}`).toBe(hex(keccak_256(code)));
      expect(hex(vm.codeHashOf(vm.putCode(code.slice()))), `length ${n}, again`).toBe(hex(keccak_256(code)));
    }
  });

  it("survives a reset that resizes the state tables (same code region), not one that resizes the code region", () => {
    vm.reset(sizesFor(100, 100, 16, 1 << 16));
    const code = bytes(4000, 9);
    const rec = vm.putCode(code);
    vm.reset(sizesFor(50_000, 200_000, 16, 1 << 16)); // other account and slot tables
    expect(vm.putCode(code.slice())).toBe(rec);
    expect(hex(vm.codeHashOf(rec))).toBe(hex(keccak_256(code)));
    vm.reset(sizesFor(100, 100, 100_000, 1 << 16)); // a larger code table: emptied
    const again = vm.putCode(code.slice());
    expect(hex(vm.codeHashOf(again))).toBe(hex(keccak_256(code)));
  });
});
