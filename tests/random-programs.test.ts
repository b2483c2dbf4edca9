// Random contracts (tests/helpers/random-block.ts randomCode) as one-transaction state tests at
// every fork from Frontier to Cancun: @ethereumjs/vm runTx fills the expected post-state root and
// logs hash, and Braid's state-test runner must reproduce both, preloaded and on remote state
// with run-ahead. A second opinion beside the GeneralStateTests, on programs nobody wrote by hand
// (a scratch run of 20,000 such programs found no difference).
import { bytesToHex } from "@ethereumjs/util";
import type { StateTestJson } from "../src/statetest/run.js";
import { LEVEL, Rng, randomCode } from "./helpers/random-block.js";
import { ENV, SENDER, SENDER_KEY, STATE_TEST_FORKS as FORKS, describeAgainstEthjs } from "./helpers/ethjs-state-test.js";

const COUNT = process.env.BRAID_STRESS === "1" ? 3000 : 300;
const TARGET = "0x" + "aa".repeat(20), OTHER = "0x" + "bb".repeat(20), PLAIN = "0x" + "cc".repeat(20);
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
  const cancun = level >= LEVEL.Cancun && !create;
  // Type 3 (Cancun, not a creation), 2 (London), 1 (Berlin, with an access list) or 0.
  const blob = cancun && rng.chance(0.15);
  const fees = () => blob
    ? { maxFeePerGas: "0x20", maxPriorityFeePerGas: hex(BigInt(rng.int(3))), maxFeePerBlobGas: "0x1",
        blobVersionedHashes: Array.from({ length: 1 + rng.int(3) }, () => "0x01" + bytes(Uint8Array.from({ length: 31 }, () => rng.int(256))).slice(2)) }
    : london && rng.chance(0.5) ? { maxFeePerGas: "0x20", maxPriorityFeePerGas: hex(BigInt(rng.int(3))) } : { gasPrice: "0x20" };
  // From Berlin an access list now and then: the programs' accounts, the sender, the coinbase, precompiles, keys 0-3.
  const listed = [TARGET, OTHER, PLAIN, SENDER, ENV.currentCoinbase!, "0x" + "00".repeat(19) + "01", "0x" + "00".repeat(19) + "0a", "0x" + "de".repeat(20)];
  const accessList = () => level >= LEVEL.Berlin && rng.chance(0.3)
    ? { accessLists: [Array.from({ length: 1 + rng.int(3) }, () => ({ address: rng.pick(listed), storageKeys: Array.from({ length: rng.int(3) }, () => "0x" + rng.int(4).toString(16).padStart(64, "0")) }))] }
    : {};
  return {
    fork, hardfork,
    test: {
      env: ENV,
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
        ...fees(),
        ...accessList(),
      },
    },
  };
}

describeAgainstEthjs("random programs", COUNT, (i) => {
  const seed = 0x9a0000 + i * 104729;
  return { ...randomTest(seed), name: `seed_${seed.toString(16)}` };
});
