// Shared structures of parallel block execution (Block-STM, Gelashvili et al., PPoPP'23).
// The host mirrors these offsets through scripts/gen-layout.mjs.

// ---- Header, one per block ----
// The first 128 bytes are written by the host, then read (H_LIMIT and the window marks change a
// few times per block at most). Counters that threads update during the run each own a 64-byte
// line, so updating one does not invalidate the others in the other cores' caches; per-thread
// statistics live in the contexts (CTX_STM_*).
export const H_N: u32 = 0; // transactions
export const H_MV_TABLE: u32 = 24; // u32 pointers to location entries (mv.ts)
export const H_MV_CAP: u32 = 28;
export const H_ARENA_END: u32 = 40;
export const H_TXS: u32 = 44; // transaction records
export const H_MSGS: u32 = 48; // message records
// Transactions that every thread but the first starts with, out of block order ([H_EARLY_COUNT] u32
// indices, staged by the host; see earlyStarts in src/block/staging.ts): those likeliest to run
// longest, so that one late in the block is not begun only when the rest of the block is done.
export const H_EARLY: u32 = 52;
export const H_EARLY_COUNT: u32 = 56;
// The parallel commit's fee sums, a word per chunk of COMMIT_CHUNK transactions (staged by the
// host): the coordinator adds those after the coinbase's last version instead of every fee.
export const H_CHUNK_FEES: u32 = 60;
export const COMMIT_CHUNK: u32 = 32; // transactions whose writes a worker applies at a time
export const H_COINBASE: u32 = 72; // [20]
// Transactions Block-STM runs: H_N, lowered once conflicts make speculation a loss (the host runs
// the rest in order after committing the prefix). H_ADAPTIVE = 1 allows lowering it.
export const H_LIMIT: u32 = 96;
export const H_ADAPTIVE: u32 = 100;
export const H_MARK_EXEC: u32 = 104; // started executions and conflicts when the current window began
export const H_MARK_CONFLICTS: u32 = 108;
export const H_MARK_CHAINED: u32 = 112;
// Set once a published version cleared an account's storage: the commit then runs in block order.
export const H_WIPES: u32 = 116;
export const H_CB_LOC: u32 = 120; // the coinbase's location, noted by the parallel commit
export const H_DEFERRED: u32 = 124; // locations the parallel commit left to the coordinator
export const H_EXEC_IDX: u32 = 128;
export const H_CLAIM_TOP: u32 = 132; // the end of the highest claim of execution indices
export const H_VALID_IDX: u32 = 192;
// The worker contexts of this run ([count] u32 addresses, staged by the host): each holds its
// thread's share of Block-STM's active-task count (CTX_STM_ACTIVE), summed only by check_done, so
// claiming and finishing a task updates a line of the thread's own instead of a shared counter.
export const H_CONTEXTS: u32 = 256;
export const H_CONTEXT_COUNT: u32 = 260;
export const H_DECREASE_CNT: u32 = 320;
export const H_ARENA_TOP: u32 = 384; // shared bump allocator for versions, read/write sets, logs (threads take chunks)
export const H_DONE: u32 = 448;
export const H_ERROR: u32 = 452; // first fatal error (a region ran out): the host falls back
export const H_ABORTS: u32 = 512;
export const H_WAITS: u32 = 516;
// Executions that read a value written by the transaction just before (a dependency chain), but
// not along a run of one sender's transactions (T_RUN_END).
export const H_CHAINED: u32 = 520;
// First incarnations held back for the transaction before them from the same sender or to the same
// recipient (hinted_wait in worker.ts): the serial fallback counts them with the chained executions.
export const H_HELD: u32 = 524;
export const H_COMMIT_NEXT: u32 = 576; // the parallel commit's next chunk of transactions
export const H_COMMIT_DONE: u32 = 580; // transactions whose writes the parallel commit has applied
export const H_FIRST_INVALID: u32 = 584; // 1 + the first transaction the parallel commit found invalid (0: none)
export const H_EARLY_NEXT: u32 = 640; // the next entry of H_EARLY to claim
export const H_EARLY_RUN: u32 = 644; // entries incarnated before the in-order claims reached them
export const H_ROOT_SCRATCH: u32 = 648; // receipts_root_staged: its scratch and where the root goes (set by the host)
export const H_ROOT_OUT: u32 = 652;
// The run's help slot (HS_*, staged by the host; 0: none): a worker in a long precompile hands part
// of it to an idle worker (src/worker/help-desk.ts).
export const H_HELP: u32 = 656;
// Partitioned mode (stm/partition.ts): the plan's order of transactions (u32 each, GROUP_START on a
// group's first), its units (u32 start positions, then the end), their count; the next unit to
// claim and how many threads are done (each on a line of its own).
export const H_PART_ORDER: u32 = 660;
export const H_PART_UNITS: u32 = 664;
export const H_PART_UNIT_COUNT: u32 = 668;
// The plan's inputs (part_plan_stage): threads, the host's list of accounts with code or storage
// (20 bytes each) and its length, the plan's scratch, the fork's precompile count; its result
// (part_plan_staged: the largest group, 0 when the mode is ruled out).
export const H_PART_THREADS: u32 = 672;
export const H_PART_SPECIAL: u32 = 676;
export const H_PART_SPECIAL_COUNT: u32 = 680;
export const H_PART_SCRATCH: u32 = 684;
export const H_PART_PRECOMPILES: u32 = 688;
export const H_PART_LARGEST: u32 = 692;
export const H_PART_NEXT: u32 = 768;
export const H_PART_DONE: u32 = 832;
export const H_SIZE: u32 = 896;

