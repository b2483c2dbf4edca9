// A loopback HTTP proxy in front of a JSON-RPC node that can rewrite results: the tests use it
// to hand the provider tampered proofs, code and headers.
import { createServer, type Server } from "node:http";

/** Gets each call's method, params and result; returns the result to send on (changed or not). */
export type Rewrite = (method: string, params: unknown[], result: unknown) => unknown;

export interface RpcProxy {
  url: string;
  /** HTTP requests forwarded so far. */
  requests: number;
  close(): Promise<void>;
}

interface Call { id: unknown; method: string; params: unknown[] }
interface Reply { id: unknown; result?: unknown; error?: unknown }

export async function startProxy(target: string, rewrite: Rewrite): Promise<RpcProxy> {
  const proxy: RpcProxy = { url: "", requests: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      proxy.requests++;
      try {
        const body = Buffer.concat(chunks).toString("utf8");
        const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
        const reply = (await upstream.json()) as Reply | Reply[];
        const calls = JSON.parse(body) as Call | Call[];
        const byId = new Map((Array.isArray(calls) ? calls : [calls]).map((c) => [c.id, c]));
        for (const r of Array.isArray(reply) ? reply : [reply]) {
          const c = byId.get(r.id);
          if (c && "result" in r) r.result = rewrite(c.method, c.params, r.result);
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(reply));
      } catch (e) {
        res.writeHead(502);
        res.end(String(e));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (!addr || typeof addr !== "object") throw new Error("proxy: no address");
  proxy.url = `http://127.0.0.1:${addr.port}`;
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()));
  return proxy;
}

/** `hex` with the byte at `index` (counted from the start of the data, after 0x) inverted. */
export function flipByte(hex: string, index: number): string {
  const body = hex.slice(2);
  const at = Math.min(index, body.length / 2 - 1) * 2;
  const b = (parseInt(body.slice(at, at + 2), 16) ^ 0xff).toString(16).padStart(2, "0");
  return "0x" + body.slice(0, at) + b + body.slice(at + 2);
}
