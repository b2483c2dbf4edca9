// braid-evm: public API.
export { Fork, parseFork, forkName, SUPPORTED_FORKS } from "./fork.js";
export { Vm, RegionExhausted } from "./vm/vm.js";
export { runCode } from "./vm/run-code.js";
export type { RunCodeOptions, RunCodeResult } from "./vm/run-code.js";
export type { BlockEnv, Message, TxResult, AccountInit, LogEntry, ExecStatus } from "./vm/types.js";
export { runStateTests } from "./statetest/run.js";
export { runPrecompile } from "./precompiles/index.js";
