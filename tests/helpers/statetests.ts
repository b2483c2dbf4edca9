// Fixture listing and sharding for tests/statetests.test.ts.
import { readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** ../shared/fixtures/state-tests relative to the repository root, or $BRAID_STATE_TESTS. */
export const FIXTURES = process.env.BRAID_STATE_TESTS || fileURLToPath(new URL("../../../shared/fixtures/state-tests", import.meta.url));

/** Every .json file under `root`, as sorted '/'-separated paths relative to it. */
export function listFixtureFiles(root = FIXTURES): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n));
    else if (p.endsWith(".json")) out.push(relative(root, p).split(sep).join("/"));
  };
  walk(root);
  return out.sort();
}

/**
 * Relative run times (ms, single thread, measured with `node dist/cli/main.js statetest` on a busy
 * 2-core machine) of the files that take far longer than their size suggests. Only used to
 * balance the shards; a stale value costs balance, never coverage.
 */
const SLOW: Record<string, number> = {
  "stTimeConsuming/CALLBlake2f_MaxRounds.json": 45000, // ~45 s: 4.29 billion BLAKE2 rounds
  "VMTests/vmPerformance/loopMul.json": 33000,
  "Pyspecs/cancun/eip4844_blobs/point_evaluation_precompile_external_vectors.json": 5500,
  "stStaticCall/static_Call50000_identity2.json": 4400,
  "stStaticCall/static_Call50000_rip160.json": 4300,
  "stPreCompiledContracts2/CALLBlake2f.json": 4200,
  "stStaticCall/static_Call50000_identity.json": 3900,
  "stStaticCall/static_Call50000_ecrec.json": 2850,
  "stStackTests/underflowTest.json": 2800,
  "stPreCompiledContracts2/CALLCODEBlake2f.json": 2700,
  "stTimeConsuming/sstore_combinations_initial21_2_Paris.json": 1400,
  "stTimeConsuming/sstore_combinations_initial10_2_Paris.json": 1400,
  "stTimeConsuming/sstore_combinations_initial00_Paris.json": 1100,
  "stTimeConsuming/sstore_combinations_initial10_Paris.json": 1100,
  "Pyspecs/cancun/eip1153_tstore/run_until_out_of_gas.json": 1100,
  "stTimeConsuming/sstore_combinations_initial11_2_Paris.json": 1050,
  "stEIP1559/intrinsic.json": 1000,
  "stStaticCall/static_Call1MB1024Calldepth.json": 1000,
  "stTimeConsuming/sstore_combinations_initial20_Paris.json": 1000,
  "stTimeConsuming/sstore_combinations_initial20_2_Paris.json": 1000,
  "stTimeConsuming/sstore_combinations_initial00_2_Paris.json": 950,
  "stTimeConsuming/sstore_combinations_initial01_2_Paris.json": 900,
  "stTimeConsuming/sstore_combinations_initial01_Paris.json": 850,
};

/** Estimated relative cost of one fixture file. */
export function weightOf(file: string, root = FIXTURES): number {
  return SLOW[file] ?? 10 + statSync(join(root, file)).size / 4096;
}

/**
 * Splits `files` into `n` shards of about equal estimated cost (longest first, each to the
 * least-loaded shard). Deterministic; every file lands in exactly one shard; each shard sorted.
 */
export function shard(files: string[], n: number, weight: (f: string) => number = (f) => weightOf(f)): string[][] {
  const shards: string[][] = Array.from({ length: n }, () => []);
  const load = new Array<number>(n).fill(0);
  const w = new Map(files.map((f) => [f, weight(f)]));
  const order = [...files].sort((a, b) => w.get(b)! - w.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  for (const f of order) {
    let best = 0;
    for (let i = 1; i < n; i++) if (load[i] < load[best]) best = i;
    shards[best].push(f);
    load[best] += w.get(f)!;
  }
  for (const s of shards) s.sort();
  return shards;
}

/** Groups files by their top-level folder, in sorted order. */
export function byFolder(files: string[]): Array<[string, string[]]> {
  const m = new Map<string, string[]>();
  for (const f of [...files].sort()) {
    const top = f.includes("/") ? f.slice(0, f.indexOf("/")) : ".";
    let list = m.get(top);
    if (!list) m.set(top, (list = []));
    list.push(f);
  }
  return [...m.entries()];
}

/** Parses BRAID_SHARD=k/N ("0/4"); undefined when unset. */
export function parseShardEnv(v: string | undefined): { index: number; count: number } | undefined {
  if (v === undefined || v === "") return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m || Number(m[1]) >= Number(m[2])) throw new Error(`BRAID_SHARD must be k/N with k < N, got '${v}'`);
  return { index: Number(m[1]), count: Number(m[2]) };
}
