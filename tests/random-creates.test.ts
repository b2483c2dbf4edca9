// Random contract creations (tests/helpers/random-create.ts) as one-transaction state tests at
// every fork from Frontier to Cancun: @ethereumjs/vm runTx fills the expected post-state root and
// logs hash, and Braid's state-test runner must reproduce both, preloaded and on remote state.
// Code size and initcode limits, the 0xEF prefix, collisions, reverts after a create, nonce 2^64-1.
import { beforeAll, describe, expect, it } from "vitest";
import { loadBraidModule } from "../src/node/load.js";
import { Vm } from "../src/vm/vm.js";
import { checkAgainstEthjs } from "./helpers/ethjs-state-test.js";
import { randomCreateTest } from "./helpers/random-create.js";

const COUNT = process.env.BRAID_STRESS === "1" ? 3000 : 300;

let vm: Vm;
beforeAll(() => { vm = new Vm(loadBraidModule()); });

describe(`random creations: Braid's state-test runner against roots filled by @ethereumjs/vm (${COUNT} tests)`, () => {
  const perTest = 50;
  for (let t = 0; t < COUNT; t += perTest) {
    it(`tests ${t}..${t + perTest - 1}`, async () => {
      const failures: string[] = [];
      let filled = 0;
      for (let i = t; i < t + perTest; i++) {
        const seed = 0x3c0000 + i * 7877;
        const { fork, hardfork, test } = randomCreateTest(seed);
        const f = await checkAgainstEthjs(vm, `seed_${seed.toString(16)}`, fork, hardfork, test);
        if (f === null) continue;
        filled++;
        failures.push(...f);
      }
      expect(filled).toBeGreaterThan(perTest / 2);
      expect(failures, failures.join("\n")).toEqual([]);
    }, 60_000);
  }
});
