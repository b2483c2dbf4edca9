// First access to a location in parallel mode: the value comes from multi-version memory (the
// highest version below the running transaction) or from the shared pre-state, and the read is
// recorded for validation. Reading an ESTIMATE stops the incarnation: it must wait.
import * as L from "../layout";
import * as H from "./layout";
import { g_ctx, g_txid, g_fork, g_remote, set_fatal } from "../globals";
import { fetch_account, fetch_slot } from "../remote/request";
import * as F from "../fork";
import { addr_hash, addr_eq, remember_as_loaded } from "../state/accounts";
import { slot_hash, key_eq } from "../state/storage";
import { mv_location, new_base_location, mv_read, mv_sum_deltas, g_vr_tx, g_vr_inc, g_vr_estimate } from "./mv";
import { u256_add, u256_is_zero } from "../math/u256";
import { stm_header, txr } from "./sync";
import { precompile_id } from "../interpreter/precompiles";

// Lazy recipients. Exchange deposits send value from many senders to one account, one after
// another: read and written whole, that account's balance chains every deposit to the one before
// (on mainnet block 13217637, 934 of 1,100 transactions pay one exchange wallet). A transaction
// that sends value at the top level to an account an earlier one sent to (lazy_recipient_eligible)
// instead reads only the recipient's newest whole version, and if that has no code, so that
// nothing runs there and nothing reads the balance, it credits the recipient with the value from
// a balance of zero and publishes the credit as an amount (mv_write_delta) rather than a balance.
// Readers of the whole account add the credits since the version they read (R_CREDITED); the
// commit adds them in block order. Like the coinbase's fees; RISE pevm credits lazily too.

/**
 * Whether transaction i's recipient may be credited lazily: a call (not a creation) with value, to
 * an account an earlier transaction of the block also sent to (a first credit gains nothing from
 * being lazy, and plain transfers to distinct accounts ran 7-12% slower on one thread when every
 * credit was), other than the sender, the coinbase (its fees are lazy already) and the
 * precompiles and system addresses (below 2^16). Whether it has code is known only once it is read.
 */
export function lazy_recipient_eligible(i: u32): bool {
  const ctx = g_ctx;
  if (load<u32>(txr(i) + H.T_PREV_TO) == H.NO_TX) return false;
  if (load<u32>(ctx + L.CTX_IS_CREATE) != 0 || u256_is_zero(ctx + L.CTX_VALUE)) return false;
  const to = ctx + L.CTX_TO;
  if (load<u64>(to) == 0 && load<u64>(to, 8) == 0 && load<u16>(to, 16) == 0) return false;
  return !addr_eq(to, ctx + L.CTX_CALLER) && !addr_eq(to, stm_header() + H.H_COINBASE);
}

/** Set when this incarnation read a value the transaction just before it wrote (reset by prepare). */
export let g_chained: bool = false;
export function reset_chained(): void { g_chained = false; }

/** Set by the transaction prologue: accounts and slots warm from the start (EIP-2929
 *  precompiles and access list, EIP-3651 coinbase) become warm when first loaded. */
export let g_prewarm: bool = false;

function prewarmed_account(addr: usize): bool {
  if (precompile_id(addr) != 0) return true;
  if (g_fork >= F.SHANGHAI && addr_eq(addr, g_ctx + L.CTX_COINBASE)) return true;
  let p = <usize>load<u32>(g_ctx + L.CTX_ACCESS_PTR);
  const count = load<u32>(g_ctx + L.CTX_ACCESS_COUNT);
  for (let i: u32 = 0; i < count; i++) {
    if (addr_eq(p, addr)) return true;
    p += 24 + (<usize>load<u32>(p + 20) << 5);
  }
  return false;
}

function prewarmed_slot(addr: usize, key: usize): bool {
  let p = <usize>load<u32>(g_ctx + L.CTX_ACCESS_PTR);
  const count = load<u32>(g_ctx + L.CTX_ACCESS_COUNT);
  for (let i: u32 = 0; i < count; i++) {
    const nk = load<u32>(p + 20);
    if (addr_eq(p, addr)) {
      for (let k: u32 = 0; k < nk; k++) {
        const w = p + 24 + (<usize>k << 5);
        if (load<u64>(w) == load<u64>(key) && load<u64>(w, 8) == load<u64>(key, 8)
          && load<u64>(w, 16) == load<u64>(key, 16) && load<u64>(w, 24) == load<u64>(key, 24)) return true;
      }
    }
    p += 24 + (<usize>nk << 5);
  }
  return false;
}

