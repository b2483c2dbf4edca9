// Gas edge cases, hand-assembled and hand-computed. runCode charges no intrinsic gas and reports
// gasUsed = gas - gasLeft before refunds, so every expected value below is the sum of the
// opcode costs (Yellow Paper appendix G + the EIPs named next to each case).
// Pure cases (no account or storage access) are also cross-checked against @ethereumjs/evm.
import { beforeAll, describe, expect, it } from "vitest";
import { createEVM, type EVM } from "@ethereumjs/evm";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { Fork } from "../src/fork.js";
import { loadBraidModule } from "../src/node/load.js";
import { Vm } from "../src/vm/vm.js";
import { runCode } from "../src/vm/run-code.js";
import { asm, push, pushN, memCost, toHex, type AsmItem } from "./helpers/asm.js";
import { addr, runWithState, COINBASE } from "./helpers/state.js";

let vm: Vm;
beforeAll(() => {
  vm = new Vm(loadBraidModule());
});

const GAS = 1_000_000n;

function run(code: Uint8Array, o: { gas?: bigint; fork?: Fork; input?: Uint8Array } = {}) {
  return runCode(vm, { code, gas: o.gas ?? GAS, fork: o.fork ?? Fork.Cancun, input: o.input });
}

/** Runs `code` and checks status and exact gasUsed; the message shows the bytecode. */
function expectGas(code: Uint8Array, gasUsed: bigint | number, o: { gas?: bigint; fork?: Fork; input?: Uint8Array; status?: string } = {}) {
  const r = run(code, o);
  const what = `${toHex(code)} at ${Fork[o.fork ?? Fork.Cancun]} with gas ${o.gas ?? GAS}`;
  expect({ status: r.status, gasUsed: r.gasUsed }, what).toEqual({ status: o.status ?? "success", gasUsed: BigInt(gasUsed) });
  return r;
}

/** Cheap halt check: status 'halt' and all gas consumed. */
function expectHalt(code: Uint8Array, o: { gas?: bigint; fork?: Fork; input?: Uint8Array } = {}) {
  return expectGas(code, o.gas ?? GAS, { ...o, status: "halt" });
}

// ---------------------------------------------------------------------------------------------
// Pure cases: [name, code, expected gas, fork?, input?]. Each is run on Braid against the hand
// value, then on @ethereumjs/evm as a second opinion on the hand value.
// ---------------------------------------------------------------------------------------------
type Case = { name: string; code: AsmItem[]; gas: bigint | number; fork?: Fork; input?: Uint8Array; halt?: boolean; revert?: boolean };

const mstoreAt = (off: number | bigint): AsmItem[] => [push(1), push(off), "MSTORE"];
const W = (n: number) => BigInt(n) * 32n;

