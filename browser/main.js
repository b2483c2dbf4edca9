// Runs a mainnet block fixture with ParallelExecutor on BrowserWorkerPool (Web Workers), straight
// from the compiled ESM in ../dist (no bundler). Query: ?block=<n>&threads=<k> runs on load,
// fetching ../shared/fixtures/mainnet-blocks/<n>/ (gzipped JSON, inflated with
// DecompressionStream). The outcome lands on window.__braidResult; window.__braidRun(input, opts)
// runs a block given as JSON (tests pass fixtures through page.evaluate).
import { ParallelExecutor } from "../dist/parallel/execute.js";
import { Vm } from "../dist/vm/vm.js";
import { blockFromRpc, preStateFromAlloc } from "../dist/block/parse.js";
import { bytesToHex } from "../dist/encoding/hex.js";
import { forkName } from "../dist/fork.js";
import { BrowserWorkerPool } from "../dist/browser/pool.js";
import { loadBraidModuleFromUrl } from "../dist/browser/load.js";
import { fetchFixtureJson } from "../dist/browser/fixture.js";
import { executeRemote } from "../dist/remote/execute.js";
import { MemoryStateProvider } from "../dist/remote/memory-provider.js";

const FIXTURES = new URL("../shared/fixtures/mainnet-blocks/", import.meta.url).href;
const statusEl = document.getElementById("status");
const outEl = document.getElementById("out");
const show = (text, cls = "") => { statusEl.textContent = text; statusEl.className = cls; };

/** One Vm (its own shared memory) and pool per worker count, reused across runs. */
const machines = new Map();
async function machine(threads) {
  let m = machines.get(threads);
  if (!m) {
    const module = await loadBraidModuleFromUrl(new URL("../build/braid.wasm", import.meta.url));
    const vm = new Vm(module);
    const pool = new BrowserWorkerPool(threads, module, vm.memory);
    m = { vm, pool, ready: pool.whenReady() };
    machines.set(threads, m);
  }
  await m.ready;
  return m;
}

/**
 * Runs a block given as JSON: { block (eth_getBlockByNumber), alloc (geth alloc), blockHashes? }.
 * Returns a plain, structured-cloneable summary.
 */
async function run(input, { threads = 2, verifySenders = true, policy = "always", help, serialFallback, remote } = {}) {
  if (!self.crossOriginIsolated) throw new Error("the page is not cross-origin isolated (COOP/COEP headers missing)");
  const t0 = performance.now();
  const { vm, pool } = await machine(threads);
  const tReady = performance.now();
  const block = blockFromRpc(input.block);
  const pre = preStateFromAlloc(input.alloc, input.blockHashes);
  const t1 = performance.now();
  // Remote state ({ latencyMs, ooo }): the pre-state sits behind a provider with that latency;
  // the workers sleep on shared-memory flags while this thread fetches (it only awaits).
  let maxGap = 0, last = performance.now();
  const ticker = setInterval(() => { const now = performance.now(); maxGap = Math.max(maxGap, now - last); last = now; }, 5);
  let r;
  try {
    r = remote
      ? await executeRemote(vm, block, new MemoryStateProvider(pre, { latencyMs: remote.latencyMs }), { pool, threads, ooo: remote.ooo, verifySenders })
      : await new ParallelExecutor(vm, pool).execute(block, pre, { threads, verifySenders, policy, help, serialFallback });
  } finally {
    clearInterval(ticker);
  }
  const t2 = performance.now();
  const h = block.header;
  const receiptsRoot = r.receiptsRoot === null ? null : bytesToHex(r.receiptsRoot);
  return {
    ok: true,
    crossOriginIsolated: self.crossOriginIsolated,
    number: Number(h.number),
    fork: forkName(r.fork),
    transactions: block.transactions.length,
    threads,
    receiptsRoot,
    headerReceiptsRoot: bytesToHex(h.receiptsRoot),
    gasUsed: r.gasUsed.toString(),
    headerGasUsed: h.gasUsed.toString(),
    logsBloom: bytesToHex(r.logsBloom),
    checks: {
      receiptsRoot: receiptsRoot === null ? null : receiptsRoot === bytesToHex(h.receiptsRoot),
      gasUsed: r.gasUsed === h.gasUsed,
      logsBloom: bytesToHex(r.logsBloom) === bytesToHex(h.logsBloom),
    },
    receipts: r.receipts.map((x) => ({ status: x.status, gasUsed: x.gasUsed.toString(), logs: x.logs.length })),
    parallel: r.parallel,
    remote: r.remote ? { roundTrips: r.remote.roundTrips, stalls: r.remote.stalls, prefetchRoundTrips: r.remote.prefetchRoundTrips } : undefined,
    mainThreadMaxGapMs: maxGap,
    stats: {
      steps: r.stats.steps?.toString(),
      senderRecoveryMs: r.stats.senderRecoveryMs,
      setupMs: r.stats.setupMs,
      executionMs: r.stats.executionMs,
      finishMs: r.stats.finishMs,
    },
    ms: { workersReady: tReady - t0, parse: t1 - tReady, execute: t2 - t1, total: t2 - t0 },
  };
}

async function fetchFixture(n) {
  const dir = new URL(`${encodeURIComponent(n)}/`, FIXTURES).href;
  const [block, alloc, blockHashes] = await Promise.all([
    fetchFixtureJson(dir, "block.json", true),
    fetchFixtureJson(dir, "alloc.json", true),
    fetchFixtureJson(dir, "block_hashes.json", false),
  ]);
  return { block, alloc, blockHashes };
}

/** Runs `input`, records the outcome on window.__braidResult, and returns it. */
async function runAndReport(input, opts) {
  window.__braidResult = undefined;
  let result;
  try {
    result = await run(input, opts);
  } catch (e) {
    result = { ok: false, error: e?.stack ?? String(e), crossOriginIsolated: self.crossOriginIsolated };
  }
  window.__braidResult = result;
  if (result.ok) {
    const good = Object.values(result.checks).every((c) => c !== false);
    show(`Block ${result.number} (${result.fork}), ${result.transactions} txs on ${result.threads} workers: ` +
      `receiptsRoot ${result.receiptsRoot} ${good ? "matches the header" : "DIFFERS from the header"}`, good ? "ok" : "bad");
  } else {
    show("Failed: " + result.error.split("\n")[0], "bad");
  }
  outEl.textContent = JSON.stringify({ ...result, receipts: result.receipts ? `${result.receipts.length} receipts` : undefined }, null, 2);
  return result;
}

window.__braidRun = runAndReport;
window.__braidFetchFixture = fetchFixture;

async function runBlock(n, threads) {
  show(`Fetching block ${n}…`);
  let input;
  try {
    input = await fetchFixture(n);
  } catch (e) {
    window.__braidResult = { ok: false, error: e?.stack ?? String(e), crossOriginIsolated: self.crossOriginIsolated };
    show("Failed: " + (e?.message ?? e), "bad");
    return;
  }
  show(`Running block ${n} on ${threads} workers…`);
  await runAndReport(input, { threads });
}

document.getElementById("run").addEventListener("submit", (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  void runBlock(String(f.get("block")).trim(), Number(f.get("threads")) || 2);
});

const params = new URLSearchParams(location.search);
window.__braidPageReady = true;
if (params.has("block")) void runBlock(params.get("block"), Number(params.get("threads") ?? 2) || 2);
else show(self.crossOriginIsolated ? "Ready." : "Not cross-origin isolated: serve this page with COOP/COEP headers.", self.crossOriginIsolated ? "" : "bad");
