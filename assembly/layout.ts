// Byte offsets of the structures Braid keeps in linear memory. The host (src/wasm/layout.ts)
// mirrors these numbers; change both together.

// ---- Worker context: one block per worker, at the address passed to `worker_init`. ----
export const CTX_FORK: u32 = 0; // u32 fork id (fork.ts)
export const CTX_TXID: u32 = 8; // u32 stamp of the running transaction (warm/original stamps)
export const CTX_BLOCK_GAS_LIMIT: u32 = 16; // u64
export const CTX_NUMBER: u32 = 24; // u64
export const CTX_TIMESTAMP: u32 = 32; // u64
export const CTX_COINBASE: u32 = 40; // [20]
export const CTX_ORIGIN: u32 = 64; // [20]
export const CTX_CHAINID: u32 = 96; // [32] word (LE limbs)
export const CTX_BASEFEE: u32 = 128; // word
export const CTX_PREVRANDAO: u32 = 160; // word: DIFFICULTY before the merge
export const CTX_BLOBBASEFEE: u32 = 192; // word
export const CTX_GASPRICE: u32 = 224; // word: effective gas price
export const CTX_BLOBHASHES_PTR: u32 = 256; // u32 -> count*32 bytes, big-endian hashes
export const CTX_BLOBHASHES_COUNT: u32 = 260; // u32
// Transaction message (written by the host before tx_execute)
export const CTX_CALLER: u32 = 288; // [20]
export const CTX_TO: u32 = 320; // [20]
export const CTX_VALUE: u32 = 352; // word
export const CTX_DATA_PTR: u32 = 384; // u32
export const CTX_DATA_LEN: u32 = 388; // u32
export const CTX_GAS_LIMIT: u32 = 392; // u64 transaction gas limit
export const CTX_INTRINSIC: u32 = 400; // u64 intrinsic gas (already validated <= gas limit)
export const CTX_IS_CREATE: u32 = 408; // u32
export const CTX_ACCESS_PTR: u32 = 412; // u32 -> access list: [addr20][nkeys u32][keys 32*n] ...
export const CTX_ACCESS_COUNT: u32 = 416; // u32 number of addresses
export const CTX_UPFRONT: u32 = 448; // word: gasLimit*gasPrice (+ blob fee) taken from the sender
export const CTX_PRIORITY: u32 = 480; // word: priority fee per gas paid to the coinbase
export const CTX_BLOBFEE: u32 = 512; // word: blob gas fee (burned)
// Results
export const CTX_STATUS: u32 = 544; // u32 Status
export const CTX_GAS_USED: u32 = 552; // u64 gas used after refund
export const CTX_GAS_LEFT: u32 = 560; // u64 gas left at the end of execution (before refund)
export const CTX_REFUND: u32 = 568; // i64 refund counter at the end (before the cap)
export const CTX_OUT_PTR: u32 = 576; // u32
export const CTX_OUT_LEN: u32 = 580; // u32
export const CTX_LOG_COUNT: u32 = 584; // u32 logs of this transaction
export const CTX_LOG_END: u32 = 588; // u32 end of the used log arena
export const CTX_CREATED: u32 = 592; // [20] address of a created contract
export const CTX_FATAL: u32 = 616; // u32 Fatal reason (resource exhausted)
export const CTX_STEPS: u32 = 624; // u64 instructions executed (statistics)
export const CTX_PC_OUT_LEN: u32 = 632; // u32 output length of the last precompile call
export const CTX_SYSTEM: u32 = 636; // u32: 1 for a system call (EIP-4788): no nonce, fees or refund
// Regions (host-assigned). *_CAP in entries unless said otherwise.
export const CTX_ACCT_TABLE: u32 = 640;
export const CTX_ACCT_CAP: u32 = 644;
export const CTX_ACCT_COUNT: u32 = 648;
export const CTX_STOR_TABLE: u32 = 652;
export const CTX_STOR_CAP: u32 = 656;
export const CTX_STOR_COUNT: u32 = 660;
export const CTX_TSTOR_TABLE: u32 = 664;
export const CTX_TSTOR_CAP: u32 = 668;
export const CTX_TSTOR_COUNT: u32 = 672;
export const CTX_CODE_TABLE: u32 = 676;
export const CTX_CODE_CAP: u32 = 680;
export const CTX_CODE_COUNT: u32 = 684;
export const CTX_CODE_ARENA: u32 = 688; // u32 start
export const CTX_CODE_ARENA_END: u32 = 692; // u32 end (bytes)
export const CTX_CODE_ARENA_TOP: u32 = 696; // u32 bump pointer (atomic)
export const CTX_JOURNAL: u32 = 700;
export const CTX_JOURNAL_CAP: u32 = 704;
export const CTX_STACK: u32 = 708; // 1025 frames * STACK_BYTES
export const CTX_FRAMES: u32 = 712; // 1025 * FRAME_SIZE
export const CTX_MEM: u32 = 716; // EVM memory arena start
export const CTX_MEM_END: u32 = 720;
export const CTX_RDATA: u32 = 724; // return data arena start
export const CTX_RDATA_END: u32 = 728;
export const CTX_LOG: u32 = 732; // log arena start
export const CTX_LOG_END_CAP: u32 = 736; // log arena end
export const CTX_TOUCHED: u32 = 740; // u32[] accounts touched by this transaction
export const CTX_TOUCHED_CAP: u32 = 744;
export const CTX_TOUCHED_COUNT: u32 = 748;
// Parallel execution (Block-STM); zero in sequential mode.
export const CTX_PARALLEL: u32 = 752; // u32: 1 when this worker executes against multi-version memory, 2 in partitioned mode (stm/partition.ts)
export const CTX_GEN: u32 = 756; // u32 generation of the local tables (entries of older ones are free)
export const CTX_BASE_ACCT_TABLE: u32 = 760; // shared pre-state account table
export const CTX_BASE_ACCT_CAP: u32 = 764;
export const CTX_BASE_STOR_TABLE: u32 = 768;
export const CTX_BASE_STOR_CAP: u32 = 772;
export const CTX_STM: u32 = 776; // u32 -> STM header (stm/layout.ts)
export const CTX_TX_INDEX: u32 = 780; // u32 index in the block of the running transaction
export const CTX_DIRTY: u32 = 784; // u32[] storage entries written by this incarnation
export const CTX_DIRTY_CAP: u32 = 788;
export const CTX_DIRTY_COUNT: u32 = 792;
export const CTX_READS: u32 = 796; // read-set buffer of this incarnation (stm/layout.ts R_*)
export const CTX_READS_CAP: u32 = 800;
export const CTX_READS_COUNT: u32 = 804;
export const CTX_BLOCKING: u32 = 808; // u32 transaction this incarnation must wait for
export const CTX_TX_NONCE: u32 = 816; // u64 nonce the transaction carries (checked in parallel mode)
export const CTX_MAX_COST: u32 = 832; // word: balance the sender must hold (checked in parallel mode)
export const CTX_CHECK_SENDER: u32 = 908; // u32: check nonce, balance and EIP-3607 in wasm (staged blocks)
export const CTX_BASE_GEN: u32 = 904; // u32 generation of the shared pre-state tables
export const CTX_CODE_HOME: u32 = 900; // u32 context holding the shared code counters (0: this one)
export const CTX_FEE: u32 = 864; // word: parallel mode: the fee owed to the coinbase (credited at commit)
// Remote state (src/remote/): accounts and slots missing from the tables are asked of the host.
export const CTX_REMOTE: u32 = 912; // u32 REMOTE_* flags
export const CTX_REQ: u32 = 916; // u32 -> request records (REQ_*), filled before each state_fetch
export const CTX_REQ_CAP: u32 = 920;
export const CTX_REQ_COUNT: u32 = 924;
export const CTX_RA: u32 = 928; // u32 -> run-ahead scratch region (RA_REGION bytes)
export const CTX_BLOCKHASHES: u32 = 932; // u32 -> 256 * BH_SIZE ring of known block hashes (0: ask the import)
export const CTX_FETCH_FLAG: u32 = 936; // i32 ticket of the last answered fetch (the host stores it, then notifies)
export const CTX_EPOCHS: u32 = 940; // u32 journal epoch counter, carried between instances sharing a context
export const CTX_FETCHES: u32 = 944; // u32 statistics: state_fetch calls (stalls) by this context
export const CTX_RA_RUNS: u32 = 948; // u32 run-ahead episodes
export const CTX_RA_STEPS: u32 = 952; // u32 instructions executed ahead
export const CTX_RA_FOUND: u32 = 956; // u32 extra reads run-ahead added to stalls
export const CTX_FETCH_TICKET: u32 = 960; // i32 ticket of the worker's latest fetch (it waits for that answer)
export const CTX_ACCT_LIST: u32 = 964; // u32 -> u32[] account entries in insertion order (0: not kept)
export const CTX_STOR_LIST: u32 = 968; // u32 -> u32[] storage entries in insertion order (0: not kept)
export const CTX_ZERO_TABLES: u32 = 972; // u32: 1 when the local tables must be zeroed before use (fresh Block-STM context)
export const CTX_STM_EXECUTIONS: u32 = 976; // u32 statistics of this Block-STM thread: incarnations executed
export const CTX_STM_VALIDATIONS: u32 = 980; // u32 validations done
export const CTX_STM_ACTIVE: u32 = 996; // u32 Block-STM tasks this thread holds (stm/scheduler.ts)
export const CTX_ARENA_CUR: u32 = 984; // u32 this thread's chunk of the STM arena: next free byte
export const CTX_ARENA_END: u32 = 988; // u32 end of the chunk
export const CTX_ARENA_HDR: u32 = 992; // u32 the STM header the chunk belongs to
// u32: 1 when this incarnation's recipient may be credited lazily (stm/load.ts,
// lazy_recipient_eligible), and the recipient's entry once it was (0: none).
export const CTX_LAZY_TO: u32 = 1000;
export const CTX_LAZY_ENTRY: u32 = 1004;
export const CTX_STM_CREDITS: u32 = 1008; // u32 statistics: incarnations that credited their recipient lazily
// u32: the generation of the Keccak memo's entries (crypto/keccak_memo.ts). A reset of the same
// context starts a new one instead of zeroing the memo; a Block-STM worker's is 0 (it zeroes).
export const CTX_MEMO_GEN: u32 = 1016;
// u32: the fork + 1 whose opcode info CTX_OPINFO holds (0: none yet). worker_init builds the info
// only when the fork changed, and a reset of the same context keeps both (vm.ts).
export const CTX_OPINFO_FORK: u32 = 1020;
export const CTX_OPINFO: u32 = 1024; // 256 * u32 per-fork opcode info, built by worker_init
export const CTX_OPINFO_END: u32 = CTX_OPINFO + 256 * 4;
export const CTX_BLOOM: u32 = 3072; // [256] logs bloom of the last transaction
export const CTX_SCRATCH: u32 = 2048; // 1 KiB scratch words for the interpreter (2048..3072)
// Keccak-256 of short inputs seen by this context (crypto/keccak_memo.ts): entries of CTX_MEMO_GEN.
export const CTX_KECCAK_MEMO: u32 = 4096;
export const KECCAK_MEMO_ENTRIES: u32 = 128;
export const KECCAK_MEMO_ENTRY: u32 = 128;
export const CTX_SIZE: u32 = CTX_KECCAK_MEMO + KECCAK_MEMO_ENTRIES * KECCAK_MEMO_ENTRY;

