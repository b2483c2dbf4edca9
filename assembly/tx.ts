// One transaction, after the host has validated it: buy gas, warm the access list, run the
// message, refund, pay the coinbase, and apply the end-of-transaction deletions.
import * as L from "./layout";
import * as F from "./fork";
import * as G from "./globals";
import { acct_get, acct_find, acct_touch, acct_add_balance, acct_sub_balance, acct_set_nonce, acct_exists, acct_is_empty, acct_balance_ge } from "./state/accounts";
import { g_prewarm } from "./stm/load";
import { warm_account, warm_slot } from "./state/access";
import { slot_get, transient_clear, storage_wipe } from "./state/storage";
import { frame_at, frame_load, g_gas } from "./interpreter/frame";
import { precompile_id, call_precompile } from "./interpreter/precompiles";
import { checkpoint, frame_enter, begin_create, g_result_status, g_result_out, g_result_len } from "./interpreter/system";
import { interpret } from "./interpreter/run";
import { word_is_zero, word_zero } from "./interpreter/words";
import { journal_revert } from "./state/journal";
import { keccak256_memo } from "./crypto/keccak_memo";

/** dst = w * k (mod 2^256) */
function mul_word_u64(dst: usize, w: usize, k: u64): void {
  let carry: u64 = 0;
  for (let i = 0; i < 32; i += 8) {
    const x = load<u64>(w + i);
    const lo = x * k;
    const hi = mulhi(x, k);
    const s = lo + carry;
    carry = hi + <u64>(s < lo);
    store<u64>(dst + i, s);
  }
}

