// Executing a block on state Braid does not hold: every account, slot and block hash comes from
// a StateProvider the first time it is read. In order, each read that is not local stalls the
// transaction for one round trip. Out of order (the default), the reads known before execution
// (senders, recipients, access lists, the block's system accounts) go in one batch; then every
// transaction is pre-executed from its first instruction by the run-ahead engine
// (assembly/remote/runahead.ts) to batch the reads it can reach, round after round; and a read
// that still stalls runs ahead before it asks. Results are identical in every mode.
import * as L from "../wasm/layout.js";
import { Fork } from "../fork.js";
import { BraidError, optionsOf } from "../encoding/errors.js";
import { bytesToHex, hexToBigInt } from "../encoding/hex.js";
import { Vm, RegionExhausted } from "../vm/vm.js";
import { sizesFor, enlarge, type RegionSizes } from "../vm/regions.js";
import { MAINNET, chainOption, type ChainConfig } from "../block/chain.js";
import { DAO_DRAIN_LIST, DAO_REFUND_CONTRACT, applyDaoFork, isDaoForkBlock } from "../block/dao.js";
import {
  BEACON_ROOTS_ADDRESS, SYSTEM_ADDRESS, blockEnvFor, recoverSenders, beaconRootCall, finishBlock, assembleResult,
} from "../block/execute.js";
import { Carver, blockHashRing, checkStatic, stageBlock, readReceipts, txRecord, INVALID_REASONS } from "../block/staging.js";
import type { BlockInput, BlockResult } from "../block/types.js";
import type { BlockEnv } from "../vm/types.js";
import type { StateProvider, StateRequest } from "../state/provider.js";
import { ParallelExecutor, checkPoolMemory, reserveWorkerContexts, type ParallelStats, type RemoteWiring } from "../parallel/execute.js";
import { threadCount } from "../parallel/pool.js";
import { exclusive } from "../vm/exclusive.js";
import type { WorkerPool } from "../parallel/pool.js";
import { RemoteSession, type RoundTripStats } from "./session.js";
import { takeRequests } from "./requests.js";
import { constantStateReads, cachedConstantStateReads } from "../analysis/cache.js";
import { activePrecompiles } from "../precompiles/index.js";

export interface RemoteOptions {
  chain?: ChainConfig;
  /** Run ahead (out-of-order issue of state reads); default true. */
  ooo?: boolean;
  /** Workers: required for a provider that answers asynchronously (the coordinator never blocks). */
  pool?: WorkerPool;
  /** 1 (default): sequential on one worker; more: Block-STM on that many workers. */
  threads?: number;
  verifySenders?: boolean;
  /** Pre-execution rounds before the transactions run (out of order only). */
  prefetchRounds?: number;
  /**
   * Also issue, with the first pre-execution round, the reads the dataflow analysis finds
   * constant in each called contract (src/analysis/). Off by default: codes not yet analyzed
   * cost ~3 ms each on the critical path for ~5% fewer round trips on the mainnet corpus; codes
   * already analyzed in this thread (cached by hash) are always used.
   */
  analyze?: boolean;
}

export interface RemoteStats extends RoundTripStats {
  ooo: boolean;
  threads: number;
  /** Round trips before the first transaction (block-level reads and pre-execution rounds). */
  prefetchRoundTrips: number;
  /** Reads that stalled a transaction (each asked for one round trip, possibly shared). */
  stalls: number;
  runAhead: { runs: number; steps: number; found: number };
  /** Milliseconds from the first fetch to the committed result. */
  wallMs: number;
}

const REQ_CAP_MAIN = 1 << 16;
const REQ_CAP_WORKER = 4096;
/**
 * Pre-execution rounds before Block-STM starts; the rest run beside the workers (measured on
 * four blocks at 2 ms with 16 workers: 1 up front 148-381 ms, 4 up front 170-376 ms, 10 up
 * front 183-421 ms, all up front slower still).
 */
const PARALLEL_UPFRONT_ROUNDS = 1;

