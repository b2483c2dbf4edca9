// @ethereumjs/vm 10.1.3 `runBlock` on a block fixture (RPC block JSON + geth alloc + block_hashes.json),
// used by the "blocks" suite as the reference engine.
//
// Setup (untimed, redone before every run so each run starts from the same pre-state):
//   - Common(mainnet) with its hardfork set from the block's number and timestamp;
//   - a MerkleStateManager with in-memory caches, filled from alloc (putAccount/putCode/putStorage);
//   - an outer state-manager checkpoint, so that runBlock's own block checkpoint does not end at depth 0:
//     at depth 0 MerkleStateManager.commit() flushes every cache entry (the whole alloc) into the trie,
//     which is state-commitment work, not execution. getStateRoot() is stubbed (returns zeros) for the
//     same reason: the fixtures hold a partial pre-state, so the header's stateRoot cannot be reproduced,
//     and before Byzantium runTx asks for an intermediate root after every transaction.
//   - a fresh VM on that state manager, with a blockchain stub that answers BLOCKHASH from block_hashes.json.
// Timed: `runBlock({ block, generate: true, skipBlockValidation, skipHeaderValidation, skipHardForkValidation })`.
// generate: true is needed because generate: false compares the (unreproducible) state root and throws;
// gasUsed, logsBloom and receiptsRoot are compared by the caller instead. generate: true also builds the
// transaction trie (a small cost Braid does not pay). Senders are recovered before timing (ethjs caches
// the public key on the frozen tx), and that recovery is timed separately.
import { createBlockFromRPC, type Block, type JSONRPCBlock } from "@ethereumjs/block";
import { Common, Mainnet } from "@ethereumjs/common";
import { Caches, MerkleStateManager } from "@ethereumjs/statemanager";
import { Account, Address, bigIntToBytes, bytesToHex, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";
import { getKzg } from "../dist/precompiles/kzg.js";

export interface AllocAccount {
  balance?: string;
  nonce?: string;
  code?: string;
  storage?: Record<string, string>;
}
export type Alloc = Record<string, AllocAccount>;

/** A merkle state manager without state roots (see the header comment). */
class NoRootStateManager extends MerkleStateManager {
  override async getStateRoot(): Promise<Uint8Array> {
    return new Uint8Array(32);
  }
}

const ZERO_HASH = new Uint8Array(32);

function big(hex: string | undefined): bigint {
  return hex === undefined || hex === "" || hex === "0x" ? 0n : BigInt(hex);
}

export interface EthjsPrepared {
  common: Common;
  block: Block;
  alloc: Alloc;
  blockHashes: Map<number, Uint8Array>;
  hardfork: string;
}

export interface EthjsRun {
  ms: number;
  gasUsed: bigint;
  receiptsRoot: string;
  logsBloom: string;
}

/** Builds the ethjs block for `rpcBlock` (untimed). */
export function prepareEthjs(rpcBlock: unknown, alloc: Alloc, hashes: Record<string, string> | undefined): EthjsPrepared {
  const json = ((rpcBlock as { result?: unknown }).result ?? rpcBlock) as JSONRPCBlock;
  const number = BigInt(json.number);
  const timestamp = BigInt(json.timestamp);
  const common = new Common({ chain: Mainnet, customCrypto: { kzg: getKzg() as never } });
  common.setHardforkBy({ blockNumber: number, timestamp });
  const block = createBlockFromRPC(json, [], { common });
  const blockHashes = new Map<number, Uint8Array>();
  for (const [n, h] of Object.entries(hashes ?? {})) blockHashes.set(Number(n), hexToBytes(h as `0x${string}`));
  return { common, block, alloc, blockHashes, hardfork: common.hardfork() };
}

/** Recovers every sender (ethjs caches it on the tx), checks it against the RPC `from`; returns ms. */
export function recoverEthjsSenders(p: EthjsPrepared, rpcBlock: unknown): number {
  const json = ((rpcBlock as { result?: unknown }).result ?? rpcBlock) as JSONRPCBlock;
  const t0 = performance.now();
  const senders = p.block.transactions.map((tx) => tx.getSenderAddress());
  const ms = performance.now() - t0;
  senders.forEach((s, i) => {
    const from = (json.transactions[i] as { from?: string }).from?.toLowerCase();
    if (from && s.toString() !== from) throw new Error(`ethjs: transaction ${i}: recovered sender ${s.toString()} differs from 'from' ${from}`);
  });
  return ms;
}

async function freshVm(p: EthjsPrepared) {
  const sm = new NoRootStateManager({ common: p.common, caches: new Caches() });
  for (const [addrHex, a] of Object.entries(p.alloc)) {
    const address = new Address(hexToBytes(addrHex as `0x${string}`));
    await sm.putAccount(address, new Account(big(a.nonce), big(a.balance)));
    if (a.code && a.code !== "0x") await sm.putCode(address, hexToBytes(a.code as `0x${string}`));
    for (const [k, v] of Object.entries(a.storage ?? {})) {
      const value = big(v);
      if (value === 0n) continue;
      await sm.putStorage(address, setLengthLeft(bigIntToBytes(big(k)), 32), bigIntToBytes(value));
    }
  }
  await sm.checkpoint(); // keep runBlock's commit from flushing the caches into the trie (see header)
  const blockHashes = p.blockHashes;
  const blockchain = {
    async getBlock(n: number) {
      const h = blockHashes.get(n) ?? ZERO_HASH;
      return { hash: () => h };
    },
    async putBlock() {},
    shallowCopy() {
      return this;
    },
  };
  return createVM({ common: p.common, stateManager: sm, blockchain: blockchain as never });
}

/** One timed runBlock on a fresh copy of the pre-state. */
export async function runEthjsOnce(p: EthjsPrepared): Promise<EthjsRun> {
  const vm = await freshVm(p);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const t0 = performance.now();
  const r = await runBlock(vm, {
    block: p.block,
    generate: true,
    skipBlockValidation: true,
    skipHeaderValidation: true,
    skipHardForkValidation: true,
  });
  const ms = performance.now() - t0;
  return { ms, gasUsed: r.gasUsed, receiptsRoot: bytesToHex(r.receiptsRoot), logsBloom: bytesToHex(r.logsBloom) };
}
