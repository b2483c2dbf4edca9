// `braid synth`: synthetic Cancun block fixtures. Each kind is generated (N = 40), loaded back
// through the fixture loader, executed, and checked both against its header (true by
// construction) and against what the transactions must have done to the state.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { executeBlock } from '../src/block/execute.js';
import type { BlockResult } from '../src/block/types.js';
import { isBraidError } from '../src/encoding/errors.js';
import { bytesToBigInt, bytesToHex, equalBytes, hexToBytes } from '../src/encoding/hex.js';
import { Fork } from '../src/fork.js';
import { loadBlockFixture, type BlockFixture } from '../src/node/fixture.js';
import { loadBraidModule } from '../src/node/load.js';
import { SYNTH_KINDS, TX_GAS_LIMIT, parseSynthArgs, synthesizeBlock, writeSynthFixture, type SynthKind, type SynthMeta, type TxCategory } from '../src/synth/index.js';
import { eventTopic, mappingSlot, selector } from '../src/synth/util.js';
import { ordinalTrieRoot } from '../src/trie/state-root.js';
import { encodeTransaction } from '../src/tx/decode.js';
import { transactionHash } from '../src/tx/sign.js';
import type { Transaction } from '../src/tx/types.js';
import { Vm } from '../src/vm/vm.js';

