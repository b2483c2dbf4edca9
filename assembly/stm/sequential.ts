// Sequential execution of a staged block: the same messages and result records as Block-STM,
// executed in order on the coordinator's own state. This is the baseline parallel runs are
// compared with, and the path small or serial blocks take.
import * as L from "./../layout";
import * as H from "./layout";
import * as G from "../globals";
import { tx_execute } from "../tx";
import { load_message, record_results } from "./worker";
import { stm_header } from "./sync";

/**
 * Runs the staged transactions from `from` on, in order (from 0: the whole block; after a Block-STM
 * prefix was committed: the rest). Returns 0; i + 1 when transaction i is invalid (its reason in
 * T_INVALID); or 0x80000000 | fatal when a region ran out (the host enlarges and retries).
 */
export function seq_run_block(from: u32): u32 {
  const h = stm_header();
  const n = load<u32>(h + H.H_N);
  for (let i: u32 = from; i < n; i++) {
    load_message(i);
    tx_execute();
    const status = load<u32>(G.g_ctx + L.CTX_STATUS);
    if (status == L.STATUS_FATAL) return 0x80000000 | load<u32>(G.g_ctx + L.CTX_FATAL);
    if (!record_results(i, status)) return 0x80000000 | L.FATAL_STM_ARENA;
    if (status == L.STATUS_INVALID) return i + 1;
  }
  return 0;
}