const PURE: Case[] = [
  // Memory expansion: C_mem(a) = 3a + floor(a^2 / 512), charged as C_mem(new) - C_mem(old).
  { name: "MSTORE at 0 (1 word)", code: mstoreAt(0), gas: 9n + memCost(1) },
  { name: "MSTORE at 32 (2 words)", code: mstoreAt(32), gas: 9n + memCost(2) },
  { name: "MSTORE at 32*22 (23 words, first quadratic gas)", code: mstoreAt(W(22)), gas: 9 + 69 + 1 },
  { name: "MSTORE at 32*31 (32 words)", code: mstoreAt(W(31)), gas: 9n + memCost(32) },
  // 724 words: 3*724 + floor(724^2/512) = 2172 + 1023 = 3195
  { name: "MSTORE at 32*723 (724 words)", code: mstoreAt(W(723)), gas: 9 + 3195 },
  { name: "MSTORE at 32*1023 (1024 words)", code: mstoreAt(W(1023)), gas: 9 + 3072 + 2048 },
  { name: "MSTORE at 0x10000-32 (2048 words)", code: mstoreAt(0x10000 - 32), gas: 9 + 6144 + 8192 },
  { name: "second MSTORE pays only the delta", code: [...mstoreAt(0), ...mstoreAt(64)], gas: 9 + 3 + 9 + (9 - 3) },
  { name: "MSTORE inside expanded memory is free", code: [...mstoreAt(W(723)), ...mstoreAt(0)], gas: 9 + 3195 + 9 },
  { name: "MSTORE8 at 31 (1 word)", code: [push(1), push(31), "MSTORE8"], gas: 9 + 3 },
  { name: "MSTORE8 at 32 (2 words)", code: [push(1), push(32), "MSTORE8"], gas: 9 + 6 },
  { name: "MLOAD at 0x40 (3 words)", code: [push(0x40), "MLOAD"], gas: 6 + 9 },
  { name: "MSIZE after MLOAD at 1 (2 words)", code: [push(1), "MLOAD", "MSIZE"], gas: 6 + 6 + 2 },
  { name: "RETURN(0, 64) expands to 2 words", code: [push(64), push(0), "RETURN"], gas: 6 + 6 },
  { name: "REVERT(0, 33) expands to 2 words", code: [push(33), push(0), "REVERT"], gas: 6 + 6, revert: true },
  { name: "zero-length CALLDATACOPY at a huge offset does not expand", code: [push(0), push(0), push(0xffff_ffff_ffffn), "CALLDATACOPY"], gas: 9 + 3 },
  { name: "zero-length RETURN at a huge offset", code: [push(0), push(0xffff_ffff_ffffn), "RETURN"], gas: 6 },
  { name: "MSTORE at 2^32 runs out of gas", code: mstoreAt(1n << 32n), gas: GAS, halt: true },
  { name: "MLOAD at 2^255 runs out of gas", code: [push(1n << 255n), "MLOAD"], gas: GAS, halt: true },

  // Copies: 3 + 3 per word copied + memory expansion.
  { name: "CALLDATACOPY 1 byte", code: [push(1), push(0), push(0), "CALLDATACOPY"], gas: 9 + 3 + 3 + 3, input: new Uint8Array(40).fill(7) },
  { name: "CALLDATACOPY 32 bytes", code: [push(32), push(0), push(0), "CALLDATACOPY"], gas: 9 + 3 + 3 + 3, input: new Uint8Array(40).fill(7) },
  { name: "CALLDATACOPY 33 bytes (2 words)", code: [push(33), push(0), push(0), "CALLDATACOPY"], gas: 9 + 3 + 6 + 6, input: new Uint8Array(40).fill(7) },
  { name: "CALLDATACOPY 33 bytes past the end of calldata", code: [push(33), push(100), push(0), "CALLDATACOPY"], gas: 9 + 3 + 6 + 6 },
  { name: "CALLDATACOPY 1024 bytes to 32 (33 words)", code: [push(1024), push(0), push(32), "CALLDATACOPY"], gas: 9n + 3n + 3n * 32n + memCost(33) },
  { name: "CODECOPY 64 bytes", code: [push(64), push(0), push(0), "CODECOPY"], gas: 9 + 3 + 6 + 6 },
  { name: "CODECOPY 65 bytes at 0 (3 words)", code: [push(65), push(0), push(0), "CODECOPY"], gas: 9 + 3 + 9 + 9 },
  // MCOPY (EIP-5656): 3 + 3 per word + expansion to max(dst, src) + size.
  { name: "MCOPY 32 bytes 0 -> 32", code: [push(32), push(0), push(32), "MCOPY"], gas: 9 + 3 + 3 + 6 },
  { name: "MCOPY 32 bytes 64 -> 0 (source expands)", code: [push(32), push(64), push(0), "MCOPY"], gas: 9 + 3 + 3 + 9 },
  { name: "MCOPY 33 bytes 0 -> 0", code: [push(33), push(0), push(0), "MCOPY"], gas: 9 + 3 + 6 + 6 },
  { name: "MCOPY 0 bytes at huge offsets", code: [push(0), push(0xffff_ffffn), push(0xffff_ffffn), "MCOPY"], gas: 9 + 3 },
  { name: "MCOPY before Cancun is invalid", code: [push(32), push(0), push(0), "MCOPY"], gas: GAS, fork: Fork.Shanghai, halt: true },

  // EXP: 10 + 50 per byte of the exponent (EIP-160; 10 per byte before Spurious Dragon).
  { name: "EXP exponent 0", code: [push(0), push(2), "EXP"], gas: 6 + 10 },
  { name: "EXP exponent 1 byte (0xff)", code: [push(0xff), push(2), "EXP"], gas: 6 + 10 + 50 },
  { name: "EXP exponent 2 bytes (0x100)", code: [push(0x100), push(2), "EXP"], gas: 6 + 10 + 100 },
  { name: "EXP exponent 32 bytes (2^255)", code: [push(1n << 255n), push(3), "EXP"], gas: 6 + 10 + 1600 },
  { name: "EXP exponent 2^255 at Frontier (10/byte)", code: [push(1n << 255n), push(3), "EXP"], gas: 6 + 10 + 320, fork: Fork.Frontier },
  { name: "EXP exponent 2^255 at TangerineWhistle (10/byte)", code: [push(1n << 255n), push(3), "EXP"], gas: 6 + 10 + 320, fork: Fork.TangerineWhistle },
  { name: "EXP exponent 2^255 at SpuriousDragon (50/byte)", code: [push(1n << 255n), push(3), "EXP"], gas: 6 + 10 + 1600, fork: Fork.SpuriousDragon },
  { name: "EXP exponent 1 byte at Frontier", code: [push(0xff), push(2), "EXP"], gas: 6 + 10 + 10, fork: Fork.Frontier },

  // KECCAK256: 30 + 6 per word + expansion.
  { name: "KECCAK256 of 0 bytes", code: [push(0), push(0), "KECCAK256"], gas: 6 + 30 },
  { name: "KECCAK256 of 32 bytes", code: [push(32), push(0), "KECCAK256"], gas: 6 + 30 + 6 + 3 },
  { name: "KECCAK256 of 33 bytes", code: [push(33), push(0), "KECCAK256"], gas: 6 + 30 + 12 + 6 },
  { name: "KECCAK256 of 0 bytes at a huge offset", code: [push(0), push(0xffff_ffffn), "KECCAK256"], gas: 6 + 30 },

  // LOGn: 375 + 375 per topic + 8 per byte + expansion.
  { name: "LOG0 no data", code: [push(0), push(0), "LOG0"], gas: 6 + 375 },
  { name: "LOG0 32 bytes", code: [push(32), push(0), "LOG0"], gas: 6 + 375 + 256 + 3 },
  { name: "LOG0 32 bytes at 32 (2 words)", code: [push(32), push(32), "LOG0"], gas: 6 + 375 + 256 + 6 },
  { name: "LOG1 no data", code: [push(0xaa), push(0), push(0), "LOG1"], gas: 9 + 750 },
  { name: "LOG2 1 byte", code: [push(2), push(1), push(1), push(0), "LOG2"], gas: 12 + 1125 + 8 + 3 },
  { name: "LOG3 no data", code: [push(3), push(2), push(1), push(0), push(0), "LOG3"], gas: 15 + 1500 },
  { name: "LOG4 1 byte", code: [push(4), push(3), push(2), push(1), push(1), push(0), "LOG4"], gas: 18 + 1875 + 8 + 3 },
  { name: "LOG4 with 3 topics on the stack underflows", code: [push(3), push(2), push(1), push(1), push(0), "LOG4"], gas: GAS, halt: true },

  // PUSH0 (EIP-3855) costs 2 and exists from Shanghai.
  { name: "PUSH0 PUSH0 ADD", code: ["PUSH0", "PUSH0", "ADD"], gas: 2 + 2 + 3 },
  { name: "PUSH0 at Shanghai", code: ["PUSH0", "PUSH0", "ADD"], gas: 7, fork: Fork.Shanghai },
  { name: "PUSH0 before Shanghai is invalid", code: ["PUSH0"], gas: GAS, fork: Fork.Paris, halt: true },

  // Stack limits: 1024 items.
  { name: "1024 PUSH0", code: Array(1024).fill("PUSH0"), gas: 2048 },
  { name: "1025 PUSH0 overflow", code: Array(1025).fill("PUSH0"), gas: GAS, halt: true },
  { name: "1024 PUSH1 at Paris", code: Array(1024).fill(push(1)), gas: 3072, fork: Fork.Paris },
  { name: "1025 PUSH1 at Frontier overflow", code: Array(1025).fill(push(1)), gas: GAS, fork: Fork.Frontier, halt: true },
  { name: "1023 items + DUP1", code: [...Array(1023).fill("PUSH0"), "DUP1"], gas: 2046 + 3 },
  { name: "1024 items + DUP1 overflow", code: [...Array(1024).fill("PUSH0"), "DUP1"], gas: GAS, halt: true },
  { name: "ADD on an empty stack", code: ["ADD"], gas: GAS, halt: true },
  { name: "ADD with one item", code: [push(1), "ADD"], gas: GAS, halt: true },
  { name: "POP on an empty stack", code: ["POP"], gas: GAS, halt: true },
  { name: "DUP16 with 16 items", code: [...Array(16).fill("PUSH0"), "DUP16"], gas: 32 + 3 },
  { name: "DUP16 with 15 items", code: [...Array(15).fill("PUSH0"), "DUP16"], gas: GAS, halt: true },
  { name: "SWAP16 with 17 items", code: [...Array(17).fill("PUSH0"), "SWAP16"], gas: 34 + 3 },
  { name: "SWAP16 with 16 items", code: [...Array(16).fill("PUSH0"), "SWAP16"], gas: GAS, halt: true },

  // Jumps: the destination must be a JUMPDEST that is an opcode, not PUSH data.
  { name: "JUMP to a JUMPDEST", code: [push(4), "JUMP", "STOP", "JUMPDEST", "STOP"], gas: 3 + 8 + 1 },
  { name: "JUMP past the end of the code", code: [push(3), "JUMP"], gas: GAS, halt: true },
  { name: "JUMP to a non-JUMPDEST opcode", code: [push(3), "JUMP", "STOP", "STOP"], gas: GAS, halt: true },
  { name: "JUMP to a 0x5b inside PUSH1 data", code: [push(0x5b), push(1), "JUMP"], gas: GAS, halt: true },
  { name: "JUMP to a 0x5b inside PUSH32 data", code: [pushN(32, Array(32).fill(0x5b)), push(20), "JUMP"], gas: GAS, halt: true },
  { name: "JUMP to the JUMPDEST right after PUSH32 data", code: [pushN(32, Array(32).fill(0x5b)), push(36), "JUMP", "JUMPDEST"], gas: 3 + 3 + 8 + 1 },
  // PUSH9 (10 bytes), JUMP at 10, STOP at 11, JUMPDEST at 12: a truncated destination would land on it.
  { name: "JUMP to 2^64 + 12", code: [push((1n << 64n) + 12n), "JUMP", "STOP", "JUMPDEST"], gas: GAS, halt: true },
  { name: "JUMP to 2^32 + 8 (PUSH5)", code: [push((1n << 32n) + 8n), "JUMP", "STOP", "JUMPDEST"], gas: GAS, halt: true },
  { name: "JUMP to 2^255 + 35 (PUSH32)", code: [pushN(32, (1n << 255n) + 35n), "JUMP", "STOP", "JUMPDEST"], gas: GAS, halt: true },
  { name: "JUMPI not taken to an invalid destination", code: [push(0), push(0x63), "JUMPI", "STOP"], gas: 3 + 3 + 10 },
  { name: "JUMPI taken to an invalid destination", code: [push(1), push(0x63), "JUMPI", "STOP"], gas: GAS, halt: true },
  { name: "JUMPI taken to a JUMPDEST", code: [push(1), push(6), "JUMPI", "STOP", "JUMPDEST"], gas: 3 + 3 + 10 + 1 },
  { name: "INVALID (0xfe)", code: ["INVALID"], gas: GAS, halt: true },
  { name: "undefined opcode 0x0c", code: [[0x0c]], gas: GAS, halt: true },

  // Running out of gas exactly at the boundary.
  { name: "MSTORE with exactly enough gas", code: mstoreAt(0), gas: 12 },
  { name: "MSTORE at 32*723 with exactly enough gas", code: mstoreAt(W(723)), gas: 3204 },
  { name: "KECCAK256 of 33 bytes with exactly enough gas", code: [push(33), push(0), "KECCAK256"], gas: 54 },
  { name: "EXP 2^255 with exactly enough gas", code: [push(1n << 255n), push(3), "EXP"], gas: 1616 },
];

