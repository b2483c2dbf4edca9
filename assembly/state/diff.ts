// The block's state diff, found in the host's tables: every entry keeps its value from before the
// block (accounts in the A_ORIG_* fields, slots in S_PRE; zero for entries created during the
// block), so the host reads only what changed instead of comparing the whole pre-state. The
// host's context lists its entries in insertion order, so the search never scans empty buckets.
import * as L from "../layout";
import { g_ctx, g_gen } from "../globals";

/** Records a new table entry in the context's list at `listOff` (if it keeps one). */
@inline export function list_entry(listOff: u32, count: u32, e: usize): void {
  const list = <usize>load<u32>(g_ctx + listOff);
  if (list != 0) store<u32>(list + (<usize>count << 2), <u32>e);
}

@inline function words_differ(a: usize, b: usize): bool {
  return (load<u64>(a) ^ load<u64>(b) | load<u64>(a, 8) ^ load<u64>(b, 8)
    | load<u64>(a, 16) ^ load<u64>(b, 16) | load<u64>(a, 24) ^ load<u64>(b, 24)) != 0;
}

function account_differs(e: usize): bool {
  return ((load<u32>(e + L.A_FLAGS) ^ load<u32>(e + L.A_ORIG_FLAGS)) & L.AF_EXISTS) != 0
    || load<u64>(e + L.A_NONCE) != load<u64>(e + L.A_ORIG_NONCE)
    || load<u32>(e + L.A_CODE) != load<u32>(e + L.A_ORIG_CODE)
    || load<u32>(e + L.A_WIPE) != load<u32>(e + L.A_ORIG_WIPE) // storage cleared (deleted, then back)
    || words_differ(e + L.A_BALANCE, e + L.A_ORIG_BALANCE);
}

/**
 * Position in the account list (CTX_ACCT_LIST) of the first entry at or after position `i` whose
 * fields changed; the list's length (CTX_ACCT_COUNT) if none.
 */
export function diff_next_account(i: u32): u32 {
  const list = <usize>load<u32>(g_ctx + L.CTX_ACCT_LIST);
  const n = load<u32>(g_ctx + L.CTX_ACCT_COUNT);
  for (; i < n; i++) {
    const e = <usize>load<u32>(list + (<usize>i << 2));
    if (load<u32>(e + L.A_USED) == g_gen && account_differs(e)) return i;
  }
  return n;
}

/** Like diff_next_account, over the storage list (CTX_STOR_LIST, CTX_STOR_COUNT): changed values. */
export function diff_next_slot(i: u32): u32 {
  const list = <usize>load<u32>(g_ctx + L.CTX_STOR_LIST);
  const n = load<u32>(g_ctx + L.CTX_STOR_COUNT);
  for (; i < n; i++) {
    const e = <usize>load<u32>(list + (<usize>i << 2));
    if (load<u32>(e + L.S_USED) == g_gen && words_differ(e + L.S_VALUE, e + L.S_PRE)) return i;
  }
  return n;
}
