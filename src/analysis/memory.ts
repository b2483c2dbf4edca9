// Symbolic memory of one basic block: for bytes written at constant offsets, the provenance
// and (when constant) the value of what was written. Bytes not written in the block hold what
// memory held on entry ("entry-stack" provenance). A write at an unknown offset, or a very large
// one, forgets every byte and raises the provenance of all unknown bytes to what it wrote.
import { ENTRY } from "./provenance.js";

/** Larger constant ranges are treated as unknown (keeps the per-byte map small). */
export const MAX_TRACKED = 4096;
const UNKNOWN_BYTE = 256;

export class SymbolicMemory {
  /** offset -> prov * 512 + byte value (UNKNOWN_BYTE when not constant). */
  private bytes = new Map<number, number>();
  private floor = ENTRY;

  /** Writes `len` bytes at `off` with provenance `prov`; `data` holds them when constant. */
  write(off: number, len: number, prov: number, data?: Uint8Array): void {
    if (len > MAX_TRACKED) { this.writeUnknown(prov); return; }
    for (let i = 0; i < len; i++) this.bytes.set(off + i, prov * 512 + (data ? data[i] : UNKNOWN_BYTE));
  }

  /** A write somewhere unknown: nothing known survives. */
  writeUnknown(prov: number): void {
    this.bytes.clear();
    this.floor = Math.max(this.floor, prov);
  }

  /** Copies known bytes within memory (MCOPY with constant operands). */
  copy(dst: number, src: number, len: number): void {
    if (len > MAX_TRACKED) { this.writeUnknown(this.readUnknown()); return; }
    const vals = Array.from({ length: len }, (_, i) => this.bytes.get(src + i));
    vals.forEach((v, i) => (v === undefined ? this.bytes.delete(dst + i) : this.bytes.set(dst + i, v)));
  }

  /** Provenance of `len` bytes at `off`, and the bytes when all are constant. */
  read(off: number, len: number): { prov: number; data?: Uint8Array } {
    if (len > MAX_TRACKED) return { prov: this.readUnknown() };
    let prov = 0;
    let data: Uint8Array | undefined = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const v = this.bytes.get(off + i);
      if (v === undefined) { prov = Math.max(prov, this.floor); data = undefined; continue; }
      prov = Math.max(prov, Math.floor(v / 512));
      const b = v % 512;
      if (b === UNKNOWN_BYTE) data = undefined;
      else if (data) data[i] = b;
    }
    return { prov, data };
  }

  /** Provenance of a read at an unknown place: the worst of everything memory may hold. */
  readUnknown(): number {
    let prov = this.floor;
    for (const v of this.bytes.values()) prov = Math.max(prov, Math.floor(v / 512));
    return prov;
  }
}
