// `braid block <fixture dir> --latency MS [--no-ooo] [--sequential] [--threads N] [--json]`:
// executes a fixture on remote state (an empty cache, a provider holding the fixture's
// pre-state that takes MS milliseconds per round trip), in order or with run-ahead, and checks
// the result against the header and against executeBlock on the preloaded pre-state.
import { forkName } from "../fork.js";
import { equalBytes } from "../encoding/hex.js";
import { isBraidError } from "../encoding/errors.js";
import { loadBraidModule } from "../node/load.js";
import { NodeWorkerPool } from "../node/pool.js";
import { loadBlockFixture } from "../node/fixture.js";
import { Vm } from "../vm/vm.js";
import { executeBlock } from "../block/execute.js";
import { compareResults } from "../block/compare.js";
import { executeRemote } from "../remote/execute.js";
import { MemoryStateProvider } from "../remote/memory-provider.js";

/** Workers for remote state: they mostly sleep on fetches, so more than the cores help. */
export const REMOTE_DEFAULT_THREADS = 16;

export async function remoteBlock(dir: string, o: { latencyMs: number; ooo: boolean; threads: number; json: boolean; verifySenders: boolean }): Promise<number> {
  const fx = loadBlockFixture(dir);
  const module = loadBraidModule();
  const vm = new Vm(module);
  const pool = new NodeWorkerPool(o.threads, module, vm.memory);
  let r;
  const t0 = performance.now();
  try {
    await pool.whenReady();
    const provider = new MemoryStateProvider(fx.pre, { latencyMs: o.latencyMs });
    r = await executeRemote(vm, fx.block, provider, { ooo: o.ooo, threads: o.threads, pool, verifySenders: o.verifySenders });
  } catch (e) {
    if (isBraidError(e)) { console.error(`braid: block ${Number(fx.block.header.number)}: ${e.message}`); return 1; }
    throw e;
  } finally {
    await pool.close();
  }
  const ms = Math.round((performance.now() - t0) * 100) / 100;
  const ref = executeBlock(vm, loadBlockFixture(dir).block, fx.pre, { verifySenders: false });
  const differences = compareResults(ref, r);
  const h = fx.block.header;
  const checks = {
    gasUsed: r.gasUsed === h.gasUsed,
    logsBloom: equalBytes(r.logsBloom, h.logsBloom),
    receiptsRoot: r.receiptsRoot === null ? null : equalBytes(r.receiptsRoot, h.receiptsRoot),
  };
  const ok = checks.gasUsed && checks.logsBloom && checks.receiptsRoot !== false && differences.length === 0;
  const out = {
    number: Number(h.number), fork: forkName(r.fork), txs: fx.block.transactions.length, gasUsed: Number(r.gasUsed), checks,
    latencyMs: o.latencyMs, ooo: o.ooo, threads: o.threads, roundTrips: r.remote.roundTrips, ms,
    identical: differences.length === 0,
    remote: {
      prefetchRoundTrips: r.remote.prefetchRoundTrips, stalls: r.remote.stalls, accounts: r.remote.accounts, slots: r.remote.slots,
      blockHashes: r.remote.blockHashes, runAhead: r.remote.runAhead, fetchMs: Math.round(r.remote.fetchMs),
    },
  };
  if (o.json) console.log(JSON.stringify(out));
  else {
    const mode = `${o.ooo ? "run-ahead" : "in order"}, ${o.threads === 1 ? "sequential" : `parallel on ${o.threads} workers`}`;
    console.log(`block ${out.number} (${out.fork}): ${out.txs} txs on remote state, ${o.latencyMs} ms per round trip (${mode})`);
    console.log(`  ${out.roundTrips} round trips (${out.remote.prefetchRoundTrips} before the first transaction, ${out.remote.stalls} stalls), ${out.remote.accounts} accounts and ${out.remote.slots} slots fetched, ${ms} ms`);
    console.log(`  gasUsed ${checks.gasUsed ? "ok" : "MISMATCH"}, logsBloom ${checks.logsBloom ? "ok" : "MISMATCH"}, receiptsRoot ${checks.receiptsRoot === null ? "not checkable (pre-Byzantium)" : checks.receiptsRoot ? "ok" : "MISMATCH"}, same as preloaded: ${out.identical ? "yes" : "NO: " + differences.slice(0, 5).join("; ")}`);
  }
  return ok ? 0 : 1;
}
