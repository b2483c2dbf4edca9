// Reading a context's request list (written by assembly/remote/request.ts) into a StateRequest.
import * as L from "../wasm/layout.js";
import type { StateRequest } from "../state/provider.js";

function word(dv: DataView, at: number): bigint {
  let v = 0n;
  for (let i = 3; i >= 0; i--) v = (v << 64n) | dv.getBigUint64(at + i * 8, true);
  return v;
}

/** The requests a context has listed (and clears the list). */
export function takeRequests(memory: WebAssembly.Memory, ctx: number): StateRequest {
  const dv = new DataView(memory.buffer);
  const u8 = new Uint8Array(memory.buffer);
  const base = dv.getUint32(ctx + L.CTX_REQ, true);
  const n = dv.getUint32(ctx + L.CTX_REQ_COUNT, true);
  const req: StateRequest = { accounts: [], slots: [], blockHashes: [] };
  for (let i = 0; i < n; i++) {
    const r = base + i * L.REQ_SIZE;
    const kind = dv.getUint32(r + L.REQ_KIND, true);
    const address = u8.slice(r + L.REQ_ADDR, r + L.REQ_ADDR + 20);
    if (kind === L.REQ_ACCOUNT) req.accounts.push(address);
    else if (kind === L.REQ_SLOT) req.slots.push({ address, key: word(dv, r + L.REQ_KEY) });
    else if (kind === L.REQ_BLOCKHASH) req.blockHashes.push(word(dv, r + L.REQ_KEY));
  }
  dv.setUint32(ctx + L.CTX_REQ_COUNT, 0, true);
  return req;
}
