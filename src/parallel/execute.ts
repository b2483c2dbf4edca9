// Parallel block execution (Block-STM) on workers sharing one WebAssembly.Memory. The host stages
// the pre-state and messages, the workers execute and validate speculatively, and the coordinator
// commits the final writes in block order. Results are identical to executeBlock (sequential).
import * as L from "../wasm/layout.js";
import { Fork } from "../fork.js";
import { BraidError, withPrefix, optionsOf } from "../encoding/errors.js";
import { recoveryJob } from "../tx/sign.js";
import { Vm } from "../vm/vm.js";
import { sizesFor, nextPow2, type RegionSizes } from "../vm/regions.js";
import { MAINNET, forkAt, chainOption, type ChainConfig } from "../block/chain.js";
import { applyDaoFork } from "../block/dao.js";
import { blockEnvFor, executeBlockOn, beaconRootCall, finishBlock, assembleResult, assignSender, stateDiff, preStateSize } from "../block/execute.js";
import { exclusive } from "../vm/exclusive.js";
import type { BlockInput, BlockResult, PreState, StateDiffEntry } from "../block/types.js";
import type { BlockEnv } from "../vm/types.js";
import { threadCount, type RunOptions, type WorkerPool } from "./pool.js";
import { Carver, blockHashRing, checkStatic, stageBlock, stageReceiptsRoot, readReceipts, txRecord, senderRunEnds, longestSenderRun, recipientLinks, helpedJobs, INVALID_REASONS } from "../block/staging.js";
import type { HelpMode } from "../worker/help-desk.js";
import { readDependencies } from "./dependencies.js";
import { PARTITION_MIN_TXS, PartitionPlan, partitionWorthIt, transferShaped } from "./partition.js";

export interface ParallelOptions {
  chain?: ChainConfig;
  verifySenders?: boolean;
  /** Workers to use: a whole number of at least 1, at most the pool's size (more are clamped to it). */
  threads?: number;
  /**
   * "auto" (default) runs Block-STM only on blocks like those where it measured faster than
   * sequential on a 2-core machine (see worthParallel); other blocks take the sequential path.
   * "always" runs Block-STM on every block with two or more transactions (tests, benchmarks).
   */
  policy?: "auto" | "always";
  /**
   * true (default): once aborts, dependency waits and chained reads show that speculation mostly
   * repeats work or follows a chain, Block-STM finishes the transactions it has started and the
   * coordinator runs the rest of the block in order (ParallelStats.serialFrom); a block more than
   * half of which is one sender's run of consecutive transactions goes in order from where that
   * run starts. false: every transaction runs on Block-STM however conflicted
   * (race tests, studies of the algorithm).
   */
  serialFallback?: boolean;
  /**
   * Run Block-STM on at most this many leading transactions and the rest in order on the
   * coordinator, as the serial fallback does (tests of that hand-over; studies).
   */
  stmPrefix?: number;
  /**
   * true (default): threads other than the first begin with the transactions with the most
   * calldata, out of block order (earlyStarts in src/block/staging.ts). false: all in block order.
   */
  earlyStarts?: boolean;
  /**
   * Idle workers help with long precompiles (a pairing check's Miller loops; src/worker/help-desk.ts).
   * "share" (default): a part no one has started is taken back. "wait": the poster waits for a
   * helper (tests of the helped path). "off": never.
   */
  help?: HelpMode;
  /**
   * Report the data dependencies Block-STM found (ParallelStats.dependencies): studies of a
   * block's critical path (src/parallel/critical-path.ts).
   */
  dependencies?: boolean;
  /**
   * true (default): a block of plain value transfers between accounts without code or storage runs
   * partitioned (src/parallel/partition.ts): groups of transactions that share no account, each
   * on one thread in block order, without speculation. Not with serialFallback false, stmPrefix or
   * dependencies, which ask for Block-STM. false: such blocks take Block-STM (or, under "auto", the
   * sequential path).
   */
  partition?: boolean;
}

/**
 * Thresholds of the "auto" policy (see worthParallel). Fitted on the 48 mainnet blocks at 2
 * threads (Block-STM "always" against sequential, three back-to-back runs of the corpus,
 * 2026-11-21): Block-STM's fixed costs (staging the workers, the in-order commit) pay off only on
 * blocks of many transactions doing real contract work, and blocks of plain transfers or
 * same-sender runs lose. Among rules over the transaction count (2..90), the block's gas (1M..12M)
 * and the gas per transaction (0..80k), this one gave the best geometric mean (1.04x over the
 * corpus, 17 blocks picked); no rule kept every picked block at or above 0.95x in all runs.
 * Re-fitted the same way after the serial fallback learned chained reads and the worker contexts
 * began to persist (three runs, medians per block): the same thresholds came out best among the
 * rules that keep every picked block at or above 0.95x (1.05x, 18 blocks). Re-checked after the
 * commit moved onto the workers and the tables were sized by gas (three runs): no rule kept every
 * picked block at 0.95x; these thresholds gave 1.06x (17 blocks, lowest 0.94x), the best rule of
 * any kind 1.08x with a block at 0.82x. Re-fitted after lazy recipient credits made exchange-deposit
 * blocks (13217637 at 27k gas per transaction, 8889776 at 30k) gain 1.3-1.5x (four runs, medians
 * per block, 2026-11-22): among rules keeping every picked block's median at or above 0.95x, these
 * gave the best geometric mean, 1.115x (20 blocks; the old thresholds 1.095x on the same runs);
 * any transaction minimum from 2 to 48 did as well. Full pre-London blocks (gasUsed just under
 * 8M) stay out of this rule: one of them, 6196166, loses 0.81x (the second rule, below, admits
 * those whose transactions spread over many recipients).
 */
