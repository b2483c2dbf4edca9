// One-transaction state tests filled by @ethereumjs/vm: the random differential tests build a state
// test without its post section, ethjs's runTx gives the expected post-state root and logs hash,
// and Braid's state-test runner must reproduce both.
import { beforeAll, describe, expect, it } from "vitest";
import { Common, Mainnet } from "@ethereumjs/common";
import { runTx } from "@ethereumjs/vm";
import { createBlock } from "@ethereumjs/block";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { preStateOf, runStateTests, type StateTestJson } from "../../src/statetest/run.js";
import { Vm } from "../../src/vm/vm.js";
import { loadBraidModule } from "../../src/node/load.js";
import { transactionFromJson } from "../../src/tx/from-json.js";
import { getKzg } from "../../src/crypto/kzg.js";
import { ethjsTransaction, ethjsVm } from "./ethjs.js";
import { LEVEL } from "./random-block.js";

/** [state-test fork name, ethjs hardfork, opcode level of randomCode], Frontier to Cancun. */
export const STATE_TEST_FORKS: Array<[string, string, number]> = [
  ["Frontier", "chainstart", LEVEL.Frontier], ["Homestead", "homestead", LEVEL.Homestead], ["EIP150", "tangerineWhistle", LEVEL.TangerineWhistle],
  ["EIP158", "spuriousDragon", LEVEL.SpuriousDragon], ["Byzantium", "byzantium", LEVEL.Byzantium], ["Constantinople", "constantinople", LEVEL.Petersburg],
  ["ConstantinopleFix", "petersburg", LEVEL.Petersburg], ["Istanbul", "istanbul", LEVEL.Istanbul], ["Berlin", "berlin", LEVEL.Berlin],
  ["London", "london", LEVEL.London], ["Paris", "paris", LEVEL.Paris], ["Shanghai", "shanghai", LEVEL.Shanghai], ["Cancun", "cancun", LEVEL.Cancun],
];

/** The sender of the random tests, and its key. */
export const SENDER_KEY = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
export const SENDER = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
export const COINBASE = "0x" + "c0".repeat(20);
/** The block environment of the random tests. */
export const ENV: Record<string, string> = {
  currentCoinbase: COINBASE, currentNumber: "0x1", currentTimestamp: "0x3e8", currentGasLimit: "0x3b9aca00", currentBaseFee: "0x10",
  currentRandom: "0x" + "00".repeat(31) + "02", currentDifficulty: "0x20000", currentExcessBlobGas: "0x0",
};

/**
 * The post-state root and logs hash @ethereumjs/vm gives the test's transaction (data, gas and
 * value index 0), signed with SENDER_KEY; when it rejects the transaction, the untouched pre-state
 * root and its reason (`exception`).
 */
async function fillWithEthjs(t: Omit<StateTestJson, "post">, hardfork: string): Promise<{ hash: string; logs: string; exception?: string }> {
  const common = new Common({ chain: Mainnet, hardfork, customCrypto: { kzg: getKzg() as never } });
  const vm = await ethjsVm(common, preStateOf(t as StateTestJson));
  const sm = vm.stateManager;
  const e = t.env;
  const block = createBlock({
    header: {
      coinbase: e.currentCoinbase as `0x${string}`, number: BigInt(e.currentNumber!), timestamp: BigInt(e.currentTimestamp!), gasLimit: BigInt(e.currentGasLimit!),
      ...(common.gteHardfork("london") ? { baseFeePerGas: BigInt(e.currentBaseFee!) } : {}),
      ...(common.gteHardfork("paris") ? { mixHash: hexToBytes(e.currentRandom as `0x${string}`), difficulty: 0n } : { difficulty: BigInt(e.currentDifficulty!) }),
      ...(common.gteHardfork("cancun") ? { excessBlobGas: 0n, blobGasUsed: 0n } : {}),
    },
  }, { common });
  let logs;
  try {
    // Built inside the try: ethjs refuses some invalid transactions already then (initcode too large).
    const tx = ethjsTransaction(transactionFromJson(t.transaction, { data: 0, gas: 0, value: 0 }), hexToBytes(SENDER_KEY), common);
    logs = (await runTx(vm, { tx, block, skipBlockGasLimitValidation: true })).receipt.logs;
  } catch (err) {
    return { hash: bytesToHex(await sm.getStateRoot()), logs: bytesToHex(keccak_256(RLP.encode([]))), exception: `ethjs: ${(err as Error).message.split("\n")[0]}` };
  }
  return { hash: bytesToHex(await sm.getStateRoot()), logs: bytesToHex(keccak_256(RLP.encode(logs))) };
}

/**
 * Fills `test` with ethjs and runs it on Braid's state-test runner, preloaded and on remote state
 * with run-ahead: the same post-state root and logs, or (where ethjs rejected the transaction) a
 * rejection that leaves the state untouched. Returns the failures and whether ethjs rejected it.
 */
async function checkAgainstEthjs(vm: Vm, name: string, fork: string, hardfork: string, test: Omit<StateTestJson, "post">): Promise<{ failures: string[]; rejected: boolean }> {
  const want = await fillWithEthjs(test, hardfork);
  const entry = { indexes: { data: 0, gas: 0, value: 0 }, hash: want.hash, logs: want.logs, ...(want.exception ? { expectException: want.exception } : {}) };
  const failures = runStateTests(vm, { [name]: { ...test, post: { [fork]: [entry] } } }, undefined, { remote: true })
    .filter((o) => o.status !== "passed")
    .map((o) => `${o.test} (${o.fork}): ${o.reason}${want.exception ? ` (${want.exception})` : ""}`);
  return { failures, rejected: want.exception !== undefined };
}

/** A generated state test without its post section; `name` tells its failures apart. */
export interface GeneratedTest {
  fork: string;
  hardfork: string;
  name: string;
  test: Omit<StateTestJson, "post">;
}

/**
 * Vitest cases for `count` generated tests (`generate(i)`), 50 to a case: a case fails on any
 * difference from ethjs (a transaction one of them rejects included), and when ethjs rejected
 * half its transactions (the generator would then test little).
 */
export function describeAgainstEthjs(title: string, count: number, generate: (i: number) => GeneratedTest): void {
  let vm: Vm;
  beforeAll(() => { vm = new Vm(loadBraidModule()); });
  describe(`${title}: Braid's state-test runner against roots filled by @ethereumjs/vm (${count})`, () => {
    const perCase = 50;
    for (let t = 0; t < count; t += perCase) {
      it(`${t}..${t + perCase - 1}`, async () => {
        const failures: string[] = [];
        let executed = 0;
        for (let i = t; i < t + perCase; i++) {
          const { fork, hardfork, name, test } = generate(i);
          const r = await checkAgainstEthjs(vm, name, fork, hardfork, test);
          if (!r.rejected) executed++;
          failures.push(...r.failures);
        }
        expect(executed).toBeGreaterThan(perCase / 2);
        expect(failures, failures.join("\n")).toEqual([]);
      }, 60_000);
    }
  });
}
