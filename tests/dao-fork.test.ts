// The DAO fork (mainnet block 1,920,000): before the block's transactions every account of the
// drain list gives its balance to the refund contract, and exists afterwards. Checked by hand,
// against @ethereumjs/vm's runBlock, and on every executor (sequential, Block-STM, remote state).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Common, Mainnet } from "@ethereumjs/common";
import { runBlock } from "@ethereumjs/vm";
import { createBlock } from "@ethereumjs/block";
import { Address, bytesToHex, privateToAddress } from "@ethereumjs/util";
import { Vm, loadBraidModule, NodeWorkerPool, ParallelExecutor, executeBlock, compareResults } from "./helpers/braid-dist.js";
// The worker pool runs the compiled host (dist/), so the rest comes from there too.
const dist = (path: string) => import(new URL(`../dist/${path}`, import.meta.url).href);
const { executeRemote } = (await dist("remote/execute.js")) as typeof import("../src/remote/execute.js");
const { MemoryStateProvider } = (await dist("remote/memory-provider.js")) as typeof import("../src/remote/memory-provider.js");
const { MAINNET } = (await dist("block/chain.js")) as typeof import("../src/block/chain.js");
const { DAO_DRAIN_LIST, DAO_REFUND_CONTRACT } = (await dist("block/dao.js")) as typeof import("../src/block/dao.js");
import type { BlockInput, BlockResult, PreState } from "../src/block/types.js";
import type { Transaction } from "../src/tx/types.js";
import { ethjsTransaction, ethjsVm } from "./helpers/ethjs.js";

const FORK_BLOCK = 1_920_000n;
const KEYS = [7, 8].map((k) => Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? k : 0x24)));
const [SENDER, SENDER2] = KEYS.map((k) => privateToAddress(k)) as [Uint8Array, Uint8Array];
const hex = (a: Uint8Array) => bytesToHex(a);
const [d0, d1, d2] = DAO_DRAIN_LIST as [Uint8Array, Uint8Array, Uint8Array];
const ETHER = 10n ** 18n;

/** Block `number` with two transfers from two senders: 7 wei to a drained account, 11 wei to the refund contract. */
function blockAt(number: bigint): { block: BlockInput; pre: PreState } {
  const tx = (sender: Uint8Array, to: Uint8Array, value: bigint): Transaction => ({
    type: 0, nonce: 0n, gasPrice: 1_000_000_000n, gasLimit: 21_000n, to, value, data: new Uint8Array(0), accessList: [], v: 0n, r: 0n, s: 0n, sender,
  });
  return {
    block: {
      header: {
        number, timestamp: 1_469_020_840n, coinbase: new Uint8Array(20).fill(0xcb), gasLimit: 4_712_388n, gasUsed: 42_000n,
        difficulty: 62_413_376_722_602n, mixHash: new Uint8Array(32), receiptsRoot: new Uint8Array(32), logsBloom: new Uint8Array(256), uncles: [],
      },
      transactions: [tx(SENDER, d0, 7n), tx(SENDER2, DAO_REFUND_CONTRACT, 11n)],
      withdrawals: [],
    },
    pre: {
      accounts: [
        [SENDER, { nonce: 0n, balance: ETHER, code: new Uint8Array(0), storage: [] }],
        [SENDER2, { nonce: 0n, balance: ETHER, code: new Uint8Array(0), storage: [] }],
        [d0, { nonce: 0n, balance: 1000n, code: new Uint8Array(0), storage: [] }],
        [d1, { nonce: 1n, balance: 20n * ETHER, code: Uint8Array.of(0x00), storage: [[1n, 5n]] }],
        [d2, { nonce: 0n, balance: 3n, code: new Uint8Array(0), storage: [] }],
        [DAO_REFUND_CONTRACT, { nonce: 1n, balance: 5n, code: Uint8Array.of(0x00), storage: [] }],
      ],
      blockHashes: new Map(),
    },
  };
}

let vm: Vm, pool: NodeWorkerPool, parallel: InstanceType<typeof ParallelExecutor>;
beforeAll(() => {
  const module = loadBraidModule();
  vm = new Vm(module);
  pool = new NodeWorkerPool(2, module, vm.memory);
  parallel = new ParallelExecutor(vm, pool);
});
afterAll(async () => { await pool?.close(); });

