// The dataflow / ILP analysis of EVM bytecode (see the files' headers for the models).
export { analyzeCode, blockGraph, constantStateReads, clearAnalysisCache, type CodeAnalysis, type ConstantStateReads } from "./cache.js";
export { splitBlocks, type BasicBlock } from "./blocks.js";
export type { BlockSummary, BlockGraph, DepNode, Operand, KeyInfo, LongLatencyOp } from "./dataflow.js";
export type { Provenance } from "./provenance.js";
export { summarizeContract, hotBlocks, ilpDistribution, weightedStats, type BlockCounts, type BlockRow, type ContractSummary, type IlpDistribution, type IlpStats } from "./report.js";
export { profileRun, mergeProfiles, type CodeProfile, type ProfileResult } from "./profile.js";
export { profileBlock, profileCode, type ProfiledCode, type Workload } from "./workload.js";
