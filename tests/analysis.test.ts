// Dataflow / ILP analysis of bytecode (src/analysis), the wasm block-count profiler and `braid ilp`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { pushValue, splitBlocks } from "../src/analysis/blocks.js";
import { analyzeCode, blockGraph, constantStateReads } from "../src/analysis/cache.js";
import type { BlockSummary } from "../src/analysis/dataflow.js";
import { fold, isPure } from "../src/analysis/evaluate.js";
import { OPS } from "../src/analysis/opcodes.js";
import { profileRun } from "../src/analysis/profile.js";
import { profileBlock } from "../src/analysis/workload.js";
import { loadBlockFixture } from "../src/node/fixture.js";
import { hotBlocks, ilpDistribution, summarizeContract } from "../src/analysis/report.js";
import { bytesToHex } from "../src/encoding/hex.js";
import { loadBraidModule } from "../src/node/load.js";
import { runCode } from "../src/vm/run-code.js";
import { Vm } from "../src/vm/vm.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BLOCKS = join(ROOT, "../shared/fixtures/mainnet-blocks");

// A text assembler: mnemonics from the analysis' own table; a hex word after PUSHn is its immediate.
const BY_NAME = new Map(OPS.flatMap((o, i) => (o ? [[o.name, i] as [string, number]] : [])));
function asm(src: string): Uint8Array {
  const out: number[] = [];
  const words = src.trim().split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const op = BY_NAME.get(words[i].toUpperCase());
    if (op === undefined) throw new Error(`unknown mnemonic ${words[i]}`);
    out.push(op);
    const n = op >= 0x60 && op <= 0x7f ? op - 0x5f : 0;
    if (n) {
      const v = BigInt(words[++i]);
      for (let k = n - 1; k >= 0; k--) out.push(Number((v >> BigInt(8 * k)) & 0xffn));
    }
  }
  return Uint8Array.from(out);
}
const hex = (b: Uint8Array) => bytesToHex(b).slice(2);
const word = (v: bigint) => v.toString(16).padStart(64, "0");
const keccakWord = (h: string) => BigInt(bytesToHex(keccak_256(Uint8Array.from(Buffer.from(h, "hex")))));
const only = (code: Uint8Array): BlockSummary => {
  const bs = analyzeCode(code).blocks;
  expect(bs).toHaveLength(1);
  return bs[0];
};
const keys = (b: BlockSummary, op: string) => b.longLatency.filter((l) => l.op === op).map((l) => l.key);

describe("basic blocks", () => {
  it("splits at JUMPDEST, after JUMPI and after terminators, skipping PUSH immediates", () => {
    // 0: PUSH2 0x5b5b (immediates look like JUMPDESTs)  3: PUSH1 9  5: JUMPI  6: CALLER  7: STOP
    // 8: ADD (dead code)  9: JUMPDEST  10: PUSH1 0x5b  12: JUMP  13: JUMPDEST  14: 0x0c (undefined)  15: STOP
    const code = Uint8Array.from([0x61, 0x5b, 0x5b, 0x60, 0x09, 0x57, 0x33, 0x00, 0x01, 0x5b, 0x60, 0x5b, 0x56, 0x5b, 0x0c, 0x00]);
    const bs = splitBlocks(code);
    expect(bs.map((b) => [b.start, b.end])).toEqual([[0, 6], [6, 8], [8, 9], [9, 13], [13, 15], [15, 16]]);
    expect(bs[0].pcs).toEqual([0, 3, 5]);
    expect(bs[3].pcs).toEqual([9, 10, 12]);
  });

  it("reads a PUSH truncated by the end of the code as zero-padded", () => {
    const code = Uint8Array.from([0x60, 0x01, 0x63, 0xaa, 0xbb]); // PUSH4 with 2 of its 4 bytes
    const bs = splitBlocks(code);
    expect(bs).toHaveLength(1);
    expect(bs[0].pcs).toEqual([0, 2]);
    expect(bs[0].end).toBe(7);
    const g = blockGraph(code, 0);
    expect(g.nodes.map((n) => n.op)).toEqual(["PUSH1", "PUSH4"]);
    expect(pushValue(code, 2)).toBe(0xaabb0000n);
  });
});