/** The reads every mode makes before the transactions: the block's system accounts. */
function blockReads(block: BlockInput, env: BlockEnv, chain: ChainConfig): StateRequest {
  const req: StateRequest = { accounts: [block.header.coinbase], slots: [], blockHashes: [] };
  if (isDaoForkBlock(chain, block)) req.accounts.push(DAO_REFUND_CONTRACT, ...DAO_DRAIN_LIST);
  for (const id of activePrecompiles(env.fork)) { const a = new Uint8Array(20); a[18] = id >> 8; a[19] = id & 0xff; req.accounts.push(a); }
  for (const w of block.withdrawals ?? []) req.accounts.push(w.address);
  for (const u of block.uncleHeaders ?? []) req.accounts.push(u.coinbase);
  if (env.fork >= Fork.Cancun && block.header.parentBeaconBlockRoot) {
    // EIP-4788 ring buffer: the two slots the system call writes.
    const t = block.header.timestamp % 8191n;
    req.accounts.push(SYSTEM_ADDRESS, BEACON_ROOTS_ADDRESS);
    req.slots.push({ address: BEACON_ROOTS_ADDRESS, key: t }, { address: BEACON_ROOTS_ADDRESS, key: t + 8191n });
  }
  return req;
}

/** The reads known from the transactions themselves: senders, recipients, access lists. */
function txReads(block: BlockInput): StateRequest {
  const req: StateRequest = { accounts: [], slots: [], blockHashes: [] };
  for (const tx of block.transactions) {
    if (tx.sender) req.accounts.push(tx.sender);
    if (tx.to) req.accounts.push(tx.to);
    for (const e of tx.accessList) {
      req.accounts.push(e.address);
      for (const k of e.storageKeys) req.slots.push({ address: e.address, key: hexToBigInt(bytesToHex(k)) });
    }
  }
  return req;
}

export function executeRemote(vm: Vm, block: BlockInput, provider: StateProvider, opts?: RemoteOptions | null):
  Promise<BlockResult & { remote: RemoteStats; parallel?: ParallelStats }> {
  // One block at a time on a Vm (src/vm/exclusive.ts): a second call waits for the first.
  return exclusive(vm, () => executeRemoteNow(vm, block, provider, optionsOf(opts, "executeRemote")));
}

async function executeRemoteNow(vm: Vm, block: BlockInput, provider: StateProvider, opts: RemoteOptions):
  Promise<BlockResult & { remote: RemoteStats; parallel?: ParallelStats }> {
  const chain = chainOption(opts.chain);
  const ooo = opts.ooo ?? true;
  const threads = threadCount(opts.threads, 1);
  const pool = opts.pool;
  const sync = !pool && provider.fetchSync !== undefined;
  if (!pool && !sync) throw new BraidError("REMOTE_NEEDS_WORKERS", "this state provider answers asynchronously: pass a worker pool (opts.pool)");
  if (pool && threads > pool.threads) throw new BraidError("OPTIONS_INVALID", `threads (${threads}) exceeds the pool's ${pool.threads}`);
  const env = blockEnvFor(block, { accounts: [], blockHashes: new Map() }, chain);
  if (pool) {
    checkPoolMemory(vm, pool);
    reserveWorkerContexts(vm, pool.threads); // before staging: a first reservation empties the vm
  }
  const senderMs = opts.verifySenders === false ? 0 : pool ? await new ParallelExecutor(vm, pool).recoverSenders(block, env.fork) : recoverSenders(block, env.fork);
  block.transactions.forEach((tx, i) => {
    if (!tx.sender) throw new BraidError("SENDER_MISSING", `transaction ${i}: no sender (no 'from' and recovery disabled)`);
    checkStatic(tx, i, env);
  });
  const n = block.transactions.length;
  let sizes: RegionSizes = sizesFor(2048 + n * 24, 8192 + n * 64, 1024 + n * 2, (8 << 20) + n * 8192);
  let session: RemoteSession | undefined;
  const t0 = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const layout = prepare(vm, env, sizes, ooo);
      if (session) session.rebind(layout.ring); else session = new RemoteSession(provider, vm, layout.ring);
      return await run(vm, block, env, session, layout, { ooo, threads, pool, sync, senderMs, t0, prefetchRounds: opts.prefetchRounds ?? 64, analyze: opts.analyze ?? false, chain });
    } catch (e) {
      if (e instanceof RegionExhausted && attempt < 5) {
        // A table filled while inserting answers: what was fetched stays cached, the error does not.
        if (session) session.error = undefined;
        sizes = enlarge(sizes, e.fatal);
        continue;
      }
      throw e;
    } finally {
      vm.stateFetch = undefined;
    }
  }
}

interface Layout { carver: Carver; ring: number }

