// runWithState: like src/vm/run-code.ts's runCode, but with a caller-chosen pre-state, so tests
// can call between several contracts and see the resulting storage.
import { Fork } from "../../src/fork.js";
import { Vm } from "../../src/vm/vm.js";
import type { AccountInit, TxResult } from "../../src/vm/types.js";

export type Address = Uint8Array;

/** A 20-byte address whose last bytes are `n` (big-endian). */
export function addr(n: number | bigint): Address {
  const a = new Uint8Array(20);
  let x = BigInt(n);
  for (let i = 19; i >= 0 && x > 0n; i--) { a[i] = Number(x & 0xffn); x >>= 8n; }
  return a;
}

export const CALLER = addr(0xca11e7);
export const COINBASE = addr(0xc0ffee);

export interface RunWithStateOptions {
  /** Accounts besides the caller; missing fields default to 0 / empty. */
  accounts: Array<[Address, Partial<AccountInit>]>;
  to: Address;
  caller?: Address;
  input?: Uint8Array;
  gas?: bigint;
  fork?: Fork;
  value?: bigint;
  coinbase?: Address;
  accessList?: Array<{ address: Uint8Array; storageKeys: Uint8Array[] }>;
}

export interface RunWithStateResult extends TxResult {
  /** gas - gasLeft: like runCode, before refunds and without intrinsic gas. */
  gasUsedBeforeRefund: bigint;
  /** Final storage of `address` as a key -> value map (non-zero slots only). */
  storage(address: Address): Map<bigint, bigint>;
  balance(address: Address): bigint | undefined;
}

const hex = (a: Uint8Array) => Buffer.from(a).toString("hex");

/** Runs a call from `caller` (funded for `value`) to `to`, charging no intrinsic gas. */
export function runWithState(vm: Vm, o: RunWithStateOptions): RunWithStateResult {
  const fork = o.fork ?? Fork.Cancun;
  const gas = o.gas ?? 10_000_000n;
  const caller = o.caller ?? CALLER;
  vm.reset();
  vm.setBlock({
    fork, coinbase: o.coinbase ?? COINBASE, number: 1n, timestamp: 1n, gasLimit: gas, chainId: 1n,
    baseFee: 0n, prevRandao: 0n, blobBaseFee: 1n, blockHash: () => new Uint8Array(32),
  });
  const full = (a: Partial<AccountInit>): AccountInit => ({
    nonce: a.nonce ?? 0n, balance: a.balance ?? 0n, code: a.code ?? new Uint8Array(0), storage: a.storage ?? [],
  });
  const accounts: Array<[Address, AccountInit]> = o.accounts.map(([a, init]) => [a, full(init)]);
  if (!o.accounts.some(([a]) => hex(a) === hex(caller))) accounts.unshift([caller, full({ balance: o.value ?? 0n })]);
  vm.putAccounts(accounts);
  const r = vm.execute({
    caller, to: o.to, value: o.value ?? 0n, data: o.input ?? new Uint8Array(0),
    gasLimit: gas, intrinsicGas: 0n, gasPrice: 0n, priorityFee: 0n, upfront: 0n,
    accessList: o.accessList ?? [], blobHashes: [],
  });
  const dump = vm.dumpState();
  const find = (a: Address) => dump.find((d) => hex(d.address) === hex(a));
  return {
    ...r,
    gasUsedBeforeRefund: gas - r.gasLeft,
    storage(a) {
      const m = new Map<bigint, bigint>();
      const big = (b: Uint8Array | bigint) => (typeof b === "bigint" ? b : BigInt("0x" + (hex(b) || "0")));
      for (const [k, v] of find(a)?.storage ?? []) m.set(big(k), big(v));
      return m;
    },
    balance: (a) => find(a)?.balance,
  };
}