export const PARALLEL_MIN_TXS = 32;
export const PARALLEL_MIN_GAS = 8_000_000n;
export const PARALLEL_MIN_GAS_PER_TX = 25_000n;

/**
 * The "auto" policy's second rule, for smaller blocks of heavier transactions: at least
 * SMALL_MIN_TXS transactions, SMALL_MIN_GAS gas and SMALL_MIN_GAS_PER_TX per transaction, and no
 * recipient taking more than 1 in SMALL_TOP_SHARE of the transactions (in a small block, one
 * contract that many transactions call makes them conflict, and too little other work is left to
 * hide it: 6196166 sends 45% of its transactions to one contract and loses 0.86x, 4370000 33%,
 * 0.99x). Fitted on six runs of `npm run bench -- blocks` on the two previous sessions' builds
 * (Block-STM "always" at 2 threads against sequential, medians per block, 2026-11-22): it adds
 * 4864590, 5526571, 7279999 and four Cancun blocks of 24-58 transactions, medians 1.08-1.51x, and
 * raises the corpus geometric mean of those medians (blocks left sequential counted at 1.0) from
 * 1.10x to 1.14x.
 */
export const SMALL_MIN_TXS = 20;
export const SMALL_MIN_GAS = 1_500_000n;
export const SMALL_MIN_GAS_PER_TX = 40_000n;
export const SMALL_TOP_SHARE = 4;

/**
 * Whether the "auto" policy runs this block on Block-STM: at least PARALLEL_MIN_TXS transactions,
 * and at least PARALLEL_MIN_GAS gas (blockGas), PARALLEL_MIN_GAS_PER_TX per transaction; or a
 * smaller block by the SMALL_* rule.
 */
export function worthParallel(block: BlockInput): boolean {
  const n = block.transactions.length;
  if (n === 0) return false;
  const gas = blockGas(block);
  const perTx = gas / BigInt(n);
  if (n >= PARALLEL_MIN_TXS && gas >= PARALLEL_MIN_GAS && perTx >= PARALLEL_MIN_GAS_PER_TX) return true;
  if (n < SMALL_MIN_TXS || gas < SMALL_MIN_GAS || perTx < SMALL_MIN_GAS_PER_TX) return false;
  return mostToOneRecipient(block) * SMALL_TOP_SHARE <= n;
}

/** How many of the block's transactions go to its most frequent recipient (creations excluded). */
function mostToOneRecipient(block: BlockInput): number {
  const { rank } = recipientLinks(block.transactions);
  let most = 0;
  block.transactions.forEach((tx, i) => { if (tx.to) most = Math.max(most, rank[i]! + 1); });
  return most;
}

/** The header's gasUsed (a replay knows it), or the sum of the gas limits (a block being built). */
function blockGas(block: BlockInput): bigint {
  let gas = block.header.gasUsed;
  if (gas === 0n) for (const tx of block.transactions) gas += tx.gasLimit;
  return gas;
}

/**
 * Pre-state tables for Block-STM. The commit inserts every account and slot the block
 * creates and cannot grow a table midway (running out sends the block to the sequential path), so
 * the tables leave room for the most the block's gas can create: from Tangerine Whistle on, a new
 * account costs at least 25,000 gas (value transfer to it, CREATE, SELFDESTRUCT to it) besides the
 * transactions' own recipients, and a new slot 20,000 (SSTORE from zero), both counted twice
 * because refunds lower gasUsed. Tables no larger than that keep lookups in the caches and the TLB.
 */
function parallelSizes(block: BlockInput, pre: PreState, fork: Fork): RegionSizes {
  const n = block.transactions.length;
  const { slots, codeBytes } = preStateSize(pre);
  const gas = blockGas(block);
  const byGas = (cost: bigint) => Number((2n * gas) / cost);
  // Before EIP-150 a SELFDESTRUCT to a new account cost nothing: the old generous margin.
  const newAccounts = fork >= Fork.TangerineWhistle ? n + (block.withdrawals?.length ?? 0) + byGas(25_000n) + 64 : n * 16 + 1024;
  const newSlots = fork >= Fork.TangerineWhistle ? byGas(20_000n) + 64 : n * 16 + 4096;
  const sizes = sizesFor(0, 0, pre.accounts.length, codeBytes);
  // At most 3/4 full (assembly/state/accounts.ts): twice the bound leaves room.
  sizes.accounts = nextPow2(Math.max(256, 2 * (pre.accounts.length + newAccounts)));
  sizes.slots = nextPow2(Math.max(1024, 2 * (slots + newSlots)));
  sizes.codeArena = Math.max(sizes.codeArena, 32 << 20);
  return sizes;
}

/** How worker contexts reach remote state (src/remote/execute.ts). */
export interface RemoteWiring {
  flags: number;
  reqCap: number;
  onFetch: (ctx: number, ticket: number) => void;
  /** Set by runStaged: the worker contexts (for their statistics). */
  contexts?: number[];
}