@inline function mulhi(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

function warm_up(sender: usize, target: usize): void {
  warm_account(sender);
  if (target != 0) warm_account(target);
  // The precompiles and the coinbase are warm by address (state/access.ts). Partitioned mode runs
  // no code and has no access lists: nothing else to warm.
  if (G.g_partition) return;
  if (G.g_parallel) {
    // Loading an account or slot through multi-version memory only to warm it would add a read
    // to validate. Instead, the access list's accounts and slots are marked warm when first
    // loaded (stm/load.ts).
    g_prewarm = true;
    return;
  }
  // Access list: [address 20][key count u32][keys 32*n, as stack words]...
  let p = <usize>load<u32>(G.g_ctx + L.CTX_ACCESS_PTR);
  const count = load<u32>(G.g_ctx + L.CTX_ACCESS_COUNT);
  for (let i: u32 = 0; i < count; i++) {
    const e = acct_get(p);
    const nk = load<u32>(p + 20);
    p += 24;
    if (e == 0) return;
    warm_account(e);
    for (let k: u32 = 0; k < nk; k++) {
      const s = slot_get(e, p);
      if (s == 0) return;
      warm_slot(s);
      p += 32;
    }
  }
}

export function delete_account(e: usize): void {
  // A deleted account that may have had storage carries a wipe marker: in parallel mode later
  // transactions then ignore older slot versions and the pre-state; in the host's tables the
  // state diff reports the clear (storageCleared), which lists of slots cannot show on remote state.
  const had = (load<u32>(e + L.A_ORIG_FLAGS) & L.AF_EXISTS) != 0 || (load<u32>(e + L.A_FLAGS) & (L.AF_CREATED | L.AF_DESTRUCTED)) != 0;
  if (had) store<u32>(e + L.A_WIPE, load<u32>(G.g_ctx + L.CTX_TX_INDEX) + 1);
  // Sequential mode clears the slots in place (a full table scan, only when it can have any);
  // in parallel mode the wipe marker hides them from later transactions and the commit clears them.
  const mayHaveSlots = (load<u32>(e + L.A_FLAGS) & (L.AF_HAS_STORAGE | L.AF_STORAGE_WRITTEN)) != 0;
  store<u32>(e + L.A_FLAGS, 0);
  store<u64>(e + L.A_NONCE, 0);
  store<u32>(e + L.A_CODE, 0);
  memory.fill(e + L.A_BALANCE, 0, 32);
  if (G.g_partition && mayHaveSlots) G.set_fatal(L.FATAL_PARTITION); // its slots are in the shared tables
  else if (!G.g_parallel && mayHaveSlots) storage_wipe(e);
}

/** EIP-161 and SELFDESTRUCT deletions, then clears the per-transaction flags. */
function finalize(): void {
  const list = <usize>load<u32>(G.g_ctx + L.CTX_TOUCHED);
  const n = load<u32>(G.g_ctx + L.CTX_TOUCHED_COUNT);
  for (let i: u32 = 0; i < n; i++) {
    const e = <usize>load<u32>(list + (i << 2));
    const f = load<u32>(e + L.A_FLAGS);
    if ((f & L.AF_DESTRUCTED) != 0 || (G.g_fork >= F.SPURIOUS && (f & L.AF_TOUCHED) != 0 && acct_is_empty(e))) {
      delete_account(e);
    } else {
      store<u32>(e + L.A_FLAGS, f & ~(L.AF_TOUCHED | L.AF_CREATED | L.AF_DESTRUCTED));
    }
  }
}

/** Runs the transaction described in the context. The host validated it beforehand. */
export function tx_execute(): void {
  tx_run();
  G.g_op_pc = 0;
  // Another instance may continue on this context (remote execution moves between threads).
  store<u32>(G.g_ctx + L.CTX_EPOCHS, G.g_epoch_counter);
}

function tx_run(): void {
  const ctx = G.g_ctx;
  G.g_txid++;
  store<u32>(ctx + L.CTX_TXID, G.g_txid);
  G.g_journal_len = 0;
  G.g_refund = 0;
  G.g_fatal = 0;
  G.g_epoch_counter++;
  G.g_epoch = G.g_epoch_counter;
  G.g_op_pc = 0;
  G.g_log_end = <usize>load<u32>(ctx + L.CTX_LOG);
  G.g_log_count = 0;
  g_prewarm = false;
  store<u32>(ctx + L.CTX_TOUCHED_COUNT, 0);
  store<u32>(ctx + L.CTX_OUT_LEN, 0);
  store<u64>(ctx + L.CTX_STEPS, 0);
  memory.fill(ctx + L.CTX_CREATED, 0, 20);
  transient_clear();

  const gasLimit = load<u64>(ctx + L.CTX_GAS_LIMIT);
  const isCreate = load<u32>(ctx + L.CTX_IS_CREATE) != 0;
  const caller = ctx + L.CTX_CALLER;
  const value = ctx + L.CTX_VALUE;
  const data = <usize>load<u32>(ctx + L.CTX_DATA_PTR);
  const dataLen = load<u32>(ctx + L.CTX_DATA_LEN);
  const isSystem = load<u32>(ctx + L.CTX_SYSTEM) != 0;
  const sender = acct_get(caller);
  if (sender == 0) return finish_fatal();
  const target: usize = isCreate ? 0 : acct_get(ctx + L.CTX_TO);
  if (!isCreate && target == 0) return finish_fatal();
  if (load<u32>(ctx + L.CTX_CHECK_SENDER) != 0 && !isSystem) {
    // The host checked everything that does not depend on state; the rest is checked here
    // against the speculative state.
    let invalid: u32 = 0;
    if (load<u64>(sender + L.A_NONCE) != load<u64>(ctx + L.CTX_TX_NONCE)) invalid = L.INVALID_NONCE;
    else if (!acct_balance_ge(sender, ctx + L.CTX_MAX_COST)) invalid = L.INVALID_BALANCE;
    else if (load<u32>(sender + L.A_CODE) != 0) invalid = L.INVALID_NOT_EOA;
    if (invalid != 0) {
      store<u32>(ctx + L.CTX_STATUS, L.STATUS_INVALID);
      store<u32>(ctx + L.CTX_FATAL, invalid);
      return;
    }
  }

  if (!isSystem) acct_sub_balance(sender, ctx + L.CTX_UPFRONT);
  if (G.g_fork >= F.BERLIN) warm_up(sender, target);
  let gas = <i64>(gasLimit - load<u64>(ctx + L.CTX_INTRINSIC));
  let status: u32 = L.STATUS_SUCCESS;
  let out: usize = 0, outLen: u32 = 0;

  if (isCreate) {
    const f = begin_create(0, L.FK_CREATE, caller, sender, value, data, dataLen, 0, gas);
    if (f == 0) {
      status = L.STATUS_HALT;
      gas = 0;
    } else {
      memory.copy(ctx + L.CTX_CREATED, f + L.F_ADDR, 20);
      frame_load(f);
      while (!interpret()) {}
      status = g_result_status; out = g_result_out; outLen = g_result_len; gas = g_gas;
    }
  } else {
    if (!isSystem) acct_set_nonce(sender, load<u64>(sender + L.A_NONCE) + 1);
    const f0 = frame_at(0);
    checkpoint(f0);
    const pid = precompile_id(ctx + L.CTX_TO);
    const hasValue = !word_is_zero(value);
    if (acct_exists(target) || pid != 0 || G.g_fork < F.SPURIOUS || hasValue) {
      acct_sub_balance(sender, value);
      acct_add_balance(target, value);
    }
    const rec = <usize>load<u32>(target + L.A_CODE);
    if (G.g_partition && (rec != 0 || pid != 0)) {
      G.set_fatal(L.FATAL_PARTITION); // ruled out by the plan (stm/partition.ts)
      return finish_fatal();
    }
    if (pid != 0) {
      const dst = <usize>load<u32>(ctx + L.CTX_RDATA);
      const cap = <u32>(<usize>load<u32>(ctx + L.CTX_RDATA_END) - dst);
      const used = call_precompile(pid, data, dataLen, gas, dst, cap, ctx + L.CTX_PC_OUT_LEN);
      if (used < 0) {
        journal_revert(load<u32>(f0 + L.F_CP_JOURNAL));
        status = L.STATUS_HALT; gas = 0;
      } else {
        gas -= used; out = dst; outLen = load<u32>(ctx + L.CTX_PC_OUT_LEN);
      }
    } else if (rec != 0) {
      frame_enter(0, L.FK_CALL, rec, <usize>load<u32>(rec + L.C_CODE), load<u32>(rec + L.C_LEN),
        <usize>load<u32>(rec + L.C_BITMAP), ctx + L.CTX_TO, caller, value, data, dataLen, 0, gas);
      frame_load(f0);
      while (!interpret()) {}
      status = g_result_status; out = g_result_out; outLen = g_result_len; gas = g_gas;
    }
  }
  G.g_op_pc = 0; // later misses (the coinbase) are not inside an instruction
  if (G.g_fatal != 0) return finish_fatal();
  if (status != L.STATUS_SUCCESS) memory.fill(ctx + L.CTX_CREATED, 0, 20);

  // Output: copy it to the start of the return-data arena so it outlives the frames.
  const rd = <usize>load<u32>(ctx + L.CTX_RDATA);
  if (outLen > 0 && out != rd) memory.copy(rd, out, outLen);
  store<u32>(ctx + L.CTX_OUT_PTR, <u32>rd);
  store<u32>(ctx + L.CTX_OUT_LEN, outLen);
  store<u64>(ctx + L.CTX_GAS_LEFT, <u64>gas);
  store<i64>(ctx + L.CTX_REFUND, G.g_refund);

  if (isSystem) {
    finalize();
    store<u64>(ctx + L.CTX_GAS_USED, gasLimit - <u64>gas);
    store<u32>(ctx + L.CTX_STATUS, status);
    store<u32>(ctx + L.CTX_LOG_COUNT, G.g_log_count);
    store<u32>(ctx + L.CTX_LOG_END, <u32>G.g_log_end);
    return;
  }
  // Refund (capped: EIP-3529 from London), then pay for the gas.
  let left = <u64>gas;
  const used = gasLimit - left;
  const refundCap = used / (G.g_fork >= F.LONDON ? 5 : 2);
  const refund = G.g_refund > 0 ? <u64>G.g_refund : 0;
  left += refund < refundCap ? refund : refundCap;
  const w = G.g_scratch + 320;
  mul_word_u64(w, ctx + L.CTX_GASPRICE, left);
  acct_add_balance(sender, w);
  mul_word_u64(w, ctx + L.CTX_PRIORITY, gasLimit - left);
  if (G.g_parallel || G.g_partition) {
    memory.copy(ctx + L.CTX_FEE, w, 32); // credited lazily (stm/commit.ts, stm/partition.ts)
  } else {
    const coinbase = acct_get(ctx + L.CTX_COINBASE);
    if (coinbase == 0) return finish_fatal();
    acct_add_balance(coinbase, w);
  }
  if (G.g_fatal != 0) return finish_fatal();
  finalize();
  compute_bloom();
  store<u64>(ctx + L.CTX_GAS_USED, gasLimit - left);
  store<u32>(ctx + L.CTX_STATUS, status);
  store<u32>(ctx + L.CTX_LOG_COUNT, G.g_log_count);
  store<u32>(ctx + L.CTX_LOG_END, <u32>G.g_log_end);
  store<u32>(ctx + L.CTX_FATAL, 0);
}

/** The 2048-bit logs bloom of this transaction's logs (Yellow Paper 4.3.1), into CTX_BLOOM. */
function compute_bloom(): void {
  const bloom = G.g_ctx + L.CTX_BLOOM;
  memory.fill(bloom, 0, 256);
  let p = <usize>load<u32>(G.g_ctx + L.CTX_LOG);
  const h = G.g_scratch + 352;
  for (let i: u32 = 0; i < G.g_log_count; i++) {
    const n = load<u32>(p, 4);
    bloom_add(bloom, p + 12, 20, h);
    for (let t: u32 = 0; t < n; t++) bloom_add(bloom, p + 32 + (t << 5), 32, h);
    p += load<u32>(p);
  }
}

function bloom_add(bloom: usize, item: usize, len: u32, h: usize): void {
  keccak256_memo(item, len, h);
  for (let i = 0; i < 6; i += 2) {
    const bit = ((<u32>load<u8>(h + i) << 8) | <u32>load<u8>(h + i + 1)) & 2047;
    const b = bloom + 255 - (bit >> 3);
    store<u8>(b, load<u8>(b) | <u8>(<u32>1 << (bit & 7)));
  }
}

/** A host-sized region ran out: report it. The state is not usable; the host re-runs with more room. */
function finish_fatal(): void {
  store<u32>(G.g_ctx + L.CTX_STATUS, L.STATUS_FATAL);
  store<u32>(G.g_ctx + L.CTX_FATAL, G.g_fatal == 0 ? L.FATAL_ACCOUNTS : G.g_fatal);
}