describe("critical path and ILP", () => {
  it("a dependent chain of ADDs has ILP 1", () => {
    const b = only(asm("ADD ADD ADD ADD ADD ADD ADD ADD"));
    expect(b.instructions).toBe(8);
    expect(b.criticalPath).toBe(8);
    expect(b.ilp).toBe(1);
    expect(b.entrySlots).toBe(9);
  });

  it("independent streams have ILP equal to the number of streams", () => {
    const stream = "CALLDATASIZE NOT NOT NOT NOT NOT NOT NOT";
    for (const s of [1, 2, 4]) {
      const b = only(asm(Array(s).fill(stream).join(" ")));
      expect(b.criticalPath).toBe(8);
      expect(b.ilp).toBe(s);
    }
    // the same instructions as one chain
    expect(only(asm("CALLDATASIZE " + Array(31).fill("NOT").join(" "))).ilp).toBe(1);
  });

  it("gives DUP, SWAP and POP zero latency but counts them as instructions", () => {
    const b = only(asm("PUSH1 1 DUP1 ADD DUP1 ADD SWAP1 POP"));
    expect(b.instructions).toBe(7);
    expect(b.shuffles).toBe(4);
    expect(b.criticalPath).toBe(3); // PUSH1 -> ADD -> ADD
    const g = blockGraph(asm("PUSH1 1 DUP1 ADD"), 0);
    expect(g.nodes[2].inputs).toEqual([{ node: 0 }, { node: 0 }]);
    expect(g.nodes[1].inputs).toEqual([]);
  });

  it("numbers entry-stack slots from the top, reaching deeper as needed", () => {
    const g = blockGraph(asm("POP DUP2 SWAP3 ADD"), 0);
    // POP drops slot 0; DUP2 copies slot 2; SWAP3 exchanges that copy with slot 3; ADD adds slot 3 and slot 1.
    expect(g.entrySlots).toBe(4);
    expect(g.nodes[3].inputs).toEqual([{ entry: 3 }, { entry: 1 }]);
  });

  it("weights long-latency operations in the weighted critical path", () => {
    const b = only(asm("PUSH1 0 SLOAD PUSH1 1 ADD"));
    expect(b.criticalPath).toBe(3);
    expect(b.weightedCriticalPath).toBe(102);
  });
});

describe("effect ordering", () => {
  it("keeps two SSTOREs in order (and so the critical path grows)", () => {
    const code = asm("PUSH1 1 PUSH1 0 SSTORE PUSH1 2 PUSH1 1 SSTORE");
    const g = blockGraph(code, 0);
    expect(g.nodes[5].after).toContain(2);
    expect(g.criticalPath).toBe(3);
  });

  it("orders MLOAD after MSTORE but not two MLOADs, and not storage against memory", () => {
    const g = blockGraph(asm("PUSH1 1 PUSH1 0 MSTORE PUSH1 0x20 MLOAD PUSH1 0 MLOAD PUSH1 5 SLOAD"), 0);
    expect(g.nodes[4].after).toEqual([2]);
    expect(g.nodes[6].after).toEqual([2]);
    expect(g.nodes[8].after).toEqual([]);
  });

  it("orders a write after earlier reads, calls against everything, GAS after all", () => {
    const g = blockGraph(asm("PUSH1 0 SLOAD PUSH1 0 MLOAD PUSH1 1 PUSH1 0 SSTORE PUSH1 0 DUP1 DUP1 DUP1 DUP1 DUP1 DUP1 CALL GAS"), 0);
    const at = (op: string) => g.nodes.findIndex((n) => n.op === op);
    expect(g.nodes[at("SSTORE")].after).toEqual([1]);
    expect(g.nodes[at("CALL")].after.sort((a, b) => a - b)).toEqual([3, at("SSTORE")]);
    expect(g.nodes[at("GAS")].after).toHaveLength(at("GAS"));
    expect(g.nodes[at("GAS")].depth).toBe(g.nodes[at("CALL")].depth + 1);
  });
});

