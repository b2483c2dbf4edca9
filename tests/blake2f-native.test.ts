// The native BLAKE2F precompile (0x09, assembly/precompiles/blake2f.ts) against the host
// implementation (src/precompiles/blake2f.ts), which stays the reference.
//
// Three routes into the native code:
//  - a transaction sent straight to address 9 (tx.ts's precompile path),
//  - a contract that CALLs address 9 (system.ts's precompile path),
//  - the raw `test_blake2f` export, when assembly/index.ts re-exports it.
import { describe, it, expect, beforeAll } from "vitest";
import { blake2b } from "@noble/hashes/blake2.js";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { Fork } from "../src/fork.js";
import { runPrecompile, type PrecompileResult } from "../src/precompiles/index.js";
import { loadBraidModule } from "../src/node/load.js";
import { Vm } from "../src/vm/vm.js";
import { runCode } from "../src/vm/run-code.js";
import { instantiateRaw, type RawInstance } from "./helpers/wasm.js";

const hex = (b: Uint8Array) => bytesToHex(b);
const h = (s: string) => hexToBytes(s.replace(/^0x/, "").replace(/\s+/g, ""));

// EIP-152 test vectors (as in tests/precompiles.test.ts).
const BODY =
  "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b" +
  "6162630000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
  "03000000000000000000000000000000";
const vec = (rounds: string, flag: string) => h(rounds + BODY + flag);
const EIP152_VALID: Array<[string, Uint8Array, string]> = [
  ["vector 4 (0 rounds)", vec("00000000", "01"),
    "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b"],
  ["vector 5 (12 rounds)", vec("0000000c", "01"),
    "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"],
  ["vector 6 (not final)", vec("0000000c", "00"),
    "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735"],
  ["vector 7 (1 round)", vec("00000001", "01"),
    "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421"],
];
const EIP152_INVALID: Array<[string, Uint8Array]> = [
  ["vector 0 (empty)", new Uint8Array(0)],
  ["vector 1 (212 bytes)", h("00000c" + BODY + "01")],
  ["vector 2 (214 bytes)", h("000000000c" + BODY + "01")],
  ["vector 3 (flag 2)", vec("0000000c", "02")],
  ["flag 0xff", vec("0000000c", "ff")],
];

// Deterministic bytes (xorshift32).
let seed = 0x2545f491;
function randBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    out[i] = seed & 0xff;
  }
  return out;
}
function randInput(rounds: number, flag: number): Uint8Array {
  const b = randBytes(213);
  new DataView(b.buffer).setUint32(0, rounds, false);
  b[212] = flag;
  return b;
}
const RANDOM: Uint8Array[] = Array.from({ length: 200 }, (_, i) => randInput(i % 51, i & 1));

const host = (input: Uint8Array, gas: bigint): PrecompileResult => runPrecompile(9, input, gas, Fork.Cancun);

interface Outcome { success: boolean; gasUsed: bigint; output: string }
const outcome = (r: PrecompileResult): Outcome => ({ success: r.success, gasUsed: r.gasUsed, output: hex(r.output) });

const CALLER = h("00000000000000000000000000000000000000ca");
const BLAKE2F_ADDR = h("0000000000000000000000000000000000000009");

let vm: Vm;
beforeAll(() => {
  vm = new Vm(loadBraidModule());
});

/** A transaction straight to address 9 (no intrinsic gas, so gasUsed is the precompile's). */
function viaTx(input: Uint8Array, gas: bigint): Outcome {
  vm.reset();
  vm.setBlock({
    fork: Fork.Cancun, coinbase: new Uint8Array(20), number: 1n, timestamp: 1n, gasLimit: gas, chainId: 1n,
    baseFee: 0n, prevRandao: 0n, blobBaseFee: 1n, blockHash: () => new Uint8Array(32),
  });
  vm.putAccounts([[CALLER, { nonce: 0n, balance: 0n, code: new Uint8Array(0), storage: [] }]]);
  const r = vm.execute({
    caller: CALLER, to: BLAKE2F_ADDR, value: 0n, data: input, gasLimit: gas, intrinsicGas: 0n,
    gasPrice: 0n, priorityFee: 0n, upfront: 0n, accessList: [], blobHashes: [],
  });
  return { success: r.status === "success", gasUsed: gas - r.gasLeft, output: hex(r.output) };
}