// Status of a finished transaction (CTX_STATUS)
export const STATUS_SUCCESS: u32 = 0;
export const STATUS_REVERT: u32 = 1;
export const STATUS_HALT: u32 = 2; // exceptional halt: all gas consumed
export const STATUS_FATAL: u32 = 3; // Braid ran out of a host-sized region; see CTX_FATAL

export const FATAL_NONE: u32 = 0;
export const FATAL_ACCOUNTS: u32 = 1;
export const FATAL_STORAGE: u32 = 2;
export const FATAL_TRANSIENT: u32 = 3;
export const FATAL_JOURNAL: u32 = 4;
export const FATAL_CODE: u32 = 5;
export const FATAL_MEMORY: u32 = 6;
export const FATAL_RDATA: u32 = 7;
export const FATAL_LOGS: u32 = 8;
export const FATAL_TOUCHED: u32 = 9;
export const FATAL_DEPENDENCY: u32 = 10; // read an ESTIMATE: wait for CTX_BLOCKING (not a resource)
export const FATAL_READS: u32 = 11;
export const FATAL_STM_ARENA: u32 = 12;
export const FATAL_REMOTE: u32 = 13; // the host did not answer a state request (a bug or a full list)
export const FATAL_PARTITION: u32 = 14; // partitioned mode met what its plan ruled out (code, storage): the host runs the block otherwise
export const STATUS_INVALID: u32 = 4; // parallel mode: nonce/balance/EOA check failed (CTX_FATAL holds the reason)
export const INVALID_NONCE: u32 = 1;
export const INVALID_BALANCE: u32 = 2;
export const INVALID_NOT_EOA: u32 = 3;