/** Gas limit for a case: GAS, or the exact cost for the "exactly enough gas" cases. */
const limitFor = (c: Case) => (c.name.includes("exactly enough") ? BigInt(c.gas) : GAS);

describe("gas: pure opcode costs (hand-computed)", () => {
  for (const c of PURE) {
    it(c.name, () => {
      const code = asm(...c.code);
      if (c.halt) expectHalt(code, { fork: c.fork, input: c.input });
      else expectGas(code, c.gas, { fork: c.fork, input: c.input, gas: limitFor(c), status: c.revert ? "revert" : "success" });
    });
  }
});

describe("gas: out of gas at the boundary", () => {
  const cases: Array<[string, AsmItem[], number]> = [
    ["PUSH1 PUSH1 MSTORE", mstoreAt(0), 12],
    ["MSTORE at 32*723", mstoreAt(W(723)), 3204],
    ["KECCAK256 of 33 bytes", [push(33), push(0), "KECCAK256"], 54],
    ["EXP 2^255", [push(1n << 255n), push(3), "EXP"], 1616],
    ["LOG4 1 byte", [push(4), push(3), push(2), push(1), push(1), push(0), "LOG4"], 1904],
    ["1024 PUSH0", Array(1024).fill("PUSH0"), 2048],
    ["SLOAD cold", [push(0), "SLOAD"], 2103],
    ["BALANCE cold", [push(0x1234), "BALANCE"], 2603],
  ];
  for (const [name, items, cost] of cases) {
    it(`${name}: gas = cost succeeds, gas = cost - 1 halts using all gas`, () => {
      const code = asm(...items);
      expectGas(code, cost, { gas: BigInt(cost) });
      expectGas(code, cost - 1, { gas: BigInt(cost - 1), status: "halt" });
      expectGas(code, cost, { gas: BigInt(cost + 1000) });
    });
  }
  it("gas 0 with code halts using nothing; empty code succeeds with 0", () => {
    expectGas(asm(push(1)), 0, { gas: 0n, status: "halt" });
    expectGas(asm(), 0, { gas: 0n });
    expectGas(asm("STOP"), 0, { gas: 0n });
  });
});

