// Benchmark entry point: `npm run bench` runs every suite; `npm run bench -- <suite> [filters...]` runs one.
// Suites are loaded lazily so one that is missing or broken does not stop the others from running.
// To add a suite: create bench/<name>.ts exporting `run(args: string[]): Promise<void>` and add a row below.

type Suite = { describe: string; load: () => Promise<{ run(args: string[]): Promise<void> }> };

const SUITES: Record<string, Suite> = {
  interpreter: { describe: "evm-benchmarks (main, micro) on Braid vs @ethereumjs/evm", load: () => import("./interpreter.js") },
  blocks: { describe: "48 mainnet blocks (Frontier..Cancun): Braid executeBlock vs @ethereumjs/vm runBlock", load: () => import("./blocks.js") },
  parallel: { describe: "synthetic 2,000-tx blocks per kind: Block-STM (1/2/4 threads) vs sequential executeBlock", load: () => import("./parallel.js") },
  ooo: { describe: "run-ahead: 48 mainnet blocks on a 2 ms-per-round-trip provider, in order vs out of order, sequential vs parallel", load: () => import("./ooo.js") },
  ilp: { describe: "basic-block ILP distribution (dataflow analysis) over the mainnet blocks and evm-benchmarks", load: () => import("./ilp.js") },
  pipeline: { describe: "dependent chain vs independent streams per opcode; cold SLOADs on a slow provider, in order vs run-ahead", load: () => import("./pipeline.js") },
};

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "--help" || argv[0] === "-h" || argv[0] === "list") {
    console.log("usage: npm run bench [-- <suite> [case filters...]]\nsuites:");
    for (const [name, s] of Object.entries(SUITES)) console.log(`  ${name.padEnd(12)} ${s.describe}`);
    return 0;
  }
  const [first, ...rest] = argv;
  let plan: [string, string[]][];
  if (first === undefined || first === "all") {
    plan = Object.keys(SUITES).map((n) => [n, []]);
  } else if (first in SUITES) {
    plan = [[first, rest]];
  } else {
    console.error(`unknown suite "${first}"; known: ${Object.keys(SUITES).join(", ")}`);
    return 2;
  }
  // Benchmarks time steady-state replay: every thread builds the native KZG context on its first
  // proof (in the untimed warm-up runs) instead of after 64 proofs on micro-eth-signer (src/node/kzg.ts).
  process.env.BRAID_KZG_NATIVE_AFTER ??= "0";
  let failed = 0;
  for (const [name, args] of plan) {
    try {
      const mod = await SUITES[name]!.load();
      await mod.run(args);
    } catch (e) {
      failed++;
      console.error(`\nsuite ${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
