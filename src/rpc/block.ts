// A block and the node's receipts for it, in one round trip (two if the node lacks
// eth_getBlockReceipts; one more for a block with uncles). The header must hash to its hash, the
// transactions, withdrawals and uncle headers to their roots in it, and the node's receipts to
// its receiptsRoot.
import { blockFromRpc } from "../block/parse.js";
import { receiptsRoot } from "../block/receipts.js";
import type { BlockInput, UncleHeader } from "../block/types.js";
import { BraidError } from "../encoding/errors.js";
import { bytesToHex, equalBytes, hexToBigInt, hexToBytes } from "../encoding/hex.js";
import { rlpEncode } from "../encoding/rlp.js";
import { ordinalTrieRoot } from "../trie/state-root.js";
import { encodeTransaction } from "../tx/decode.js";
import { transactionHash } from "../tx/sign.js";
import type { JsonRpcClient } from "./client.js";
import { headerFields, verifyHeader, type RpcHeader } from "./header.js";
import { keccak256 } from "../trie/mpt.js";
import { asReceipt, receiptFromRpc, type NodeReceipt } from "./receipts.js";
import { MAINNET, forkAt } from "../block/chain.js";
import { Fork } from "../fork.js";

export interface RpcBlock {
  block: BlockInput;
  /** The node's receipts, checked against the header's receiptsRoot (from Byzantium on). */
  receipts: NodeReceipt[];
  /** Verified header; `header.json` is the full block object (pass it to RpcStateProvider.create). */
  header: RpcHeader;
  chainId: bigint;
}

const quantity = (n: bigint) => "0x" + n.toString(16);

/**
 * Checks a block's transactions against the verified header's transactionsRoot and, from
 * Shanghai on, its withdrawals (they credit balances) against its withdrawalsRoot.
 */
export function checkBlockBody(header: RpcHeader, block: BlockInput): void {
  const number = header.number;
  if (!equalBytes(ordinalTrieRoot(block.transactions.map(encodeTransaction)), header.transactionsRoot)) {
    throw new BraidError("BLOCK_INVALID", `block ${number}: its transactions do not hash to its transactionsRoot ${bytesToHex(header.transactionsRoot)}`);
  }
  if (!header.optional.includes("withdrawalsRoot")) return;
  const list = header.json.withdrawals;
  if (!Array.isArray(list)) throw new BraidError("BLOCK_INVALID", `block ${number}: 'withdrawals' is missing`);
  let root: Uint8Array;
  try {
    root = ordinalTrieRoot(list.map((w: Record<string, string>) =>
      rlpEncode([hexToBigInt(w.index!), hexToBigInt(w.validatorIndex!), hexToBytes(w.address!), hexToBigInt(w.amount!)])));
  } catch (e) {
    throw new BraidError("BLOCK_INVALID", `block ${number}: malformed withdrawal: ${(e as Error).message}`);
  }
  if (!equalBytes(root, hexToBytes(header.json.withdrawalsRoot as string))) {
    throw new BraidError("BLOCK_INVALID", `block ${number}: its withdrawals do not hash to its withdrawalsRoot`);
  }
}

export async function fetchBlockFromRpc(client: JsonRpcClient, number: bigint, opts: { trustedHash?: Uint8Array } = {}): Promise<RpcBlock> {
  const tag = quantity(number);
  const [blockRes, chainRes, receiptsRes] = await client.batchSettled([
    { method: "eth_getBlockByNumber", params: [tag, true] },
    { method: "eth_chainId", params: [] },
    { method: "eth_getBlockReceipts", params: [tag] },
  ]);
  if (!blockRes!.ok) throw blockRes!.error;
  if (!chainRes!.ok) throw chainRes!.error;
  const header = verifyHeader(blockRes!.result, opts.trustedHash, `block ${number}`);
  const block = blockFromRpc(header.json);
  checkBlockBody(header, block);
  block.uncleHeaders = await fetchUncles(client, header, block);
  const hashes = block.transactions.map(transactionHash);

  let raw: unknown[];
  if (receiptsRes!.ok && Array.isArray(receiptsRes!.result)) raw = receiptsRes!.result;
  else {
    // Nodes without eth_getBlockReceipts: every receipt by transaction hash, in one batch.
    raw = await client.batch(hashes.map((h) => ({ method: "eth_getTransactionReceipt", params: [bytesToHex(h)] })));
  }
  const receipts = raw.map((r, i) => receiptFromRpc(r, `block ${number} receipt ${i}`));
  if (receipts.length !== hashes.length) {
    throw new BraidError("RECEIPT_INVALID", `block ${number}: ${hashes.length} transactions but ${receipts.length} receipts`);
  }
  receipts.forEach((r, i) => {
    const h = hashes[i]!;
    if (!equalBytes(r.transactionHash, h)) throw new BraidError("RECEIPT_INVALID", `block ${number} receipt ${i}: for transaction ${bytesToHex(r.transactionHash)}, expected ${bytesToHex(h)}`);
  });
  const chainId = hexToBigInt(chainRes!.result as string);
  // Receipts hold a status from Byzantium on (mainnet's fork by the header; other chains Braid
  // runs, development chains, have every fork from genesis). Before it they hold intermediate
  // state roots, which the header's root covers but Braid cannot give: not checkable.
  if (chainId !== 1n || forkAt(MAINNET, header.number, header.timestamp) >= Fork.Byzantium) checkReceipts(block, receipts, header);
  return { block, receipts, header, chainId };
}

