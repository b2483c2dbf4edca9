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

  it.each([Fork.Prague, Fork.Osaka])("fork %s is refused with FORK_NOT_SUPPORTED, and the Vm still runs Cancun after", (fork) => {
    let error: unknown;
    try { runCode(vm, { code: STOP, gas: 100n, fork }); } catch (e) { error = e; }
    expect(isBraidError(error, "FORK_NOT_SUPPORTED"), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/is not supported yet/);
    expect(runCode(vm, { code: STOP, gas: 100n, fork: Fork.Cancun }).status).toBe("success");
  });
});