export interface ParallelStats {
  executions: number;
  validations: number;
  aborts: number;
  waits: number;
  /**
   * Executions that read a value written by the transaction just before (a dependency chain), not
   * counting runs of one sender's transactions (known chains, scheduled on one thread).
   */
  chained: number;
  /**
   * First executions held back until the transaction before them from the same sender, or to the
   * same recipient once that recipient's transactions had conflicted, finished
   * (assembly/stm/worker.ts, hinted_wait).
   */
  held: number;
  /** Transactions started out of block order, ahead of the in-order claims (earlyStarts in src/block/staging.ts). */
  early: number;
  /** Parts of long precompiles that an idle worker ran for another (src/worker/help-desk.ts). */
  helped?: number;
  /**
   * Executions that credited their recipient lazily: value sent to an account without code,
   * published as an amount instead of a balance, so that deposits to one account do not conflict
   * (assembly/stm/load.ts).
   */
  credits: number;
  /**
   * Posted workers whose job was withdrawn before their thread took it: the coordinator finished
   * the block alone (a busy host had not scheduled them), and did not wait for them.
   */
  withdrawn?: number;
  /**
   * Set when the block ran partitioned (ParallelOptions.partition): groups of plain transfers that
   * share no account, each on one thread, without speculation; `largestGroup` is the most
   * transactions of one group (linked by shared senders or recipients), which bounds the speedup.
   */
  partitioned?: { largestGroup: number };
  /** true when the block ran on the sequential path (small block, or a region ran out). */
  sequential: boolean;
  fallbackReason?: string;
  /**
   * Set when conflicts made speculation a loss: Block-STM ran transactions [0, serialFrom) and the
   * coordinator ran the rest in order after committing them (assembly/stm/scheduler.ts).
   */
  serialFrom?: number;
  /**
   * With the dependencies option: for each transaction Block-STM ran (those below serialFrom), the
   * earlier ones whose writes its final incarnation read (src/parallel/dependencies.ts).
   */
  dependencies?: number[][];
  /** Milliseconds in the workers, in the in-order commit (and any serial rest), and reading receipts. */
  workersMs?: number;
  commitMs?: number;
  receiptsMs?: number;
}

const WORKER = {
  memory: 32 << 20,
  returnData: 8 << 20,
  logs: 4 << 20,
  journal: 1 << 16,
  touched: 1 << 14,
  dirty: 1 << 14,
  reads: 1 << 16,
  accounts: 4096,
  slots: 16384,
  transient: 1024,
};


/**
 * The block's result with its Block-STM statistics, added to the object itself. A copy
 * (`{ ...result, parallel }`) made the next block's sequential path 5-15% slower on one-transaction
 * blocks (timed in one process against executeBlock, 2026-11-23); adding the field did not.
 */
function withParallelStats(result: BlockResult, parallel: ParallelStats): BlockResult & { parallel: ParallelStats } {
  return Object.assign(result, { parallel });
}

export class ParallelExecutor {
  /** Reserves the worker contexts' regions in `vm` (see reserveWorkerContexts): create it before staging a block. */
  constructor(readonly vm: Vm, readonly pool: WorkerPool) {
    checkPoolMemory(vm, pool);
    reserveWorkerContexts(vm, pool.threads);
  }

  /** Executes the block; calls on one Vm run one at a time (a second waits for the first). */
  execute(block: BlockInput, pre: PreState, opts?: ParallelOptions | null): Promise<BlockResult & { parallel: ParallelStats }> {
    return exclusive(this.vm, () => this.executeNow(block, pre, optionsOf(opts, "execute")));
  }

