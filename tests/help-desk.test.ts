// The help desk (src/worker/help-desk.ts): a worker in a long precompile posts part of it in the
// run's help slot and runs its own part; an idle thread takes the posted part, or the poster takes
// it back. Checked here on a shared memory with a real second thread as the helper: both paths
// give both outputs, errors of either part reach the poster, and the slot is free afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Worker } from "node:worker_threads";
import * as L from "../src/wasm/layout.js";
import { helpDeskOpen, openHelpDesk, registerHelpJob, shareWork } from "../src/worker/help-desk.js";

const SLOT = 4096;
const WAKE = 64;
const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
const i32 = new Int32Array(memory.buffer);
const at = (field: number) => (SLOT + field) >> 2;

const REVERSE = 7, FAILS = 8, HERE_ONLY = 9;
const reverse = (b: Uint8Array) => Uint8Array.from(b).reverse();
registerHelpJob(REVERSE, reverse);
registerHelpJob(FAILS, () => { throw new Error("part refused"); });
registerHelpJob(HERE_ONLY, reverse); // the helper thread does not register it

/** A helper thread: takes every posted job (dist's help desk, with REVERSE and FAILS registered) until told to stop. */
const HELPER = `
const { workerData } = require("node:worker_threads");
(async () => {
  const { registerHelpJob, takeHelpJob } = await import(workerData.desk);
  const { memory, slot, stop } = workerData;
  registerHelpJob(${REVERSE}, (b) => Uint8Array.from(b).reverse());
  registerHelpJob(${FAILS}, () => { throw new Error("part refused by the helper"); });
  const i32 = new Int32Array(memory.buffer);
  while (Atomics.load(i32, stop >> 2) === 0) {
    if (Atomics.load(i32, slot >> 2) === ${L.HELP_POSTED}) takeHelpJob(memory, slot);
    else Atomics.wait(i32, ${WAKE} >> 2, 0, 5);
  }
})();
`;
const STOP = 128;
let helper: Worker | undefined;

function resetSlot(mode: number): void {
  new Uint8Array(memory.buffer).fill(0, SLOT, SLOT + L.HS_SIZE);
  i32[at(L.HS_WAKE)] = WAKE;
  i32[at(L.HS_MODE)] = mode;
}

const bytes = (...v: number[]) => Uint8Array.from(v);

afterAll(async () => {
  Atomics.store(i32, STOP >> 2, 1);
  Atomics.notify(i32, WAKE >> 2);
  await helper?.terminate();
  openHelpDesk(memory, 0);
});

describe("help desk without a helper", () => {
  beforeAll(() => resetSlot(L.HELP_MODE_SHARE));

  it("does nothing while the desk is closed", () => {
    openHelpDesk(memory, 0);
    expect(helpDeskOpen()).toBe(false);
    expect(shareWork(REVERSE, bytes(1, 2), () => bytes(3))).toBeUndefined();
  });

  it("takes back a part no one started and runs it here", () => {
    openHelpDesk(memory, SLOT);
    expect(helpDeskOpen()).toBe(true);
    const r = shareWork(REVERSE, bytes(1, 2, 3), () => bytes(9));
    expect(r).toEqual({ mine: bytes(9), theirs: bytes(3, 2, 1) });
    expect(i32[at(L.HS_STATE)]).toBe(L.HELP_EMPTY);
    expect(i32[at(L.HS_HELPED)]).toBe(0);
  });

  it("declines when the slot is in use or the part does not fit", () => {
    openHelpDesk(memory, SLOT);
    i32[at(L.HS_STATE)] = L.HELP_TAKEN;
    expect(shareWork(REVERSE, bytes(1), () => bytes(2))).toBeUndefined();
    i32[at(L.HS_STATE)] = L.HELP_EMPTY;
    expect(shareWork(REVERSE, new Uint8Array(L.HS_IN_CAP + 1), () => bytes(2))).toBeUndefined();
    expect(shareWork(12345, bytes(1), () => bytes(2))).toBeUndefined(); // a kind no one registered
    expect(i32[at(L.HS_STATE)]).toBe(L.HELP_EMPTY);
  });

  it("throws the error of either part and frees the slot", () => {
    openHelpDesk(memory, SLOT);
    expect(() => shareWork(REVERSE, bytes(1), () => { throw new Error("mine failed"); })).toThrow("mine failed");
    expect(i32[at(L.HS_STATE)]).toBe(L.HELP_EMPTY);
    expect(() => shareWork(FAILS, bytes(1), () => bytes(2))).toThrow("part refused");
    expect(i32[at(L.HS_STATE)]).toBe(L.HELP_EMPTY);
  });
});

describe("help desk with a helper thread", () => {
  beforeAll(async () => {
    resetSlot(L.HELP_MODE_WAIT); // the poster waits for the helper: the helped path every time
    const desk = new URL("../dist/worker/help-desk.js", import.meta.url).href;
    helper = new Worker(HELPER, { eval: true, workerData: { desk, memory, slot: SLOT, stop: STOP } });
    await new Promise((r) => setTimeout(r, 50));
  });

  it("hands the part to the helper and returns both outputs", () => {
    openHelpDesk(memory, SLOT);
    for (let k = 1; k <= 3; k++) {
      const theirs = Uint8Array.from({ length: 100 * k }, (_, i) => (i * 7 + k) & 0xff);
      const r = shareWork(REVERSE, theirs, () => bytes(k));
      expect(r).toEqual({ mine: bytes(k), theirs: reverse(theirs) });
      expect(i32[at(L.HS_HELPED)]).toBe(k);
      expect(i32[at(L.HS_STATE)]).toBe(L.HELP_EMPTY);
    }
  });

  it("passes the helper's error to the poster", () => {
    openHelpDesk(memory, SLOT);
    const before = i32[at(L.HS_HELPED)]!;
    expect(() => shareWork(FAILS, bytes(1), () => bytes(2))).toThrow("part refused by the helper");
    expect(i32[at(L.HS_HELPED)]).toBe(before + 1);
    expect(i32[at(L.HS_STATE)]).toBe(L.HELP_EMPTY);
  });

  it("runs a part here when the helper cannot run it", () => {
    openHelpDesk(memory, SLOT);
    const before = i32[at(L.HS_HELPED)]!;
    expect(shareWork(HERE_ONLY, bytes(4, 5), () => bytes(6))).toEqual({ mine: bytes(6), theirs: bytes(5, 4) });
    expect(i32[at(L.HS_HELPED)]).toBe(before);
    expect(i32[at(L.HS_STATE)]).toBe(L.HELP_EMPTY);
  });
});
