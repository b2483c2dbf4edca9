// Browser adapter: compiles the Braid wasm module from a URL (the counterpart of src/node/load.ts).
const cache = new Map<string, Promise<WebAssembly.Module>>();

/** build/braid.wasm relative to this file (dist/browser/load.js). */
export const DEFAULT_WASM_URL = new URL("../../build/braid.wasm", import.meta.url).href;

/**
 * Fetches and compiles braid.wasm, streaming when the server sends `application/wasm` (compiles
 * while downloading), else from the whole body. Compiled once per URL.
 */
export function loadBraidModuleFromUrl(url: string | URL = DEFAULT_WASM_URL): Promise<WebAssembly.Module> {
  const href = new URL(url, (globalThis as { document?: Document }).document?.baseURI ?? import.meta.url).href;
  let p = cache.get(href);
  if (!p) {
    p = (async () => {
      const res = await fetch(href);
      if (!res.ok) throw new Error(`${href}: HTTP ${res.status} ${res.statusText}`);
      const type = res.headers.get("Content-Type") ?? "";
      if (typeof WebAssembly.compileStreaming === "function" && type.split(";")[0].trim() === "application/wasm") {
        return WebAssembly.compileStreaming(res);
      }
      return WebAssembly.compile(await res.arrayBuffer());
    })();
    p.catch(() => cache.delete(href)); // a failed load may be retried
    cache.set(href, p);
  }
  return p;
}
