// The slow-provider part of the pipeline suite: a one-transaction Cancun block calling a contract
// that makes M cold SLOADs of slots in the provider's pre-state, in two shapes:
//   chain  slot k_j holds k_{j+1}: each key is the value the previous SLOAD returned;
//   indep  the M keys are PUSH32 constants, the values XORed together.
// Both end with LOG0 of the result, so the receipts carry it.
import { Asm } from "./asm.js";
import { keccak256 } from "../../dist/trie/mpt.js";
import { bigIntToBytes, bytesToBigInt } from "../../dist/encoding/hex.js";
import { Fork } from "../../dist/fork.js";
import { devChain } from "../../dist/rpc/chain.js";
import type { BlockInput, PreState, Receipt } from "../../dist/block/types.js";
import type { ChainConfig } from "../../dist/block/chain.js";

export type RemoteShape = "chain" | "indep";
export const REMOTE_SHAPES: readonly RemoteShape[] = ["chain", "indep"];

export const CHAIN: ChainConfig = devChain(1n, Fork.Cancun);

const address = (tag: number) => { const a = new Uint8Array(20); a[0] = 0xbe; a[19] = tag; return a; };
const SENDER = address(1);
const COINBASE = address(2);
const TARGET: Record<RemoteShape, Uint8Array> = { chain: address(3), indep: address(4) };

export interface RemoteFixture {
  pre: PreState;
  blocks: Record<RemoteShape, BlockInput>;
  /** The value each shape logs. */
  expected: Record<RemoteShape, bigint>;
}

export function remoteFixture(m: number): RemoteFixture {
  const keys = Array.from({ length: m + 1 }, (_, j) => bytesToBigInt(keccak256(bigIntToBytes(BigInt(j) + 0x5107n, 32))));
  const storage: Array<[bigint, bigint]> = keys.slice(0, m).map((k, j) => [k, keys[j + 1]!]);

  const chain = new Asm().push(keys[0]!, 32);
  for (let j = 0; j < m; j++) chain.op("SLOAD");
  const indep = new Asm().push(keys[0]!, 32).op("SLOAD");
  for (let j = 1; j < m; j++) indep.push(keys[j]!, 32).op("SLOAD", "XOR");
  for (const a of [chain, indep]) a.push(0, 1).op("MSTORE").push(32, 1).push(0, 1).op("LOG0", "STOP");

  const contract = (code: Uint8Array) => ({ nonce: 1n, balance: 0n, code, storage });
  const pre: PreState = {
    accounts: [
      [SENDER, { nonce: 0n, balance: 10n ** 18n, code: new Uint8Array(0), storage: [] }],
      [TARGET.chain, contract(chain.build())],
      [TARGET.indep, contract(indep.build())],
    ],
    blockHashes: new Map(),
  };
  const block = (shape: RemoteShape): BlockInput => ({
    header: {
      number: 1n, timestamp: 12n, coinbase: COINBASE, gasLimit: 30_000_000n, gasUsed: 0n, baseFee: 7n,
      difficulty: 0n, mixHash: new Uint8Array(32), excessBlobGas: 0n, receiptsRoot: new Uint8Array(32),
      logsBloom: new Uint8Array(256), uncles: [],
    },
    transactions: [{
      type: 2, chainId: 1n, nonce: 0n, maxPriorityFeePerGas: 1n, maxFeePerGas: 100n, gasLimit: 1_000_000n,
      to: TARGET[shape], value: 0n, data: new Uint8Array(0), accessList: [], v: 0n, r: 0n, s: 0n, sender: SENDER,
    }],
    withdrawals: [],
  });
  return {
    pre,
    blocks: { chain: block("chain"), indep: block("indep") },
    expected: { chain: keys[m]!, indep: keys.slice(1).reduce((x, k) => x ^ k, 0n) },
  };
}

/** What must match between runs: status, gas and the logged value. */
export function receiptSummary(r: Receipt): string {
  const data = r.logs[0]?.data;
  return `status=${r.status} gasUsed=${r.gasUsed} log=${data ? bytesToBigInt(data).toString(16) : "none"}`;
}
