// Test-only export of the multi-version memory (re-exported from assembly/index.ts): tests/mv.test.ts
// drives it against a model in JS, on a context and block header the test lays out itself.
import * as H from "./layout";
import { load_globals, g_ctx } from "../globals";
import { mv_location, mv_write, mv_write_delta, mv_read, mv_sum_deltas, mv_mark_estimate, mv_remove, g_vr_tx, g_vr_inc, g_vr_estimate } from "./mv";

/**
 * One operation on the multi-version memory of the header that context `ctx` points to (CTX_STM):
 *   0 location: the entry of (kind `tx`, address at `p`, slot at `p + 32`)
 *   1 write: transaction `tx`'s version (incarnation `inc`) of `loc`, `size` payload bytes at `p`
 *   2 read: the highest version of `loc` below `tx`; writes [tx, inc, estimate] (u32) at `p` and
 *     `size` payload bytes at `p + 16`; returns whether there is one
 *   3 mark transaction `tx`'s version ESTIMATE   4 remove it
 *   5 credit: transaction `tx`'s delta (incarnation `inc`) of the word at `p`
 *   6 sum the credits after transaction `inc` (0xffffffff: all) and below `tx` into `p`
 * Returns the entry or version record (0, 1, 5), the first ESTIMATE met or 0xffffffff (6), else 0.
 */
export function test_mv(op: u32, ctx: usize, loc: usize, tx: u32, inc: u32, p: usize, size: u32): u32 {
  if (g_ctx != ctx) load_globals(ctx);
  switch (op) {
    case 0: return <u32>mv_location(tx, p, p + 32);
    case 1: return <u32>mv_write(loc, tx, inc, p, size);
    case 2: {
      const found = mv_read(loc, tx, p + 16, size);
      store<u32>(p, g_vr_tx);
      store<u32>(p, g_vr_inc, 4);
      store<u32>(p, g_vr_estimate ? 1 : 0, 8);
      return found ? 1 : 0;
    }
    case 3: mv_mark_estimate(loc, tx); return 0;
    case 4: mv_remove(loc, tx); return 0;
    case 5: return <u32>mv_write_delta(loc, tx, inc, p);
    case 6: return mv_sum_deltas(loc, inc, tx, p);
  }
  return H.BASE_TX;
}