  private async executeNow(block: BlockInput, pre: PreState, opts: ParallelOptions): Promise<BlockResult & { parallel: ParallelStats }> {
    const chain = chainOption(opts.chain);
    const threads = Math.min(threadCount(opts.threads, this.pool.threads), this.pool.threads);
    oneOf("policy", opts.policy, ["auto", "always"]);
    oneOf("help", opts.help, ["share", "wait", "off"]);
    booleans(opts, ["verifySenders", "serialFallback", "earlyStarts", "dependencies", "partition"]);
    if (opts.stmPrefix !== undefined && !(typeof opts.stmPrefix === "number" && opts.stmPrefix >= 0)) {
      throw new BraidError("OPTIONS_INVALID", `stmPrefix must be a number of transactions (0 or more), got ${JSON.stringify(opts.stmPrefix)}`);
    }
    const env = blockEnvFor(block, pre, chain);
    const senderMs = opts.verifySenders === false ? 0 : await this.recoverSenders(block, env.fork);
    const n = block.transactions.length;
    if (n < 2 || threads < 1) return this.sequential(block, pre, chain, senderMs, "fewer than two transactions");
    const auto = (opts.policy ?? "auto") === "auto";
    const tryPartition = opts.partition !== false && opts.serialFallback !== false && opts.stmPrefix === undefined && !opts.dependencies
      && (!auto || (n >= PARTITION_MIN_TXS && threads >= 2)) && transferShaped(block);
    const autoReason = "auto policy: too few transactions, too little gas per transaction, or (in a smaller block) too many to one recipient";
    if (auto && !worthParallel(block) && !tryPartition) return this.sequential(block, pre, chain, senderMs, autoReason);
    block.transactions.forEach((tx, i) => {
      if (!tx.sender) throw new BraidError("SENDER_MISSING", `transaction ${i}: no sender (no 'from' and recovery disabled)`);
      checkStatic(tx, i, env);
    });
    const runEnds = senderRunEnds(block.transactions);
    // A block most of which is one sender's run (a pool paying out) is one nonce chain: the
    // serial fallback hands over where that run starts, before any speculation. From the first
    // transaction on, that is the sequential path, without staging Block-STM first.
    const senderRun = longestSenderRun(runEnds);
    const handover = opts.serialFallback !== false && opts.stmPrefix === undefined && senderRun.length * 2 > n ? senderRun.start : n;
    if (handover === 0 && !tryPartition) return this.sequential(block, pre, chain, senderMs, "one sender's run from the first transaction is most of the block");
    this.pool.wake?.(threads - (this.pool.coordinatorMayBlock ? 1 : 0)); // they start as soon as the block is staged

    const tSetup = performance.now();
    const vm = this.vm;
    vm.reset(parallelSizes(block, pre, env.fork));
    vm.setBlock(env);
    const carver = new Carver(vm.end, vm.memory);
    const header = stageBlock(vm, carver, block, env, n, { multiVersion: true, runEnds, earlyStarts: opts.earlyStarts, help: opts.help });
    // A partitioned run's plan needs only the messages: a worker makes it while this thread loads
    // the pre-state (where the coordinator runs a share itself; else it is made at its turn).
    const plan = tryPartition ? new PartitionPlan(vm, header, carver, n, threads, pre) : undefined;
    if (plan && threads >= 2 && this.pool.coordinatorMayBlock) plan.post(this.pool);
    let contexts: number[], systemMs: number;
    try {
      // H_ADAPTIVE: conflicts may hand the rest of the block to the coordinator, in order. (Never with
      // remote state, whose reads the coordinator serves while the workers run: stageBlock leaves 0.)
      vm.dv().setUint32(header + L.H_ADAPTIVE, opts.serialFallback === false ? 0 : 1, true);
      if (opts.stmPrefix !== undefined) vm.dv().setUint32(header + L.H_LIMIT, Math.max(0, Math.min(n, Math.floor(opts.stmPrefix))), true);
      else if (handover < n) vm.dv().setUint32(header + L.H_LIMIT, handover, true);
      // BLOCKHASH on the workers reads a ring in the shared memory (no host call, nothing to post).
      const ring = blockHashRing(vm, carver);
      for (const [number, hash] of pre.blockHashes) if (number < env.number && env.number - number <= 256n) vm.putBlockHash(ring, number, hash);
      // The pre-state after the staging (megabytes of records on large blocks), so that its entries
      // are still in the caches when execution starts, as in the sequential path.
      vm.putAccounts(pre.accounts);
      // The system call counts as execution, as in the sequential path.
      const tSystem = performance.now();
      applyDaoFork(vm, chain, block);
      beaconRootCall(vm, env, block);
      systemMs = performance.now() - tSystem;
      contexts = this.stageContexts(env, carver, header, threads, ring);
    } catch (e) {
      await plan?.settle(this.pool).catch(() => undefined); // its worker is done with this block's memory first
      throw e;
    }
    const t0 = performance.now();
    let run: Awaited<ReturnType<ParallelExecutor["runStaged"]>> | undefined;
    if (plan) {
      const largest = await plan.largestGroup(this.pool);
      if (partitionWorthIt(largest, n, threads)) run = await this.runPartitioned(block, env, header, contexts, largest);
      else if (auto && !worthParallel(block)) return this.sequential(block, pre, chain, senderMs, largest === 0 ? autoReason : "auto policy: one group of transfers sharing accounts is most of the block");
      else if (handover === 0) return this.sequential(block, pre, chain, senderMs, "one sender's run from the first transaction is most of the block");
    }
    run ??= await this.runStaged(block, env, header, contexts);
    if ("fallback" in run) return this.sequential(block, pre, chain, senderMs, run.fallback);
    const { results, stats } = run;
    const unrewarded = finishBlock(vm, env, block);
    const executionMs = performance.now() - t0 + systemMs;
    if (opts.dependencies) stats.dependencies = readDependencies(vm, header, stats.serialFrom ?? n);
    const finished = env.fork >= Fork.Byzantium && contexts.length > 1 ? await this.finishOnWorker(header, contexts[1]!) : undefined;
    const result = assembleResult(vm, block, env, results, unrewarded, { senderRecoveryMs: senderMs, setupMs: t0 - tSetup - systemMs, executionMs }, finished);
    return withParallelStats(result, stats);
  }

  /**
   * The receipts root, hashed on a worker (bound to `context`) while this thread reads the state
   * diff: on blocks of thousands of transactions each takes milliseconds. A job the worker has not
   * taken by the time the diff is read is withdrawn and hashed here.
   */
  private async finishOnWorker(header: number, context: number): Promise<{ root: Uint8Array; diff: Map<string, StateDiffEntry | null>; finishMs: number }> {
    const t0 = performance.now();
    const vm = this.vm;
    const at = stageReceiptsRoot(vm, header);
    const job = this.pool.run([context], { job: "root" });
    job.catch(() => undefined); // awaited below unless withdrawn
    const diff = stateDiff(vm);
    if ((this.pool.withdraw?.() ?? []).length > 0) vm.exports.receipts_root(header, at + 32, at);
    else if (!(this.pool.coordinatorMayBlock && this.pool.join?.())) await job;
    return { root: vm.u8().slice(at, at + 32), diff, finishMs: performance.now() - t0 };
  }

