// Block-STM's multi-version memory (assembly/stm/mv.ts) against a model in JS: version chains
// under writes, re-incarnations, removals, ESTIMATE marks and lazy credits, and the property that
// lets readers go without a lock: a published version record never changes but for its ESTIMATE
// flag, and one taken out of a chain still leads to the rest of it.
import { describe, it, expect, beforeAll } from "vitest";
import { instantiateRaw } from "./helpers/wasm.js";
import * as L from "../src/wasm/layout.js";

const WASM = new URL("../build/braid.wasm", import.meta.url);
const BASE_TX = 0xffffffff;
const OP = { location: 0, write: 1, read: 2, estimate: 3, remove: 4, credit: 5, sumCredits: 6 } as const;

// A context, a block header, the location table and the arena, laid out above the static data.
const CTX = 4 << 20;
const HEADER = CTX + L.CTX_SIZE;
const TABLE = HEADER + L.H_SIZE;
const TABLE_CAP = 1024;
const ARENA = 5 << 20;
const ARENA_SIZE = 4 << 20;
const IO = 12 << 20; // operands and results

let ex: Record<string, any>;
let memory: WebAssembly.Memory;
const dv = () => new DataView(memory.buffer);
const u8 = () => new Uint8Array(memory.buffer);

function freshHeader(): void {
  u8().fill(0, CTX, TABLE + TABLE_CAP * L.MV_PAIR_SIZE);
  const d = dv();
  d.setUint32(CTX + L.CTX_STM, HEADER, true);
  d.setUint32(HEADER + L.H_MV_TABLE, TABLE, true);
  d.setUint32(HEADER + L.H_MV_CAP, TABLE_CAP, true);
  d.setUint32(HEADER + L.H_ARENA_TOP, ARENA, true);
  d.setUint32(HEADER + L.H_ARENA_END, ARENA + ARENA_SIZE, true);
  d.setUint32(CTX + L.CTX_ARENA_HDR, 0, true);
}

const mv = (op: number, loc: number, tx: number, inc: number, size = 0, p = IO) => ex.test_mv(op, CTX, loc, tx, inc, p, size) >>> 0;

function location(kind: number, seed: number): number {
  const b = u8();
  for (let i = 0; i < 64; i++) b[IO + i] = (seed * 31 + i * 7) & 0xff;
  return mv(OP.location, 0, kind, 0);
}

function payloadOf(tx: number, inc: number, size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (tx * 37 + inc * 11 + i) & 0xff);
}

function write(loc: number, tx: number, inc: number, size: number): number {
  u8().set(payloadOf(tx, inc, size), IO);
  return mv(OP.write, loc, tx, inc, size);
}

function read(loc: number, tx: number, size: number): { tx: number; inc: number; estimate: boolean; payload: Uint8Array } | null {
  const found = mv(OP.read, loc, tx, 0, size);
  const d = dv();
  const r = { tx: d.getUint32(IO, true), inc: d.getUint32(IO + 4, true), estimate: d.getUint32(IO + 8, true) === 1, payload: u8().slice(IO + 16, IO + 16 + size) };
  if (!found) {
    expect(r.tx).toBe(BASE_TX);
    return null;
  }
  return r;
}

function putWord(x: bigint, at = IO): void {
  for (let i = 0; i < 4; i++) dv().setBigUint64(at + 8 * i, (x >> BigInt(64 * i)) & 0xffffffffffffffffn, true);
}
function getWord(at = IO): bigint {
  let x = 0n;
  for (let i = 3; i >= 0; i--) x = (x << 64n) | dv().getBigUint64(at + 8 * i, true);
  return x;
}

