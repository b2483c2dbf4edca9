// A tiny EVM assembler for the pipeline benchmarks: opcodes by name, PUSHn of a given width,
// DUPn/SWAPn, and labels for jump targets (PUSH2, patched when the label is placed).

const OPCODES: Record<string, number> = {
  STOP: 0x00, ADD: 0x01, MUL: 0x02, SUB: 0x03, DIV: 0x04, MULMOD: 0x09, EXP: 0x0a, XOR: 0x18,
  KECCAK256: 0x20, POP: 0x50, MLOAD: 0x51, MSTORE: 0x52, SLOAD: 0x54, JUMP: 0x56, JUMPI: 0x57,
  JUMPDEST: 0x5b, LOG0: 0xa0, RETURN: 0xf3,
};

export class Asm {
  private bytes: number[] = [];
  private labels = new Map<string, number>();
  private fixups: Array<{ at: number; label: string }> = [];

  op(...names: string[]): this {
    for (const n of names) {
      const b = OPCODES[n];
      if (b === undefined) throw new Error(`asm: unknown opcode ${n}`);
      this.bytes.push(b);
    }
    return this;
  }

  /** PUSHn of `v`; `width` bytes (default: the fewest that hold it, at least 1, so never PUSH0). */
  push(v: bigint | number, width?: number): this {
    let x = BigInt(v);
    if (x < 0n || x >= 1n << 256n) throw new RangeError(`asm: push ${x} out of range`);
    const w = width ?? Math.max(1, Math.ceil(x.toString(16).length / 2));
    if (w < 1 || w > 32 || x >= 1n << BigInt(8 * w)) throw new RangeError(`asm: ${x} does not fit PUSH${w}`);
    const out = new Array<number>(w);
    for (let i = w - 1; i >= 0; i--) { out[i] = Number(x & 0xffn); x >>= 8n; }
    this.bytes.push(0x5f + w, ...out);
    return this;
  }

  dup(n: number): this { return this.nth(0x7f, n); }
  swap(n: number): this { return this.nth(0x8f, n); }

  private nth(base: number, n: number): this {
    if (!Number.isInteger(n) || n < 1 || n > 16) throw new RangeError(`asm: DUP/SWAP ${n}`);
    this.bytes.push(base + n);
    return this;
  }

  /** Places a JUMPDEST named `name`. */
  label(name: string): this {
    this.labels.set(name, this.bytes.length);
    return this.op("JUMPDEST");
  }

  /** PUSH2 of a label's offset (placed before or after). */
  pushLabel(name: string): this {
    this.fixups.push({ at: this.bytes.length + 1, label: name });
    this.bytes.push(0x61, 0, 0);
    return this;
  }

  build(): Uint8Array {
    const out = Uint8Array.from(this.bytes);
    for (const f of this.fixups) {
      const to = this.labels.get(f.label);
      if (to === undefined) throw new Error(`asm: label ${f.label} never placed`);
      out[f.at] = to >> 8;
      out[f.at + 1] = to & 0xff;
    }
    return out;
  }
}