// ---- Help slot: one job a worker hands to another (src/worker/help-desk.ts) ----
// The idle loop of stm_worker takes a posted job through the host (help_run); the rest of the
// protocol lives on the host side.
export const HS_STATE: u32 = 0; // HELP_*
export const HS_WAKE: u32 = 4; // the address nappers wait on (the header's H_DONE), notified on posting
export const HS_MODE: u32 = 8; // HELP_MODE_*
export const HS_KIND: u32 = 12; // which job (the host's registry)
export const HS_IN_LEN: u32 = 16;
export const HS_OUT_LEN: u32 = 20;
export const HS_STATUS: u32 = 24; // HELP_OK, HELP_FAILED (the output is the message) or HELP_UNKNOWN
export const HS_HELPED: u32 = 28; // jobs other threads ran in this run
export const HS_OUT: u32 = 64;
export const HS_OUT_CAP: u32 = 448;
export const HS_IN: u32 = 512;
export const HS_IN_CAP: u32 = 1536;
export const HS_SIZE: u32 = 2048;
export const HELP_EMPTY: u32 = 0;
export const HELP_FILLING: u32 = 1;
export const HELP_POSTED: u32 = 2;
export const HELP_TAKEN: u32 = 3;
export const HELP_DONE: u32 = 4;
export const HELP_MODE_SHARE: u32 = 0; // the poster takes its job back if no one has started it
export const HELP_MODE_WAIT: u32 = 1; // the poster waits for a helper (tests: the helped path, every time)
export const HELP_OK: u32 = 1;
export const HELP_FAILED: u32 = 2;
export const HELP_UNKNOWN: u32 = 3;

// ---- Transaction record ----
export const T_STATUS: u32 = 0; // (incarnation << 2) | TS_*
export const T_LOCK: u32 = 4;
export const T_DEPS: u32 = 8; // dependents: list of [next u32][tx u32] nodes
export const T_READS: u32 = 12; // -> [count u32][R_SIZE records]
export const T_WRITES: u32 = 16; // -> [count u32][(MV entry u32, version record u32)...] sorted by entry
export const T_RESULT: u32 = 20; // STATUS_* of the transaction
export const T_GAS_USED: u32 = 24; // u64
export const T_LOGS: u32 = 32; // -> log records (assembly/interpreter/memory_ops.ts format)
export const T_LOG_COUNT: u32 = 36;
export const T_CREATED: u32 = 40; // [20]
export const T_INVALID: u32 = 60; // INVALID_* reason
export const T_STEPS: u32 = 64; // u64
export const T_TYPE: u32 = 72; // EIP-2718 transaction type (staged by the host)
export const T_LOG_BYTES: u32 = 76; // bytes of the log records at T_LOGS
export const T_SNAP: u32 = 80; // offset of its logs in the host's receipts snapshot (receipts_snapshot)
// One past the last transaction of the run of consecutive transactions from this one's sender
// (staged by the host): the scheduler hands a run to one thread, whose nonces chain in order.
export const T_RUN_END: u32 = 84;
// The transaction before this one with the same recipient, the first with it (NO_TX for a
// creation or none) and how many before it had it (staged by the host). T_TO_CONFLICTS, in the
// first one's record, counts the aborts and waits of transactions to that recipient: see
// hinted_wait in worker.ts.
export const T_PREV_TO: u32 = 88;
export const T_TO_FIRST: u32 = 92;
export const T_FEE: u32 = 96; // word: priority fee owed to the coinbase
export const T_CB_FEES: u32 = 128; // word: fees of earlier transactions this one saw in the coinbase balance
export const T_TO_CONFLICTS: u32 = 160;
export const T_TO_RANK: u32 = 164;
// The transaction before this one from its sender, NO_TX when none (staged by the host): this one's
// nonce comes from there, so it waits for it (hinted_wait in worker.ts).
export const T_PREV_FROM: u32 = 168;
export const T_BLOOM: u32 = 192; // [256] logs bloom (written only when T_LOG_COUNT > 0)
export const TXR_SIZE: u32 = 448;

