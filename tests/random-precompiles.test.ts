// Random precompile calls (tests/helpers/random-precompile.ts) as one-transaction state tests at
// every fork from Frontier to Cancun: @ethereumjs/vm runTx fills the expected post-state root and
// logs hash, and Braid's state-test runner must reproduce both, preloaded and on remote state.
// The GeneralStateTests hold hand-picked precompile inputs; these add valid proofs and near
// misses, MODEXP lengths up to 2^255 and the call's gas on both sides of the precompile's cost.
import { beforeAll } from "vitest";
import { describeAgainstEthjs } from "./helpers/ethjs-state-test.js";
import { provenKzgCases, randomPrecompileTest, type KzgCase } from "./helpers/random-precompile.js";

const COUNT = process.env.BRAID_STRESS === "1" ? 3000 : 400;

let kzg: KzgCase[];
beforeAll(() => { kzg = provenKzgCases(0x4844, 1); }, 30_000);

describeAgainstEthjs("random precompile calls", COUNT, (i) => {
  const seed = 0x7c0000 + i * 7919;
  const t = randomPrecompileTest(seed, kzg);
  return { ...t, name: `seed_${seed.toString(16)}_p${t.precompile}` };
});
