// A tiny read-only static file server for the browser tests: 127.0.0.1 on an ephemeral port,
// serving the repository root (and ../shared/fixtures under /shared/fixtures/) with the headers
// that make a page cross-origin isolated, which a shared WebAssembly.Memory requires:
//   Cross-Origin-Opener-Policy: same-origin
//   Cross-Origin-Embedder-Policy: require-corp
//   Cross-Origin-Resource-Policy: same-origin
// Only GET and HEAD; no directory listings; nothing outside the served folders, symbolic links
// included, can be reached.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createReadStream, existsSync, realpathSync, statSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";

/** The repository root (this file is tests/helpers/browser-server.ts). */
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** ../shared/fixtures beside the repository, served at /shared/fixtures/. */
export const SHARED_FIXTURES = resolve(REPO_ROOT, "..", "shared", "fixtures");

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".gz": "application/gzip",
};

export const ISOLATION_HEADERS: Record<string, string> = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

export interface StaticServer {
  /** Origin with a trailing slash, e.g. http://127.0.0.1:40123/ */
  readonly url: string;
  readonly port: number;
  /** Requests answered so far, as "STATUS /path" (for diagnostics). */
  readonly log: string[];
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** Folder served at "/". Default: the repository root. */
  root?: string;
  /** Extra URL prefixes ("/shared/fixtures/") mapped to folders. Default: the shared fixtures, if present. */
  mounts?: Record<string, string>;
}

interface Mount {
  prefix: string;
  dir: string;
}

function mountsFor(opts: StaticServerOptions): Mount[] {
  const extra = opts.mounts ?? (existsSync(SHARED_FIXTURES) ? { "/shared/fixtures/": SHARED_FIXTURES } : {});
  const list: Mount[] = Object.entries(extra).map(([prefix, dir]) => ({
    prefix: prefix.endsWith("/") ? prefix : prefix + "/",
    dir: realpathSync(dir),
  }));
  list.sort((a, b) => b.prefix.length - a.prefix.length); // longest prefix first
  list.push({ prefix: "/", dir: realpathSync(opts.root ?? REPO_ROOT) });
  return list;
}

const inside = (dir: string, p: string) => p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** The file a URL path names, or undefined when it names nothing servable. */
function locate(mounts: Mount[], rawPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (path.includes("\0") || path.includes("\\")) return undefined;
  const m = mounts.find((x) => path.startsWith(x.prefix) || path + "/" === x.prefix);
  if (!m) return undefined;
  const rel = path.slice(Math.min(m.prefix.length, path.length));
  if (rel.split("/").some((seg) => seg === "..")) return undefined;
  let file = resolve(join(m.dir, rel));
  if (!inside(m.dir, file) || !existsSync(file)) return undefined;
  let st = statSync(file);
  if (st.isDirectory()) {
    file = join(file, "index.html");
    if (!existsSync(file)) return undefined;
    st = statSync(file);
  }
  if (!st.isFile()) return undefined;
  // Resolve links last: whatever the path, the real file must lie inside the mount.
  const real = realpathSync(file);
  return inside(m.dir, real) ? real : undefined;
}

export async function startStaticServer(opts: StaticServerOptions = {}): Promise<StaticServer> {
  const mounts = mountsFor(opts);
  const log: string[] = [];
  const send = (res: ServerResponse, status: number, body: string, path: string) => {
    log.push(`${status} ${path}`);
    res.writeHead(status, { ...ISOLATION_HEADERS, "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store" });
    res.end(body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return send(res, 405, "method not allowed\n", url.pathname);
    }
    const file = locate(mounts, url.pathname);
    if (!file) return send(res, 404, "not found\n", url.pathname);
    const size = statSync(file).size;
    log.push(`200 ${url.pathname}`);
    res.writeHead(200, {
      ...ISOLATION_HEADERS,
      "Content-Type": MIME[extname(file).toLowerCase()] ?? "application/octet-stream",
      "Content-Length": size,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    if (req.method === "HEAD") return res.end();
    const stream = createReadStream(file);
    stream.on("error", () => res.destroy());
    stream.pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    log,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
