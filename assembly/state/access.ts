// EIP-2929 access lists: an account or slot is warm when its stamp equals the running
// transaction's id. Warming is journaled, so a reverted frame cools what it warmed.
import * as L from "../layout";
import { g_txid } from "../globals";
import { journal_warm_account, journal_warm_slot } from "./journal";

/** Warms the account; returns true if it was cold. */
export function warm_account(e: usize): bool {
  if (load<u32>(e + L.A_WARM) == g_txid) return false;
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
