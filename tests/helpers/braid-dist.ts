// Block-level tests load Braid from dist/, not src/: NodeWorkerPool starts its workers from
// `./stm-worker.js` next to its OWN file, which exists only in the compiled dist/node/. Loading
// everything block-related from dist/ also keeps one copy of each class (BraidError, Vm), so
// `isBraidError` and `instanceof` work across the executors. The types come from src/ (same shapes).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BlockInput, BlockResult, PreState } from "../../src/block/types.js";
import type { ParallelStats } from "../../src/parallel/execute.js";

type VmModule = typeof import("../../src/vm/vm.js");
type LoadModule = typeof import("../../src/node/load.js");
type PoolModule = typeof import("../../src/node/pool.js");
type FixtureModule = typeof import("../../src/node/fixture.js");
type ExecuteModule = typeof import("../../src/block/execute.js");
type ParallelModule = typeof import("../../src/parallel/execute.js");
type CompareModule = typeof import("../../src/block/compare.js");
type ErrorsModule = typeof import("../../src/encoding/errors.js");
type HexModule = typeof import("../../src/encoding/hex.js");

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIST = join(ROOT, "dist");
const WASM = join(ROOT, "build", "braid.wasm");

const REQUIRED = [
  "node/pool.js", "node/stm-worker.js", "node/load.js", "node/fixture.js", "vm/vm.js", "block/execute.js",
  "parallel/execute.js", "block/compare.js", "encoding/errors.js", "encoding/hex.js",
];

function missingBuild(): string[] {
  const missing = REQUIRED.filter((f) => !existsSync(join(DIST, f))).map((f) => `dist/${f}`);
  if (!existsSync(WASM)) missing.push("build/braid.wasm");
  return missing;
}

const missing = missingBuild();
if (missing.length) {
  throw new Error(
    `Block tests run Braid from the compiled dist/ (the Block-STM workers load dist/node/stm-worker.js), but ` +
    `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing. Build first: npx asc --target release && npx tsc -p tsconfig.json`,
  );
}

function newest(dir: string, ext: string): { file: string; mtime: number } {
  let best = { file: "", mtime: 0 };
  const walk = (p: string) => {
    for (const n of readdirSync(p)) {
      const q = join(p, n);
      const s = statSync(q);
      if (s.isDirectory()) walk(q);
      else if (n.endsWith(ext) && s.mtimeMs > best.mtime) best = { file: q, mtime: s.mtimeMs };
    }
  };
  walk(dir);
  return best;
}

/** Warns (does not fail) when src/ or assembly/ is newer than the build the tests will run. */
function warnIfStale(): void {
  try {
    const src = newest(join(ROOT, "src"), ".ts");
    const asm = newest(join(ROOT, "assembly"), ".ts");
    const dist = statSync(join(DIST, "parallel", "execute.js")).mtimeMs;
    const wasm = statSync(WASM).mtimeMs;
    if (src.mtime > dist) console.warn(`[braid-dist] ${src.file} is newer than dist/: these tests run the OLD compiled host (rebuild: npx tsc -p tsconfig.json)`);
    if (asm.mtime > wasm) console.warn(`[braid-dist] ${asm.file} is newer than build/braid.wasm: these tests run the OLD wasm (rebuild: npx asc --target release)`);
  } catch { /* best effort */ }
}
warnIfStale();

const load = async <T>(f: string): Promise<T> => (await import(new URL(`../../dist/${f}`, import.meta.url).href)) as T;

export const { Vm } = await load<VmModule>("vm/vm.js");
export const { loadBraidModule } = await load<LoadModule>("node/load.js");
export const { NodeWorkerPool } = await load<PoolModule>("node/pool.js");
export const { loadBlockFixture } = await load<FixtureModule>("node/fixture.js");
export const { executeBlock } = await load<ExecuteModule>("block/execute.js");
export const { ParallelExecutor } = await load<ParallelModule>("parallel/execute.js");
export const { compareResults } = await load<CompareModule>("block/compare.js");
export const { BraidError, isBraidError } = await load<ErrorsModule>("encoding/errors.js");
export const { bytesToHex } = await load<HexModule>("encoding/hex.js");

