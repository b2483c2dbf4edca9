// braid-evm: the browser-safe core. Node adapters: "braid-evm/node"; browser: "braid-evm/browser".
export { Fork, parseFork, forkName, SUPPORTED_FORKS } from "./fork.js";
export { Vm, RegionExhausted } from "./vm/vm.js";
export { runCode } from "./vm/run-code.js";
export type { RunCodeOptions, RunCodeResult } from "./vm/run-code.js";
export type { BlockEnv, Message, TxResult, AccountInit, LogEntry, ExecStatus } from "./vm/types.js";
export { executeBlock, recoverSenders } from "./block/execute.js";
export { blockFromRpc, preStateFromAlloc, transactionFromRpc } from "./block/parse.js";
export { compareResults } from "./block/compare.js";
export { MAINNET, forkAt, type ChainConfig } from "./block/chain.js";
export type { BlockInput, BlockResult, PreState, Receipt } from "./block/types.js";
export { ParallelExecutor, type ParallelOptions, type ParallelStats } from "./parallel/execute.js";
export type { WorkerPool } from "./parallel/pool.js";
export { runStateTests } from "./statetest/run.js";
export { runPrecompile } from "./precompiles/index.js";
export { BraidError, isBraidError } from "./encoding/errors.js";
export * from "./analysis/index.js";
export { RpcStateProvider, JsonRpcClient, fetchBlockFromRpc, compareReceipts, devChain, type RpcBlock, type NodeReceipt } from "./rpc/index.js";