  /**
   * Stages one worker context per thread for a block staged at `header` (part of staging, like the
   * sequential path's context in vm.reset) and lists them in the header; returns their addresses.
   */
  stageContexts(env: BlockEnv, carver: Carver, header: number, threads: number, blockHashRing: number, remote?: RemoteWiring): number[] {
    const vm = this.vm;
    const regions = regionSets.get(vm);
    if (!regions || regions.regions.length < threads) throw new Error("Braid: the worker contexts were not reserved before the block was staged");
    const contexts: number[] = [];
    const caps = localTableCaps(vm, header, env.fork);
    for (let w = 0; w < threads; w++) contexts.push(this.workerContext(regions.regions[w]!, carver, header, blockHashRing, caps, remote));
    // The scheduler's completion check adds up the contexts' active-task counts (stm/scheduler.ts).
    const list = carver.take(4 * threads);
    const staged = vm.dv();
    contexts.forEach((ctx, w) => staged.setUint32(list + 4 * w, ctx, true));
    staged.setUint32(header + L.H_CONTEXTS, list, true);
    staged.setUint32(header + L.H_CONTEXT_COUNT, threads, true);
    return contexts;
  }

  /**
   * Block-STM over a block already staged in the vm (pre-state in its tables), then the in-order
   * commit and the receipts. `fallback` when a region ran out (the caller runs sequentially).
   */
  async runStaged(block: BlockInput, env: BlockEnv, header: number, contexts: number[],
    remote?: RemoteWiring): Promise<{ results: ReturnType<typeof readReceipts>; stats: ParallelStats } | { fallback: string }> {
    const vm = this.vm;
    const regions = regionSets.get(vm)!;
    // Where the coordinator may block (Node) and serves no remote state, it runs the first
    // context itself instead of waking one more worker and waiting for its reply.
    const joins = this.pool.coordinatorMayBlock && !remote;
    const { posted, workers, joinWorkers, t0 } = await this.postWorkers(contexts, joins, { onFetch: remote?.onFetch });
    let withdrawn: number[] = [];
    if (joins) {
      workers.catch(() => undefined); // awaited below
      vm.exports.worker_init(contexts[0]!);
      try {
        vm.exports.stm_run(); // its share of the commit comes after the receipts (below)
      } finally {
        vm.exports.worker_init(vm.ctx);
      }
      // A worker whose thread had not yet taken its job (a busy host had not scheduled it) is not
      // waited for: the block is done without it.
      withdrawn = this.pool.withdraw?.() ?? [];
      for (const k of withdrawn) {
        const r = regions.regions[k + 1]!;
        if (vm.dv().getUint32(r.ctx + L.CTX_ZERO_TABLES, true) !== 0) r.used = false; // still unzeroed
      }
    } else {
      await workers;
    }
    const tRun = performance.now();
    try {
      const dv = vm.dv();
      const err = dv.getUint32(header + L.H_ERROR, true);
      const stats: ParallelStats = {
        executions: contexts.reduce((sum, c) => sum + dv.getUint32(c + L.CTX_STM_EXECUTIONS, true), 0),
        validations: contexts.reduce((sum, c) => sum + dv.getUint32(c + L.CTX_STM_VALIDATIONS, true), 0),
        credits: contexts.reduce((sum, c) => sum + dv.getUint32(c + L.CTX_STM_CREDITS, true), 0),
        aborts: dv.getUint32(header + L.H_ABORTS, true),
        waits: dv.getUint32(header + L.H_WAITS, true),
        chained: dv.getUint32(header + L.H_CHAINED, true),
        held: dv.getUint32(header + L.H_HELD, true),
        early: dv.getUint32(header + L.H_EARLY_RUN, true),
        helped: helpedJobs(vm, header),
        withdrawn: withdrawn.length,
        sequential: false,
      };
      if (remote) remote.contexts = contexts;
      if (err !== 0) return { fallback: `region exhausted (reason ${err})` };

      dv.setUint32(vm.ctx + L.CTX_STM, header, true);
      // Where Block-STM ran the whole block its results are final once the run is done: the
      // coordinator reads the receipts while the posted workers apply the writes, then takes a share
      // of what is left. (A serial rest writes receipts of its own: read after it, below.)
      const n = block.transactions.length;
      let early: { results: ReturnType<typeof readReceipts> } | { error: unknown } | undefined;
      let receiptsMs = 0;
      if (joins) {
        if (dv.getUint32(header + L.H_LIMIT, true) >= n) {
          const t = performance.now();
          try {
            early = { results: readReceipts(vm, block, header, env) };
          } catch (e) {
            early = { error: e }; // thrown after the commit, unless it finds an invalid transaction first
          }
          receiptsMs = performance.now() - t;
        }
        vm.exports.stm_commit_share();
      }
      let bad = vm.exports.stm_commit() >>> 0;
      if (bad === L.COMMIT_UNFINISHED) {
        // A posted worker is still applying its share of the commit (or failed: awaiting it throws).
        await joinWorkers();
        bad = vm.exports.stm_commit() >>> 0;
      }
      if (bad === 0xffffffff || bad === L.COMMIT_UNFINISHED) return { fallback: "commit ran out of room" };
      if (bad !== 0) {
        const reason = INVALID_REASONS[dv.getUint32(txRecord(vm, header, bad - 1) + L.T_INVALID, true)] ?? "invalid";
        throw new BraidError("TX_INVALID", `transaction ${bad - 1} is invalid: ${reason}`);
      }
      const limit = dv.getUint32(header + L.H_LIMIT, true);
      if (limit < n) {
        stats.serialFrom = limit;
        const r = vm.exports.seq_run_block(limit) >>> 0;
        if (r & 0x80000000) return { fallback: `region exhausted in the serial rest (reason ${r & 0x7fffffff})` };
        if (r !== 0) {
          const reason = INVALID_REASONS[vm.dv().getUint32(txRecord(vm, header, r - 1) + L.T_INVALID, true)] ?? "invalid";
          throw new BraidError("TX_INVALID", `transaction ${r - 1} is invalid: ${reason}`);
        }
      }
      const tCommit = performance.now();
      if (early && "error" in early) throw early.error;
      const results = early ? early.results : readReceipts(vm, block, header, env);
      stats.workersMs = tRun - t0;
      stats.commitMs = tCommit - tRun - receiptsMs;
      stats.receiptsMs = receiptsMs + performance.now() - tCommit;
      return { results, stats };
    } finally {
      // The posted workers have left their loops (the block is done) but must have returned
      // before the memory is reused.
      if (joins) await joinWorkers();
    }
  }

