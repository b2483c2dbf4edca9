// The data dependencies Block-STM found: for each transaction, the earlier ones whose writes its
// final incarnation read. Read from the read sets in shared memory after a run (before the next
// block is staged over them).
import * as L from "../wasm/layout.js";
import type { Vm } from "../vm/vm.js";

/**
 * For transactions [0, count) of the block staged at `header`: the sorted indices of the earlier
 * transactions each one read from. A read of a version counts its writer; a read of the coinbase
 * counts every transaction whose fee it added; a balance read with lazy credits counts the
 * crediting transactions too.
 */
export function readDependencies(vm: Vm, header: number, count: number): number[][] {
  const dv = vm.dv();
  const txs = dv.getUint32(header + L.H_TXS, true);
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    const deps = new Set<number>();
    const reads = dv.getUint32(txs + i * L.TXR_SIZE + L.T_READS, true);
    const n = reads === 0 ? 0 : dv.getUint32(reads, true);
    for (let k = 0; k < n; k++) {
      const r = reads + 4 + k * L.R_SIZE;
      const loc = dv.getUint32(r + L.R_LOC, true);
      const tx = dv.getUint32(r + L.R_TX, true);
      const kind = dv.getUint32(r + L.R_KIND, true);
      if (tx !== L.BASE_TX) deps.add(tx);
      const after = tx === L.BASE_TX ? -1 : tx;
      if (kind === L.R_COINBASE) {
        for (let j = after + 1; j < i; j++) deps.add(j);
      } else if (kind === L.R_CREDITED) {
        for (let v = dv.getUint32(loc + L.V_DELTAS, true); v !== 0; v = dv.getUint32(v + L.VR_NEXT, true)) {
          const j = dv.getUint32(v + L.VR_TX, true);
          if (j > after && j < i) deps.add(j);
        }
        k += 2; // the credited sum follows in two records
      }
    }
    out.push([...deps].sort((a, b) => a - b));
  }
  return out;
}