export const REMOTE_ON: u32 = 1; // state may be missing: ask the host
export const REMOTE_OOO: u32 = 2; // run ahead at a stall to batch further reads

// ---- Remote state requests (written by wasm, read by the host) ----
export const REQ_KIND: u32 = 0; // u32 REQ_ACCOUNT | REQ_SLOT | REQ_BLOCKHASH
export const REQ_ADDR: u32 = 4; // [20]
export const REQ_KEY: u32 = 32; // word (LE limbs); block number for REQ_BLOCKHASH
export const REQ_SIZE: u32 = 64;
export const REQ_ACCOUNT: u32 = 1;
export const REQ_SLOT: u32 = 2;
export const REQ_BLOCKHASH: u32 = 3;
export const BH_NUMBER: u32 = 0; // u64 block number + 1 (0: empty)
export const BH_HASH: u32 = 8; // [32] big-endian
export const BH_SIZE: u32 = 40;
export const RA_REGION: u32 = 1 << 20; // run-ahead scratch bytes per context

// ---- Account entry (open-addressing table keyed by address) ----
export const A_ADDR: u32 = 0; // [20]
export const A_USED: u32 = 20; // u32: generation of the entry; other values mean a free slot
export const A_FLAGS: u32 = 24; // u32 AF_*
export const A_EPOCH: u32 = 28; // u32 journal epoch of the last journaled change
export const A_NONCE: u32 = 32; // u64
export const A_CODE: u32 = 40; // u32 code record, 0 = no code
export const A_WARM: u32 = 44; // u32 tx stamp when warm (EIP-2929)
export const A_TOUCHLIST: u32 = 48; // u32 tx stamp when put on the touched list
export const A_WIPE: u32 = 52; // u32: 1 + index of the transaction that last cleared the storage (parallel)
export const A_ORIG_FLAGS: u32 = 56; // u32 flags as loaded: per incarnation in a worker's table, before the block in the host's (state diff)
export const A_BALANCE: u32 = 64; // word
export const A_ORIG_NONCE: u32 = 96; // u64
export const A_ORIG_CODE: u32 = 104; // u32
export const A_ORIG_WIPE: u32 = 108; // u32
export const A_MV_LOC: u32 = 112; // u32: the account's multi-version location (parallel; in a worker's table and in the pre-state's, see base_location)
export const A_ORIG_BALANCE: u32 = 128; // word
export const ACCT_SIZE: u32 = 192;

