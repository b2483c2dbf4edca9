// Random precompile calls (tests/helpers/random-precompile.ts) as one-transaction state tests at
// every fork from Frontier to Cancun: @ethereumjs/vm runTx fills the expected post-state root and
// logs hash, and Braid's state-test runner must reproduce both, preloaded and on remote state.
// The GeneralStateTests hold hand-picked precompile inputs; these add valid proofs and near
// misses, MODEXP lengths up to 2^255 and the call's gas on both sides of the precompile's cost.
import { beforeAll, describe, expect, it } from "vitest";
import { loadBraidModule } from "../src/node/load.js";
import { Vm } from "../src/vm/vm.js";
import { checkAgainstEthjs } from "./helpers/ethjs-state-test.js";
import { provenKzgCases, randomPrecompileTest, type KzgCase } from "./helpers/random-precompile.js";

const COUNT = process.env.BRAID_STRESS === "1" ? 3000 : 400;

let vm: Vm;
let kzg: KzgCase[];
beforeAll(() => {
  vm = new Vm(loadBraidModule());
  kzg = provenKzgCases(0x4844, 1);
}, 30_000);

describe(`random precompile calls: Braid's state-test runner against roots filled by @ethereumjs/vm (${COUNT} calls)`, () => {
  const perTest = 50;
  for (let t = 0; t < COUNT; t += perTest) {
    it(`calls ${t}..${t + perTest - 1}`, async () => {
      const failures: string[] = [];
      let filled = 0;
      for (let i = t; i < t + perTest; i++) {
        const seed = 0x7c0000 + i * 7919;
        const { fork, hardfork, precompile, test } = randomPrecompileTest(seed, kzg);
        const f = await checkAgainstEthjs(vm, `seed_${seed.toString(16)}_p${precompile}`, fork, hardfork, test);
        if (f === null) continue;
        filled++;
        failures.push(...f);
      }
      expect(filled).toBeGreaterThan(perTest / 2);
      expect(failures, failures.join("\n")).toEqual([]);
    }, 60_000);
  }
});