describe("gas: CREATE and EIP-3541's 0xEF prefix", () => {
  // CREATE(0, 22, 10) of 10-byte initcode stored with MSTORE at word 0, then RETURN(RETURNDATASIZE as a word).
  // Before the CREATE: 3 + 3 + 6 (MSTORE, one word) + 3 * 3; CREATE: 32000 + 2 (EIP-3860, one word);
  // after it: POP 2, RETURNDATASIZE 2, MSTORE 6, RETURN 6.
  const creating = (init: number[]) => asm(pushN(10, init), push(0), "MSTORE", push(10), push(22), push(0), "CREATE", "POP",
    "RETURNDATASIZE", push(0), "MSTORE", push(32), push(0), "RETURN");
  const before = 21, create = 32_002, after = 16;
  const word = (r: { output: Uint8Array }) => BigInt("0x" + Buffer.from(r.output).toString("hex"));

  it("initcode that reverts with data starting 0xEF: only returned code is checked, so the unused gas comes back", () => {
    // MSTORE8(0, 0xEF); REVERT(0, 17): 3 + 3 + 6 + 3 + 3 = 18 in the initcode.
    const code = creating([0x60, 0xef, 0x60, 0x00, 0x53, 0x60, 0x11, 0x60, 0x00, 0xfd]);
    expectGas(code, before + create + 18 + after);
    expect(word(run(code))).toBe(17n); // the revert data is the return data
  });

  it("initcode that returns code starting 0xEF fails from London and takes the gas it was given", () => {
    // MSTORE8(0, 0xEF); RETURN(0, 1). The initcode gets all but a 64th of the gas left (EIP-150).
    const code = creating([0x60, 0xef, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3]);
    const left = GAS - BigInt(before + create);
    expectGas(code, BigInt(before + create + after) + left - left / 64n);
    expect(word(run(code))).toBe(0n);
    // Before London the code is stored: 18 in the initcode + 200 for the byte (and no initcode word cost before Shanghai).
    expectGas(code, before + 32_000 + 18 + 200 + after, { fork: Fork.Berlin });
  });
});