/**
 * Bytecode: copy the calldata to memory 0, CALL address 9 with it (call gas `callGas`, or all
 * with GAS when undefined), output to 0x200 (64 bytes); store the success flag at 0x240 and the
 * return data at 0x260; return memory 0x200 .. 0x260 + RETURNDATASIZE.
 */
function callerCode(callGas?: number): Uint8Array {
  const gas = callGas === undefined ? "5a" : "63" + callGas.toString(16).padStart(8, "0");
  return h(
    "366000600037" + // CALLDATACOPY(0, 0, CALLDATASIZE)
    "60406102003660006000" + "6009" + gas + "f1" + // CALL(gas, 9, 0, 0, CALLDATASIZE, 0x200, 0x40)
    "61024052" + // MSTORE(0x240, success)
    "3d60006102603e" + // RETURNDATACOPY(0x260, 0, RETURNDATASIZE)
    "3d606001610200f3", // RETURN(0x200, RETURNDATASIZE + 0x60)
  );
}

interface CallOutcome { success: boolean; memOut: string; returnData: string; gasUsed: bigint }
function viaCall(input: Uint8Array, callGas?: number): CallOutcome {
  const r = runCode(vm, { code: callerCode(callGas), input, gas: 10_000_000n, fork: Fork.Cancun });
  expect(r.status).toBe("success");
  const o = r.output;
  return {
    memOut: hex(o.subarray(0, 64)),
    success: o[95] === 1,
    returnData: hex(o.subarray(96)),
    gasUsed: r.gasUsed,
  };
}

describe("native blake2f via a transaction to 0x09", () => {
  it.each(EIP152_VALID)("%s", (_name, input, expected) => {
    const r = viaTx(input, 1000n);
    expect(r).toEqual(outcome(host(input, 1000n)));
    expect(r.output).toBe(expected);
    expect(r.gasUsed).toBe(BigInt(new DataView(input.buffer).getUint32(0, false)));
  });

  it("12 rounds of the 'abc' block = blake2b-512('abc')", () => {
    expect(viaTx(vec("0000000c", "01"), 12n).output).toBe(hex(blake2b(utf8ToBytes("abc"))));
  });

  it("matches blake2b for a multi-block message (t counter, non-final block)", () => {
    const msg = Uint8Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 0xff);
    const iv = h(BODY.slice(0, 128));
    const le64 = (n: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b; };
    const block = (i: number) => { const b = new Uint8Array(128); b.set(msg.subarray(128 * i, 128 * i + 128)); return b; };
    const r1 = viaTx(concatBytes(h("0000000c"), iv, block(0), le64(128), le64(0), h("00")), 100n);
    const r2 = viaTx(concatBytes(h("0000000c"), h(r1.output), block(1), le64(200), le64(0), h("01")), 100n);
    expect(r2.output).toBe(hex(blake2b(msg)));
  });

  it("200 random inputs, rounds 0..50, match the host", () => {
    for (const input of RANDOM) {
      expect(viaTx(input, 100n)).toEqual(outcome(host(input, 100n)));
    }
  });

  it("large counters and all-ones words match the host", () => {
    const b = new Uint8Array(213).fill(0xff);
    b.set([0, 0, 0, 20], 0);
    b[212] = 1;
    expect(viaTx(b, 20n)).toEqual(outcome(host(b, 20n)));
    b[212] = 0;
    expect(viaTx(b, 20n)).toEqual(outcome(host(b, 20n)));
  });

  it("round counts around the native chunk size (10,000) and 100,000 rounds match the host", () => {
    for (const rounds of [9_999, 10_000, 10_001, 20_000, 25_003, 100_000]) {
      const input = randInput(rounds, rounds & 1);
      expect(viaTx(input, 200_000n)).toEqual(outcome(host(input, 200_000n)));
    }
  });

  it.each(EIP152_INVALID)("%s fails, consuming all gas", (_name, input) => {
    const r = viaTx(input, 1000n);
    expect(r).toEqual({ success: false, gasUsed: 1000n, output: "" });
    expect(r).toEqual(outcome(host(input, 1000n)));
  });

  it("out of gas: rounds > gas fails (before doing the work), rounds == gas succeeds", () => {
    const input = vec("0000000c", "01");
    expect(viaTx(input, 11n)).toEqual({ success: false, gasUsed: 11n, output: "" });
    expect(viaTx(input, 11n)).toEqual(outcome(host(input, 11n)));
    expect(viaTx(input, 12n).success).toBe(true);
    // vector 8: 2^32 - 1 rounds; must fail at once rather than run for a minute.
    const big = vec("ffffffff", "01");
    const t = performance.now();
    expect(viaTx(big, 10_000_000n)).toEqual({ success: false, gasUsed: 10_000_000n, output: "" });
    expect(performance.now() - t).toBeLessThan(1000);
  });
});