const balance = (r: BlockResult, a: Uint8Array) => r.stateDiff.get(hex(a))?.balance;

describe("the DAO fork", () => {
  it("block 1,920,000 moves the drain list's balances to the refund contract before the transactions", () => {
    const { block, pre } = blockAt(FORK_BLOCK);
    const r = executeBlock(vm, block, pre, { verifySenders: false });
    expect(r.receipts.map((x) => x.status)).toEqual(["success", "success"]);
    expect(balance(r, DAO_REFUND_CONTRACT)).toBe(5n + 1000n + 20n * ETHER + 3n + 11n);
    expect(balance(r, d0)).toBe(7n); // drained, then paid by the first transaction
    expect(balance(r, d1)).toBe(0n);
    expect(r.stateDiff.get(hex(d1))?.nonce).toBe(1n); // only the balance changes
    // Every account of the list exists afterwards, those the pre-state lacked created empty.
    expect(DAO_DRAIN_LIST).toHaveLength(116);
    for (const a of DAO_DRAIN_LIST.slice(3)) expect(r.stateDiff.get(hex(a)), hex(a)).toMatchObject({ nonce: 0n, balance: 0n });
  });

  it.each([FORK_BLOCK - 1n, FORK_BLOCK + 1n])("block %s changes nothing but the transfers", (n) => {
    const { block, pre } = blockAt(n);
    const r = executeBlock(vm, block, pre, { verifySenders: false });
    expect(balance(r, DAO_REFUND_CONTRACT)).toBe(5n + 11n);
    expect(balance(r, d0)).toBe(1007n);
    expect(r.stateDiff.has(hex(d1))).toBe(false);
  });

  it("a chain without a DAO fork block leaves the accounts alone", () => {
    const { block, pre } = blockAt(FORK_BLOCK);
    const r = executeBlock(vm, block, pre, { verifySenders: false, chain: { ...MAINNET, daoForkBlock: undefined } });
    expect(balance(r, d0)).toBe(1007n);
  });

  it("Block-STM and remote state give the same result", async () => {
    const run = () => blockAt(FORK_BLOCK);
    const want = executeBlock(vm, run().block, run().pre, { verifySenders: false });
    const results: Array<[string, BlockResult]> = [
      ["Block-STM", await parallel.execute(run().block, run().pre, { threads: 2, policy: "always", verifySenders: false })],
      ["remote, out of order", await executeRemote(vm, run().block, new MemoryStateProvider(run().pre), { verifySenders: false })],
      ["remote, Block-STM", await executeRemote(vm, run().block, new MemoryStateProvider(run().pre), { verifySenders: false, pool, threads: 2 })],
    ];
    for (const [label, r] of results) expect(compareResults(want, r), label).toEqual([]);
    expect((results[0]![1] as { parallel: { sequential: boolean } }).parallel.sequential).toBe(false);
  });

  it("@ethereumjs/vm's runBlock gives the same balances", async () => {
    const { block, pre } = blockAt(FORK_BLOCK);
    const common = new Common({ chain: Mainnet });
    common.setHardforkBy({ blockNumber: FORK_BLOCK });
    const h = block.header;
    const ethBlock = createBlock({
      header: { number: h.number, timestamp: h.timestamp, coinbase: h.coinbase, gasLimit: h.gasLimit, difficulty: h.difficulty, extraData: new TextEncoder().encode("dao-hard-fork") },
      transactions: block.transactions.map((t, i) => ethjsTransaction(t, KEYS[i]!, common)),
    }, { common });
    const ejs = await ethjsVm(common, pre.accounts);
    await runBlock(ejs, { block: ethBlock, generate: true, skipBlockValidation: true, skipHeaderValidation: true, skipHardForkValidation: true });
    const r = executeBlock(vm, block, pre, { verifySenders: false });
    for (const a of [...DAO_DRAIN_LIST, DAO_REFUND_CONTRACT, SENDER, SENDER2, h.coinbase]) {
      const theirs = await ejs.stateManager.getAccount(new Address(a));
      const mine = r.stateDiff.get(hex(a));
      expect(mine === undefined ? "unchanged" : mine === null ? "deleted" : `${mine.nonce}/${mine.balance}`, hex(a))
        .toBe(theirs ? `${theirs.nonce}/${theirs.balance}` : "deleted");
    }
  });
});