  /**
   * Partitioned execution of a block staged at `header` whose plan (part_plan) is made: the
   * threads claim units of the plan (the coordinator runs one where it may block), then the
   * coordinator credits the fees. `fallback` when a thread met what the plan ruled out or a table
   * ran out (the pre-state tables are then changed: the caller restages for the sequential path).
   */
  private async runPartitioned(block: BlockInput, env: BlockEnv, header: number, contexts: number[],
    largestGroup: number): Promise<{ results: ReturnType<typeof readReceipts>; stats: ParallelStats } | { fallback: string }> {
    const vm = this.vm;
    const dv = vm.dv();
    // The contexts run on the pre-state tables, whose entries carry transaction-id stamps (warm,
    // touched): their ids start above every one used there so far, and the coordinator's continue
    // above theirs afterwards. (Each account is one context's only; their ranges may overlap.)
    const homeTxid = dv.getUint32(vm.ctx + L.CTX_TXID, true);
    for (const c of contexts) {
      dv.setUint32(c + L.CTX_PARALLEL, 2, true);
      dv.setUint32(c + L.CTX_TXID, homeTxid, true);
    }
    const raiseHomeTxid = () => {
      dv.setUint32(vm.ctx + L.CTX_TXID, Math.max(...contexts.map((c) => dv.getUint32(c + L.CTX_TXID, true))), true);
      vm.exports.worker_init(vm.ctx);
    };
    const joins = this.pool.coordinatorMayBlock;
    const { posted, workers, joinWorkers, t0 } = await this.postWorkers(contexts, joins, { job: "part" });
    let withdrawn: number[] = [];
    try {
      if (joins) {
        workers.catch(() => undefined); // awaited below
        // Its own share, then (finding nothing left to claim, only to count them done) the jobs
        // of workers whose thread had not taken them.
        const runHere = (ctx: number) => {
          vm.exports.worker_init(ctx);
          try { vm.exports.part_run(); } finally { vm.exports.worker_init(vm.ctx); }
        };
        runHere(contexts[0]!);
        withdrawn = this.pool.withdraw?.() ?? [];
        for (const k of withdrawn) runHere(posted[k]!);
      } else {
        await workers;
      }
      const tRun = performance.now();
      let r = vm.exports.part_finish(header) >>> 0;
      if (r === L.COMMIT_UNFINISHED) {
        await joinWorkers();
        r = vm.exports.part_finish(header) >>> 0;
      }
      raiseHomeTxid();
      // This mode leaves the contexts' own tables alone: one staged fresh is still to be zeroed
      // by the first Block-STM run on it (its region counts as unused, as a withdrawn one's).
      const regions = regionSets.get(vm)!;
      contexts.forEach((c, w) => { if (dv.getUint32(c + L.CTX_ZERO_TABLES, true) !== 0) regions.regions[w]!.used = false; });
      if (r === 0xffffffff || r === L.COMMIT_UNFINISHED) return { fallback: `partitioned run stopped (reason ${dv.getUint32(header + L.H_ERROR, true)})` };
      if (r !== 0) {
        const reason = INVALID_REASONS[dv.getUint32(txRecord(vm, header, r - 1) + L.T_INVALID, true)] ?? "invalid";
        throw new BraidError("TX_INVALID", `transaction ${r - 1} is invalid: ${reason}`);
      }
      const tCommit = performance.now();
      dv.setUint32(vm.ctx + L.CTX_STM, header, true);
      const results = readReceipts(vm, block, header, env);
      const stats: ParallelStats = {
        executions: contexts.reduce((sum, c) => sum + dv.getUint32(c + L.CTX_STM_EXECUTIONS, true), 0),
        validations: 0, aborts: 0, waits: 0, chained: 0, held: 0, early: 0, credits: 0,
        withdrawn: withdrawn.length, sequential: false, partitioned: { largestGroup },
        workersMs: tRun - t0, commitMs: tCommit - tRun, receiptsMs: performance.now() - tCommit,
      };
      return { results, stats };
    } finally {
      if (joins) await joinWorkers();
    }
  }