/**
 * A node's receipts from Byzantium on: each with a status (one without would skip the check),
 * hashing to the header's receiptsRoot; and what the root does not cover agreeing with what it
 * does: each gasUsed with the cumulative gas, a creation's contract address with its sender and
 * nonce (a lying node would otherwise pass for a mismatch of Braid's).
 */
function checkReceipts(block: BlockInput, receipts: NodeReceipt[], header: RpcHeader): void {
  const where = (i: number) => `block ${header.number} receipt ${i}`;
  receipts.forEach((r, i) => {
    if (r.success === null) throw new BraidError("RECEIPT_INVALID", `${where(i)}: no status (receipts from Byzantium on carry one)`);
  });
  if (!equalBytes(receiptsRoot(receipts.map(asReceipt)), header.receiptsRoot)) {
    throw new BraidError("RECEIPT_INVALID", `block ${header.number}: the node's receipts do not hash to the header's receiptsRoot ${bytesToHex(header.receiptsRoot)}`);
  }
  let before = 0n;
  receipts.forEach((r, i) => {
    if (r.gasUsed !== r.cumulativeGasUsed - before) throw new BraidError("RECEIPT_INVALID", `${where(i)}: gasUsed ${r.gasUsed} is not its cumulativeGasUsed less the one before (${r.cumulativeGasUsed - before})`);
    before = r.cumulativeGasUsed;
    const tx = block.transactions[i]!;
    const expected = tx.to !== null ? null : tx.sender && r.success ? createAddress(tx.sender, tx.nonce) : undefined;
    if (expected !== undefined && (expected === null ? r.contractAddress !== null : !r.contractAddress || !equalBytes(r.contractAddress, expected))) {
      throw new BraidError("RECEIPT_INVALID", `${where(i)}: contractAddress ${r.contractAddress ? bytesToHex(r.contractAddress) : "null"}, expected ${expected ? bytesToHex(expected) : "null"}`);
    }
  });
}

/** The address CREATE gives: the last 20 bytes of keccak256(rlp([sender, nonce])). */
function createAddress(sender: Uint8Array, nonce: bigint): Uint8Array {
  return keccak256(rlpEncode([sender, nonce])).slice(12);
}

/**
 * The uncles' numbers and miners, for their rewards: the node's uncle headers must hash, as a
 * list, to the verified header's sha3Uncles, and each to the hash the block lists for it.
 */
async function fetchUncles(client: JsonRpcClient, header: RpcHeader, block: BlockInput): Promise<UncleHeader[]> {
  const where = `block ${header.number}`;
  const hashes = block.header.uncles;
  const raw = hashes.length === 0 ? [] : await client.batch(hashes.map((_, i) => ({ method: "eth_getUncleByBlockHashAndIndex", params: [bytesToHex(header.hash), quantity(BigInt(i))] })));
  const lists = raw.map((u, i) => {
    if (!u || typeof u !== "object" || Array.isArray(u)) throw new BraidError("BLOCK_INVALID", `${where}: the node has no uncle ${i}`);
    const fields = headerFields(u as Record<string, unknown>, `${where} uncle ${i}`).fields;
    if (!equalBytes(keccak256(rlpEncode(fields)), hashes[i]!)) throw new BraidError("BLOCK_INVALID", `${where}: uncle ${i} does not hash to ${bytesToHex(hashes[i]!)}`);
    return fields;
  });
  if (!equalBytes(keccak256(rlpEncode(lists)), header.sha3Uncles)) {
    throw new BraidError("BLOCK_INVALID", `${where}: its uncle headers do not hash to its sha3Uncles ${bytesToHex(header.sha3Uncles)}`);
  }
  return lists.map((f) => ({ number: f[8] as bigint, coinbase: f[2] as Uint8Array }));
}
