// Web Worker entry for a Block-STM worker (started by BrowserWorkerPool as a module worker).
//
// The worker logic is createWorkerBody (src/worker/body.ts), as in Node. Its module graph imports
// packages by bare specifier (@noble/hashes/..., micro-eth-signer/...), which a page maps with
// an import map; browsers do not apply import maps in workers, so this entry does not import the
// body statically. The pool first sends a "boot" message with the page's import map: with no map
// (a bundled app, or specifiers that already resolve here) the body is imported natively, else
// the graph is linked with the map (./import-map.ts). Protocol messages that arrive meanwhile
// are queued and handled in order.
import type { FromWorker, ToWorker } from "../parallel/pool.js";
import { isEmptyImportMap, linkWithImportMap, type ResolvedImportMap } from "./import-map.js";
import type { BootMessage } from "./pool.js";

type WorkerBodyModule = typeof import("../worker/body.js");

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToWorker | BootMessage>) => void) | null;
  postMessage(m: FromWorker): void;
}
const scope = globalThis as unknown as WorkerScope;
const post = (m: FromWorker) => scope.postMessage(m);

/** True when this realm already resolves every key of the map (so a native import works). */
function resolvesNatively(map: ResolvedImportMap): boolean {
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  if (typeof resolve !== "function") return false;
  try {
    for (const [key] of map.imports) resolve(key.endsWith("/") ? key + "x.js" : key);
    return map.scopes.length === 0;
  } catch {
    return false;
  }
}

async function loadBody(map: ResolvedImportMap): Promise<WorkerBodyModule> {
  if (isEmptyImportMap(map) || resolvesNatively(map)) return import("../worker/body.js");
  const url = await linkWithImportMap(new URL("../worker/body.js", import.meta.url).href, map);
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ url)) as WorkerBodyModule;
}

let handle: ((m: ToWorker) => void) | undefined;
let failed: string | undefined;
let booting = false;
const queue: ToWorker[] = [];

function boot(map: ResolvedImportMap): void {
  booting = true;
  loadBody(map).then(
    (body) => {
      handle = body.createWorkerBody(post);
      for (const m of queue.splice(0)) handle(m);
    },
    (e: unknown) => {
      failed = `could not load the worker modules: ${(e as Error)?.stack ?? String(e)}`;
      for (const _ of queue.splice(0)) post({ kind: "error", message: failed });
    },
  );
}

scope.onmessage = (e) => {
  const m = e.data;
  if (m.kind === "boot") {
    if (!booting) boot(m.importMap);
    return;
  }
  if (failed !== undefined) return post({ kind: "error", message: failed });
  if (handle) return handle(m);
  queue.push(m);
  if (!booting) boot({ imports: [], scopes: [] }); // started without a boot message
};
