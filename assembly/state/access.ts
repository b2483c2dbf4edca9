// EIP-2929 access lists: an account or slot is warm when its stamp equals the running
// transaction's id. Warming is journaled, so a reverted frame cools what it warmed.
import * as L from "../layout";
import * as F from "../fork";
import { g_txid, g_fork, g_ctx } from "../globals";
import { journal_warm_account, journal_warm_slot } from "./journal";
import { precompile_id } from "../interpreter/precompiles";
import { addr_eq } from "./accounts";

/**
 * Whether the account is warm for the whole transaction by its address: the precompiles, and the
 * coinbase from Shanghai on (EIP-3651). Told here, at the first warm check, rather than by loading
 * and stamping eleven accounts at the start of every transaction (most never look at them).
 */
function warm_from_start(addr: usize): bool {
  return precompile_id(addr) != 0 || (g_fork >= F.SHANGHAI && addr_eq(addr, g_ctx + L.CTX_COINBASE));
}

/** Warms the account; returns true if it was cold. */
export function warm_account(e: usize): bool {
  if (load<u32>(e + L.A_WARM) == g_txid) return false;
  if (warm_from_start(e + L.A_ADDR)) {
    store<u32>(e + L.A_WARM, g_txid); // warm since the start: nothing to journal, no revert cools it
    return false;
  }
  journal_warm_account(e);
  store<u32>(e + L.A_WARM, g_txid);
  return true;
}

/** Warms the slot; returns true if it was cold. */
export function warm_slot(s: usize): bool {
  if (load<u32>(s + L.S_WARM) == g_txid) return false;
  journal_warm_slot(s);
  store<u32>(s + L.S_WARM, g_txid);
  return true;
}
