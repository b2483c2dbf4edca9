// Forks after Cancun are in the tables already (open for Prague and Osaka) but not implemented:
// a Vm refuses to run one rather than apply half its rules.
import { describe, expect, it } from "vitest";
import { Fork, SUPPORTED_FORKS } from "../src/fork.js";
import { loadBraidModule } from "../src/node/load.js";
import { Vm } from "../src/vm/vm.js";
import { runCode } from "../src/vm/run-code.js";
import { isBraidError } from "../src/encoding/errors.js";

describe("forks", () => {
  const vm = new Vm(loadBraidModule());
  const STOP = new Uint8Array([0x00]);

  it("every supported fork runs", () => {
    for (const fork of SUPPORTED_FORKS) expect(runCode(vm, { code: STOP, gas: 100n, fork }).status).toBe("success");
  });

  it("the opcode table follows the fork from one call to the next on one Vm (kept across resets, rebuilt on a change)", () => {
    // PUSH0 (Shanghai) and BASEFEE (London): undefined before, valid after. Costs: 2 and 2 gas.
    const push0 = new Uint8Array([0x5f, 0x00]);
    const basefee = new Uint8Array([0x48, 0x00]);
    const order = [Fork.Cancun, Fork.Cancun, Fork.Paris, Fork.Paris, Fork.Shanghai, Fork.Berlin, Fork.London, Fork.Shanghai, Fork.Frontier, Fork.Cancun];
    for (const fork of order) {
      const p = runCode(vm, { code: push0, gas: 100n, fork });
      expect(p.status, `PUSH0 at ${fork}`).toBe(fork >= Fork.Shanghai ? "success" : "halt");
      if (fork >= Fork.Shanghai) expect(p.gasUsed).toBe(2n);
      const b = runCode(vm, { code: basefee, gas: 100n, fork });
      expect(b.status, `BASEFEE at ${fork}`).toBe(fork >= Fork.London ? "success" : "halt");
    }
  });

  it.each([Fork.Prague, Fork.Osaka])("fork %s is refused with FORK_NOT_SUPPORTED, and the Vm still runs Cancun after", (fork) => {
    let error: unknown;
    try { runCode(vm, { code: STOP, gas: 100n, fork }); } catch (e) { error = e; }
    expect(isBraidError(error, "FORK_NOT_SUPPORTED"), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/is not supported yet/);
    expect(runCode(vm, { code: STOP, gas: 100n, fork: Fork.Cancun }).status).toBe("success");
  });
});