describe("key provenance", () => {
  it("constant key", () => {
    expect(keys(only(asm("PUSH1 5 SLOAD")), "SLOAD")).toEqual([{ provenance: "constant", value: 5n }]);
  });

  it("Solidity mapping key from calldata", () => {
    const b = only(asm("PUSH1 4 CALLDATALOAD PUSH1 0 MSTORE PUSH1 3 PUSH1 0x20 MSTORE PUSH1 0x40 PUSH1 0 KECCAK256 SLOAD"));
    expect(keys(b, "SLOAD")).toEqual([{ provenance: "calldata" }]);
    expect(keys(b, "KECCAK256")).toEqual([{ provenance: "calldata" }]);
  });

  it("constant mapping key evaluates to keccak256(key . slot)", () => {
    const addr = 0xd8da6bf26964af9d7eed9e03e53415d37aa96045n;
    const b = only(asm(`PUSH20 ${addr} PUSH1 0 MSTORE PUSH1 3 PUSH1 0x20 MSTORE PUSH1 0x40 PUSH1 0 KECCAK256 SLOAD`));
    expect(keys(b, "SLOAD")).toEqual([{ provenance: "constant", value: keccakWord(word(addr) + word(3n)) }]);
  });

  it("environment values count as calldata", () => {
    const b = only(asm("CALLER PUSH1 0 MSTORE PUSH1 0x20 PUSH1 0 KECCAK256 SLOAD NUMBER BLOCKHASH ADDRESS BALANCE"));
    expect(b.longLatency.map((l) => l.key?.provenance)).toEqual(["calldata", "calldata", "calldata", "calldata"]);
  });

  it("entry-stack key", () => {
    const code = asm("STOP JUMPDEST PUSH1 1 ADD SLOAD STOP");
    const blocks = analyzeCode(code).blocks;
    expect(keys(blocks[1], "SLOAD")).toEqual([{ provenance: "entry-stack" }]);
    // memory the block did not write is entry state too
    expect(keys(only(asm("PUSH1 0x40 MLOAD SLOAD")), "SLOAD")).toEqual([{ provenance: "entry-stack" }]);
  });

  it("state key: an SLOAD whose key came from another SLOAD", () => {
    const k = keys(only(asm("PUSH1 0 SLOAD SLOAD")), "SLOAD");
    expect(k).toEqual([{ provenance: "constant", value: 0n }, { provenance: "state" }]);
  });

  it("a write at an unknown offset invalidates what memory held", () => {
    const known = only(asm("PUSH1 7 PUSH1 0 MSTORE PUSH1 0x20 PUSH1 0 KECCAK256 SLOAD"));
    expect(keys(known, "SLOAD")[0]?.provenance).toBe("constant");
    const clobbered = only(asm("PUSH1 7 PUSH1 0 MSTORE PUSH1 9 PUSH1 0 SLOAD MSTORE PUSH1 0x20 PUSH1 0 KECCAK256 SLOAD"));
    expect(keys(clobbered, "SLOAD")[1]).toEqual({ provenance: "state" });
  });

  it("call targets and code constants", () => {
    const target = 0x1f9840a85d5af5bf1d1762f925bdaddc4201f984n;
    const b = only(asm(`PUSH1 0 DUP1 DUP1 DUP1 DUP1 PUSH20 ${target} GAS CALL`));
    expect(keys(b, "CALL")).toEqual([{ provenance: "constant", value: target }]);
    // a key copied out of the code itself (CODECOPY) is constant too
    const code = asm("PUSH1 0x20 PUSH1 12 PUSH1 0 CODECOPY PUSH1 0 MLOAD SLOAD STOP");
    const withData = Uint8Array.from([...code, ...Buffer.from(word(0xabcdefn), "hex")]);
    expect(keys(analyzeCode(withData).blocks[0], "SLOAD")).toEqual([{ provenance: "constant", value: 0xabcdefn }]);
  });
});