// A pre-state account as the host stages it for state_put_accounts: address (20 bytes), code record
// (u32; the entry on return), nonce (u64), balance (word).
export const PUT_ACCOUNT_SIZE: u32 = 64;

export const AF_EXISTS: u32 = 1;
export const AF_TOUCHED: u32 = 2; // touched (EIP-161) by this transaction
export const AF_DESTRUCTED: u32 = 4; // SELFDESTRUCT took effect: delete at the end of the tx
export const AF_CREATED: u32 = 8; // created by this transaction (EIP-6780)
export const AF_HAS_STORAGE: u32 = 16; // had non-empty storage in the pre-state (EIP-7610)
export const AF_STORAGE_WRITTEN: u32 = 32; // a slot was written in this table: deleting must wipe it

// ---- Storage entry (table keyed by account entry + slot); transient entries use the same ----
export const S_KEY: u32 = 0; // word slot (LE limbs)
export const S_ACCT: u32 = 32; // u32 account entry
export const S_USED: u32 = 36; // u32 generation (see A_USED)
export const S_EPOCH: u32 = 40; // u32
export const S_WARM: u32 = 44; // u32 tx stamp
export const S_ORIGSTAMP: u32 = 48; // u32 tx stamp when S_ORIG was captured
export const S_VALUE: u32 = 64; // word
export const S_ORIG: u32 = 96; // word: value at the start of the transaction (EIP-2200)
export const S_DIRTY: u32 = 52; // u32 tx stamp when put on the dirty list (parallel)
export const S_MV_LOC: u32 = 56; // u32: the slot's multi-version location (parallel; in a worker's table and in the pre-state's)
export const S_PRE: u32 = 128; // word: value before the block (0 for a slot created during it); the state diff compares with it
export const STOR_SIZE: u32 = 160;

