// The receipts root hashed in wasm (assembly/block/receipts.ts, assembly/trie/ordinal.ts) must
// equal the JavaScript encoder's (src/block/receipts.ts) for any mix of receipt types, statuses,
// gas figures and logs, and for block sizes around the points where rlp(i) keys change length.
import { describe, expect, it } from "vitest";
import { instantiateRaw } from "./helpers/wasm.js";
import * as L from "../src/wasm/layout.js";
import { receiptsRoot } from "../src/block/receipts.js";
import { bytesToHex } from "../src/encoding/hex.js";
import type { Receipt } from "../src/block/types.js";
import type { LogEntry } from "../src/vm/types.js";

const wasm = instantiateRaw(new URL("../build/braid.wasm", import.meta.url));

/** Deterministic generator (xorshift32). */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >> 17; s ^= s << 5; s >>>= 0; return s; };
  return {
    int: (n: number) => next() % n,
    bytes: (n: number) => Uint8Array.from({ length: n }, () => next() & 255),
  };
}

function randomReceipts(n: number, seed: number): Receipt[] {
  const r = rng(seed);
  let cumulative = 0n;
  return Array.from({ length: n }, () => {
    // Gas of every size class: 0, one byte below 0x80, several bytes, near 2^32.
    const gasUsed = [0n, BigInt(r.int(0x80)), 21000n + BigInt(r.int(1 << 24)), 0xfffffff0n][r.int(4)]!;
    cumulative += gasUsed;
    const logs: LogEntry[] = Array.from({ length: [0, 0, 1, 2, 5][r.int(5)]! }, () => ({
      address: r.bytes(20),
      topics: Array.from({ length: r.int(5) }, () => r.bytes(32)),
      // Data lengths around the RLP short/long boundaries, including one byte below 0x80.
      data: [new Uint8Array(0), Uint8Array.of(r.int(0x80)), Uint8Array.of(0x80 + r.int(0x80)), r.bytes(55), r.bytes(56), r.bytes(r.int(600))][r.int(6)]!,
    }));
    const status = (["success", "revert", "halt"] as const)[r.int(3)]!;
    return {
      type: [0, 1, 2, 3][r.int(4)]!, status, success: status === "success", gasUsed, cumulativeGasUsed: cumulative,
      logs, logsBloom: logs.length ? r.bytes(256) : new Uint8Array(256), contractAddress: null,
    };
  });
}

/** Lays the receipts out as executed transaction records (stm/layout.ts) and hashes them in wasm. */
function wasmRoot(receipts: Receipt[]): string {
  const { exports: ex, memory } = wasm;
  let top = ex.heap_base() as number;
  const take = (size: number) => {
    const at = Math.ceil(top / 64) * 64;
    top = at + size;
    const need = top + (64 << 20) - memory.buffer.byteLength;
    if (need > 0) memory.grow(Math.ceil(need / 65536));
    return at;
  };
  const header = take(L.H_SIZE);
  const txs = take(receipts.length * L.TXR_SIZE);
  const u8 = () => new Uint8Array(memory.buffer);
  const dv = () => new DataView(memory.buffer);
  u8().fill(0, header, txs + receipts.length * L.TXR_SIZE);
  dv().setUint32(header + L.H_N, receipts.length, true);
  dv().setUint32(header + L.H_TXS, txs, true);
  receipts.forEach((rc, i) => {
    const t = txs + i * L.TXR_SIZE;
    const logBytes = rc.logs.reduce((s, l) => s + ((32 + 32 * l.topics.length + l.data.length + 7) & ~7), 0);
    let p = take(logBytes + 8);
    dv().setUint32(t + L.T_LOGS, p, true);
    dv().setUint32(t + L.T_LOG_COUNT, rc.logs.length, true);
    for (const l of rc.logs) {
      const size = (32 + 32 * l.topics.length + l.data.length + 7) & ~7;
      dv().setUint32(p, size, true); dv().setUint32(p + 4, l.topics.length, true); dv().setUint32(p + 8, l.data.length, true);
      u8().set(l.address, p + 12);
      l.topics.forEach((tp, k) => u8().set(tp, p + 32 + 32 * k));
      u8().set(l.data, p + 32 + 32 * l.topics.length);
      p += size;
    }
    dv().setUint32(t + L.T_RESULT, ["success", "revert", "halt"].indexOf(rc.status), true);
    dv().setBigUint64(t + L.T_GAS_USED, rc.gasUsed, true);
    dv().setUint32(t + L.T_TYPE, rc.type, true);
    u8().set(rc.logsBloom, t + L.T_BLOOM);
  });
  const scratch = take(ex.receipts_root_scratch(header) + 32);
  ex.receipts_root(header, scratch + 32, scratch);
  return bytesToHex(u8().slice(scratch, scratch + 32));
}

describe("receipts root in wasm", () => {
  for (const n of [0, 1, 2, 3, 16, 17, 127, 128, 129, 255, 256, 257, 300, 1500]) {
    it(`${n} receipts`, () => {
      const receipts = randomReceipts(n, 1000 + n);
      expect(wasmRoot(receipts)).toBe(bytesToHex(receiptsRoot(receipts)));
    });
  }

  it("many seeds of small blocks", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const receipts = randomReceipts(1 + (seed % 40), seed);
      expect(wasmRoot(receipts), `seed ${seed}`).toBe(bytesToHex(receiptsRoot(receipts)));
    }
  });

  it("65,537 receipts (three-byte rlp keys)", () => {
    const receipts = randomReceipts(65_537, 7).map((r) => ({ ...r, logs: [], logsBloom: new Uint8Array(256) }));
    expect(wasmRoot(receipts)).toBe(bytesToHex(receiptsRoot(receipts)));
  });
});

describe("receipts of an executed block", () => {
  it("decode their logs on access, re-encode to the header's receipts root and serialize with their logs", async () => {
    const { loadBraidModule, loadBlockFixture } = await import("../src/node/index.js");
    const { Vm } = await import("../src/vm/vm.js");
    const { executeBlock } = await import("../src/block/execute.js");
    const dir = new URL("../../shared/fixtures/mainnet-blocks/12244000", import.meta.url).pathname;
    const f = loadBlockFixture(dir);
    const r = executeBlock(new Vm(loadBraidModule()), f.block, f.pre, { verifySenders: false });
    const withLogs = r.receipts.filter((x) => x.logs.length > 0);
    expect(withLogs.length).toBeGreaterThan(10);
    expect(bytesToHex(receiptsRoot(r.receipts))).toBe(bytesToHex(f.block.header.receiptsRoot));
    const first = withLogs[0]!;
    const json = JSON.parse(JSON.stringify(first, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? bytesToHex(v) : v)));
    expect(json.logs.length).toBe(first.logs.length);
    expect(json.logs[0].address).toBe(bytesToHex(first.logs[0]!.address));
    expect(json.logsBloom).toBe(bytesToHex(first.logsBloom));
    // Decoded once, then kept; assignable like a plain receipt's.
    expect(first.logs).toBe(first.logs);
    first.logs = [];
    expect(first.logs).toEqual([]);
  });
});
