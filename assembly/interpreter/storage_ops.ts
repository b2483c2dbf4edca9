// SLOAD/SSTORE with the metering of each fork, and transient storage (EIP-1153).
import * as L from "../layout";
import * as F from "../fork";
import { g_fork, g_refund } from "../globals";
import { slot_get, slot_set, tslot_get, tslot_set } from "../state/storage";
import { warm_slot } from "../state/access";
import { g_frame } from "./frame";
import { word_copy } from "./words";

@inline function eq32(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8)
    && load<u64>(a, 16) == load<u64>(b, 16) && load<u64>(a, 24) == load<u64>(b, 24);
}
@inline function zero32(a: usize): bool {
  return (load<u64>(a) | load<u64>(a, 8) | load<u64>(a, 16) | load<u64>(a, 24)) == 0;
}

export function op_sload(sp: usize, gas: i64): i64 {
  const w = sp - 32;
  const s = slot_get(<usize>load<u32>(g_frame + L.F_ACCT), w);
  if (s == 0) return -1;
  if (g_fork >= F.BERLIN && warm_slot(s)) gas -= 2000;
  word_copy(w, s + L.S_VALUE);
  return gas;
}

export function op_sstore(sp: usize, gas: i64): i64 {
  if (load<u32>(g_frame + L.F_STATIC)) return -1;
  if (g_fork >= F.ISTANBUL && gas <= 2300) return -1; // EIP-2200 stipend sentry
  const key = sp - 32, val = sp - 64;
  const s = slot_get(<usize>load<u32>(g_frame + L.F_ACCT), key);
  if (s == 0) return -1;
  let cost: i64 = 0;
  if (g_fork >= F.BERLIN && warm_slot(s)) cost += 2100;
  const cur = s + L.S_VALUE, orig = s + L.S_ORIG;
  if (g_fork < F.CONSTANTINOPLE || g_fork == F.PETERSBURG) {
    if (zero32(cur) && !zero32(val)) cost += 20000;
    else cost += 5000;
    if (!zero32(cur) && zero32(val)) g_refund += 15000;
  } else {
    const sloadGas: i64 = g_fork >= F.BERLIN ? 100 : g_fork >= F.ISTANBUL ? 800 : 200;
    const resetGas: i64 = g_fork >= F.BERLIN ? 2900 : 5000;
    const clearRefund: i64 = g_fork >= F.LONDON ? 4800 : 15000;
    if (eq32(cur, val)) {
      cost += sloadGas;
    } else if (eq32(orig, cur)) {
      if (zero32(orig)) cost += 20000;
      else {
        cost += resetGas;
        if (zero32(val)) g_refund += clearRefund;
      }
    } else {
      cost += sloadGas;
      if (!zero32(orig)) {
        if (zero32(cur)) g_refund -= clearRefund;
        else if (zero32(val)) g_refund += clearRefund;
      }
      if (eq32(orig, val)) {
        if (zero32(orig)) g_refund += 20000 - sloadGas;
        else g_refund += resetGas - sloadGas;
      }
    }
  }
  gas -= cost;
  if (gas < 0) return -1;
  if (!eq32(cur, val)) slot_set(s, val);
  return gas;
}

export function op_tload(sp: usize): bool {
  const w = sp - 32;
  const s = tslot_get(<usize>load<u32>(g_frame + L.F_ACCT), w);
  if (s == 0) return false;
  word_copy(w, s + L.S_VALUE);
  return true;
}

export function op_tstore(sp: usize): bool {
  if (load<u32>(g_frame + L.F_STATIC)) return false;
  const s = tslot_get(<usize>load<u32>(g_frame + L.F_ACCT), sp - 32);
  if (s == 0) return false;
  if (!eq32(s + L.S_VALUE, sp - 64)) tslot_set(s, sp - 64);
  return true;
}
