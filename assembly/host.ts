// Functions the host provides. Cryptography other than Keccak comes from audited libraries on
// the host side (src/precompiles).

/** Runs precompile `id` on input; writes the output to `out` (capacity `cap`) and its length to
 *  `outLenPtr`. Returns the gas used, or -1 on failure (all gas consumed). */
@external("env", "precompile")
export declare function host_precompile(id: u32, input: usize, len: u32, gas: i64, fork: u32, out: usize, cap: u32, outLenPtr: usize): i64;

/** Writes the 32-byte hash of block `number` to `out` (zeros when unknown). */
@external("env", "block_hash")
export declare function host_block_hash(number: u64, out: usize): void;

/** Opens this thread's help desk on the run's help slot, or closes it (0): src/worker/help-desk.ts. */
@external("env", "help_desk")
export declare function host_help_desk(slot: usize): void;

/** Runs the job posted in the help slot, unless another thread took it first. */
@external("env", "help_run")
export declare function host_help_run(slot: usize): void;