/** Resets the vm for remote state: empty tables, the request list, run-ahead region, hash ring. */
function prepare(vm: Vm, env: BlockEnv, sizes: RegionSizes, ooo: boolean): Layout {
  vm.reset(sizes);
  vm.setBlock(env);
  const carver = new Carver(vm.end, vm.memory);
  const ring = blockHashRing(vm, carver);
  const dv = vm.dv();
  const set = (off: number, v: number) => dv.setUint32(vm.ctx + off, v, true);
  set(L.CTX_REMOTE, L.REMOTE_ON | (ooo ? L.REMOTE_OOO : 0));
  set(L.CTX_REQ, carver.take(REQ_CAP_MAIN * L.REQ_SIZE)); set(L.CTX_REQ_CAP, REQ_CAP_MAIN);
  set(L.CTX_RA, carver.take(L.RA_REGION));
  set(L.CTX_BLOCKHASHES, ring);
  vm.exports.worker_init(vm.ctx);
  return { carver, ring };
}

interface RunOpts { analyze: boolean; ooo: boolean; threads: number; pool?: WorkerPool; sync: boolean; senderMs: number; t0: number; prefetchRounds: number; chain: ChainConfig }

async function run(vm: Vm, block: BlockInput, env: BlockEnv, session: RemoteSession, layout: Layout, o: RunOpts):
  Promise<BlockResult & { remote: RemoteStats; parallel?: ParallelStats }> {
  const n = block.transactions.length;
  const fetch = (req: StateRequest) => (o.sync ? Promise.resolve(session.ensureSync(req)) : session.ensure(req));
  // The main thread executes only what it has fetched beforehand, unless the provider is synchronous.
  vm.stateFetch = o.sync ? (ctx) => session.serveSync(ctx) : () => { throw new BraidError("REMOTE_FAILED", "remote state: the coordinator thread read state it had not fetched"); };
  const tStart = performance.now();

  const first = blockReads(block, env, o.chain);
  if (o.ooo) {
    const t = txReads(block);
    first.accounts.push(...t.accounts);
    first.slots.push(...t.slots);
  }
  await fetch(first);
  applyDaoFork(vm, o.chain, block);
  beaconRootCall(vm, env, block);
  const header = stageBlock(vm, layout.carver, block, env, n);
  vm.dv().setUint32(vm.ctx + L.CTX_STM, header, true);
  const parallelRun = o.threads > 1 && o.pool !== undefined && n >= 2;
  // Sequentially, every pre-execution round happens first. In parallel, the first round does,
  // then the rounds go on beside the workers (they only read the shared tables) until done.
  let workersDone = false;
  let background: Promise<void> = Promise.resolve();
  if (o.ooo) {
    const active = new Uint8Array(n).fill(1);
    const upfront = parallelRun ? PARALLEL_UPFRONT_ROUNDS : o.prefetchRounds;
    await prefetch(vm, session, n, upfront, fetch, () => false, active, staticReads(block, session, o.analyze));
    // Its failure is kept like a worker's fetch failure (it is awaited only after the run, and a
    // rejection no one awaits yet would be an unhandled one).
    if (parallelRun) background = prefetch(vm, session, n, o.prefetchRounds - upfront, fetch, () => workersDone, active, undefined, true).catch((e) => { session.error ??= e; });
  }
  const prefetchRoundTrips = session.stats.roundTrips;

  let results: ReturnType<typeof readReceipts>;
  let parallel: ParallelStats | undefined;
  let contexts = [vm.ctx];
  if (parallelRun) {
    const wiring: RemoteWiring = {
      flags: L.REMOTE_ON | (o.ooo ? L.REMOTE_OOO : 0), reqCap: REQ_CAP_WORKER,
      onFetch: (ctx, ticket) => session.serveWorker(ctx, ticket),
    };
    const executor = new ParallelExecutor(vm, o.pool!);
    let r: Awaited<ReturnType<ParallelExecutor["runStaged"]>>;
    try {
      r = await executor.runStaged(block, env, header, executor.stageContexts(env, layout.carver, header, o.threads, layout.ring, wiring), wiring);
    } finally {
      // Also when the run throws: the prefetch rounds must stop before the Vm serves another block.
      workersDone = true;
      await background;
    }
    if (session.error) throw session.error;
    if ("fallback" in r) throw new BraidError("REMOTE_FAILED", `parallel execution stopped: ${r.fallback}`);
    results = r.results;
    parallel = r.stats;
    contexts = wiring.contexts ?? [];
  } else {
    let code: number;
    if (o.sync) code = vm.exports.seq_run_block(0) >>> 0;
    else {
      // One worker runs the block on the coordinator's context while this thread serves its reads.
      [code] = await o.pool!.run([vm.ctx], { job: "seq", onFetch: (ctx, ticket) => session.serveWorker(ctx, ticket) });
      vm.exports.worker_init(vm.ctx); // continue the worker's stamps on this instance
    }
    if (session.error) throw session.error;
    if (code & 0x80000000) {
      const fatal = code & 0x7fffffff;
      if (fatal === L.FATAL_REMOTE) throw new BraidError("REMOTE_FAILED", "a state request was not answered");
      throw new RegionExhausted(fatal);
    }
    if (code !== 0) {
      const reason = INVALID_REASONS[vm.dv().getUint32(txRecord(vm, header, code - 1) + L.T_INVALID, true)] ?? "invalid";
      throw new BraidError("TX_INVALID", `transaction ${code - 1} is invalid: ${reason}`);
    }
    results = readReceipts(vm, block, header, env);
  }
  const unrewarded = finishBlock(vm, env, block);
  const executionMs = performance.now() - tStart;
  const dv = vm.dv();
  const sum = (off: number) => contexts.reduce((s, c) => s + dv.getUint32(c + off, true), 0) + (contexts.includes(vm.ctx) ? 0 : dv.getUint32(vm.ctx + off, true));
  const remote: RemoteStats = {
    ...session.stats, ooo: o.ooo, threads: o.threads, prefetchRoundTrips, stalls: sum(L.CTX_FETCHES),
    runAhead: { runs: sum(L.CTX_RA_RUNS), steps: sum(L.CTX_RA_STEPS), found: sum(L.CTX_RA_FOUND) },
    wallMs: performance.now() - o.t0,
  };
  const base = assembleResult(vm, block, env, results, unrewarded,
    { senderRecoveryMs: o.senderMs, setupMs: 0, executionMs });
  return { ...base, remote, ...(parallel ? { parallel } : {}) };
}