// The pre-state tables may grow while workers read them (remote state: the host inserts fetched
// entries), so an entry's generation word is read atomically: it is published last.
export function base_account(addr: usize): usize {
  const table = <usize>load<u32>(g_ctx + L.CTX_BASE_ACCT_TABLE);
  const mask = load<u32>(g_ctx + L.CTX_BASE_ACCT_CAP) - 1;
  let i = addr_hash(addr) & mask;
  while (true) {
    const e = table + <usize>i * L.ACCT_SIZE;
    if (atomic.load<u32>(e + L.A_USED) != load<u32>(g_ctx + L.CTX_BASE_GEN)) return 0;
    if (addr_eq(e + L.A_ADDR, addr)) return e;
    i = (i + 1) & mask;
  }
}

export function base_slot(baseAcct: usize, key: usize): usize {
  const table = <usize>load<u32>(g_ctx + L.CTX_BASE_STOR_TABLE);
  const mask = load<u32>(g_ctx + L.CTX_BASE_STOR_CAP) - 1;
  let i = slot_hash(baseAcct, key) & mask;
  while (true) {
    const e = table + <usize>i * L.STOR_SIZE;
    if (atomic.load<u32>(e + L.S_USED) != load<u32>(g_ctx + L.CTX_BASE_GEN)) return 0;
    if (key_eq(e, baseAcct, key)) return e;
    i = (i + 1) & mask;
  }
}

/**
 * The multi-version location of a location the pre-state holds, at entry `b`: kept in the entry's
 * A_MV_LOC or S_MV_LOC (`field`; in the pre-state tables nothing else uses it), where its first
 * reader puts it with a compare-and-swap. This saves a probe of the location table, whose lines
 * mostly miss the caches, on every first access to an existing account or slot; the locations
 * the pre-state lacks are in that table (mv_location). Which of the two a location uses depends
 * only on the pre-state, fixed while the block runs; not with remote state, whose pre-state grows
 * meanwhile (there every location is in the table).
 */
function base_location(kind: u32, b: usize, field: u32, baseAcct: usize): usize {
  const have = <usize>atomic.load<u32>(b + field);
  if (have != 0) return have;
  const mine = new_base_location(kind);
  if (mine == 0) return 0;
  store<u32>(mine + H.V_BASE, <u32>b);
  store<u32>(mine + H.V_BASE_ACCT, <u32>baseAcct);
  const seen = <usize>atomic.cmpxchg<u32>(b + field, 0, <u32>mine);
  return seen == 0 ? mine : seen; // another thread's (an entry of ours is then left unused)
}

/**
 * Notes a location's pre-state entry for the commit. Every thread that reads the location from
 * the pre-state finds the same entry, so only the first writes it: a store of the same value still
 * takes the line from the other cores, and a contract every transaction reads (a token, a proxy's
 * implementation slot) would move between them on each read.
 */
@inline function note_base(p: usize, entry: usize): void {
  if (load<u32>(p) == 0) store<u32>(p, <u32>entry);
}

/**
 * Whether transaction `tx` and the next one are of one sender's run (T_RUN_END): that chain is
 * known and scheduled on one thread, not a sign that the block is serial (serialize_if_conflicted).
 */
@inline function same_run(tx: u32): bool {
  return load<u32>(txr(tx) + H.T_RUN_END) > tx + 1;
}

function record_read(loc: usize, tx: u32, inc: u32, kind: u32): bool {
  if (tx != H.BASE_TX && tx + 1 == load<u32>(g_ctx + L.CTX_TX_INDEX) && !same_run(tx)) g_chained = true;
  const n = load<u32>(g_ctx + L.CTX_READS_COUNT);
  if (n >= load<u32>(g_ctx + L.CTX_READS_CAP)) { set_fatal(L.FATAL_READS); return false; }
  const r = <usize>load<u32>(g_ctx + L.CTX_READS) + <usize>n * H.R_SIZE;
  store<u32>(r + H.R_LOC, <u32>loc);
  store<u32>(r + H.R_TX, tx);
  store<u32>(r + H.R_INC, inc);
  store<u32>(r + H.R_KIND, kind);
  store<u32>(g_ctx + L.CTX_READS_COUNT, n + 1);
  return true;
}

/** Appends a word to the read set, after an R_CREDITED record (two records' room). */
function record_word(p: usize): bool {
  const n = load<u32>(g_ctx + L.CTX_READS_COUNT);
  if (n + 2 > load<u32>(g_ctx + L.CTX_READS_CAP)) { set_fatal(L.FATAL_READS); return false; }
  memory.copy(<usize>load<u32>(g_ctx + L.CTX_READS) + <usize>n * H.R_SIZE, p, 32);
  store<u32>(g_ctx + L.CTX_READS_COUNT, n + 2);
  return true;
}

