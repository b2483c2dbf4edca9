// The block's state diff, found in the host's tables: every entry keeps its value from before the
// block (accounts in the A_ORIG_* fields, slots in S_PRE; zero for entries created during the
// block), so the host reads only what changed instead of comparing the whole pre-state.
import * as L from "../layout";
import { g_acct_table, g_acct_mask, g_stor_table, g_stor_mask, g_gen } from "../globals";

@inline function words_differ(a: usize, b: usize): bool {
  return (load<u64>(a) ^ load<u64>(b) | load<u64>(a, 8) ^ load<u64>(b, 8)
    | load<u64>(a, 16) ^ load<u64>(b, 16) | load<u64>(a, 24) ^ load<u64>(b, 24)) != 0;
}

function account_differs(e: usize): bool {
  return ((load<u32>(e + L.A_FLAGS) ^ load<u32>(e + L.A_ORIG_FLAGS)) & L.AF_EXISTS) != 0
    || load<u64>(e + L.A_NONCE) != load<u64>(e + L.A_ORIG_NONCE)
    || load<u32>(e + L.A_CODE) != load<u32>(e + L.A_ORIG_CODE)
    || words_differ(e + L.A_BALANCE, e + L.A_ORIG_BALANCE);
}

/** Index of the first account entry at or after `i` whose fields changed; the capacity if none. */
export function diff_next_account(i: u32): u32 {
  const cap = g_acct_mask + 1;
  for (; i < cap; i++) {
    const e = g_acct_table + <usize>i * L.ACCT_SIZE;
    if (load<u32>(e + L.A_USED) == g_gen && account_differs(e)) return i;
  }
  return cap;
}

/** Index of the first storage entry at or after `i` whose value changed; the capacity if none. */
export function diff_next_slot(i: u32): u32 {
  const cap = g_stor_mask + 1;
  for (; i < cap; i++) {
    const e = g_stor_table + <usize>i * L.STOR_SIZE;
    if (load<u32>(e + L.S_USED) == g_gen && words_differ(e + L.S_VALUE, e + L.S_PRE)) return i;
  }
  return cap;
}
