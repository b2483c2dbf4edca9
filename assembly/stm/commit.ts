// After all transactions validated, the coordinator applies each transaction's final writes to
// the pre-state in block order and credits the lazily tracked coinbase fees.
import * as L from "../layout";
import * as H from "./layout";
import * as G from "../globals";
import { acct_get, acct_is_empty } from "../state/accounts";
import { slot_get, storage_wipe } from "../state/storage";
import { word_add } from "./load";
import { stm_header } from "./sync";

/**
 * Commits the transactions Block-STM ran (H_LIMIT of them; the host runs any rest in order).
 * Returns 0, or the index + 1 of the first transaction whose final result is invalid.
 */
export function stm_commit(): u32 {
  const h = stm_header();
  const n = load<u32>(h + H.H_LIMIT);
  const txs = <usize>load<u32>(h + H.H_TXS);
  const cb = acct_get(h + H.H_COINBASE);
  if (cb == 0) return 0xffffffff;
  for (let i: u32 = 0; i < n; i++) {
    const t = txs + <usize>i * H.TXR_SIZE;
    if (load<u32>(t + H.T_RESULT) == L.STATUS_INVALID) return i + 1;
    const w = <usize>load<u32>(t + H.T_WRITES);
    const nw: u32 = w == 0 ? 0 : load<u32>(w);
    for (let pass = 0; pass < 2; pass++) {
      for (let k: u32 = 0; k < nw; k++) {
        const loc = <usize>load<u32>(w + 8 + (<usize>k << 3));
        const kind = load<u32>(loc + H.V_KIND);
        const v = <usize>load<u32>(w + 12 + (<usize>k << 3)); // the final incarnation's version
        if (pass == 0 && kind == H.LOC_ACCOUNT) {
          let e = <usize>load<u32>(loc + H.V_BASE);
          if (e == 0) e = acct_get(loc + H.V_ADDR);
          if (e == 0) return 0xffffffff;
          const old = load<u32>(e + L.A_FLAGS);
          if (load<u32>(v + H.VR_A_WIPE) == i + 1 && (old & (L.AF_HAS_STORAGE | L.AF_STORAGE_WRITTEN)) != 0) storage_wipe(e);
          store<u32>(e + L.A_FLAGS, load<u32>(v + H.VR_A_FLAGS) | (old & L.AF_STORAGE_WRITTEN));
          store<u64>(e + L.A_NONCE, load<u64>(v + H.VR_A_NONCE));
          store<u32>(e + L.A_CODE, load<u32>(v + H.VR_A_CODE));
          memory.copy(e + L.A_BALANCE, v + H.VR_A_BALANCE, 32);
        } else if (pass == 1 && kind == H.LOC_STORAGE) {
          let e = <usize>load<u32>(loc + H.V_BASE_ACCT);
          if (e == 0) e = acct_get(loc + H.V_ADDR);
          if (e == 0) return 0xffffffff;
          let s = <usize>load<u32>(loc + H.V_BASE);
          if (s == 0) s = slot_get(e, loc + H.V_SLOT);
          if (s == 0) return 0xffffffff;
          memory.copy(s + L.S_VALUE, v + H.VR_S_VALUE, 32);
          store<u32>(e + L.A_FLAGS, load<u32>(e + L.A_FLAGS) | L.AF_STORAGE_WRITTEN);
        }
      }
    }
    word_add(cb + L.A_BALANCE, t + H.T_FEE);
    store<u32>(cb + L.A_FLAGS, load<u32>(cb + L.A_FLAGS) | L.AF_EXISTS);
  }
  if (G.g_fork >= 3 && acct_is_empty(cb)) store<u32>(cb + L.A_FLAGS, 0); // EIP-161: touched and empty
  return 0;
}