describe("constant folding", () => {
  it("agrees with the wasm interpreter on every pure opcode", () => {
    const vm = new Vm(loadBraidModule());
    const M = (1n << 256n) - 1n;
    const vals = [0n, 1n, 2n, 3n, 31n, 32n, 255n, 256n, 1n << 128n, 1n << 255n, M, M - 1n, 0x8000n, 0xdeadbeefcafebabe1234567890n, M >> 1n, M ^ 0xffn];
    const ops = OPS.flatMap((o, op) => (o && isPure(op) && op !== 0x1e ? [op] : []));
    expect(ops).toHaveLength(25);
    for (const op of ops) {
      const arity = OPS[op]!.pops;
      const cases: bigint[][] = [];
      for (const x of vals) for (const y of vals) cases.push(arity === 1 ? [x] : arity === 2 ? [x, y] : [x, y, vals[(cases.length * 7) % vals.length]]);
      const body: string[] = [];
      cases.forEach((args, i) => {
        for (const v of [...args].reverse()) body.push(`PUSH32 ${v}`);
        body.push(OPS[op]!.name, `PUSH2 ${i * 32}`, "MSTORE");
      });
      const code = asm(`${body.join(" ")} PUSH2 ${cases.length * 32} PUSH1 0 RETURN`);
      const r = runCode(vm, { code });
      expect(r.status).toBe("success");
      cases.forEach((args, i) => {
        const want = BigInt(bytesToHex(r.output.subarray(i * 32, i * 32 + 32)));
        expect(fold(op, args), `${OPS[op]!.name}(${args.map((a) => "0x" + a.toString(16)).join(", ")})`).toBe(want);
      });
    }
    expect(fold(0x1e, [0n])).toBe(256n);
    expect(fold(0x1e, [1n])).toBe(255n);
    expect(fold(0x1e, [1n << 255n])).toBe(0n);
  });
});

describe("constantStateReads", () => {
  const EIP1967 = keccakWord(Buffer.from("eip1967.proxy.implementation").toString("hex")) - 1n;

  it("finds the EIP-1967 implementation slot of a proxy (pushed or computed)", () => {
    expect(EIP1967).toBe(0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbcn);
    const tail = "CALLDATASIZE PUSH1 0 PUSH1 0 CALLDATACOPY PUSH1 0 PUSH1 0 CALLDATASIZE PUSH1 0";
    const proxy = asm(`${tail} PUSH32 ${EIP1967} SLOAD GAS DELEGATECALL RETURNDATASIZE PUSH1 0 PUSH1 0 RETURNDATACOPY RETURNDATASIZE PUSH1 0 RETURN`);
    const r = constantStateReads(proxy);
    expect(r.slots).toEqual([EIP1967]);
    expect(r.addresses).toEqual([]); // the target is read from state
    const computed = asm(`${tail} PUSH1 1 PUSH32 ${EIP1967 + 1n} SUB SLOAD GAS DELEGATECALL STOP`);
    expect(constantStateReads(computed).slots).toEqual([EIP1967]);
    expect(constantStateReads(proxy)).toBe(r); // cached
  });

  it("finds PUSH20 ... CALL targets and BALANCE/EXTCODE* addresses, deduplicated", () => {
    const a = 0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48n, b = 0xdac17f958d2ee523a2206206994597c13d831ec7n;
    const code = asm(`PUSH1 0 DUP1 DUP1 DUP1 DUP1 PUSH20 ${a} GAS CALL POP PUSH20 ${b} EXTCODESIZE PUSH20 ${a} BALANCE ` +
      "PUSH1 9 SSTORE CALLER BALANCE STOP");
    const r = constantStateReads(code);
    expect(r.addresses.map(bytesToHex).sort()).toEqual([bytesToHex(Buffer.from(word(a).slice(24), "hex")), bytesToHex(Buffer.from(word(b).slice(24), "hex"))].sort());
    expect(r.addresses.every((x) => x.length === 20)).toBe(true);
    expect(r.slots).toEqual([9n]);
  });
});

