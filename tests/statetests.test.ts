// Every post entry of every GeneralStateTests fixture in ../shared/fixtures/state-tests, run
// through runStateTests (src/statetest/run.ts) on a Braid Vm, twice: on the preloaded pre-state,
// and on remote state (nothing preloaded, run-ahead at every stall). Every entry must pass; entries
// of forks Braid does not support may be skipped (they are listed and counted), entries of
// supported forks never.
//
// vitest.config.ts runs this file as several projects (state-0, state-1, ...), each with
// BRAID_SHARD=k/N, so the shards run in parallel workers. Without BRAID_SHARD this file runs
// every shard itself, one after another.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseFork, SUPPORTED_FORKS } from "../src/fork.js";
import { loadBraidModule } from "../src/node/load.js";
import { Vm } from "../src/vm/vm.js";
import { runStateTests, type EntryOutcome, type StateTestJson } from "../src/statetest/run.js";
import { FIXTURES, byFolder, listFixtureFiles, parseShardEnv, shard } from "./helpers/statetests.js";

/**
 * Fixture files that would run only with BRAID_FULL=1 (`BRAID_FULL=1 npx vitest run`). None today: the
 * slowest, stTimeConsuming/CALLBlake2f_MaxRounds (4.29 billion BLAKE2 rounds), takes ~45 s with
 * the BLAKE2F compiled into the wasm, so every entry runs in `npm test`.
 */
const FULL_ONLY: string[] = [];
const SLOW_FILES = ["stTimeConsuming/CALLBlake2f_MaxRounds.json"];
const SLOW_TIMEOUT_MS = 30 * 60_000;

/** The fixture set this suite was written against; a change means files were added or lost. */
const EXPECTED_FILE_COUNT = 2307;

const FULL = process.env.BRAID_FULL === "1";
const SHARDS = 4; // used only when BRAID_SHARD is unset
const env = parseShardEnv(process.env.BRAID_SHARD);
const shardCount = env?.count ?? SHARDS;
const myShards = env ? [env.index] : Array.from({ length: shardCount }, (_, k) => k);
const MAX_LISTED = 20;

const ALL_FILES = existsSync(FIXTURES) ? listFixtureFiles() : [];
const SELECTED = FULL ? ALL_FILES : ALL_FILES.filter((f) => !FULL_ONLY.includes(f));
const SHARD_FILES = shard(SELECTED, shardCount);

let vm: Vm;
beforeAll(() => {
  vm = new Vm(loadBraidModule());
});

type Outcome = EntryOutcome & { file: string };

function oneLine(s: string | undefined, max = 400): string {
  const line = (s ?? "").split("\n").slice(0, 2).join(" | ");
  return line.length > max ? line.slice(0, max) + "..." : line;
}

function describeOutcome(o: Outcome): string {
  return `${o.file} ${o.test} ${o.fork}[${o.index}]: ${oneLine(o.reason)}`;
}

/** Post entries in a parsed fixture: what runStateTests must report on. */
function entryCount(json: Record<string, StateTestJson>): number {
  let n = 0;
  for (const t of Object.values(json)) for (const list of Object.values(t.post)) n += list.length;
  return n;
}

interface FolderResult {
  passed: number;
  failures: Outcome[];
  skipped: Outcome[];
  ms: number;
}

function runFiles(files: string[]): FolderResult {
  const t0 = performance.now();
  const r: FolderResult = { passed: 0, failures: [], skipped: [], ms: 0 };
  for (const file of files) {
    let json: Record<string, StateTestJson>;
    try {
      json = JSON.parse(readFileSync(join(FIXTURES, file), "utf8"));
    } catch (e) {
      r.failures.push({ file, test: "-", fork: "-", index: 0, status: "failed", reason: `cannot read/parse: ${(e as Error).message}` });
      continue;
    }
    const outcomes = runStateTests(vm, json, undefined, { remote: true });
    const want = entryCount(json);
    if (outcomes.length !== want) {
      r.failures.push({ file, test: "-", fork: "-", index: 0, status: "failed", reason: `runStateTests reported ${outcomes.length} outcomes for ${want} post entries` });
    }
    for (const o of outcomes) {
      if (o.status === "passed") r.passed++;
      else if (o.status === "skipped") {
        const f = parseFork(o.fork);
        if (f !== undefined && SUPPORTED_FORKS.includes(f)) {
          r.failures.push({ ...o, file, status: "failed", reason: `skipped although ${o.fork} is supported: ${o.reason}` });
        } else r.skipped.push({ ...o, file });
      } else r.failures.push({ ...o, file });
    }
  }
  r.ms = performance.now() - t0;
  return r;
}

// Checked once: by shard 0, or by the unsharded run.
if (myShards.includes(0)) describe("state-test fixtures", () => {
  it(`are all present (${EXPECTED_FILE_COUNT} files under ${FIXTURES})`, () => {
    expect(existsSync(FIXTURES), `fixtures not found at ${FIXTURES}`).toBe(true);
    expect(ALL_FILES.length).toBe(EXPECTED_FILE_COUNT);
    for (const f of FULL_ONLY) expect(ALL_FILES, `FULL_ONLY file ${f} is missing`).toContain(f);
  });

  it(FULL ? "BRAID_FULL=1: nothing is excluded" : "only FULL_ONLY is excluded (BRAID_FULL=1 runs it too)", () => {
    const sharded = SHARD_FILES.flat();
    const inShards = new Set(sharded);
    expect(inShards.size, "a file is in two shards").toBe(sharded.length);
    const excluded = ALL_FILES.filter((f) => !inShards.has(f));
    expect(excluded).toEqual(FULL ? [] : FULL_ONLY);
    const all = new Set(ALL_FILES);
    expect(sharded.filter((f) => !all.has(f))).toEqual([]);
  });
});

for (const k of myShards) {
  const files = SHARD_FILES[k];
  describe(`state tests, shard ${k + 1}/${shardCount} (${files.length} files)`, () => {
    let passed = 0, skipped = 0, failed = 0, ms = 0;
    for (const [folder, list] of byFolder(files)) {
      it(`${folder} (${list.length} files)`, () => {
        const r = runFiles(list);
        passed += r.passed; skipped += r.skipped.length; failed += r.failures.length; ms += r.ms;
        if (r.skipped.length) {
          console.log(`${folder}: ${r.skipped.length} entries skipped (unsupported forks):\n` + r.skipped.map((s) => "  SKIP " + describeOutcome(s)).join("\n"));
        }
        if (r.failures.length) {
          const shown = r.failures.slice(0, MAX_LISTED).map((f) => "  " + describeOutcome(f)).join("\n");
          const more = r.failures.length > MAX_LISTED ? `\n  ... and ${r.failures.length - MAX_LISTED} more` : "";
          expect.fail(`${r.failures.length} of ${r.failures.length + r.passed + r.skipped.length} entries failed in ${folder} (file test fork[index]: reason):\n${shown}${more}`);
        }
        expect(r.passed + r.skipped.length).toBeGreaterThan(0);
      }, list.some((f) => SLOW_FILES.includes(f)) ? SLOW_TIMEOUT_MS : undefined);
    }
    it("summary", () => {
      console.log(`state tests shard ${k + 1}/${shardCount}: ${files.length} files, ${passed} passed, ${failed} failed, ${skipped} skipped, ${(ms / 1000).toFixed(1)} s`);
    });
  });
}