function block_on(tx: u32): bool {
  store<u32>(g_ctx + L.CTX_BLOCKING, tx);
  set_fatal(L.FATAL_DEPENDENCY);
  return false;
}

/**
 * Sums the coinbase fees of transactions [from, to) into `dst`. Returns the first transaction
 * that has not finished executing (whose fee is unknown), or BASE_TX when all are known.
 */
export function coinbase_fees(from: u32, to: u32, dst: usize): u32 {
  const txs = <usize>load<u32>(stm_header() + H.H_TXS);
  memory.fill(dst, 0, 32);
  for (let k = from; k < to; k++) {
    const t = txs + <usize>k * H.TXR_SIZE;
    const s1 = atomic.load<u32>(t + H.T_STATUS);
    if ((s1 & 3) != H.TS_EXECUTED) return k;
    u256_add(t + H.T_FEE, dst);
    if (atomic.load<u32>(t + H.T_STATUS) != s1) return k; // re-executed meanwhile
  }
  return H.BASE_TX;
}

export function stm_load_account(e: usize): bool {
  const tx = load<u32>(g_ctx + L.CTX_TX_INDEX);
  const addr = e + L.A_ADDR;
  const base = g_remote ? 0 : base_account(addr);
  const loc = base != 0 ? base_location(H.LOC_ACCOUNT, base, L.A_MV_LOC, 0) : mv_location(H.LOC_ACCOUNT, addr, 0);
  if (loc == 0) { set_fatal(L.FATAL_STM_ARENA); return false; }
  store<u32>(e + L.A_MV_LOC, <u32>loc); // publish writes through it
  const buf = g_ctx + L.CTX_SCRATCH + 768;
  if (mv_read(loc, tx, buf, H.VR_SIZE - H.VR_A_FLAGS)) {
    if (g_vr_estimate) return block_on(g_vr_tx);
    const p = buf - H.VR_A_FLAGS;
    store<u32>(e + L.A_FLAGS, load<u32>(p + H.VR_A_FLAGS));
    store<u32>(e + L.A_WIPE, load<u32>(p + H.VR_A_WIPE));
    store<u64>(e + L.A_NONCE, load<u64>(p + H.VR_A_NONCE));
    store<u32>(e + L.A_CODE, load<u32>(p + H.VR_A_CODE));
    memory.copy(e + L.A_BALANCE, p + H.VR_A_BALANCE, 32);
  } else {
    let b = g_remote ? base_account(addr) : base;
    if (b == 0 && g_remote) {
      fetch_account(addr);
      b = base_account(addr);
      if (b == 0) { set_fatal(L.FATAL_REMOTE); return false; }
    }
    if (b != 0) {
      note_base(loc + H.V_BASE, b);
      store<u32>(e + L.A_FLAGS, load<u32>(b + L.A_FLAGS) & (L.AF_EXISTS | L.AF_HAS_STORAGE));
      store<u64>(e + L.A_NONCE, load<u64>(b + L.A_NONCE));
      store<u32>(e + L.A_CODE, load<u32>(b + L.A_CODE));
      memory.copy(e + L.A_BALANCE, b + L.A_BALANCE, 32);
    }
  }
  const vtx = g_vr_tx, vinc = g_vr_inc;
  if (load<u32>(g_ctx + L.CTX_LAZY_TO) != 0 && addr_eq(addr, g_ctx + L.CTX_TO)) {
    if (load<u32>(e + L.A_CODE) == 0) {
      // Credited lazily: its balance is not read, and what this incarnation adds is the credit.
      memory.fill(e + L.A_BALANCE, 0, 32);
      store<u32>(g_ctx + L.CTX_LAZY_ENTRY, <u32>e);
      if (g_prewarm && prewarmed_account(addr)) store<u32>(e + L.A_WARM, g_txid);
      remember_as_loaded(e);
      return record_read(loc, vtx, vinc, H.R_LAZY);
    }
    store<u32>(g_ctx + L.CTX_LAZY_TO, 0); // it has code: an ordinary call
  }
  let kind = H.R_PLAIN;
  // Amounts credited lazily since the version read.
  const credited = g_ctx + L.CTX_SCRATCH + 832;
  const pending = mv_sum_deltas(loc, vtx, tx, credited);
  if (pending != H.BASE_TX) return block_on(pending);
  if (!u256_is_zero(credited)) {
    u256_add(credited, e + L.A_BALANCE);
    store<u32>(e + L.A_FLAGS, load<u32>(e + L.A_FLAGS) | L.AF_EXISTS);
    kind = H.R_CREDITED;
  }
  const h = stm_header();
  if (addr_eq(addr, h + H.H_COINBASE)) {
    // Fees are credited lazily: add those of the transactions since the version read.
    const fees = g_ctx + L.CTX_SCRATCH + 864;
    const from: u32 = vtx == H.BASE_TX ? 0 : vtx;
    const pending = coinbase_fees(from, tx, fees);
    if (pending != H.BASE_TX) return block_on(pending);
    u256_add(fees, e + L.A_BALANCE);
    // Each fee payment touched the coinbase: it exists once it holds a fee (and, before
    // EIP-161, once any transaction paid one, even zero).
    const paid = (load<u64>(fees) | load<u64>(fees, 8) | load<u64>(fees, 16) | load<u64>(fees, 24)) != 0;
    if (paid || (from < tx && g_fork < F.SPURIOUS)) store<u32>(e + L.A_FLAGS, load<u32>(e + L.A_FLAGS) | L.AF_EXISTS);
    const t = <usize>load<u32>(h + H.H_TXS) + <usize>tx * H.TXR_SIZE;
    memory.copy(t + H.T_CB_FEES, fees, 32);
    kind = H.R_COINBASE;
  }
  if (g_prewarm && prewarmed_account(addr)) store<u32>(e + L.A_WARM, g_txid);
  remember_as_loaded(e); // to find what this incarnation changed
  return record_read(loc, vtx, vinc, kind) && (kind != H.R_CREDITED || record_word(credited));
}