describe("gas: storage (EIP-2929 / EIP-2200 / EIP-3529)", () => {
  it("SLOAD cold 2100, then warm 100", () => {
    expectGas(asm(push(0), "SLOAD"), 3 + 2100);
    expectGas(asm(push(0), "SLOAD", push(0), "SLOAD"), 3 + 2100 + 3 + 100);
    expectGas(asm(push(0), "SLOAD", push(1), "SLOAD"), 2 * (3 + 2100));
  });
  it("SSTORE to a new slot: 20000 + 2100 cold; then 100 warm (dirty slot)", () => {
    expectGas(asm(push(1), push(0), "SSTORE"), 6 + 22100);
    expectGas(asm(push(1), push(0), "SSTORE", push(2), push(0), "SSTORE"), 6 + 22100 + 6 + 100);
  });
  it("SSTORE after SLOAD of the same slot has no cold surcharge", () => {
    expectGas(asm(push(0), "SLOAD", "POP", push(1), push(0), "SSTORE"), 3 + 2100 + 2 + 6 + 20000);
  });
  it("SSTORE 0 -> 0 (no-op) costs 2100 cold + 100", () => {
    expectGas(asm(push(0), push(0), "SSTORE"), 6 + 2200);
  });
  it("SSTORE stipend sentry: fails with gasleft <= 2300 even when the store is cheaper", () => {
    const code = asm(push(0), push(0), "SSTORE"); // costs 2200
    expectGas(code, 6 + 2300, { gas: 6n + 2300n, status: "halt" });
    expectGas(code, 6 + 2200, { gas: 6n + 2301n });
  });
  it("SSTORE new slot at exactly 22100 + pushes", () => {
    const code = asm(push(1), push(0), "SSTORE");
    expectGas(code, 22106, { gas: 22106n });
    expectGas(code, 22105, { gas: 22105n, status: "halt" });
  });
  const T = addr(0xaa);
  const withSlot0 = (code: Uint8Array, o: { fork?: Fork; accessList?: boolean } = {}) =>
    runWithState(vm, {
      accounts: [[T, { nonce: 1n, code, storage: [[0n, 1n]] }]],
      to: T,
      fork: o.fork,
      gas: 1_000_000n,
      accessList: o.accessList ? [{ address: T, storageKeys: [new Uint8Array(32)] }] : undefined,
    });
  it("SSTORE to an existing slot: 2900 + 2100 cold", () => {
    const r = withSlot0(asm(push(2), push(0), "SSTORE"));
    expect(r.status).toBe("success");
    expect(r.gasUsedBeforeRefund).toBe(6n + 5000n);
    expect(r.storage(T).get(0n)).toBe(2n);
  });
  it("SSTORE clearing a slot: 5000 charged, 4800 refunded (EIP-3529)", () => {
    const r = withSlot0(asm(push(0), push(0), "SSTORE"));
    expect(r.gasUsedBeforeRefund).toBe(5006n);
    expect(r.refundCounter).toBe(4800n);
    expect(r.storage(T).size).toBe(0);
  });
  it("SSTORE clearing a slot before London refunds 15000", () => {
    const r = withSlot0(asm(push(0), push(0), "SSTORE"), { fork: Fork.Berlin });
    expect(r.gasUsedBeforeRefund).toBe(5006n);
    expect(r.refundCounter).toBe(15000n);
  });
  it("SSTORE of the current value: 2100 cold + 100", () => {
    const r = withSlot0(asm(push(1), push(0), "SSTORE"));
    expect(r.gasUsedBeforeRefund).toBe(6n + 2200n);
  });
  it("a slot in the access list is warm (EIP-2930)", () => {
    const r = withSlot0(asm(push(0), "SLOAD"), { accessList: true });
    expect(r.gasUsedBeforeRefund).toBe(3n + 100n);
    const s = withSlot0(asm(push(2), push(0), "SSTORE"), { accessList: true });
    expect(s.gasUsedBeforeRefund).toBe(6n + 2900n);
  });
});