export type Vm = InstanceType<VmModule["Vm"]>;
export type NodeWorkerPool = InstanceType<PoolModule["NodeWorkerPool"]>;
export type ParallelResult = BlockResult & { parallel: ParallelStats };
export type { BlockInput, BlockResult, PreState, ParallelStats };

/** A block and its pre-state; `make()` must return FRESH objects (the executors mutate tx.sender). */
export interface BlockCase {
  block: BlockInput;
  pre: PreState;
}

/**
 * One sequential Vm and two parallel executors (2 and 4 workers), each pool built on the memory
 * of the Vm it executes with. Create in beforeAll, close in afterAll.
 */
export type ParallelMode = "fallback" | "stm" | "half";

export class Executors {
  readonly module = loadBraidModule();
  readonly seqVm: Vm = new Vm(this.module);
  private readonly pars = new Map<number, { vm: Vm; pool: NodeWorkerPool }>();

  constructor(readonly threads: number[] = [2, 4]) {
    for (const t of threads) {
      const vm = new Vm(this.module);
      this.pars.set(t, { vm, pool: new NodeWorkerPool(t, this.module, vm.memory) });
    }
  }

  sequential(c: BlockCase, verifySenders = false): BlockResult {
    return executeBlock(this.seqVm, c.block, c.pre, { verifySenders });
  }

  /**
   * Block-STM on every block (policy "always"). `mode`: "fallback" (the default serial fallback),
   * "stm" (every transaction on Block-STM however conflicted), "half" (Block-STM on the first
   * half, the rest in order on the coordinator: the fallback's hand-over, every time).
   * `partition`: false keeps blocks of plain transfers on Block-STM too.
   */
  parallel(c: BlockCase, threads: number, verifySenders = false, mode: ParallelMode = "fallback", partition = true): Promise<ParallelResult> {
    const p = this.pars.get(threads);
    if (!p) throw new Error(`no pool with ${threads} threads`);
    return new ParallelExecutor(p.vm, p.pool).execute(c.block, c.pre, {
      threads, verifySenders, policy: "always", serialFallback: mode === "fallback", partition,
      ...(mode === "half" ? { stmPrefix: Math.floor(c.block.transactions.length / 2) } : {}),
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.pars.values()].map((p) => p.pool.close()));
    this.pars.clear();
  }
}

/** Differences of `b` from `a`, prefixed for a failure message (compareResults, capped). */
export function describeDiff(label: string, a: BlockResult, b: BlockResult, max = 20): string[] {
  const d = compareResults(a, b);
  const shown = d.slice(0, max).map((x) => `${label}: ${x}`);
  if (d.length > max) shown.push(`${label}: ... and ${d.length - max} more`);
  return shown;
}

/** Header checks: gasUsed, logsBloom, receiptsRoot (null before Byzantium). Returns failures. */
export function checkHeader(label: string, r: BlockResult, header: BlockInput["header"]): string[] {
  const out: string[] = [];
  if (r.gasUsed !== header.gasUsed) out.push(`${label}: gasUsed ${r.gasUsed} != header ${header.gasUsed}`);
  if (bytesToHex(r.logsBloom) !== bytesToHex(header.logsBloom)) out.push(`${label}: logsBloom differs from the header`);
  if (r.receiptsRoot !== null && bytesToHex(r.receiptsRoot) !== bytesToHex(header.receiptsRoot)) {
    out.push(`${label}: receiptsRoot ${bytesToHex(r.receiptsRoot)} != header ${bytesToHex(header.receiptsRoot)}`);
  }
  return out;
}

/** ../shared/fixtures/mainnet-blocks and its block directories, sorted by block number. */
export const MAINNET_BLOCKS = join(ROOT, "..", "shared", "fixtures", "mainnet-blocks");

export function listMainnetBlocks(): string[] {
  if (!existsSync(MAINNET_BLOCKS)) throw new Error(`${MAINNET_BLOCKS}: no such directory (the mainnet block fixtures)`);
  return readdirSync(MAINNET_BLOCKS)
    .filter((n) => statSync(join(MAINNET_BLOCKS, n)).isDirectory())
    .sort((a, b) => Number(a) - Number(b));
}

export function loadMainnetBlock(name: string): BlockCase {
  const f = loadBlockFixture(join(MAINNET_BLOCKS, name));
  return { block: f.block, pre: f.pre };
}