  /**
   * Posts the contexts' jobs to the workers: all of them, or where the coordinator `joins` (it may
   * block) all but the first, which it runs itself. `t0` is when they were posted; `joinWorkers`
   * waits for them, through shared memory where the pool can (the reply messages come later).
   */
  private async postWorkers(contexts: number[], joins: boolean, opts: RunOptions) {
    const posted = joins ? contexts.slice(1) : contexts;
    if (joins && posted.length > 0) await this.pool.whenReady(); // then run() posts at once, before this thread blocks
    const t0 = performance.now();
    const workers = posted.length > 0 ? this.pool.run(posted, opts) : Promise.resolve([]);
    const joinWorkers = async () => { if (posted.length > 0 && !(joins && this.pool.join?.())) await workers; };
    return { posted, workers, joinWorkers, t0 };
  }

  /** Sender recovery (ecrecover of every transaction) spread over the workers. */
  async recoverSenders(block: BlockInput, fork: Fork): Promise<number> {
    const t0 = performance.now();
    const jobs = block.transactions.map((tx, i) => withPrefix(`transaction ${i}: `, () => recoveryJob(tx, fork)));
    const addresses = await this.pool.recover(jobs);
    block.transactions.forEach((tx, i) => {
      const a = addresses[i];
      if (!a) throw new BraidError("INVALID_SIGNATURE_VRS", `transaction ${i}: public key recovery failed`);
      assignSender(tx, i, a);
    });
    return performance.now() - t0;
  }

  private sequential(block: BlockInput, pre: PreState, chain: ChainConfig, senderMs: number, reason: string): BlockResult & { parallel: ParallelStats } {
    const sizes = parallelSizes(block, pre, forkAt(chain, block.header.number, block.header.timestamp));
    const r = executeBlockOn(this.vm, block, pre, { chain, verifySenders: false, sizes });
    r.stats.senderRecoveryMs = senderMs;
    return withParallelStats(r, { executions: block.transactions.length, validations: 0, aborts: 0, waits: 0, chained: 0, held: 0, early: 0, credits: 0, sequential: true, fallbackReason: reason });
  }

  /**
   * A worker's context for this block: its own stacks, memory and local tables (kept across blocks
   * in the Vm's reservation, see reserveWorkerContexts), the shared pre-state, code and STM structures.
   */
  private workerContext(r: WorkerRegions, carver: Carver, header: number, blockHashRing: number, caps: LocalTableCaps, remote?: RemoteWiring): number {
    const vm = this.vm;
    const ctx = r.ctx;
    const u8 = vm.u8();
    const dv = vm.dv();
    // The tables' entries carry the generation they were written in: a context that ran before
    // continues from its last generation, so its old entries are free without zeroing megabytes.
    // A fresh one (or one whose generation is about to wrap) is zeroed by the thread that runs it.
    const lastGen = r.used ? dv.getUint32(ctx + L.CTX_GEN, true) : 0;
    const fresh = lastGen === 0 || lastGen > 0x7fff0000;
    r.used = true;
    // Block environment (fork .. blob fields) from the coordinator.
    u8.copyWithin(ctx, vm.ctx, vm.ctx + L.CTX_CALLER);
    // The keccak memo at the context's end is zeroed by the thread that runs it (stm_worker).
    vm.exports.mem_zero(ctx + L.CTX_CALLER, L.CTX_KECCAK_MEMO - L.CTX_CALLER);
    const set = (off: number, v: number) => dv.setUint32(ctx + off, v, true);
    const get = (off: number) => dv.getUint32(vm.ctx + off, true);
    set(L.CTX_ZERO_TABLES, fresh ? 1 : 0);
    set(L.CTX_GEN, fresh ? 1 : lastGen + 1);
    set(L.CTX_FRAMES, r.frames);
    set(L.CTX_STACK, r.stack);
    set(L.CTX_MEM, r.mem); set(L.CTX_MEM_END, r.mem + WORKER.memory);
    set(L.CTX_RDATA, r.rdata); set(L.CTX_RDATA_END, r.rdata + WORKER.returnData);
    set(L.CTX_LOG, r.logs); set(L.CTX_LOG_END_CAP, r.logs + WORKER.logs);
    set(L.CTX_JOURNAL, r.journal); set(L.CTX_JOURNAL_CAP, WORKER.journal);
    set(L.CTX_TOUCHED, r.touched); set(L.CTX_TOUCHED_CAP, WORKER.touched);
    set(L.CTX_DIRTY, r.dirty); set(L.CTX_DIRTY_CAP, WORKER.dirty);
    set(L.CTX_READS, r.reads); set(L.CTX_READS_CAP, WORKER.reads);
    // A fresh context is zeroed whole (its first block uses the whole tables): later blocks may
    // use more of them than the one before, and their entries must then be free.
    set(L.CTX_ACCT_TABLE, r.accounts); set(L.CTX_ACCT_CAP, fresh ? WORKER.accounts : caps.accounts);
    set(L.CTX_STOR_TABLE, r.slots); set(L.CTX_STOR_CAP, fresh ? WORKER.slots : caps.slots);
    set(L.CTX_TSTOR_TABLE, r.transient); set(L.CTX_TSTOR_CAP, WORKER.transient);
    // Shared: pre-state tables, code table and arena, the STM structures.
    const t = vm.tables;
    set(L.CTX_BASE_ACCT_TABLE, t.acct); set(L.CTX_BASE_ACCT_CAP, t.acctCap);
    set(L.CTX_BASE_STOR_TABLE, t.slot); set(L.CTX_BASE_STOR_CAP, t.slotCap);
    set(L.CTX_CODE_TABLE, get(L.CTX_CODE_TABLE)); set(L.CTX_CODE_CAP, get(L.CTX_CODE_CAP));
    set(L.CTX_CODE_HOME, vm.ctx);
    set(L.CTX_STM, header);
    set(L.CTX_PARALLEL, 1);
    set(L.CTX_BASE_GEN, vm.generation);
    set(L.CTX_BLOCKHASHES, blockHashRing);
    if (remote) {
      // Remote state: this worker's own request list and run-ahead region.
      set(L.CTX_REMOTE, remote.flags);
      set(L.CTX_REQ, carver.take(remote.reqCap * L.REQ_SIZE)); set(L.CTX_REQ_CAP, remote.reqCap);
      set(L.CTX_RA, carver.take(L.RA_REGION));
    }
    return ctx;
  }

}

