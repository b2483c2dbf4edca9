import { configDefaults, defineConfig } from "vitest/config";

// Vitest spreads test FILES over its workers, but runs the tests inside one file one after
// another. The state-test suite is a single file (tests/statetests.test.ts) holding about a
// minute of single-threaded work, so it runs as STATE_SHARDS projects: the same file once per
// shard, each told by BRAID_SHARD=k/N which slice of the fixture files is its own. The file
// checks that the slices together cover every fixture file exactly once (except its FULL_ONLY
// list, which it asserts explicitly), so nothing is excluded silently. Run outside these
// projects (BRAID_SHARD unset), the file runs every slice itself.
const STATE_SHARDS = 4;
const STATE_FILE = "tests/statetests.test.ts";

export default defineConfig({
  test: {
    // The CI machine has 2 cores. Forks rather than threads: each Braid Vm allocates its own
    // shared WebAssembly.Memory (100+ MiB) and the state tests are CPU-bound.
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default", "./tests/helpers/summary-reporter.ts"],
    testTimeout: 600_000, // state-test folders can take a minute on a busy 2-core machine
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/**/*.test.ts"],
          // Not dropped: it is run by the state-k projects below, one shard each.
          exclude: [...configDefaults.exclude, STATE_FILE],
          testTimeout: 180_000,
        },
      },
      ...Array.from({ length: STATE_SHARDS }, (_, k) => ({
        extends: true as const,
        test: {
          name: `state-${k}`,
          include: [STATE_FILE],
          env: { BRAID_SHARD: `${k}/${STATE_SHARDS}` },
        },
      })),
    ],
  },
});
