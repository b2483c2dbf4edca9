// `braid demo` (npm start): a generated mixed block (ERC-20 transfers, swaps over many pools, raw
// transfers and some hot/chained transactions) executed sequentially and in parallel, checked
// identical, with throughput, speedup and conflict statistics. Progress goes to stderr.
import { availableParallelism } from "node:os";
import { synthesizeBlock } from "../synth/index.js";
import { blockFromRpc, preStateFromAlloc } from "../block/parse.js";
import { executeBlock } from "../block/execute.js";
import { compareResults } from "../block/compare.js";
import { ParallelExecutor, type ParallelStats } from "../parallel/execute.js";
import { NodeWorkerPool } from "../node/pool.js";
import { loadBraidModule } from "../node/load.js";
import { Vm } from "../vm/vm.js";
import { median, timeAlternating, WARM_UP_RUNS } from "./timing.js";
import type { BlockResult } from "../block/types.js";

export interface DemoOptions {
  txs: number;
  threads: number;
  runs: number;
  json: boolean;
}

export const DEMO_DEFAULTS: DemoOptions = { txs: 2500, threads: Math.min(4, availableParallelism()), runs: 5, json: false };

export async function demo(o: DemoOptions): Promise<number> {
  const log = (m: string) => process.stderr.write(m + "\n");
  log(`generating a mixed block of ${o.txs} transactions...`);
  const t0 = performance.now();
  const sb = synthesizeBlock({ kind: "mixed", txs: o.txs, seed: "braid-demo" });
  log(`  ${sb.meta.gasUsed.toLocaleString()} gas in ${Math.round(performance.now() - t0)} ms (${JSON.stringify(sb.meta.categories)})`);
  const module = loadBraidModule();

  // One Vm per side, reused as a replay would, timed as `braid block --compare` times them
  // (timeAlternating, after WARM_UP_RUNS untimed runs of each side: the first runs pay for
  // compiling the hot paths). The whole call is timed as well: pre-state load, staging,
  // execution, receipts root and state diff.
  const seqVm = new Vm(module);
  const vm = new Vm(module);
  const pool = new NodeWorkerPool(o.threads, module, vm.memory);
  await pool.whenReady();
  const executor = new ParallelExecutor(vm, pool);
  const block = blockFromRpc(sb.block), pre = preStateFromAlloc(sb.alloc);
  const wall = async (run: () => BlockResult | Promise<BlockResult>) => {
    const t = performance.now();
    const result = await run();
    return { result, wallMs: performance.now() - t };
  };
  let seqRuns, parRuns;
  try {
    log(`warm-up: ${WARM_UP_RUNS} untimed runs of each...`);
    [seqRuns, parRuns] = await timeAlternating([
      () => wall(() => executeBlock(seqVm, block, pre, { verifySenders: false })),
      () => wall(() => executor.execute(block, pre, { verifySenders: false, threads: o.threads, policy: "always" })),
    ], o.runs, WARM_UP_RUNS, (r) => log(`run ${r + 1}/${o.runs}: sequential, then parallel on ${o.threads} threads...`));
  } finally {
    await pool.close();
  }
  const seq = seqRuns.at(-1)!.result, par = parRuns.at(-1)!.result as BlockResult & { parallel: ParallelStats };
  const seqMs = seqRuns.map((r) => r.result.stats.executionMs), parMs = parRuns.map((r) => r.result.stats.executionMs);
  const seqWall = seqRuns.map((r) => r.wallMs), parWall = parRuns.map((r) => r.wallMs);
  const diffs = compareResults(seq, par);
  const gas = Number(seq.gasUsed);
  const s = median(seqMs), p = median(parMs);
  const out = {
    txs: o.txs, gasUsed: gas, threads: o.threads, runs: o.runs,
    sequential: { ms: round(s), mgasPerS: round(gas / s / 1000), txPerS: Math.round(o.txs / s * 1000) },
    parallel: { ms: round(p), mgasPerS: round(gas / p / 1000), txPerS: Math.round(o.txs / p * 1000) },
    speedup: round(s / p),
    wholeCall: { sequentialMs: round(median(seqWall)), parallelMs: round(median(parWall)), speedup: round(median(seqWall) / median(parWall)) },
    identical: diffs.length === 0,
    conflicts: par.parallel,
  };
  if (o.json) console.log(JSON.stringify(out));
  else {
    console.log(`mixed block: ${o.txs} txs, ${gas.toLocaleString()} gas (median of ${o.runs} runs, execution only)`);
    console.log(`  sequential: ${out.sequential.ms} ms  ${out.sequential.mgasPerS} Mgas/s  ${out.sequential.txPerS} tx/s`);
    console.log(`  parallel:   ${out.parallel.ms} ms  ${out.parallel.mgasPerS} Mgas/s  ${out.parallel.txPerS} tx/s  on ${o.threads} threads`);
    console.log(`  speedup ${out.speedup}x; executions ${par.parallel.executions}, validations ${par.parallel.validations}, aborts ${par.parallel.aborts}, dependency waits ${par.parallel.waits}, held ${par.parallel.held}`);
    console.log(`  whole call (pre-state load, staging, execution, receipts root, state diff): sequential ${out.wholeCall.sequentialMs} ms, parallel ${out.wholeCall.parallelMs} ms, ${out.wholeCall.speedup}x`);
    console.log(`  sequential and parallel results ${out.identical ? "identical" : "DIFFER: " + diffs.slice(0, 3).join("; ")}`);
  }
  return out.identical ? 0 : 1;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
