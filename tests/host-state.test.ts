// The host's side of the state: the batched pre-state load (Vm.putAccounts) and the state diff
// read back after a block (Vm.changedState / stateDiff), checked against references computed in
// plain JavaScript from what went in and from a dump of the tables.
import { describe, expect, it } from 'vitest';
import { executeBlock } from '../src/block/execute.js';
import type { BlockResult, PreState, StateDiffEntry } from '../src/block/types.js';
import { bytesToHex } from '../src/encoding/hex.js';
import { loadBlockFixture } from '../src/node/fixture.js';
import { loadBraidModule } from '../src/node/load.js';
import { synthesizeBlock } from '../src/synth/index.js';
import { blockFromRpc, preStateFromAlloc } from '../src/block/parse.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { AccountInit } from '../src/vm/types.js';
import { Vm } from '../src/vm/vm.js';

const FIXTURES = '../shared/fixtures/mainnet-blocks';
const vm = new Vm(loadBraidModule());

/** A deterministic byte stream (xorshift), so failures reproduce. */
function bytes(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; out[i] = s & 0xff; }
    return out;
  };
}
const toBig = (b: Uint8Array) => b.reduce((v, x) => (v << 8n) | BigInt(x), 0n);

describe('hex digits written in wasm for the state diff', () => {
  // Scratch beyond the vm's regions (where a block is staged).
  const scratch = () => {
    const at = (vm.end + 4095) & ~4095;
    const need = at + (1 << 20) - vm.memory.buffer.byteLength;
    if (need > 0) vm.memory.grow(Math.ceil(need / 65536));
    return at;
  };
  const text = (at: number, len: number) => new TextDecoder().decode(vm.u8().slice(at, at + len));

  it('hex_ranges gives what bytesToHex gives for each range', () => {
    const rnd = bytes(7);
    const mem = scratch(), list = mem + 8192, out = list + 4096;
    const data = rnd(4096);
    data.fill(0, 100, 140); // some all-zero ranges
    vm.u8().set(data, mem);
    const starts = [0, 1, 100, 120, 4096 - 20, 333, 2000];
    starts.forEach((s, k) => vm.dv().setUint32(list + 4 * k, mem + s, true));
    vm.exports.hex_ranges(list, starts.length, 20, out);
    expect(text(out, 42 * starts.length)).toBe(starts.map((s) => bytesToHex(data.subarray(s, s + 20))).join(''));
  });

  it('hex_words writes a little-endian word as bigint.toString(16) does', () => {
    const rnd = bytes(11);
    const words: bigint[] = [0n, 1n, 15n, 16n, 255n, 256n, 0xfffn, 2n ** 64n - 1n, 2n ** 64n, 2n ** 255n, 2n ** 256n - 1n];
    for (let k = 0; k < 200; k++) words.push(toBig(rnd(1 + (rnd(1)[0]! % 32))));
    const mem = scratch(), list = mem + 40 * words.length, out = list + 4 * words.length, ends = out + 64 * words.length;
    words.forEach((w, k) => {
      const at = mem + k * 40 + (k % 8); // unaligned too
      for (let i = 0; i < 32; i++) vm.u8()[at + i] = Number((w >> BigInt(8 * i)) & 0xffn);
      vm.dv().setUint32(list + 4 * k, at, true);
    });
    const size = vm.exports.hex_words(list, words.length, out, ends);
    const all = text(out, size);
    const got = words.map((_, k) => all.slice(k === 0 ? 0 : vm.dv().getUint32(ends + 4 * (k - 1), true), vm.dv().getUint32(ends + 4 * k, true)));
    expect(got).toEqual(words.map((w) => w.toString(16)));
  });
});

/** What the tables hold after putAccounts, as the plain-JavaScript inputs look. */
function dumped(v: Vm): Map<string, { nonce: bigint; balance: bigint; code: string; storage: Map<bigint, bigint> }> {
  return new Map(v.dumpState().map((a) => [bytesToHex(a.address), {
    nonce: a.nonce, balance: a.balance, code: bytesToHex(a.code),
    storage: new Map(a.storage.map(([k, val]) => [toBig(k), val])),
  }]));
}