/** Resolves after pending events (workers' messages) have run: a macrotask, without timer clamping. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const c = new MessageChannel();
    c.port1.onmessage = () => { c.port1.close(); resolve(); };
    c.port2.postMessage(0);
  });
}

/**
 * The reads the dataflow analysis (src/analysis/) finds constant in each called contract's code:
 * storage keys and addresses that are PUSHed constants (proxies' EIP-1967 slots, owner and
 * totalSupply slots, router constants), wherever in the code they are read.
 */
function staticReads(block: BlockInput, session: RemoteSession, analyze: boolean): StateRequest {
  const req: StateRequest = { accounts: [], slots: [], blockHashes: [] };
  const seen = new Set<string>();
  for (const tx of block.transactions) {
    if (!tx.to) continue;
    const k = bytesToHex(tx.to);
    if (seen.has(k)) continue;
    seen.add(k);
    const a = session.account(tx.to);
    if (!a || a.code.length === 0) continue;
    const r = analyze ? constantStateReads(a.code) : cachedConstantStateReads(bytesToHex(a.codeHash));
    if (!r) continue;
    for (const key of r.slots) req.slots.push({ address: tx.to, key });
    req.accounts.push(...r.addresses);
  }
  return req;
}

/**
 * Pre-executes every transaction against what has been fetched, batching the reads each can
 * reach into one round trip per round, until a round finds nothing new. A transaction whose
 * pre-execution asked for nothing is finished: fetched state only grows, and its path touched
 * none of it, so later rounds skip it.
 */
async function prefetch(vm: Vm, session: RemoteSession, n: number, rounds: number, fetch: (r: StateRequest) => Promise<void>,
  stop: () => boolean, active: Uint8Array, extra?: StateRequest, background = false): Promise<void> {
  const dv = vm.dv();
  for (let round = 0; round < rounds && !stop(); round++) {
    const before = session.stats.roundTrips;
    dv.setUint32(vm.ctx + L.CTX_REQ_COUNT, 0, true);
    let slice = performance.now();
    for (let i = 0; i < n; i++) {
      if (!active[i]) continue;
      vm.exports.load_message(i);
      if (vm.exports.ra_prefetch_tx() === 0) active[i] = 0;
      if (dv.getUint32(vm.ctx + L.CTX_REQ_COUNT, true) >= REQ_CAP_MAIN - 256) break;
      // Beside running workers, let their state requests in every couple of milliseconds.
      if (background && performance.now() - slice > 2) { await yieldToEvents(); slice = performance.now(); }
    }
    const req = takeRequests(vm.memory, vm.ctx);
    if (round === 0 && extra) { req.accounts.push(...extra.accounts); req.slots.push(...extra.slots); }
    await fetch(req);
    if (session.stats.roundTrips === before) break; // everything it reached was already here
  }
}