describe("reports", () => {
  it("summarizes a contract and ranks hot blocks by executed instructions", () => {
    const code = asm("PUSH1 5 SLOAD PUSH1 7 JUMPI STOP JUMPDEST ADD ADD ADD ADD STOP");
    const a = analyzeCode(code);
    expect(a.blocks.map((b) => b.start)).toEqual([0, 6, 7]);
    const s = summarizeContract(a);
    expect(s.reads.static.constant).toBe(1);
    expect(hotBlocks(a)[0].start).toBe(7); // largest block first without counts
    const counts = new Map([[0, 10], [6, 9], [7, 1]]);
    expect(hotBlocks(a, counts)[0].start).toBe(0); // 10 x 4 instructions beat 1 x 6
    const sc = summarizeContract(a, counts);
    expect(sc.executedInstructions).toBe(10 * 4 + 9 * 1 + 1 * 6);
    expect(sc.reads.executed?.constant).toBe(10);
    const d = ilpDistribution([{ code, counts }]);
    expect(d.blocks).toBe(3);
    expect(d.aggregate).toBeCloseTo((40 + 9 + 6) / (10 * 3 + 9 * 1 + 1 * 4));
  });
});

describe("profiling hook in the wasm interpreter", () => {
  const vm = new Vm(loadBraidModule());
  // 0: PUSH3 n  4: JUMPDEST  5: PUSH1 1  7: SWAP1  8: SUB  9: DUP1  10: PUSH1 4  12: JUMPI  13: STOP
  const loop = (n: number) => asm(`PUSH3 ${n} JUMPDEST PUSH1 1 SWAP1 SUB DUP1 PUSH1 4 JUMPI STOP`);

  for (const n of [10, 250_000]) { // 250,000 iterations exceed the interpreter's jump budget
    it(`counts the blocks of a ${n}-iteration loop`, () => {
      const code = loop(n);
      const p = profileRun(vm, () => runCode(vm, { code }));
      expect(p.result.status).toBe("success");
      const c = p.codes.get(analyzeCode(code).codeHash);
      expect(c).toBeDefined();
      expect(Object.fromEntries(c!.counts)).toEqual({ 0: 1, 4: n, 13: 1 });
      expect(p.unattributed).toBe(0);
      const executed = analyzeCode(code).blocks.reduce((s, b) => s + (c!.counts.get(b.start) ?? 0) * b.instructions, 0);
      expect(executed).toBe(Number(p.result.steps));
    });
  }

  it("counts a frame entry once when the code starts with a JUMPDEST, and calls into other code", () => {
    // slot0 += 1 while slot0 < 5, jumping back to pc 0
    const code = asm("JUMPDEST PUSH1 0 SLOAD PUSH1 1 ADD DUP1 PUSH1 0 SSTORE PUSH1 5 GT PUSH1 0 JUMPI STOP");
    const p = profileRun(vm, () => runCode(vm, { code }));
    expect(p.result.status).toBe("success");
    expect(Object.fromEntries(p.codes.get(analyzeCode(code).codeHash)!.counts)).toEqual({ 0: 5, 17: 1 });
  });

  it("counts every executed instruction of a mainnet block: sum of count x instructions = interpreter steps", () => {
    const dir = join(BLOCKS, "9068998"); // no contract creations: all code is attributable
    expect(existsSync(dir), `missing fixture ${dir}`).toBe(true);
    const fx = loadBlockFixture(dir);
    const w = profileBlock(vm, fx.block, fx.pre);
    expect(w.codes.length).toBeGreaterThan(1);
    let executed = 0;
    for (const c of w.codes) for (const b of analyzeCode(c.code).blocks) executed += (c.counts.get(b.start) ?? 0) * b.instructions;
    expect(executed).toBe(Number(w.result.stats.steps));
    expect(w.unattributed).toBe(0);
    expect(w.codes.every((c) => c.addresses.length > 0)).toBe(true);
  });

  it("starts every profiled run from a fresh table", () => {
    const code = loop(3);
    const counts = () => Object.fromEntries(profileRun(vm, () => runCode(vm, { code })).codes.get(analyzeCode(code).codeHash)!.counts);
    expect(counts()).toEqual({ 0: 1, 4: 3, 13: 1 });
    expect(runCode(vm, { code }).status).toBe("success"); // unprofiled in between
    expect(counts()).toEqual({ 0: 1, 4: 3, 13: 1 });
    expect(profileRun(vm, () => 1).codes.size).toBe(0);
  });

  it("a cap that is not a power of two, or a profile inside another, is refused with a BraidError", () => {
    const code = loop(3);
    for (const cap of [-1, 0, 3, 1.5, Number.NaN]) {
      expect(() => profileRun(vm, () => runCode(vm, { code }), cap)).toThrow(/^profileRun: cap must be a power of two from 1 to 2\^24, got /);
    }
    expect(() => profileRun(vm, () => profileRun(vm, () => runCode(vm, { code })))).toThrow(/profiles do not nest/);
    expect(profileRun(vm, () => runCode(vm, { code }), 4).codes.size).toBe(1); // and the Vm profiles again afterwards
  });
});