describe("gas: account access (EIP-2929)", () => {
  it("the called contract and the caller are warm", () => {
    expectGas(asm("ADDRESS", "BALANCE"), 2 + 100);
    expectGas(asm("CALLER", "BALANCE"), 2 + 100);
    expectGas(asm("ADDRESS", "EXTCODESIZE"), 2 + 100);
  });
  it("another address is cold (2600), then warm (100)", () => {
    expectGas(asm(push(0x1234), "BALANCE"), 3 + 2600);
    expectGas(asm(push(0x1234), "BALANCE", push(0x1234), "BALANCE"), 3 + 2600 + 3 + 100);
    expectGas(asm(push(0x1234), "EXTCODESIZE", push(0x1234), "EXTCODEHASH"), 3 + 2600 + 3 + 100);
  });
  it("EXTCODECOPY of a cold account: 2600 + 3 per word + expansion", () => {
    expectGas(asm(push(32), push(0), push(0), push(0x1234), "EXTCODECOPY"), 12 + 2600 + 3 + 3);
  });
  it("precompiles are warm; 0x0a only from Cancun", () => {
    expectGas(asm(push(1), "BALANCE"), 3 + 100);
    expectGas(asm(push(9), "BALANCE"), 3 + 100);
    expectGas(asm(push(0x0a), "BALANCE"), 3 + 100);
    expectGas(asm(push(0x0a), "BALANCE"), 3 + 2600, { fork: Fork.Shanghai });
    expectGas(asm(push(0x0b), "BALANCE"), 3 + 2600);
  });
  it("SELFBALANCE costs 5", () => {
    expectGas(asm("SELFBALANCE"), 5);
  });
  it("the coinbase is warm from Shanghai (EIP-3651)", () => {
    const T = addr(0xaa);
    const code = asm(push(COINBASE), "BALANCE");
    const at = (fork: Fork) =>
      runWithState(vm, { accounts: [[T, { nonce: 1n, code }]], to: T, fork, gas: 100_000n }).gasUsedBeforeRefund;
    expect(at(Fork.Shanghai)).toBe(3n + 100n);
    expect(at(Fork.Cancun)).toBe(3n + 100n);
    expect(at(Fork.Paris)).toBe(3n + 2600n);
  });
  it("an address in the access list is warm (EIP-2930)", () => {
    const T = addr(0xaa);
    const r = runWithState(vm, {
      accounts: [[T, { nonce: 1n, code: asm(push(0x1234), "BALANCE") }]],
      to: T,
      gas: 100_000n,
      accessList: [{ address: addr(0x1234), storageKeys: [] }],
    });
    expect(r.gasUsedBeforeRefund).toBe(3n + 100n);
  });
});

describe("gas: transient storage (EIP-1153)", () => {
  it("TSTORE and TLOAD cost 100 each", () => {
    expectGas(asm(push(1), push(0), "TSTORE", push(0), "TLOAD"), 3 + 3 + 100 + 3 + 100);
    expectGas(asm(push(7), "TLOAD"), 3 + 100);
  });
  it("TLOAD returns what TSTORE stored", () => {
    const r = expectGas(
      asm(push(42), push(7), "TSTORE", push(7), "TLOAD", push(0), "MSTORE", push(32), push(0), "RETURN"),
      6 + 100 + 3 + 100 + 3 + 3 + 3 + 6,
    );
    expect(BigInt(toHex(r.output))).toBe(42n);
  });
  it("TLOAD and TSTORE are invalid before Cancun", () => {
    expectHalt(asm(push(0), "TLOAD"), { fork: Fork.Shanghai });
    expectHalt(asm(push(1), push(0), "TSTORE"), { fork: Fork.Shanghai });
  });
});