describe("native blake2f via CALL from a contract", () => {
  let baseGas: bigint;
  beforeAll(() => {
    baseGas = viaCall(vec("00000000", "01")).gasUsed;
  });

  it("EIP-152 vectors and 200 random inputs: output, return data and gas match the host", () => {
    const inputs = [...EIP152_VALID.map(([, input]) => input), ...RANDOM];
    for (const input of inputs) {
      const ref = host(input, 1_000_000n);
      expect(ref.success).toBe(true);
      const r = viaCall(input);
      expect(r.success).toBe(true);
      expect(r.memOut).toBe(hex(ref.output));
      expect(r.returnData).toBe(hex(ref.output));
      // The same bytecode and memory use; only the precompile's gas differs.
      expect(r.gasUsed - baseGas).toBe(ref.gasUsed);
    }
  });

  it("invalid inputs: the CALL fails with empty return data", () => {
    for (const [, input] of EIP152_INVALID) {
      const r = viaCall(input);
      expect(r).toMatchObject({ success: false, returnData: "", memOut: "00".repeat(64) });
    }
  });

  it("call gas: rounds > gas fails, rounds == gas succeeds", () => {
    const input = randInput(40, 1);
    const ref = host(input, 40n);
    expect(viaCall(input, 39)).toMatchObject({ success: false, returnData: "", memOut: "00".repeat(64) });
    expect(viaCall(input, 40)).toMatchObject({ success: true, returnData: hex(ref.output), memOut: hex(ref.output) });
    expect(viaCall(vec("ffffffff", "00"), 5_000_000)).toMatchObject({ success: false, returnData: "" });
  });
});

describe("native blake2f through the raw test export", () => {
  let raw: RawInstance | undefined;
  beforeAll(() => {
    raw = instantiateRaw(new URL("../build/braid.wasm", import.meta.url));
    if (typeof raw.exports.test_blake2f !== "function") raw = undefined;
  });

  const IN = 1 << 20, OUT = IN + 1024, LEN = OUT + 256;
  function native(input: Uint8Array, gas: bigint, cap = 64): Outcome {
    const u8 = new Uint8Array(raw!.memory.buffer);
    u8.set(input, IN);
    u8.fill(0xee, OUT, OUT + 128);
    new DataView(raw!.memory.buffer).setUint32(LEN, 0xdead, true);
    const used: bigint = raw!.exports.test_blake2f(IN, input.length, gas, OUT, cap, LEN);
    if (used < 0n) return { success: false, gasUsed: gas, output: "" };
    const n = new DataView(raw!.memory.buffer).getUint32(LEN, true);
    expect(u8[OUT + n]).toBe(0xee); // nothing written past the output
    return { success: true, gasUsed: used, output: hex(u8.slice(OUT, OUT + n)) };
  }

  it("vectors, random inputs, invalid inputs and out-of-gas match the host", () => {
    expect(raw, "build/braid.wasm must export test_blake2f").toBeTruthy();
    for (const [, input, expected] of EIP152_VALID) expect(native(input, 1000n).output).toBe(expected);
    for (const input of RANDOM) expect(native(input, 100n)).toEqual(outcome(host(input, 100n)));
    for (const [, input] of EIP152_INVALID) expect(native(input, 1000n)).toEqual(outcome(host(input, 1000n)));
    expect(native(vec("0000000c", "01"), 11n)).toEqual(outcome(host(vec("0000000c", "01"), 11n)));
    expect(native(vec("ffffffff", "01"), 10_000_000n).success).toBe(false);
    expect(native(vec("0000000c", "01"), 1000n, 63).success).toBe(false); // output does not fit
  });

  it("output may overlap the input (h is read before it is written)", () => {
    expect(raw, "build/braid.wasm must export test_blake2f").toBeTruthy();
    const input = randInput(12, 1);
    const u8 = new Uint8Array(raw!.memory.buffer);
    u8.set(input, IN);
    const used: bigint = raw!.exports.test_blake2f(IN, 213, 100n, IN + 4, 64, LEN);
    expect(used).toBe(12n);
    expect(hex(u8.slice(IN + 4, IN + 68))).toBe(hex(host(input, 100n).output));
  });
});