export const TS_READY: u32 = 0;
export const TS_EXECUTING: u32 = 1;
export const TS_EXECUTED: u32 = 2;
export const TS_ABORTING: u32 = 3;

// ---- Message record (what the host staged for each transaction) ----
export const M_CALLER: u32 = 0; // [20]
export const M_TO: u32 = 20; // [20]
export const M_IS_CREATE: u32 = 40;
export const M_DATA_PTR: u32 = 44;
export const M_DATA_LEN: u32 = 48;
export const M_ACCESS_PTR: u32 = 52;
export const M_ACCESS_COUNT: u32 = 56;
export const M_BLOB_PTR: u32 = 60;
export const M_BLOB_COUNT: u32 = 64;
export const M_GAS_LIMIT: u32 = 72; // u64
export const M_INTRINSIC: u32 = 80; // u64
export const M_NONCE: u32 = 88; // u64
export const M_VALUE: u32 = 96; // word
export const M_GASPRICE: u32 = 128;
export const M_PRIORITY: u32 = 160;
export const M_UPFRONT: u32 = 192;
export const M_MAXCOST: u32 = 224;
export const MSG_SIZE: u32 = 256;

// ---- Multi-version memory: one entry per location (allocated from the arena) ----
// A location the pre-state holds is found through its pre-state entry (base_location in load.ts)
// and needs only the first MV_BASE_SIZE bytes; one the location table holds (mv_location) also
// keeps its key, V_ADDR and V_SLOT, after them.
export const V_KIND: u32 = 0; // LOC_*
export const V_LOCK: u32 = 4;
export const V_HEAD: u32 = 8; // newest version first
// Account locations: amounts credited lazily (VF_DELTA versions, newest first), kept apart from
// V_HEAD so that a transaction crediting the account finds the newest whole version without
// walking the credits of the transactions before it (see lazy recipients in load.ts).
export const V_DELTAS: u32 = 12;
// The location's entry in the coordinator's tables (the shared pre-state), noted by the first
// thread that read it from there (0: not read from there), so the commit need not look it up.
export const V_BASE: u32 = 16; // account entry, or storage entry
export const V_BASE_ACCT: u32 = 20; // storage locations: the account's entry
export const MV_BASE_SIZE: u32 = 24;
export const V_ADDR: u32 = 24; // [20]
export const V_SLOT: u32 = 48; // word (storage locations)
export const MV_SIZE: u32 = 80;
export const MV_PAIR_SIZE: u32 = 8; // a location table slot: (hash, entry address), see mv.ts
// stm_commit's answer while a worker has not finished its share of the commit (nothing changed).
export const COMMIT_UNFINISHED: u32 = 0xfffffffe;
export const LOC_ACCOUNT: u32 = 1;
export const LOC_STORAGE: u32 = 2;

// ---- Version record ----
export const VR_NEXT: u32 = 0;
export const VR_TX: u32 = 4;
export const VR_INC: u32 = 8;
export const VR_FLAGS: u32 = 12; // VF_*
export const VR_A_FLAGS: u32 = 16; // account payload
export const VR_A_WIPE: u32 = 20;
export const VR_A_NONCE: u32 = 24;
export const VR_A_CODE: u32 = 32;
export const VR_A_BALANCE: u32 = 48;
export const VR_S_VALUE: u32 = 16; // storage payload
export const VR_SIZE: u32 = 80;
export const VF_ESTIMATE: u32 = 1;
export const VF_DELTA: u32 = 2; // an amount credited to the account's balance (VR_A_BALANCE), not a whole account

// ---- Read record ----
export const R_LOC: u32 = 0;
export const R_TX: u32 = 4; // BASE_TX when the value came from the pre-state
export const R_INC: u32 = 8;
export const R_KIND: u32 = 12; // R_PLAIN, R_COINBASE, R_LAZY or R_CREDITED
export const R_SIZE: u32 = 16;
export const R_PLAIN: u32 = 0;
export const R_COINBASE: u32 = 1; // fees of earlier transactions added
// The transaction's recipient, credited lazily: only its code was read (it has none).
export const R_LAZY: u32 = 2;
// Amounts credited lazily since the version read were added: their sum follows in the next two
// records (32 bytes), for validation.
export const R_CREDITED: u32 = 3;
export const BASE_TX: u32 = 0xffffffff;
export const NO_TX: u32 = 0xffffffff;