describe("gas: fork differences", () => {
  it("SLOAD: 50 / 200 (EIP-150) / 800 (EIP-1884) / 2100 cold (EIP-2929)", () => {
    const code = asm(push(0), "SLOAD");
    expectGas(code, 3 + 50, { fork: Fork.Frontier });
    expectGas(code, 3 + 50, { fork: Fork.Homestead });
    expectGas(code, 3 + 200, { fork: Fork.TangerineWhistle });
    expectGas(code, 3 + 200, { fork: Fork.Petersburg });
    expectGas(code, 3 + 800, { fork: Fork.Istanbul });
    expectGas(code, 3 + 2100, { fork: Fork.Berlin });
    expectGas(asm(push(0), "SLOAD", push(0), "SLOAD"), 3 + 2100 + 3 + 100, { fork: Fork.Berlin });
    expectGas(asm(push(0), "SLOAD", push(0), "SLOAD"), 2 * (3 + 800), { fork: Fork.Istanbul });
  });
  it("BALANCE: 20 / 400 (EIP-150) / 700 (EIP-1884) / 2600 cold", () => {
    const code = asm(push(0x1234), "BALANCE");
    expectGas(code, 3 + 20, { fork: Fork.Frontier });
    expectGas(code, 3 + 400, { fork: Fork.TangerineWhistle });
    expectGas(code, 3 + 700, { fork: Fork.Istanbul });
    expectGas(code, 3 + 2600, { fork: Fork.Berlin });
  });
  it("SSTORE of a new slot: 20000 before Berlin, no stipend sentry before Istanbul", () => {
    expectGas(asm(push(1), push(0), "SSTORE"), 6 + 20000, { fork: Fork.Frontier });
    expectGas(asm(push(1), push(0), "SSTORE"), 6 + 20000, { fork: Fork.Petersburg });
    expectGas(asm(push(1), push(0), "SSTORE"), 6 + 20000, { fork: Fork.Istanbul });
    // Petersburg: no-op store costs 5000 (SSTORE_RESET) and has no sentry.
    expectGas(asm(push(0), push(0), "SSTORE"), 6 + 5000, { fork: Fork.Petersburg, gas: 5006n });
    // Istanbul (EIP-2200): no-op store costs 800 (SLOAD) but needs gasleft > 2300.
    expectGas(asm(push(0), push(0), "SSTORE"), 6 + 800, { fork: Fork.Istanbul, gas: 6n + 2301n });
    expectGas(asm(push(0), push(0), "SSTORE"), 6 + 2300, { fork: Fork.Istanbul, gas: 6n + 2300n, status: "halt" });
  });
  it("EXP byte cost: 10 at Frontier, 50 from Spurious Dragon (EIP-160)", () => {
    const code = asm(push(0x1_0000), push(2), "EXP"); // 3-byte exponent
    expectGas(code, 6 + 10 + 30, { fork: Fork.Frontier });
    expectGas(code, 6 + 10 + 150, { fork: Fork.SpuriousDragon });
  });
  it("PUSH0 is invalid before Shanghai, TLOAD before Cancun, MCOPY before Cancun", () => {
    expectHalt(asm("PUSH0"), { fork: Fork.Paris });
    expectGas(asm("PUSH0"), 2, { fork: Fork.Shanghai });
    expectHalt(asm(push(0), "TLOAD"), { fork: Fork.Shanghai });
    expectGas(asm(push(0), "TLOAD"), 103, { fork: Fork.Cancun });
  });
});

