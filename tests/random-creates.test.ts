// Random contract creations (tests/helpers/random-create.ts) as one-transaction state tests at
// every fork from Frontier to Cancun: @ethereumjs/vm runTx fills the expected post-state root and
// logs hash, and Braid's state-test runner must reproduce both, preloaded and on remote state.
// Code size and initcode limits, the 0xEF prefix, collisions, reverts after a create, nonce 2^64-1.
import { describeAgainstEthjs } from "./helpers/ethjs-state-test.js";
import { randomCreateTest } from "./helpers/random-create.js";

const COUNT = process.env.BRAID_STRESS === "1" ? 3000 : 300;

describeAgainstEthjs("random creations", COUNT, (i) => {
  const seed = 0x3c0000 + i * 7877;
  return { ...randomCreateTest(seed), name: `seed_${seed.toString(16)}` };
});