// splitmix64, as in tests/u256.test.ts
let seed = 0x5eed_1234_abcd_0001n;
function rand(n: number): number {
  seed = (seed + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  let z = seed;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return Number((z ^ (z >> 31n)) % BigInt(n));
}

beforeAll(() => {
  const inst = instantiateRaw(WASM);
  ex = inst.exports;
  memory = inst.memory;
  memory.grow(256); // to 32 MB: room for the layout above
});

describe("multi-version memory", () => {
  it("finds a location again and keeps locations apart", () => {
    freshHeader();
    const a = location(L.LOC_ACCOUNT, 1);
    const s = location(L.LOC_STORAGE, 1);
    expect(a).not.toBe(0);
    expect(s).not.toBe(a);
    expect(location(L.LOC_ACCOUNT, 1)).toBe(a);
    expect(location(L.LOC_STORAGE, 1)).toBe(s);
    expect(location(L.LOC_STORAGE, 2)).not.toBe(s);
  });

  it("a new incarnation links a new record; the old one is unchanged and leads to the rest of the chain", () => {
    freshHeader();
    const loc = location(L.LOC_STORAGE, 3);
    const v1 = write(loc, 1, 0, 32);
    const v3 = write(loc, 3, 0, 32);
    write(loc, 5, 0, 32);
    const old = u8().slice(v3, v3 + L.VR_S_VALUE + 32); // a slot's version: its header and a word
    const v3b = write(loc, 3, 1, 32);
    expect(v3b).not.toBe(v3);
    // A reader that reached the old record before the write sees it whole and goes on from it.
    expect(u8().slice(v3, v3 + L.VR_S_VALUE + 32)).toEqual(old);
    expect(dv().getUint32(v3 + L.VR_NEXT, true)).toBe(v1);
    expect(dv().getUint32(v3b + L.VR_NEXT, true)).toBe(v1);
    const r = read(loc, 4, 32)!;
    expect([r.tx, r.inc]).toEqual([3, 1]);
    expect(r.payload).toEqual(payloadOf(3, 1, 32));
    // Removed: the record still leads on, and readers skip it.
    mv(OP.remove, loc, 3, 0);
    expect(dv().getUint32(v3b + L.VR_NEXT, true)).toBe(v1);
    expect(read(loc, 4, 32)!.tx).toBe(1);
    expect(read(loc, 1, 32)).toBeNull();
  });

  it("matches a model under random writes, re-incarnations, removals, estimates and credits", () => {
    type Version = { inc: number; estimate: boolean; amount?: bigint };
    const M256 = (1n << 256n) - 1n;
    for (let round = 0; round < 4; round++) {
      freshHeader();
      const locs = [
        { loc: location(L.LOC_ACCOUNT, 10 + round), size: L.VR_SIZE - L.VR_A_FLAGS, account: true },
        { loc: location(L.LOC_STORAGE, 20 + round), size: 32, account: false },
      ];
      const whole = locs.map(() => new Map<number, Version>());
      const credits = locs.map(() => new Map<number, Version>());
      const incs = new Map<number, number>();
      for (let step = 0; step < 600; step++) {
        const k = rand(2);
        const { loc, size, account } = locs[k]!;
        const tx = rand(24);
        const op = rand(account ? 7 : 5);
        if (op === 0 || op === 1) {
          const inc = (incs.get(tx) ?? -1) + 1;
          incs.set(tx, inc);
          expect(write(loc, tx, inc, size)).not.toBe(0);
          whole[k]!.set(tx, { inc, estimate: false });
          credits[k]!.delete(tx);
        } else if (op === 2) {
          mv(OP.remove, loc, tx, 0);
          whole[k]!.delete(tx);
          credits[k]!.delete(tx);
        } else if (op === 3) {
          mv(OP.estimate, loc, tx, 0);
          for (const m of [whole[k]!, credits[k]!]) { const v = m.get(tx); if (v) v.estimate = true; }
        } else if (op === 4) {
          const got = read(loc, tx, size);
          const below = [...whole[k]!.keys()].filter((t) => t < tx);
          if (below.length === 0) {
            expect(got).toBeNull();
          } else {
            const t = Math.max(...below);
            const v = whole[k]!.get(t)!;
            expect(got).not.toBeNull();
            expect([got!.tx, got!.inc, got!.estimate]).toEqual([t, v.inc, v.estimate]);
            expect(got!.payload).toEqual(payloadOf(t, v.inc, size));
          }
        } else if (op === 5) {
          const inc = (incs.get(tx) ?? -1) + 1;
          incs.set(tx, inc);
          const amount = BigInt(rand(1 << 30)) << BigInt(rand(200));
          putWord(amount);
          expect(mv(OP.credit, loc, tx, inc)).not.toBe(0);
          credits[k]!.set(tx, { inc, estimate: false, amount });
          whole[k]!.delete(tx);
        } else {
          const after = rand(3) === 0 ? BASE_TX : rand(24);
          const got = mv(OP.sumCredits, loc, tx, after);
          const range = [...credits[k]!.entries()].filter(([t]) => t < tx && (after === BASE_TX || t > after)).sort((a, b) => b[0] - a[0]);
          const firstEstimate = range.find(([, v]) => v.estimate);
          if (firstEstimate) {
            expect(got).toBe(firstEstimate[0]);
          } else {
            expect(got).toBe(BASE_TX);
            expect(getWord()).toBe(range.reduce((sum, [, v]) => (sum + v.amount!) & M256, 0n));
          }
        }
      }
    }
  });
});
