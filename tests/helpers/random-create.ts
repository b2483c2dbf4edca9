// Random contract creations as one-transaction state tests: a factory runs CREATE or CREATE2 (once
// or twice, then maybe reverts) on initcode from the calldata, or the transaction itself creates.
// The initcode writes storage, self-destructs, reverts or fails, and returns code of sizes around
// the limits (EIP-170's 24,576 bytes, EIP-3860's 49,152 of initcode), sometimes starting with 0xEF
// (EIP-3541); accounts may already sit at the new addresses (with a nonce, code, storage or only a
// balance: EIP-684 and EIP-7610 collisions). The factory stores each new address, the return data
// size and the gas left, so a difference in any of them shows in the post-state root.
import { bytesToHex } from "@ethereumjs/util";
import type { StateTestJson } from "../../src/statetest/run.js";
import { LEVEL, Rng } from "./random-block.js";
import { ENV, SENDER, SENDER_KEY, STATE_TEST_FORKS } from "./ethjs-state-test.js";
import { asm, push, pushN } from "./asm.js";
import { create2Address, createAddress } from "./conflicts.js";

const FACTORY = "0x" + "fa".repeat(20);
const hex = (n: bigint) => "0x" + n.toString(16);
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h.slice(2), "hex"));

/** A size for the returned code: small, at EIP-170's limit, or far past it. */
function codeSize(rng: Rng): number {
  const r = rng.next();
  if (r < 0.2) return 0;
  if (r < 0.6) return 1 + rng.int(64);
  if (r < 0.85) return 24_575 + rng.int(3); // 24,575 / 24,576 / 24,577
  return rng.pick([1000 + rng.int(5000), 30_000, 49_153]);
}

/** Initcode: maybe writes a slot, maybe self-destructs, then returns code (or reverts, or fails). */
function randomInitcode(rng: Rng, level: number): Uint8Array {
  const body: Array<number[] | string> = [];
  if (rng.chance(0.3)) body.push(push(1 + rng.int(3)), push(rng.int(2)), "SSTORE");
  if (rng.chance(0.1)) body.push(rng.chance(0.5) ? "CALLER" : "ADDRESS", "SELFDESTRUCT"); // to the factory or itself
  const size = codeSize(rng);
  const end = rng.next();
  const reverts = end >= 0.7 && end < 0.8 && level >= LEVEL.Byzantium;
  // The first byte of the returned code: 0xEF (refused from London) or PUSH1. Not in revert data:
  // @ethereumjs/evm 10.1.3 applies EIP-3541's check to a reverting initcode's output too, where
  // the spec checks only returned code (tests/gas.test.ts has that case, computed by hand).
  body.push(push(rng.chance(0.25) && !reverts ? 0xef : 0x60), push(0), "MSTORE8");
  if (end < 0.7) body.push(pushN(3, size), push(0), "RETURN");
  else if (reverts) body.push(push(rng.int(40)), push(0), "REVERT");
  else if (end < 0.9) body.push("INVALID");
  else body.push("STOP");
  const code = [...asm(...body)];
  // Unreached padding: initcode of about EIP-3860's limit (49,152) now and then.
  if (rng.chance(0.1)) while (code.length < 49_151 + rng.int(4)) code.push(0);
  return Uint8Array.from(code);
}

/** An account already at a new address: a nonce, code, storage or only a balance. */
function occupant(rng: Rng): StateTestJson["pre"][string] {
  const k = rng.int(4);
  return {
    balance: hex(BigInt(rng.int(3))), nonce: k === 0 ? "0x1" : "0x0", code: k === 1 ? "0x00" : "0x",
    storage: k === 2 ? { "0x01": "0x01" } : {},
  };
}

/**
 * A state test (without post) that creates contracts: through the factory (CREATE or CREATE2, once
 * or twice with the same salt, maybe reverting after) or as a contract-creation transaction.
 */
export function randomCreateTest(seed: number): { fork: string; hardfork: string; test: Omit<StateTestJson, "post"> } {
  const rng = new Rng(seed);
  const [fork, hardfork, level] = STATE_TEST_FORKS[rng.int(STATE_TEST_FORKS.length)]!;
  const init = randomInitcode(rng, level);
  const direct = rng.chance(0.15);
  const create2 = level >= LEVEL.Petersburg && rng.chance(0.5);
  const times = rng.chance(0.3) ? 2 : 1;
  const salt = BigInt(rng.int(3));
  const value = rng.chance(0.7) ? 0 : 1 + rng.int(3);
  const factoryNonce = rng.chance(0.03) ? (1n << 64n) - 1n : BigInt(1 + rng.int(3)); // 2^64 - 1: CREATE fails (EIP-2681)
  const reverts = rng.chance(0.2);

  const code: Array<number[] | string> = [[0x36], push(0), push(0), "CALLDATACOPY"];
  for (let k = 0; k < times; k++) {
    if (create2) code.push(push(salt));
    code.push([0x36], push(0), push(value), create2 ? "CREATE2" : "CREATE", push(k), "SSTORE");
    if (level >= LEVEL.Byzantium) code.push("RETURNDATASIZE", push(10 + k), "SSTORE");
  }
  code.push("GAS", push(3), "SSTORE");
  code.push(...(reverts ? (level >= LEVEL.Byzantium ? [push(0), push(0), "REVERT"] : ["INVALID"]) : ["STOP"]));

  const factory = fromHex(FACTORY);
  const pre: StateTestJson["pre"] = {
    [SENDER]: { balance: hex(10n ** 20n), nonce: "0x0", code: "0x", storage: {} },
    [FACTORY]: { balance: hex(BigInt(rng.int(3))), nonce: hex(factoryNonce), code: bytesToHex(asm(...code)), storage: {} },
  };
  // Accounts in the way: at the first or second CREATE address, the CREATE2 address, or the transaction's.
  const targets = direct ? [createAddress(fromHex(SENDER), 0)]
    : create2 ? [create2Address(factory, salt, init)]
    : factoryNonce < 100n ? [createAddress(factory, Number(factoryNonce)), createAddress(factory, Number(factoryNonce) + 1)] : [];
  for (const t of targets) if (rng.chance(0.25)) pre[bytesToHex(t)] = occupant(rng);

  const london = level >= LEVEL.London;
  return {
    fork, hardfork,
    test: {
      env: ENV,
      pre,
      transaction: {
        data: [bytesToHex(init)],
        gasLimit: [hex(BigInt(rng.pick([150_000 + rng.int(200_000), 1_000_000 + rng.int(1_000_000), 6_000_000 + rng.int(6_000_000)])))],
        value: [hex(BigInt(rng.chance(0.8) ? 0 : rng.int(2000)))],
        nonce: "0x0", to: direct ? "" : FACTORY, secretKey: SENDER_KEY, sender: SENDER,
        ...(london && rng.chance(0.5) ? { maxFeePerGas: "0x20", maxPriorityFeePerGas: hex(BigInt(rng.int(3))) } : { gasPrice: "0x20" }),
      },
    },
  };
}
