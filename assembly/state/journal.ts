// The journal: old values recorded before each state change so that a reverting call frame can
// undo its changes. A location is journaled at most once per frame epoch: a loop of SSTOREs to one
// slot adds a single entry.
import * as L from "../layout";
import { g_journal, g_journal_cap, g_journal_len, g_epoch, g_fork, set_fatal } from "../globals";
import { SPURIOUS } from "../fork";

@inline function journal_push(type: u32, ptr: usize): usize {
  if (g_journal_len >= g_journal_cap) { set_fatal(L.FATAL_JOURNAL); return 0; }
  const j = g_journal + <usize>g_journal_len * L.JOURNAL_SIZE;
  g_journal_len++;
  store<u32>(j + L.J_TYPE, type);
  store<u32>(j + L.J_PTR, <u32>ptr);
  return j;
}

@inline function copy32(dst: usize, src: usize): void {
  v128.store(dst, v128.load(src));
  v128.store(dst, v128.load(src, 16), 16);
}

export function journal_account(e: usize): void {
  if (load<u32>(e + L.A_EPOCH) == g_epoch) return;
  const j = journal_push(L.JT_ACCOUNT, e);
  if (j == 0) return;
  store<u32>(j + L.J_OLD32, load<u32>(e + L.A_FLAGS));
  store<u32>(j + L.J_EPOCH, load<u32>(e + L.A_EPOCH));
  store<u64>(j + L.J_NONCE, load<u64>(e + L.A_NONCE));
  store<u32>(j + L.J_CODE, load<u32>(e + L.A_CODE));
  copy32(j + L.J_WORD, e + L.A_BALANCE);
  store<u32>(e + L.A_EPOCH, g_epoch);
}

/** Journals a storage or transient entry before its value changes. */
export function journal_slot(s: usize, type: u32): void {
  if (load<u32>(s + L.S_EPOCH) == g_epoch) return;
  const j = journal_push(type, s);
  if (j == 0) return;
  store<u32>(j + L.J_EPOCH, load<u32>(s + L.S_EPOCH));
  copy32(j + L.J_WORD, s + L.S_VALUE);
  store<u32>(s + L.S_EPOCH, g_epoch);
}

export function journal_warm_account(e: usize): void {
  const j = journal_push(L.JT_WARM_ACCOUNT, e);
  if (j != 0) store<u32>(j + L.J_OLD32, load<u32>(e + L.A_WARM));
}

export function journal_warm_slot(s: usize): void {
  const j = journal_push(L.JT_WARM_SLOT, s);
  if (j != 0) store<u32>(j + L.J_OLD32, load<u32>(s + L.S_WARM));
}

/**
 * The touch a revert keeps: from Spurious Dragon, a touch of 0x03 (RIPEMD-160) is never undone.
 * In block 2675119 clients deleted that empty account although the call that touched it ran out
 * of gas; geth, revm, evmone and ethereumjs keep the quirk, so an empty 0x03 touched by a failed
 * call is still deleted at the end of the transaction.
 */
@inline function keep_ripemd_touch(e: usize, old: u32): u32 {
  if (g_fork < SPURIOUS || (old & L.AF_EXISTS) == 0 || (load<u32>(e + L.A_FLAGS) & L.AF_TOUCHED) == 0) return 0;
  return load<u64>(e + L.A_ADDR) == 0 && load<u64>(e + L.A_ADDR, 8) == 0 && load<u32>(e + L.A_ADDR, 16) == 0x03000000 ? L.AF_TOUCHED : 0;
}

/** Undoes every journal entry recorded after `len`. */
export function journal_revert(len: u32): void {
  let i = g_journal_len;
  while (i > len) {
    i--;
    const j = g_journal + <usize>i * L.JOURNAL_SIZE;
    const p = <usize>load<u32>(j + L.J_PTR);
    switch (load<u32>(j + L.J_TYPE)) {
      case L.JT_ACCOUNT: {
        const old = load<u32>(j + L.J_OLD32);
        store<u32>(p + L.A_FLAGS, old | keep_ripemd_touch(p, old));
        store<u32>(p + L.A_EPOCH, load<u32>(j + L.J_EPOCH));
        store<u64>(p + L.A_NONCE, load<u64>(j + L.J_NONCE));
        store<u32>(p + L.A_CODE, load<u32>(j + L.J_CODE));
        copy32(p + L.A_BALANCE, j + L.J_WORD);
        break;
      }
      case L.JT_STORAGE:
      case L.JT_TRANSIENT: {
        store<u32>(p + L.S_EPOCH, load<u32>(j + L.J_EPOCH));
        copy32(p + L.S_VALUE, j + L.J_WORD);
        break;
      }
      case L.JT_WARM_ACCOUNT: {
        store<u32>(p + L.A_WARM, load<u32>(j + L.J_OLD32));
        break;
      }
      case L.JT_WARM_SLOT: {
        store<u32>(p + L.S_WARM, load<u32>(j + L.J_OLD32));
        break;
      }
      default: break;
    }
  }
  g_journal_len = len;
}