export function stm_load_slot(e: usize, acct: usize): bool {
  const tx = load<u32>(g_ctx + L.CTX_TX_INDEX);
  // The account's pre-state entry, as noted by its first reader (a lookup saved on every slot).
  const acctLoc = <usize>load<u32>(acct + L.A_MV_LOC);
  const baseAcct: usize = acctLoc != 0 ? <usize>load<u32>(acctLoc + H.V_BASE) : 0;
  const base: usize = !g_remote && baseAcct != 0 ? base_slot(baseAcct, e + L.S_KEY) : 0;
  const loc = base != 0
    ? base_location(H.LOC_STORAGE, base, L.S_MV_LOC, baseAcct)
    : mv_location(H.LOC_STORAGE, acct + L.A_ADDR, e + L.S_KEY);
  if (loc == 0) { set_fatal(L.FATAL_STM_ARENA); return false; }
  store<u32>(e + L.S_MV_LOC, <u32>loc);
  const wipe = load<u32>(acct + L.A_ORIG_WIPE); // 1 + index of the last transaction that cleared it
  const buf = g_ctx + L.CTX_SCRATCH + 768;
  if (mv_read(loc, tx, buf, 32)) {
    if (g_vr_estimate) return block_on(g_vr_tx);
    if (wipe == 0 || g_vr_tx >= wipe) memory.copy(e + L.S_VALUE, buf, 32);
  } else if (wipe == 0) {
    let b: usize = baseAcct;
    if (b == 0 && g_remote) b = base_account(acct + L.A_ADDR);
    let s: usize = g_remote && b != 0 ? base_slot(b, e + L.S_KEY) : base;
    if (g_remote && s == 0 && (b == 0 || (load<u32>(b + L.A_FLAGS) & L.AF_HAS_STORAGE) != 0)) {
      fetch_slot(acct + L.A_ADDR, e + L.S_KEY);
      b = base_account(acct + L.A_ADDR);
      if (b == 0) { set_fatal(L.FATAL_REMOTE); return false; }
      s = base_slot(b, e + L.S_KEY);
      if (s == 0 && (load<u32>(b + L.A_FLAGS) & L.AF_HAS_STORAGE) != 0) { set_fatal(L.FATAL_REMOTE); return false; }
    }
    if (b != 0) note_base(loc + H.V_BASE_ACCT, b);
    if (s != 0) {
      note_base(loc + H.V_BASE, s);
      memory.copy(e + L.S_VALUE, s + L.S_VALUE, 32);
    }
  }
  if (g_prewarm && prewarmed_slot(acct + L.A_ADDR, e + L.S_KEY)) store<u32>(e + L.S_WARM, g_txid);
  return record_read(loc, g_vr_tx, g_vr_inc, H.R_PLAIN);
}
