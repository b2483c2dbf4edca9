// Per-worker registers. Wasm globals belong to one instance, and each worker thread has its own
// instance, so these are thread-local; everything they point to lives in shared linear memory.
import * as L from "./layout";

export let g_ctx: usize = 0;
export let g_fork: u32 = 0;
export let g_txid: u32 = 0;
export let g_opinfo: usize = 0;
export let g_scratch: usize = 0;

export let g_acct_table: usize = 0;
export let g_acct_mask: u32 = 0;
export let g_stor_table: usize = 0;
export let g_stor_mask: u32 = 0;
export let g_tstor_table: usize = 0;
export let g_tstor_mask: u32 = 0;
export let g_code_table: usize = 0;
export let g_code_mask: u32 = 0;

export let g_journal: usize = 0;
export let g_journal_cap: u32 = 0;
export let g_journal_len: u32 = 0;
export let g_epoch: u32 = 0; // epoch of the running frame
export let g_epoch_counter: u32 = 0;
export let g_refund: i64 = 0;

export let g_log_end: usize = 0;
export let g_log_count: u32 = 0;
export let g_fatal: u32 = 0;
export let g_gen: u32 = 1; // generation of the local tables
export let g_parallel: bool = false;
// Partitioned mode (stm/partition.ts): this context runs a group of transactions no other touches.
export let g_partition: bool = false;
export let g_remote: bool = false; // state may be missing from the tables (src/remote/)
export let g_ooo: bool = false; // run ahead at a stall (remote/runahead.ts)
// The state-reading instruction being executed (0 outside one): where run-ahead starts.
export let g_op_pc: usize = 0;
export let g_op_sp: usize = 0;

export function load_globals(ctx: usize): void {
  g_ctx = ctx;
  g_fork = load<u32>(ctx + L.CTX_FORK);
  g_opinfo = ctx + L.CTX_OPINFO;
  g_scratch = ctx + L.CTX_SCRATCH;
  g_acct_table = load<u32>(ctx + L.CTX_ACCT_TABLE);
  g_acct_mask = load<u32>(ctx + L.CTX_ACCT_CAP) - 1;
  g_stor_table = load<u32>(ctx + L.CTX_STOR_TABLE);
  g_stor_mask = load<u32>(ctx + L.CTX_STOR_CAP) - 1;
  g_tstor_table = load<u32>(ctx + L.CTX_TSTOR_TABLE);
  g_tstor_mask = load<u32>(ctx + L.CTX_TSTOR_CAP) - 1;
  g_code_table = load<u32>(ctx + L.CTX_CODE_TABLE);
  g_code_mask = load<u32>(ctx + L.CTX_CODE_CAP) - 1;
  g_journal = load<u32>(ctx + L.CTX_JOURNAL);
  g_journal_cap = load<u32>(ctx + L.CTX_JOURNAL_CAP);
  g_parallel = load<u32>(ctx + L.CTX_PARALLEL) == 1;
  g_partition = load<u32>(ctx + L.CTX_PARALLEL) == 2;
  g_gen = load<u32>(ctx + L.CTX_GEN);
  const remote = load<u32>(ctx + L.CTX_REMOTE);
  g_remote = (remote & L.REMOTE_ON) != 0;
  g_ooo = (remote & L.REMOTE_OOO) != 0;
  if (g_gen == 0) { g_gen = 1; store<u32>(ctx + L.CTX_GEN, 1); }
}

/** Records the first resource that ran out; execution unwinds as an exceptional halt. */
export function set_fatal(reason: u32): void {
  if (g_fatal == 0) g_fatal = reason;
}