describe('batched pre-state load', () => {
  it('puts thousands of accounts (across batches) with storage and code where they fall', () => {
    const rnd = bytes(3);
    const codes = [rnd(100), rnd(3000), new Uint8Array([0x60, 0x00])];
    const accounts: Array<[Uint8Array, AccountInit]> = [];
    for (let i = 0; i < 9000; i++) {
      const wide = i % 7 === 0;
      // Storage on accounts at and around the 4096-account batch edges, and scattered.
      const slots = i === 0 || i === 4095 || i === 4096 || i === 8999 || i % 997 === 0 ? 1 + (i % 5) : 0;
      accounts.push([rnd(20), {
        nonce: BigInt(i) * 0x1_0000_0001n,
        balance: wide ? toBig(rnd(32)) : BigInt(i) * 10n ** 15n,
        code: i % 11 === 0 ? codes[i % codes.length]! : new Uint8Array(0),
        storage: Array.from({ length: slots }, (_, k): [bigint, bigint] => [toBig(rnd(32)), BigInt(k + 1) * 2n ** 130n + BigInt(i)]),
      }]);
    }
    vm.reset({ ...vm.regionSizes, accounts: 1 << 15, slots: 1 << 12 });
    vm.putAccounts(accounts);
    const got = dumped(vm);
    expect(got.size).toBe(accounts.length);
    for (const [address, a] of accounts) {
      const g = got.get(bytesToHex(address))!;
      expect(g.nonce).toBe(a.nonce);
      expect(g.balance).toBe(a.balance);
      expect(g.code).toBe(bytesToHex(a.code));
      expect(g.storage).toEqual(new Map(a.storage));
    }
    // Nothing changed yet: an empty diff.
    expect(vm.changedState()).toEqual([]);
  });

  it('loads code larger than half the staging region between batched accounts', () => {
    const rnd = bytes(5);
    const big = rnd(3 << 20); // the region is 4 MiB; the records sit in its upper half
    const accounts: Array<[Uint8Array, AccountInit]> = [
      [rnd(20), { nonce: 1n, balance: 2n, code: new Uint8Array(0), storage: [] }],
      [rnd(20), { nonce: 3n, balance: 4n, code: big, storage: [[5n, 6n]] }],
      [rnd(20), { nonce: 7n, balance: 8n, code: new Uint8Array(0), storage: [] }],
    ];
    vm.reset({ ...vm.regionSizes, codeArena: 16 << 20 });
    vm.putAccounts(accounts);
    const got = dumped(vm);
    for (const [address, a] of accounts) {
      const g = got.get(bytesToHex(address))!;
      expect([g.nonce, g.balance, g.code.length]).toEqual([a.nonce, a.balance, 2 + 2 * a.code.length]);
    }
    expect(got.get(bytesToHex(accounts[1]![0]))!.code).toBe(bytesToHex(big));
  });
});

/**
 * The diff a block must give, from the pre-state and a dump of the tables after it: accounts
 * whose nonce, balance, code or storage differ (null: gone), with the slots that changed.
 */
function referenceDiff(pre: PreState, post: ReturnType<typeof dumped>): Map<string, StateDiffEntry | null> {
  const before = new Map(pre.accounts.map(([address, a]) => [bytesToHex(address), a]));
  const diff = new Map<string, StateDiffEntry | null>();
  for (const [address] of before) if (!post.has(address)) diff.set(address, null);
  for (const [address, p] of post) {
    const b = before.get(address);
    const was = new Map((b?.storage ?? []).filter(([, v]) => v !== 0n));
    const storage = new Map<string, bigint>();
    for (const [k, v] of p.storage) if (was.get(k) !== v) storage.set(k.toString(16), v);
    for (const [k] of was) if (!p.storage.has(k)) storage.set(k.toString(16), 0n);
    if (b && b.nonce === p.nonce && b.balance === p.balance && bytesToHex(b.code) === p.code && storage.size === 0) continue;
    const codeHash = bytesToHex(keccak_256(Uint8Array.from(Buffer.from(p.code.slice(2), 'hex'))));
    diff.set(address, { nonce: p.nonce, balance: p.balance, codeHash, storage });
  }
  return diff;
}

function expectDiff(r: BlockResult, pre: PreState) {
  const want = referenceDiff(pre, dumped(vm));
  expect(new Set(r.stateDiff.keys())).toEqual(new Set(want.keys()));
  for (const [address, e] of want) expect(r.stateDiff.get(address), address).toEqual(e);
}

describe('state diff against a reference from the tables', () => {
  for (const kind of ['erc20', 'amm', 'raw-transfers'] as const) {
    it(`synthetic ${kind} block`, () => {
      const sb = synthesizeBlock({ kind, txs: 60, seed: 'host-state' });
      const pre = preStateFromAlloc(sb.alloc);
      const r = executeBlock(vm, blockFromRpc(sb.block), pre, { verifySenders: false });
      expect(r.stateDiff.size).toBeGreaterThan(60);
      expectDiff(r, pre);
    });
  }

  // Slot clears, self-destructs, created contracts, EIP-158 deletions.
  for (const n of ['4370000', '2462997', '13217637']) {
    it(`mainnet block ${n}`, () => {
      const { block, pre } = loadBlockFixture(`${FIXTURES}/${n}`);
      const r = executeBlock(vm, block, pre, { verifySenders: false });
      expectDiff(r, pre);
    });
  }
});