describe("analysis input", () => {
  it("code that is not bytes, and a block index out of range, are OPTIONS_INVALID", () => {
    for (const code of [null, "0x60", [0x60], 5]) {
      expect(() => analyzeCode(code as never)).toThrow(/^code analysis: code must be a Uint8Array/);
      expect(() => constantStateReads(code as never)).toThrow(/code must be a Uint8Array/);
    }
    for (const index of [-1, 99, 0.5, Number.NaN]) expect(() => blockGraph(Uint8Array.of(0x00), index)).toThrow(/^blockGraph: no block .* \(the code has 1\)/);
    expect(blockGraph(Uint8Array.of(0x00), 0)).toBeDefined();
  });
});

describe("braid ilp", () => {
  const MAIN = join(ROOT, "dist/cli/main.js");
  const braid = (...args: string[]) => spawnSync(process.execPath, [MAIN, "ilp", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });

  it("is built", () => {
    expect(existsSync(MAIN), "run npm run build first").toBe(true);
  });

  it("--code --json prints a JSON report", () => {
    const code = asm("PUSH1 4 CALLDATALOAD PUSH1 0 MSTORE PUSH1 3 PUSH1 0x20 MSTORE PUSH1 0x40 PUSH1 0 KECCAK256 SLOAD PUSH1 0x20 JUMPI STOP JUMPDEST STOP");
    const r = braid("--code", "0x" + hex(code), "--json");
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.contracts).toHaveLength(1);
    expect(out.contracts[0].summary.blocks).toBe(3);
    expect(out.contracts[0].summary.reads.static.calldata).toBe(1);
    expect(out.hotBlocks[0].longLatency.map((l: { op: string }) => l.op)).toEqual(["KECCAK256", "SLOAD"]);
  });

  it("--input runs the code and weights blocks by counts; usage errors exit 2", () => {
    const code = asm("PUSH3 7 JUMPDEST PUSH1 1 SWAP1 SUB DUP1 PUSH1 4 JUMPI STOP");
    const r = braid("--code", hex(code), "--input", "0x", "--json");
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.hotBlocks[0]).toMatchObject({ start: 4, count: 7 });
    const bad = braid("--code", "0xzz");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^braid: /);
    expect(braid().status).toBe(2);
  });

  it("analyses every contract a mainnet block ran, weighted by counts, in a few seconds", () => {
    const dir = join(BLOCKS, "9068998");
    expect(existsSync(dir), `missing fixture ${dir}`).toBe(true);
    const tmp = mkdtempSync(join(tmpdir(), "braid-ilp-"));
    try {
      const file = join(tmp, "ilp.json");
      const t0 = performance.now();
      const r = braid(dir, "--out", file, "--top", "5");
      const ms = performance.now() - t0;
      expect(r.status, r.stderr).toBe(0);
      expect(ms).toBeLessThan(10_000);
      expect(r.stdout).toMatch(/ran in block 9068998/);
      const out = JSON.parse(readFileSync(file, "utf8"));
      expect(out.contracts.length).toBeGreaterThan(0);
      expect(out.hotBlocks).toHaveLength(5);
      expect(out.hotBlocks.every((b: { count: number }) => b.count > 0)).toBe(true);
      expect(out.contracts[0].addresses[0]).toMatch(/^0x[0-9a-f]{40}$/);
      expect(out.overall.weighted.mean).toBeGreaterThan(1);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
