// Warms the JavaScript host paths a Block-STM worker calls into most, once per thread, while the
// thread is otherwise idle after start-up. A fresh thread runs them cold: ECRECOVER (key recovery,
// then Keccak-256 of the key in JavaScript) took 0.25-0.9 ms per call over its first 50 calls in a
// new worker thread, against 0.1 ms once V8 had compiled the path.
import { runPrecompile } from "../precompiles/index.js";
import { Fork } from "../fork.js";
import { hexToBytes } from "../encoding/hex.js";

/** A valid ECRECOVER input (go-ethereum's test vector): recovers 0x7156526fbd7a3c72969b54f64e42c10fbb768c8a. */
export const ECRECOVER_VECTOR = hexToBytes(
  "456e9aea5e197a1f1af7a3e85a3212fa4049a3ba34c2289b4c860fc0b0c64ef3" +
    "000000000000000000000000000000000000000000000000000000000000001c" +
    "9242685bf161793cc25603c231bc2f568eb630ea16aa137d2664ac8038825608" +
    "4f8ae3bd7535248d0bd448298cc2e2071e56992d0774dc340c368ae950852ada",
);

/**
 * Runs ECRECOVER on the vector up to `calls` times, stopping after `budgetMs` (a backend without
 * native recovery, as in browsers, is slow enough that a few calls are all it should spend).
 * Returns the calls made.
 */
export function warmHostPaths(calls = 64, budgetMs = 20): number {
  const until = performance.now() + budgetMs;
  let k = 0;
  while (k < calls && performance.now() < until) {
    runPrecompile(0x01, ECRECOVER_VECTOR, 3000n, Fork.Cancun);
    k++;
  }
  return k;
}
