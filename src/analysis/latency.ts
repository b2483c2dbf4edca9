// Latency model of the dataflow analysis.
//
// Unit model (the critical path and ILP): every instruction node costs 1, except the pure stack
// shuffles DUPn, SWAPn and POP and the JUMPDEST marker, which cost 0: they move references to
// values and produce nothing (they still count as instructions in the ILP numerator).
//
// Weighted model (weightedCriticalPath): costs in "simple-op units", roughly what each op costs an
// interpreter relative to an ADD when state is not yet in memory: state accesses go to the
// state provider (a trie or database read, ~100), calls and creates set up a frame and touch
// several accounts (200 / 400), BLOCKHASH is a header lookup (50), KECCAK256 a hash of at
// least one block (10), the multiplicative ops a multi-limb product (MUL 2, DIV family and
// EXP 4, ADDMOD/MULMOD 6), transient storage a hash-table access (3).

const WEIGHTED = new Map<number, number>([
  [0x02, 2], [0x04, 4], [0x05, 4], [0x06, 4], [0x07, 4], [0x08, 6], [0x09, 6], [0x0a, 4],
  [0x20, 10],
  [0x31, 100], [0x3b, 100], [0x3c, 100], [0x3f, 100], [0x47, 20],
  [0x40, 50],
  [0x54, 100], [0x55, 100], [0x5c, 3], [0x5d, 3],
  [0xf0, 400], [0xf5, 400], [0xf1, 200], [0xf2, 200], [0xf4, 200], [0xfa, 200], [0xff, 200],
]);

/** Long-latency operations: state accesses, calls, creates, BLOCKHASH and KECCAK256. */
const LONG = new Set([0x20, 0x31, 0x3b, 0x3c, 0x3f, 0x40, 0x54, 0x55, 0xf0, 0xf1, 0xf2, 0xf4, 0xf5, 0xfa]);

export function isShuffle(op: number): boolean {
  return op === 0x50 || op === 0x5b || (op >= 0x80 && op <= 0x9f);
}

export function unitLatency(op: number): number {
  return isShuffle(op) ? 0 : 1;
}

export function weightedLatency(op: number): number {
  return isShuffle(op) ? 0 : WEIGHTED.get(op) ?? 1;
}

export function isLongLatency(op: number): boolean {
  return LONG.has(op);
}

/** State reads: SLOAD, BALANCE, EXTCODESIZE/HASH/COPY, BLOCKHASH and the CALL family's target. */
export function isStateRead(op: number): boolean {
  return op !== 0x55 && stateKeyInput(op) !== undefined;
}

/** State accesses (the reads and SSTORE) whose key or address provenance is reported, and which
 *  stack input (0: top) holds the key or address. */
export function stateKeyInput(op: number): number | undefined {
  switch (op) {
    case 0x31: case 0x3b: case 0x3c: case 0x3f: case 0x40: case 0x54: case 0x55: return 0;
    case 0xf1: case 0xf2: case 0xf4: case 0xfa: return 1; // (gas, address, ...)
    default: return undefined;
  }
}