describe("gas: static context (EIP-214)", () => {
  const A = addr(0xaa), B = addr(0xbb), C = addr(0xcc), D = addr(0xdd), E = addr(0xee), L4 = addr(0x44);
  const SSTORE_CODE = asm(push(1), push(0), "SSTORE", "STOP");
  const contracts: Array<[Uint8Array, { nonce: bigint; code: Uint8Array; balance?: bigint }]> = [
    [B, { nonce: 1n, code: SSTORE_CODE }],
    [C, { nonce: 1n, code: asm(push(0), "SLOAD", "STOP") }],
    [D, { nonce: 1n, balance: 10n, code: asm(push(0), push(0), push(0), push(0), push(1), push(0x1234), "GAS", "CALL", "STOP") }],
    [E, { nonce: 1n, code: asm(push(1), push(0), "TSTORE", "STOP") }],
    [L4, { nonce: 1n, code: asm(push(0), push(0), "LOG0", "STOP") }],
  ];
  /** A calls `target` with `op` (all gas), stores the success flag at 0 and returns it. */
  function callFromA(op: "STATICCALL" | "CALL", target: Uint8Array) {
    const args = op === "CALL" ? [push(0), push(0), push(0), push(0), push(0)] : [push(0), push(0), push(0), push(0)];
    const code = asm(...args, push(target), "GAS", op, push(0), "MSTORE", push(32), push(0), "RETURN");
    return runWithState(vm, { accounts: [[A, { nonce: 1n, code }], ...contracts], to: A, gas: 100_000n });
  }
  // Gas: pushes (4*3 + 3 for PUSH20) + GAS 2 = 17 before the call; STATICCALL to a cold address
  // 2600; it forwards all but 1/64 of the remaining 100000 - 17 - 2600 = 97383, i.e.
  // 97383 - floor(97383/64) = 95862 (EIP-150); a failing callee burns all of that; then
  // PUSH1 MSTORE (3 + 3 + 3 memory) and PUSH1 PUSH1 RETURN (6).
  it("SSTORE under STATICCALL fails and burns the forwarded gas", () => {
    const r = callFromA("STATICCALL", B);
    expect(r.status).toBe("success");
    expect(BigInt(toHex(r.output))).toBe(0n);
    expect(r.gasUsedBeforeRefund).toBe(17n + 2600n + 95862n + 9n + 6n);
    expect(r.storage(B).size).toBe(0);
  });
  it("SLOAD under STATICCALL is allowed", () => {
    const r = callFromA("STATICCALL", C);
    expect(BigInt(toHex(r.output))).toBe(1n);
    expect(r.gasUsedBeforeRefund).toBe(17n + 2600n + 2103n + 9n + 6n);
  });
  it("the same SSTORE under CALL succeeds", () => {
    const r = callFromA("CALL", B);
    expect(BigInt(toHex(r.output))).toBe(1n);
    // 5 value/offset pushes + PUSH20 + GAS = 20; cold 2600; callee 22106.
    expect(r.gasUsedBeforeRefund).toBe(20n + 2600n + 22106n + 9n + 6n);
    expect(r.storage(B).get(0n)).toBe(1n);
  });
  it("CALL with value, TSTORE and LOG0 under STATICCALL fail", () => {
    for (const target of [D, E, L4]) {
      const r = callFromA("STATICCALL", target);
      expect(BigInt(toHex(r.output)), toHex(target)).toBe(0n);
      expect(r.gasUsedBeforeRefund, toHex(target)).toBe(17n + 2600n + 95862n + 9n + 6n);
    }
  });
  it("CALL with value, TSTORE and LOG0 under CALL succeed", () => {
    for (const target of [D, E, L4]) expect(BigInt(toHex(callFromA("CALL", target).output)), toHex(target)).toBe(1n);
  });
});

// ---------------------------------------------------------------------------------------------
// Second opinion: the hand values of the pure cases, run on @ethereumjs/evm.
// ---------------------------------------------------------------------------------------------
const EJS_HF: Partial<Record<Fork, string>> = {
  [Fork.Frontier]: Hardfork.Chainstart, // ethereumjs has no Hardfork.Frontier
  [Fork.TangerineWhistle]: Hardfork.TangerineWhistle,
  [Fork.SpuriousDragon]: Hardfork.SpuriousDragon,
  [Fork.Paris]: Hardfork.Paris,
  [Fork.Shanghai]: Hardfork.Shanghai,
  [Fork.Cancun]: Hardfork.Cancun,
};

describe("gas: hand values agree with @ethereumjs/evm", () => {
  const evms = new Map<Fork, EVM>();
  async function ejs(fork: Fork): Promise<EVM> {
    let e = evms.get(fork);
    if (!e) {
      const hardfork = EJS_HF[fork];
      if (hardfork === undefined) throw new Error(`no ethereumjs hardfork for ${Fork[fork]}`);
      e = await createEVM({ common: new Common({ chain: Mainnet, hardfork }) });
      expect(e.common.hardfork()).toBe(hardfork);
      evms.set(fork, e);
    }
    return e;
  }
  it.each(PURE.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const fork = c.fork ?? Fork.Cancun;
    const gasLimit = limitFor(c);
    const r = await (await ejs(fork)).runCode({ code: asm(...c.code), gasLimit, data: c.input ?? new Uint8Array(0) });
    const halted = r.exceptionError !== undefined && r.exceptionError.error !== "revert";
    expect({ halted, gasUsed: r.executionGasUsed }).toEqual({ halted: !!c.halt, gasUsed: BigInt(c.halt ? gasLimit : c.gas) });
  });
});