const N = 40;
const tmp = mkdtempSync(join(tmpdir(), 'braid-synth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const vm = new Vm(loadBraidModule());

const TRANSFER = bytesToHex(eventTopic('Transfer(address,address,uint256)'));
const SWAP = bytesToHex(eventTopic('Swap(address,uint256,uint256,uint256,uint256,address)'));
const INCREMENTED = bytesToHex(eventTopic('Incremented(address,uint256)'));
const MASK112 = (1n << 112n) - 1n;

interface Generated {
  dir: string;
  fx: BlockFixture;
  json: Record<string, any>;
  meta: SynthMeta;
  r: BlockResult;
}

function generate(kind: SynthKind, seed = '1', txs = N): Generated {
  const dir = join(tmp, `${kind}-${seed}-${txs}`);
  writeSynthFixture(dir, synthesizeBlock({ kind, txs, seed }, vm));
  const fx = loadBlockFixture(dir);
  const json = JSON.parse(gunzipSync(readFileSync(join(dir, 'block.json.gz'))).toString('utf8'));
  const meta = JSON.parse(readFileSync(join(dir, 'synth.json'), 'utf8')) as SynthMeta;
  // Recover every sender: the signatures must be real.
  const r = executeBlock(vm, fx.block, fx.pre, { verifySenders: true });
  return { dir, fx, json, meta, r };
}

const word = (data: Uint8Array, i: number) => bytesToBigInt(data.subarray(4 + 32 * i, 4 + 32 * (i + 1)));
const wordAddress = (data: Uint8Array, i: number) => bytesToHex(data.subarray(4 + 32 * i + 12, 4 + 32 * (i + 1)));
const hex = (a: Uint8Array) => bytesToHex(a);

/** Pre and post values of balances and storage slots. */
function stateView(g: Generated) {
  const pre = new Map(g.fx.pre.accounts.map(([a, acct]) => [hex(a), acct]));
  const preSlot = (addr: string, slot: bigint) => pre.get(addr)?.storage.find(([k]) => k === slot)?.[1] ?? 0n;
  return {
    preBalance: (addr: string) => pre.get(addr)?.balance ?? 0n,
    postBalance: (addr: string) => {
      const d = g.r.stateDiff.get(addr);
      return d === undefined ? (pre.get(addr)?.balance ?? 0n) : d === null ? 0n : d.balance;
    },
    preSlot,
    postSlot: (addr: string, slot: bigint) => {
      const d = g.r.stateDiff.get(addr);
      // The diff holds the slots that changed; the others keep their pre-state value.
      return d === undefined ? preSlot(addr, slot) : d === null ? 0n : (d.storage.get(slot.toString(16)) ?? (d.storageCleared ? 0n : preSlot(addr, slot)));
    },
  };
}

/** Header, encoding and signature checks every synthetic block must pass. */
function checkBlock(g: Generated, n = N): void {
  const { fx, json, r } = g;
  const h = fx.block.header;
  expect(r.fork).toBe(Fork.Cancun);
  expect(fx.block.transactions).toHaveLength(n);
  expect(r.gasUsed).toBe(h.gasUsed);
  expect(equalBytes(r.receiptsRoot!, h.receiptsRoot)).toBe(true);
  expect(equalBytes(r.logsBloom, h.logsBloom)).toBe(true);
  expect(r.receipts.every((x) => x.success)).toBe(true);
  expect(json.transactionsRoot).toBe(hex(ordinalTrieRoot(fx.block.transactions.map(encodeTransaction))));
  expect(json.withdrawals).toEqual([]);
  expect(BigInt(json.gasLimit)).toBeGreaterThanOrEqual(30_000_000n);
  expect(BigInt(json.gasLimit)).toBeGreaterThanOrEqual(fx.block.transactions.reduce((s, t) => s + t.gasLimit, 0n));
  fx.block.transactions.forEach((t, i) => {
    expect(t.type).toBe(2);
    expect(t.chainId).toBe(1n);
    expect(t.maxFeePerGas! >= h.baseFee! + t.maxPriorityFeePerGas!).toBe(true);
    expect(json.transactions[i].hash).toBe(hex(transactionHash(t)));
    expect(json.transactions[i].blockHash).toBe(json.hash);
    expect(t.gasLimit).toBe(TX_GAS_LIMIT[g.meta.txCategories[i]!]);
  });
  // The coinbase is fresh and earns exactly the tips.
  const tips = r.receipts.reduce((s, rc, i) => {
    const t = fx.block.transactions[i]!;
    const tip = t.maxFeePerGas! - h.baseFee! < t.maxPriorityFeePerGas! ? t.maxFeePerGas! - h.baseFee! : t.maxPriorityFeePerGas!;
    return s + rc.gasUsed * tip;
  }, 0n);
  expect(stateView(g).preBalance(hex(h.coinbase))).toBe(0n);
  expect(stateView(g).postBalance(hex(h.coinbase))).toBe(tips);
  // Every kind promises distinct senders.
  expect(new Set(fx.block.transactions.map((t) => hex(t.sender!))).size).toBe(n);
}

/**
 * Replays what each transaction must have done (by its category) and compares it with the state
 * after execution: ETH credited, token balances moved, pool reserves following the constant-product
 * formula with the 0.3% fee, the counter reaching the number of increments, and one event each.
 */
function checkSemantics(g: Generated): void {
  const { fx, meta, r } = g;
  const s = stateView(g);
  const txs = fx.block.transactions;
  const token = meta.contracts.token;
  const tokenDelta = new Map<string, bigint>();
  const addDelta = (a: string, d: bigint) => tokenDelta.set(a, (tokenDelta.get(a) ?? 0n) + d);
  const reserves = new Map<string, [bigint, bigint]>();
  const traderDelta = new Map<string, bigint>(); // `${pool}/${slot}/${trader}` -> change
  const addTrader = (pool: string, slot: bigint, trader: string, d: bigint) => {
    const k = `${pool}/${slot}/${trader}`;
    traderDelta.set(k, (traderDelta.get(k) ?? 0n) + d);
  };
  let increments = 0n;
  txs.forEach((t: Transaction, i) => {
    const cat: TxCategory = meta.txCategories[i]!;
    const to = hex(t.to!), from = hex(t.sender!), logs = r.receipts[i]!.logs;
    switch (cat) {
      case 'raw':
        expect(t.data).toHaveLength(0);
        expect(logs).toHaveLength(0);
        expect(s.postBalance(to) - s.preBalance(to)).toBe(t.value);
        break;
      case 'erc20':
      case 'hot': {
        expect(to).toBe(token);
        expect(hex(t.data.subarray(0, 4))).toBe(hex(selector('transfer(address,uint256)')));
        const recipient = wordAddress(t.data, 0), amount = word(t.data, 1);
        if (cat === 'hot') expect(recipient).toBe(meta.hotRecipient);
        addDelta(from, -amount);
        addDelta(recipient, amount);
        expect(logs).toHaveLength(1);
        expect(hex(logs[0]!.topics[0]!)).toBe(TRANSFER);
        expect(hex(logs[0]!.topics[2]!.subarray(12))).toBe(recipient);
        expect(bytesToBigInt(logs[0]!.data)).toBe(amount);
        break;
      }
      case 'swap': {
        expect(meta.contracts.pools).toContain(to);
        const amountIn = word(t.data, 0), zeroForOne = word(t.data, 1) === 1n;
        let res = reserves.get(to);
        if (!res) {
          const packed = s.preSlot(to, 0n);
          res = [packed & MASK112, (packed >> 112n) & MASK112];
        }
        const [rIn, rOut] = zeroForOne ? res : [res[1], res[0]];
        const out = (amountIn * 997n * rOut) / (rIn * 1000n + amountIn * 997n);
        reserves.set(to, zeroForOne ? [res[0] + amountIn, res[1] - out] : [res[0] - out, res[1] + amountIn]);
        addTrader(to, zeroForOne ? 1n : 2n, from, -amountIn);
        addTrader(to, zeroForOne ? 2n : 1n, from, out);
        expect(logs).toHaveLength(1);
        expect(hex(logs[0]!.topics[0]!)).toBe(SWAP);
        const d = logs[0]!.data; // amount0In, amount1In, amount0Out, amount1Out
        const amounts = [0, 1, 2, 3].map((k) => bytesToBigInt(d.subarray(32 * k, 32 * k + 32)));
        expect(amounts).toEqual(zeroForOne ? [amountIn, 0n, 0n, out] : [0n, amountIn, out, 0n]);
        break;
      }
      case 'chain':
        expect(to).toBe(meta.contracts.counter);
        expect(word(t.data, 0)).toBe(increments);
        increments++;
        expect(logs).toHaveLength(1);
        expect(hex(logs[0]!.topics[0]!)).toBe(INCREMENTED);
        break;
    }
  });
  for (const [holder, d] of tokenDelta) {
    const slot = mappingSlot(hexToBytes(holder), 0n);
    expect(s.postSlot(token!, slot) - s.preSlot(token!, slot), `token balance of ${holder}`).toBe(d);
  }
  if (token) expect(s.postSlot(token, 2n)).toBe(s.preSlot(token, 2n)); // totalSupply unchanged
  for (const [pool, [r0, r1]] of reserves) {
    const packed = s.postSlot(pool, 0n);
    expect([packed & MASK112, (packed >> 112n) & MASK112]).toEqual([r0, r1]);
    expect(packed >> 224n).toBe(fx.block.header.timestamp); // blockTimestampLast
    expect(s.postSlot(pool, 3n)).not.toBe(s.preSlot(pool, 3n)); // price accumulators moved
  }
  for (const [k, d] of traderDelta) {
    const [pool, slot, trader] = k.split('/') as [string, string, string];
    const ms = mappingSlot(hexToBytes(trader), BigInt(slot));
    expect(s.postSlot(pool, ms) - s.preSlot(pool, ms)).toBe(d);
  }
  if (meta.contracts.counter) expect(s.postSlot(meta.contracts.counter, 0n)).toBe(increments);
  const counts = { raw: 0, erc20: 0, hot: 0, swap: 0, chain: 0 };
  for (const c of meta.txCategories) counts[c]++;
  expect(counts).toEqual(meta.categories);
}

/**
 * Runs the fixture on @ethereumjs/vm (an independent EVM, a dev dependency) with the alloc as the
 * complete world state, so that even the header's stateRoot is checkable. Undefined if the
 * packages are not installed.
 */
async function runOnEthereumJs(dir: string): Promise<{ gasUsed: bigint; receiptsRoot: string; logsBloom: string; stateRoot: string; failed: number } | undefined> {
  let m;
  try {
    m = await Promise.all([
      import('@ethereumjs/block'), import('@ethereumjs/common'), import('@ethereumjs/statemanager'),
      import('@ethereumjs/util'), import('@ethereumjs/vm'),
    ]);
  } catch {
    return undefined;
  }
  const [{ createBlockFromRPC }, { Common, Mainnet }, { MerkleStateManager }, u, { createVM, runBlock }] = m;
  const json = JSON.parse(gunzipSync(readFileSync(join(dir, 'block.json.gz'))).toString('utf8'));
  const alloc = JSON.parse(gunzipSync(readFileSync(join(dir, 'alloc.json.gz'))).toString('utf8')) as Record<string, { balance: string; nonce: string; code: string; storage: Record<string, string> }>;
  const common = new Common({ chain: Mainnet });
  common.setHardforkBy({ blockNumber: BigInt(json.number), timestamp: BigInt(json.timestamp) });
  const sm = new MerkleStateManager({ common });
  for (const [a, acct] of Object.entries(alloc)) {
    const address = new u.Address(hexToBytes(a));
    await sm.putAccount(address, new u.Account(BigInt(acct.nonce), BigInt(acct.balance)));
    if (acct.code !== '0x') await sm.putCode(address, hexToBytes(acct.code));
    for (const [k, v] of Object.entries(acct.storage)) if (BigInt(v) !== 0n) await sm.putStorage(address, hexToBytes(k), u.bigIntToBytes(BigInt(v)));
  }
  await sm.checkpoint();
  await sm.commit();
  const evm = await createVM({ common, stateManager: sm });
  const block = createBlockFromRPC(json, [], { common });
  const r = await runBlock(evm, { block, generate: true, skipBlockValidation: true, skipHeaderValidation: true, skipHardForkValidation: true });
  return {
    gasUsed: r.gasUsed, receiptsRoot: u.bytesToHex(r.receiptsRoot), logsBloom: u.bytesToHex(r.logsBloom), stateRoot: u.bytesToHex(r.stateRoot),
    failed: r.receipts.filter((x) => 'status' in x && Number(x.status) !== 1).length,
  };
}

const recipients = (g: Generated) => g.fx.block.transactions.map((t) => (t.data.length ? wordAddress(t.data, 0) : hex(t.to!)));

describe('braid synth', () => {
  const generated = new Map<SynthKind, Generated>();
  const get = (kind: SynthKind) => {
    if (!generated.has(kind)) generated.set(kind, generate(kind));
    return generated.get(kind)!;
  };

  it.each(SYNTH_KINDS.map((k) => [k]))('%s: executes to its header, every transaction succeeds and does what it should', (kind) => {
    const g = get(kind);
    checkBlock(g);
    checkSemantics(g);
  });

  it('@ethereumjs/vm agrees: gasUsed, receiptsRoot, logsBloom and stateRoot of every kind', async () => {
    for (const kind of SYNTH_KINDS) {
      const g = get(kind);
      const r = await runOnEthereumJs(g.dir);
      expect(r, "@ethereumjs/vm (a devDependency) must be installed").toBeDefined();
      expect(r, kind).toEqual({ gasUsed: g.fx.block.header.gasUsed, receiptsRoot: g.json.receiptsRoot, logsBloom: g.json.logsBloom, stateRoot: g.json.stateRoot, failed: 0 });
    }
  });

  it('raw-transfers and erc20: distinct recipients', () => {
    for (const kind of ['raw-transfers', 'erc20'] as const) {
      const g = get(kind);
      expect(new Set(recipients(g)).size).toBe(N);
      expect(g.meta.categories[kind === 'erc20' ? 'erc20' : 'raw']).toBe(N);
    }
    expect(get('raw-transfers').r.receipts.every((x) => x.gasUsed === 21_000n)).toBe(true);
  });

  it('erc20-hot: one recipient, credited with every transfer', () => {
    const g = get('erc20-hot');
    expect(new Set(recipients(g))).toEqual(new Set([g.meta.hotRecipient]));
    const s = stateView(g);
    const slot = mappingSlot(hexToBytes(g.meta.hotRecipient!), 0n);
    const sum = g.fx.block.transactions.reduce((a, t) => a + word(t.data, 1), 0n);
    expect(s.postSlot(g.meta.contracts.token!, slot)).toBe(s.preSlot(g.meta.contracts.token!, slot) + sum);
  });

  it('amm: many pools, some shared; amm-one-pool: one pool', () => {
    const many = get('amm');
    const used = new Set(many.fx.block.transactions.map((t) => hex(t.to!)));
    expect(many.meta.contracts.pools).toHaveLength(N / 2);
    expect(used.size).toBeGreaterThan(N / 4);
    expect(used.size).toBeLessThan(N); // some pools see several swaps: conflicts
    expect(many.r.receipts.flatMap((x) => x.logs).filter((l) => hex(l.topics[0]!) === SWAP)).toHaveLength(N);
    const one = get('amm-one-pool');
    expect(one.meta.contracts.pools).toHaveLength(1);
    expect(new Set(one.fx.block.transactions.map((t) => hex(t.to!))).size).toBe(1);
    expect(one.r.receipts.flatMap((x) => x.logs)).toHaveLength(N);
  });

  it('chain: the counter ends at N, and each transaction depends on the one before', () => {
    const g = get('chain');
    expect(stateView(g).postSlot(g.meta.contracts.counter!, 0n)).toBe(BigInt(N));
    // Swapping two transactions makes the first of them revert (increment(1) while count is 0).
    const txs = [...g.fx.block.transactions];
    [txs[0], txs[1]] = [txs[1]!, txs[0]!];
    const swapped = executeBlock(vm, { ...g.fx.block, transactions: txs }, g.fx.pre, { verifySenders: false });
    expect(swapped.receipts[0]!.success).toBe(false);
  });

  it('mixed: about 40% erc20, 30% swaps, 20% raw, 10% hot/chain, shuffled', () => {
    const g = get('mixed');
    expect(g.meta.categories).toEqual({ erc20: 16, swap: 12, raw: 8, hot: 2, chain: 2 });
    expect(g.meta.contracts.pools).toHaveLength(6);
    const firstSixteen = g.meta.txCategories.slice(0, 16);
    expect(firstSixteen.every((c) => c === 'erc20')).toBe(false);
  });

  it('is deterministic in the seed', () => {
    const a = synthesizeBlock({ kind: 'mixed', txs: 12, seed: 'x' }, vm);
    const b = synthesizeBlock({ kind: 'mixed', txs: 12, seed: 'x' }, vm);
    const c = synthesizeBlock({ kind: 'mixed', txs: 12, seed: 'y' }, vm);
    expect(JSON.stringify(b.block)).toBe(JSON.stringify(a.block));
    expect(JSON.stringify(b.alloc)).toBe(JSON.stringify(a.alloc));
    expect(c.block.hash).not.toBe(a.block.hash);
  });

  it('generates a one-transaction block of every kind', () => {
    for (const kind of SYNTH_KINDS) checkBlock(generate(kind, '3', 1), 1);
  });

  it('rejects bad arguments with a one-line message', () => {
    const bad = (rest: string[], opts: Record<string, string | true>, msg: RegExp) => {
      try {
        parseSynthArgs(rest, opts);
      } catch (e) {
        expect(isBraidError(e, 'SYNTH_USAGE')).toBe(true);
        expect((e as Error).message).toMatch(msg);
        expect((e as Error).message).not.toContain('\n');
        return;
      }
      throw new Error('expected a usage error');
    };
    bad(['nope'], { txs: '5', out: tmp }, /unknown synth kind 'nope'/);
    bad([], { txs: '5', out: tmp }, /exactly one kind/);
    bad(['erc20'], { txs: '5' }, /--out/);
    bad(['erc20'], { out: tmp }, /--txs/);
    for (const n of ['0', '-3', '1.5', 'abc', '']) bad(['erc20'], { txs: n, out: tmp }, /positive integer/);
    expect(parseSynthArgs(['amm'], { txs: '7', out: tmp })).toEqual({ kind: 'amm', txs: 7, out: tmp, seed: '1' });
  });
});
