// Pairing checks shared between Block-STM workers (src/precompiles/bn254.ts, src/worker/help-desk.ts):
// a worker in a multi-pair ECPAIRING posts the last pairs' Miller loops and an idle worker runs
// them. The block's results must be the sequential ones whether the other worker helped or not,
// for checks that hold, checks that do not and inputs with an invalid point.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bn254 } from "@noble/curves/bn254.js";
import { concatBytes } from "@noble/hashes/utils.js";
import { Executors, NodeWorkerPool, ParallelExecutor, Vm, describeDiff, type BlockCase } from "./helpers/braid-dist.js";
import { BlockBuilder, CANCUN, SLOW_COUNTER, address, slotOf, word } from "./helpers/conflicts.js";
import { asm, push, pushN } from "./helpers/asm.js";

const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
const R = bn254.fields.Fr.ORDER;
const g1 = (p: InstanceType<typeof G1>) => { const { x, y } = p.toAffine(); return concatBytes(word(x), word(y)); };
const g2 = (p: InstanceType<typeof G2>) => { const { x, y } = p.toAffine(); return concatBytes(word(x.c1), word(x.c0), word(y.c1), word(y.c0)); };

/** slot[CALLER] = success + 2 * output of STATICCALL(0x08, calldata). */
const PAIRING_CALLER = asm(
  "CALLDATASIZE", "PUSH0", "PUSH0", "CALLDATACOPY",
  push(32), pushN(2, 0x2000), "CALLDATASIZE", "PUSH0", push(8), "GAS", "STATICCALL",
  pushN(2, 0x2000), "MLOAD", push(2), "MUL", "ADD", "CALLER", "SSTORE", "STOP",
);

const holds = (a: bigint, b: bigint) =>
  concatBytes(g1(G1.BASE.multiply(a)), g2(G2.BASE.multiply(b)), g1(G1.BASE.multiply((a * b) % R).negate()), g2(G2.BASE));
const CHECKS: Array<{ input: Uint8Array; slot: bigint }> = [
  { input: concatBytes(holds(5n, 7n), holds(11n, 13n)), slot: 3n }, // four pairs, product one
  { input: concatBytes(holds(3n, 4n), g1(G1.BASE), g2(G2.BASE)), slot: 1n }, // three pairs, not one
  { input: concatBytes(holds(17n, 19n), g1(G1.BASE), concatBytes(word(1n), word(2n), word(3n), word(4n))), slot: 0n }, // last point off the twist: the call fails
  { input: concatBytes(holds(23n, 29n)), slot: 3n }, // two pairs
];

const PAIRING = address(0x0808);
const COUNTER = address(0xc0de);
const sender = (i: number) => address(0x5e0000 + i);

function block(): BlockCase {
  const b = new BlockBuilder(CANCUN, address(0xc0ffee));
  b.contract(PAIRING, PAIRING_CALLER);
  b.contract(COUNTER, SLOW_COUNTER);
  let s = 0;
  for (let round = 0; round < 2; round++) {
    for (const c of CHECKS) {
      b.eoa(sender(s));
      b.tx(sender(s++), PAIRING, { data: c.input, gas: 2_000_000n });
      b.eoa(sender(s));
      b.tx(sender(s++), COUNTER);
    }
  }
  return b.build();
}

let ex: Executors;
let vm: InstanceType<typeof Vm>;
let pool: NodeWorkerPool;
beforeAll(async () => {
  ex = new Executors([]);
  vm = new Vm(ex.module);
  pool = new NodeWorkerPool(2, ex.module, vm.memory);
  await pool.whenReady();
});
afterAll(async () => {
  await pool?.close();
  await ex?.close();
});

describe("pairing checks shared between workers", () => {
  it("a helped check gives the sequential results (holds, fails, invalid point)", async () => {
    const seq = ex.sequential(block());
    CHECKS.forEach((c, k) => expect(slotOf(seq, block(), PAIRING, BigInt("0x" + Buffer.from(sender(2 * k)).toString("hex"))), `check ${k}`).toBe(c.slot));
    let helped = 0;
    for (let round = 0; round < 3; round++) {
      const par = await new ParallelExecutor(vm, pool).execute(block().block, block().pre, { threads: 2, verifySenders: false, policy: "always", help: "wait", serialFallback: false });
      expect(par.parallel.sequential).toBe(false);
      expect(describeDiff(`round ${round}`, seq, par)).toEqual([]);
      helped += par.parallel.helped ?? 0;
    }
    // "wait": every check that finds the slot free waits for the other worker, which helps once idle
    // (no serial fallback: the counter's conflicts could hand the rest to the coordinator alone).
    expect(helped).toBeGreaterThanOrEqual(3);
  });

  it("help off: no check is shared, same results", async () => {
    const seq = ex.sequential(block());
    const par = await new ParallelExecutor(vm, pool).execute(block().block, block().pre, { threads: 2, verifySenders: false, policy: "always", help: "off" });
    expect(describeDiff("help off", seq, par)).toEqual([]);
    expect(par.parallel.helped).toBe(0);
  });

  it("one thread: no one to help", async () => {
    const seq = ex.sequential(block());
    const par = await new ParallelExecutor(vm, pool).execute(block().block, block().pre, { threads: 1, verifySenders: false, policy: "always", help: "wait" });
    expect(describeDiff("one thread", seq, par)).toEqual([]);
    expect(par.parallel.helped).toBe(0);
  });
});