// ---- Code record (table keyed by the code's bytes, state/code.ts) ----
export const C_HASH: u32 = 0; // [32] keccak256 of the code, big-endian bytes, once C_HASHED is 2 (code_hash)
export const C_USED: u32 = 32;
export const C_LEN: u32 = 36;
export const C_CODE: u32 = 40; // u32 -> code followed by 33 zero bytes of padding
export const C_BITMAP: u32 = 44; // u32 -> jumpdest bitmap, one bit per code byte
export const C_KEY: u32 = 48; // u64 digest of the bytes that places the record in the table
export const C_HASHED: u32 = 56; // u32 0: C_HASH not computed, 1: being computed, 2: computed
export const CODE_REC_SIZE: u32 = 64;

// ---- Journal entry ----
export const J_TYPE: u32 = 0;
export const J_PTR: u32 = 4;
export const J_OLD32: u32 = 8; // u32 old flags / old stamp
export const J_EPOCH: u32 = 12; // u32 old epoch
export const J_NONCE: u32 = 16; // u64
export const J_CODE: u32 = 24; // u32
export const J_WORD: u32 = 32; // word: old balance / old value
export const JOURNAL_SIZE: u32 = 64;
export const JT_ACCOUNT: u32 = 1;
export const JT_STORAGE: u32 = 2;
export const JT_TRANSIENT: u32 = 3;
export const JT_WARM_ACCOUNT: u32 = 4;
export const JT_WARM_SLOT: u32 = 5;

// ---- Call frame record ----
export const F_KIND: u32 = 0; // u32 FK_*
export const F_DEPTH: u32 = 4;
export const F_PC: u32 = 8; // u32 absolute address of the next instruction
export const F_SP: u32 = 12; // u32 stack pointer (next free slot)
export const F_GAS: u32 = 16; // i64
export const F_CODE: u32 = 24; // u32 code start
export const F_CODE_LEN: u32 = 28;
export const F_BITMAP: u32 = 32;
export const F_STACK: u32 = 36; // stack base
export const F_MEM: u32 = 40; // memory start
export const F_MEM_SIZE: u32 = 44; // bytes (multiple of 32)
export const F_RDATA: u32 = 48; // this frame's return-data buffer
export const F_RDATA_LEN: u32 = 52;
export const F_INPUT: u32 = 56; // calldata pointer
export const F_INPUT_LEN: u32 = 60;
export const F_STATIC: u32 = 64;
export const F_ACCT: u32 = 68; // account entry of ADDRESS
export const F_ADDR: u32 = 72; // [20]
export const F_CALLER: u32 = 92; // [20]
export const F_VALUE: u32 = 112; // word
export const F_CP_JOURNAL: u32 = 144; // checkpoint: journal length
export const F_CP_LOG_END: u32 = 148; // checkpoint: log arena end
export const F_CP_LOG_COUNT: u32 = 152;
export const F_CP_EPOCH: u32 = 156; // epoch of the caller, restored on return
export const F_CP_REFUND: u32 = 160; // i64
export const F_RET_OFF: u32 = 168; // caller memory offset for the output
export const F_RET_SIZE: u32 = 172;
export const F_EPOCH: u32 = 176; // this frame's journal epoch
export const F_CODE_REC: u32 = 180; // code record (0 for init code)
export const FRAME_SIZE: u32 = 192;

export const FK_CALL: u32 = 0;
export const FK_CALLCODE: u32 = 1;
export const FK_DELEGATECALL: u32 = 2;
export const FK_STATICCALL: u32 = 3;
export const FK_CREATE: u32 = 4;
export const FK_CREATE2: u32 = 5;

export const STACK_BYTES: u32 = 1024 * 32;
export const MAX_DEPTH: u32 = 1024;
