// The wasm instance's exports as the host calls them (the Vm and the worker threads alike).
import type { BraidExports } from "./vm.js";

/**
 * Exports whose i32 result is an address in linear memory (or a count or index the host reads as
 * unsigned). JavaScript receives an i32 result as a signed number, so an address at or above
 * 2 GiB (a Vm with many worker contexts) would come back negative: these are read back unsigned.
 */
const UNSIGNED_RESULTS = [
  "heap_base", "state_put_accounts", "hex_words", "diff_next_account", "state_put_slots", "diff_next_slot",
  "state_find_account", "state_credit", "code_put", "code_hash_of", "stm_commit", "seq_run_block", "part_finish", "part_plan_staged",
  "receipts_root_scratch", "receipts_snapshot_size", "gas_allowance_exceeded", "ra_prefetch_tx",
  "remote_put_account", "remote_put_slot",
] as const satisfies ReadonlyArray<keyof BraidExports>;

/** The instance's exports, with the results of UNSIGNED_RESULTS read as unsigned 32-bit numbers. */
export function braidExports(instance: WebAssembly.Instance): BraidExports {
  type Export = (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown) => unknown;
  const raw = instance.exports as unknown as Record<string, Export>;
  const out: Record<string, unknown> = { ...raw };
  for (const name of UNSIGNED_RESULTS) {
    const fn = raw[name]!;
    // Fixed arity (these take at most 6 parameters; wasm ignores the extra undefined ones): no
    // rest-parameter array per call on the state diff's per-entry calls.
    out[name] = (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown) => (fn(a, b, c, d, e, f) as number) >>> 0;
  }
  return out as unknown as BraidExports;
}
