// Runs bytecode as a call against an otherwise empty state (like geth's `evm run`).
import { Fork } from "../fork.js";
import { Vm, RegionExhausted } from "./vm.js";
import { enlarge, type RegionSizes } from "./regions.js";
import { BraidError } from "../encoding/errors.js";
import { isUint } from "../encoding/uint.js";
import { isBytes } from "../encoding/hex.js";
import { assertIdle } from "./exclusive.js";
import type { ExecStatus } from "./types.js";

export interface RunCodeOptions {
  code: Uint8Array;
  input?: Uint8Array;
  gas?: bigint;
  fork?: Fork;
  value?: bigint;
}

export interface RunCodeResult {
  output: Uint8Array;
  gasUsed: bigint;
  status: ExecStatus;
  steps: bigint;
}

export const RUN_CALLER = Uint8Array.from([...new Array(19).fill(0), 0], (_, i) => (i === 19 ? 0xca : 0x00));
export const RUN_TARGET = Uint8Array.from(new Array(20).fill(0), (_, i) => (i === 19 ? 0xfe : i === 18 ? 0xca : 0));
const COINBASE = new Uint8Array(20);

function checkOptions(o: RunCodeOptions): void {
  const bad = (what: string) => new BraidError("OPTIONS_INVALID", `runCode: ${what}`);
  if (!o || typeof o !== "object") throw bad("expected an options object");
  if (!isBytes(o.code)) throw bad("code must be a Uint8Array");
  if (o.input !== undefined && !isBytes(o.input)) throw bad("input must be a Uint8Array");
  // The interpreter keeps gas in a signed 64-bit word.
  if (o.gas !== undefined && !isUint(o.gas, 63)) throw bad(`gas must be a bigint in [0, 2^63-1], got ${String(o.gas)}`);
  if (o.value !== undefined && !isUint(o.value, 256)) throw bad(`value must be a bigint in [0, 2^256-1], got ${String(o.value)}`);
}

/**
 * Executes `code` at a fixed address; the caller is funded for `value`. A run that outgrows a
 * region of the Vm (memory, return data, logs past their default sizes: a program may expand its
 * memory to gigabytes with enough gas) runs again with that region enlarged, which the Vm keeps.
 */
export function runCode(vm: Vm, o: RunCodeOptions): RunCodeResult {
  checkOptions(o);
  assertIdle(vm, "runCode");
  let sizes = vm.regionSizes;
  for (let attempt = 0; ; attempt++) {
    try {
      return runOnce(vm, o, sizes);
    } catch (e) {
      // Past a few enlargements the wasm memory's 4 GiB runs out first (MEMORY_EXHAUSTED).
      if (e instanceof RegionExhausted && attempt < 8) { sizes = enlarge(sizes, e.fatal); continue; }
      throw e;
    }
  }
}

function runOnce(vm: Vm, o: RunCodeOptions, sizes: RegionSizes): RunCodeResult {
  const fork = o.fork ?? Fork.Cancun;
  const gas = o.gas ?? 10_000_000_000n;
  vm.reset(sizes);
  vm.setBlock({
    fork, coinbase: COINBASE, number: 1n, timestamp: 1n, gasLimit: gas, chainId: 1n, baseFee: 0n,
    prevRandao: 0n, blobBaseFee: 1n, blockHash: () => new Uint8Array(32),
  });
  vm.putAccounts([
    [RUN_CALLER, { nonce: 0n, balance: o.value ?? 0n, code: new Uint8Array(0), storage: [] }],
    [RUN_TARGET, { nonce: 1n, balance: 0n, code: o.code, storage: [] }],
  ]);
  const r = vm.execute({
    caller: RUN_CALLER, to: RUN_TARGET, value: o.value ?? 0n, data: o.input ?? new Uint8Array(0),
    gasLimit: gas, intrinsicGas: 0n, gasPrice: 0n, priorityFee: 0n, upfront: 0n, accessList: [], blobHashes: [],
  });
  return { output: r.output, gasUsed: gas - r.gasLeft, status: r.status, steps: r.steps };
}