interface LocalTableCaps { accounts: number; slots: number }

/**
 * How much of its account and storage tables a worker uses on this block: room for the most
 * accounts and slots one transaction's gas limit can reach (each first access costs at least the
 * cheapest cold access of the fork; Berlin's access lists 2,400 per address, 1,900 per key),
 * within the reservation. A transaction touches only a few entries, and a table no larger than it
 * needs keeps them in the core's caches (the whole tables are 0.8 and 2.6 MB).
 */
function localTableCaps(vm: Vm, header: number, fork: Fork): LocalTableCaps {
  // The largest gas limit, read from the staged messages (a loop over the transactions' BigInts
  // took 30 us of a 1.4 ms block of transfers).
  const gas = BigInt.asUintN(64, vm.exports.staged_max_gas_limit(header));
  const [perAccount, perSlot] = fork >= Fork.Berlin ? [2_400n, 1_900n] : fork >= Fork.TangerineWhistle ? [400n, 200n] : [20n, 50n];
  // At most 3/4 full (assembly/state/accounts.ts); 16 for the sender, recipient, coinbase, precompiles.
  const cap = (most: bigint, max: number) => Math.min(max, nextPow2(Math.max(256, 2 * (16 + Number(most)))));
  return { accounts: cap(gas / perAccount, WORKER.accounts), slots: cap(gas / perSlot, WORKER.slots) };
}

/** Where one worker's own regions lie (in its Vm's reservation). */
interface WorkerRegions {
  ctx: number; frames: number; stack: number; mem: number; rdata: number; logs: number; journal: number;
  touched: number; dirty: number; reads: number; accounts: number; slots: number; transient: number;
  /** Whether a block ran on this context (its tables hold entries of its last generation). */
  used: boolean;
}

/** Lays out one worker's regions with `take` (a counting pass sizes the reservation). */
function layOutWorker(take: (n: number) => number): Omit<WorkerRegions, "used"> {
  return {
    ctx: take(L.CTX_SIZE),
    frames: take(1025 * L.FRAME_SIZE),
    stack: take(1025 * L.STACK_BYTES),
    mem: take(WORKER.memory),
    rdata: take(WORKER.returnData),
    logs: take(WORKER.logs),
    journal: take(WORKER.journal * L.JOURNAL_SIZE),
    touched: take(WORKER.touched * 4),
    dirty: take(WORKER.dirty * 4),
    reads: take(WORKER.reads * L.R_SIZE),
    accounts: take(WORKER.accounts * L.ACCT_SIZE),
    slots: take(WORKER.slots * L.STOR_SIZE),
    transient: take(WORKER.transient * L.STOR_SIZE),
  };
}

/**
 * A pool's workers must run on the Vm's own memory: on another Vm's they would take whatever
 * lies at the staged contexts' addresses there for a context, and run (and write) from it.
 */
export function checkPoolMemory(vm: Vm, pool: WorkerPool): void {
  if (pool.memory !== vm.memory) throw new BraidError("OPTIONS_INVALID", "the worker pool was made for another memory: create it with this Vm's (new NodeWorkerPool(n, module, vm.memory))");
}

/** Options that are true or false (absent: their default). */
function booleans(opts: object, names: readonly string[]): void {
  for (const name of names) {
    const v = (opts as Record<string, unknown>)[name];
    if (v !== undefined && typeof v !== "boolean") throw new BraidError("OPTIONS_INVALID", `${name} must be true or false, got ${JSON.stringify(v)}`);
  }
}

/** An option that takes one of a few strings (absent: its default). */
function oneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new BraidError("OPTIONS_INVALID", `${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(value)}`);
  }
}

const regionSets = new WeakMap<Vm, { regions: WorkerRegions[] }>();

/**
 * Reserves the regions of `threads` worker contexts at the bottom of `vm`'s heap (Vm.reserve),
 * so that a worker's local tables stay where they were from block to block. A first reservation
 * (or a larger one) moves the vm's regions and empties its state: make it before staging a block.
 */
export function reserveWorkerContexts(vm: Vm, threads: number): void {
  const have = regionSets.get(vm);
  if (have && have.regions.length >= threads) return;
  let p = 0;
  const count = (n: number) => { p = Math.ceil(p / 64) * 64; const at = p; p += n; return at; };
  layOutWorker(count);
  const bytes = Math.ceil(p / 64) * 64;
  const base = vm.reserve(threads * bytes);
  const regions: WorkerRegions[] = [];
  for (let w = 0; w < threads; w++) {
    let q = base + w * bytes;
    const take = (n: number) => { q = Math.ceil(q / 64) * 64; const at = q; q += n; return at; };
    regions.push({ ...layOutWorker(take), used: false });
  }
  regionSets.set(vm, { regions });
}
