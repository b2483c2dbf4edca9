// Conservative ordering of side effects inside a basic block. Each effectful opcode reads and/or
// writes some resource classes; a reader is ordered after the class's last writer, a writer after
// the last writer and every reader since (read-after-write, write-after-read, write-after-write).
// Calls, creates, logs and SELFDESTRUCT read and write every class, so they are ordered against
// all state and memory effects. MSIZE counts as a memory write as well as a read because every
// memory access may expand memory. GAS (every instruction spends gas) is handled by the caller.

const MEM = 1, STORAGE = 2, TRANSIENT = 4, ACCOUNTS = 8, RETURNDATA = 16, LOGS = 32;
const ALL = MEM | STORAGE | TRANSIENT | ACCOUNTS | RETURNDATA | LOGS;
const CLASSES = 6;

/** [reads, writes] per opcode; absent: no effect. */
const EFFECTS = new Map<number, [number, number]>([
  [0x20, [MEM, 0]], [0x51, [MEM, 0]], [0xf3, [MEM, 0]], [0xfd, [MEM, 0]],
  [0x52, [0, MEM]], [0x53, [0, MEM]], [0x37, [0, MEM]], [0x39, [0, MEM]],
  [0x59, [MEM, MEM]], [0x5e, [MEM, MEM]],
  [0x3c, [ACCOUNTS, MEM]], [0x3e, [RETURNDATA, MEM]], [0x3d, [RETURNDATA, 0]],
  [0x31, [ACCOUNTS, 0]], [0x3b, [ACCOUNTS, 0]], [0x3f, [ACCOUNTS, 0]], [0x47, [ACCOUNTS, 0]],
  [0x54, [STORAGE, 0]], [0x55, [0, STORAGE]], [0x5c, [TRANSIENT, 0]], [0x5d, [0, TRANSIENT]],
  ...[0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xf0, 0xf1, 0xf2, 0xf4, 0xf5, 0xfa, 0xff].map((op) => [op, [ALL, ALL]] as [number, [number, number]]),
]);

export function hasEffect(op: number): boolean {
  return EFFECTS.has(op);
}

/** Tracks the last writer and the readers since, per class, for one block. */
export class EffectOrder {
  private lastWriter = [-1, -1, -1, -1, -1, -1]; // one per class
  private readers: number[][] = [[], [], [], [], [], []];

  /** Records node `id` running `op`; returns the earlier nodes it must follow. */
  add(id: number, op: number): number[] {
    const e = EFFECTS.get(op);
    if (!e) return [];
    const [reads, writes] = e;
    const deps = new Set<number>();
    for (let c = 0; c < CLASSES; c++) {
      const bit = 1 << c;
      if (!((reads | writes) & bit)) continue;
      if (this.lastWriter[c] >= 0) deps.add(this.lastWriter[c]);
      if (writes & bit) {
        for (const r of this.readers[c]) deps.add(r);
        this.readers[c] = [];
        this.lastWriter[c] = id;
      } else {
        this.readers[c].push(id);
      }
    }
    return [...deps];
  }
}
