// Builds a small chain on anvil for the RPC tests: block 1 deploys the contracts of RpcTest.sol,
// blocks 2-4 hold several transactions each (ERC-20 transfers, storage-heavy calls, value
// transfers, contract creations, reverts, an out-of-gas call, legacy and access-list types).
// anvil's genesis header carries the empty state root, so block 1 cannot be executed on
// verified state; blocks 2-4 can.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Anvil } from "./anvil.js";

const require = createRequire(import.meta.url);

type Name = "TestToken" | "Store" | "Factory";

/** Creation bytecode of each contract (hex, no 0x). */
export function compileTestContracts(): Record<Name, string> {
  const solc = require("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: { "RpcTest.sol": { content: readFileSync(new URL("./RpcTest.sol", import.meta.url), "utf8") } },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun", outputSelection: { "*": { "*": ["evm.bytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: Array<{ severity: string; formattedMessage: string }>;
    contracts: Record<string, Record<string, { evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(`solc: ${errors.map((e) => e.formattedMessage).join("\n")}`);
  const c = out.contracts["RpcTest.sol"]!;
  return { TestToken: c.TestToken!.evm.bytecode.object, Store: c.Store!.evm.bytecode.object, Factory: c.Factory!.evm.bytecode.object };
}

const word = (v: bigint | string) => (typeof v === "string" ? v.replace(/^0x/, "").padStart(64, "0") : v.toString(16).padStart(64, "0"));
const selector = (sig: string) => Buffer.from(keccak_256(new TextEncoder().encode(sig)).subarray(0, 4)).toString("hex");

/** ABI calldata for a function whose arguments are all static (uint256 / address). */
export function calldata(sig: string, ...args: Array<bigint | string>): string {
  return "0x" + selector(sig) + args.map(word).join("");
}

export interface TxSpec {
  from: string;
  to?: string;
  data?: string;
  value?: bigint;
  gas: bigint;
  /** Legacy (type 0) with this gas price, or type 1 with `accessList`. */
  gasPrice?: bigint;
  accessList?: Array<{ address: string; storageKeys: string[] }>;
  /** Expected receipt status. */
  ok: boolean;
}

export interface BuiltChain {
  accounts: string[];
  token: string;
  store: string;
  factory: string;
  /** Token deployed by a transaction in block 3. */
  token2: string;
  /** An address that received ether in block 2. */
  fresh: string;
  /** An address never touched. */
  untouched: string;
  /** Blocks that can be executed through the provider. */
  blocks: bigint[];
}

const GWEI = 1_000_000_000n;
const ETHER = 10n ** 18n;

export async function buildChain(node: Anvil): Promise<BuiltChain> {
  const code = compileTestContracts();
  const accounts = await node.rpc<string[]>("eth_accounts", []);
  const a = (i: number) => accounts[i]!;
  const nonces = new Map<string, number>();

  const send = async (t: TxSpec): Promise<string> => {
    const nonce = nonces.get(t.from) ?? Number(BigInt(await node.rpc<string>("eth_getTransactionCount", [t.from, "pending"])));
    nonces.set(t.from, nonce + 1);
    const tx: Record<string, unknown> = { from: t.from, gas: "0x" + t.gas.toString(16), nonce: "0x" + nonce.toString(16) };
    if (t.to) tx.to = t.to;
    if (t.data) tx.data = t.data;
    if (t.value) tx.value = "0x" + t.value.toString(16);
    if (t.gasPrice) tx.gasPrice = "0x" + t.gasPrice.toString(16);
    if (t.accessList) tx.accessList = t.accessList;
    return node.rpc<string>("eth_sendTransaction", [tx]);
  };

  /** Sends the transactions, mines them into one block and checks each landed with the expected status. */
  const block = async (txs: TxSpec[]): Promise<{ number: bigint; receipts: Array<Record<string, string>> }> => {
    const hashes: string[] = [];
    for (const t of txs) hashes.push(await send(t));
    const number = await node.mine();
    const receipts = await Promise.all(hashes.map((h) => node.rpc<Record<string, string>>("eth_getTransactionReceipt", [h])));
    receipts.forEach((r, i) => {
      if (!r || BigInt(r.blockNumber!) !== number) throw new Error(`block ${number}: transaction ${i} (${hashes[i]}) was not mined into it`);
      if ((r.status === "0x1") !== txs[i]!.ok) throw new Error(`block ${number}: transaction ${i} has status ${r.status}, expected ${txs[i]!.ok ? 1 : 0}`);
    });
    return { number, receipts };
  };

  const setup = await block([
    { from: a(0), data: "0x" + code.TestToken + word(10n ** 24n), gas: 1_500_000n, ok: true },
    { from: a(0), data: "0x" + code.Store, gas: 1_500_000n, ok: true },
    { from: a(0), data: "0x" + code.Factory, gas: 1_500_000n, ok: true },
  ]);
  const [token, store, factory] = setup.receipts.map((r) => r.contractAddress!) as [string, string, string];
  const fresh = "0x00000000000000000000000000000000000beef1";
  const untouched = "0x00000000000000000000000000000000000dead2";

  const b2 = await block([
    { from: a(0), to: token, data: calldata("transfer(address,uint256)", a(1), 1000n * ETHER), gas: 100_000n, ok: true },
    { from: a(0), to: token, data: calldata("transfer(address,uint256)", a(2), 500n), gas: 100_000n, ok: true },
    { from: a(1), to: token, data: calldata("transfer(address,uint256)", a(3), 10n), gas: 100_000n, ok: true },
    { from: a(2), to: store, data: calldata("fill(uint256,uint256)", 0n, 30n), gas: 1_000_000n, ok: true },
    { from: a(3), to: fresh, value: ETHER, gas: 21_000n, ok: true },
    { from: a(4), to: store, data: calldata("boom()"), gas: 50_000n, ok: false },
    { from: a(5), to: a(6), value: 12345n, gas: 21_000n, gasPrice: 3n * GWEI, ok: true },
  ]);
  const b3 = await block([
    { from: a(0), data: "0x" + code.TestToken + word(777n), gas: 1_500_000n, ok: true },
    { from: a(1), to: factory, data: calldata("make(uint256)", 1n), value: 5n, gas: 300_000n, ok: true },
    { from: a(2), to: store, data: calldata("clear(uint256,uint256)", 0n, 10n), gas: 300_000n, ok: true },
    { from: a(3), to: store, data: calldata("recordHash(uint256)", 2n), gas: 100_000n, ok: true },
    { from: a(4), to: token, data: calldata("transfer(address,uint256)", a(5), 1n), gas: 100_000n, ok: false },
    { from: a(5), to: store, data: calldata("fill(uint256,uint256)", 100n, 200n), gas: 100_000n, ok: false },
    {
      from: a(6), to: store, data: calldata("fill(uint256,uint256)", 40n, 3n), gas: 300_000n, gasPrice: 2n * GWEI, ok: true,
      accessList: [{ address: store, storageKeys: [word(1n), word(2n)].map((k) => "0x" + k) }],
    },
    { from: a(7), to: store, data: calldata("tcount(uint256)", 5n), gas: 100_000n, ok: true },
  ]);
  const token2 = b3.receipts[0]!.contractAddress!;
  const b4 = await block([
    { from: a(1), to: token, data: calldata("transfer(address,uint256)", a(2), 5n), gas: 100_000n, ok: true },
    { from: a(2), to: token, data: calldata("transfer(address,uint256)", a(1), 3n), gas: 100_000n, ok: true },
    { from: a(3), to: fresh, value: 2n, gas: 21_000n, ok: true },
    { from: a(8), to: factory, data: calldata("make(uint256)", 1n), gas: 300_000n, ok: false },
    { from: a(9), to: store, data: calldata("fill(uint256,uint256)", 0n, 5n), gas: 500_000n, ok: true },
    { from: a(0), to: token2, data: calldata("transfer(address,uint256)", a(9), 7n), gas: 100_000n, ok: true },
    { from: a(3), to: store, data: calldata("recordHash(uint256)", 3n), gas: 100_000n, ok: true },
  ]);
  return { accounts, token, store, factory, token2, fresh, untouched, blocks: [b2.number, b3.number, b4.number] };
}
