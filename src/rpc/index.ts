// State and blocks from a JSON-RPC node, verified against headers (see provider.ts).
export { JsonRpcClient, type JsonRpcClientOptions, type FetchLike, type RpcCall, type RpcSettled } from "./client.js";
export { verifyHeader, computeHeaderHash, type RpcHeader } from "./header.js";
export { verifyAccountProof, verifyStorageProof, type ProvenAccount } from "./proof.js";
export { RpcStateProvider, type RpcStateProviderOptions, type RpcProviderStats } from "./provider.js";
export { fetchBlockFromRpc, checkBlockBody, type RpcBlock } from "./block.js";
export { compareReceipts, receiptFromRpc, type NodeReceipt } from "./receipts.js";
export { devChain, forkFromHeader, chainForNode } from "./chain.js";
