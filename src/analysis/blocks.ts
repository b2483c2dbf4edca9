// Basic blocks of EVM bytecode. A block starts at pc 0, at every JUMPDEST and after a JUMPI
// (its fall-through); it ends after JUMP, JUMPI, STOP, RETURN, REVERT, INVALID, SELFDESTRUCT or an
// undefined opcode, and before a JUMPDEST. The code after a terminating instruction also starts a
// block (unreachable unless it is a JUMPDEST, but it is still code to report).
import { JUMPDEST, JUMPI, endsFlow, immediateSize } from "./opcodes.js";

export interface BasicBlock {
  index: number;
  /** pc of the first instruction. */
  start: number;
  /** pc after the last instruction (its immediate included; may exceed the code length when a PUSH is truncated). */
  end: number;
  /** pc of each instruction, in order. */
  pcs: number[];
}

/** The blocks of `code` in pc order. */
export function splitBlocks(code: Uint8Array): BasicBlock[] {
  const blocks: BasicBlock[] = [];
  let cur: BasicBlock | undefined;
  let pc = 0;
  while (pc < code.length) {
    const op = code[pc];
    if (cur && op === JUMPDEST) cur = undefined;
    if (!cur) {
      cur = { index: blocks.length, start: pc, end: pc, pcs: [] };
      blocks.push(cur);
    }
    cur.pcs.push(pc);
    pc += 1 + immediateSize(op);
    cur.end = pc;
    if (op === JUMPI || endsFlow(op)) cur = undefined;
  }
  return blocks;
}

/** The value a PUSH at `pc` pushes; bytes past the end of the code read as zero. */
export function pushValue(code: Uint8Array, pc: number): bigint {
  const n = immediateSize(code[pc]);
  if (n <= 6) { // fits a double exactly: one BigInt conversion
    let v = 0;
    for (let i = 1; i <= n; i++) v = v * 256 + (code[pc + i] ?? 0);
    return BigInt(v);
  }
  let hex = "0x";
  for (let i = 1; i <= n; i++) hex += HEX[code[pc + i] ?? 0];
  return BigInt(hex);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Index of the block containing `pc` (blocks sorted by start), or -1. */
export function blockAt(blocks: BasicBlock[], pc: number): number {
  let lo = 0, hi = blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (blocks[mid].start > pc) hi = mid - 1;
    else if (blocks[mid].end <= pc) lo = mid + 1;
    else return mid;
  }
  return -1;
}
