// Browser adapter: fetches a block fixture directory (block.json[.gz], alloc.json[.gz],
// block_hashes.json[.gz]) over HTTP, the counterpart of src/node/fixture.ts. Gzipped files are
// inflated with DecompressionStream.
import { BraidError } from "../encoding/errors.js";
import { blockFromRpc, preStateFromAlloc } from "../block/parse.js";
import type { BlockInput, PreState } from "../block/types.js";

async function gunzipText(res: Response, url: string): Promise<string> {
  // Read the whole (compressed) body first, then inflate: the request completes as a plain
  // download instead of ending when the decompressor has seen the end of the gzip stream.
  const gz = await res.blob();
  try {
    return await new Response(gz.stream().pipeThrough(new DecompressionStream("gzip"))).text();
  } catch (e) {
    throw new BraidError("FIXTURE_INVALID", `${url}: not a complete gzip file (${(e as Error).message})`);
  }
}

/** The JSON of `name.gz` or `name` under `dirUrl`; undefined when neither exists and it is optional. */
export async function fetchFixtureJson(dirUrl: string, name: string, required: boolean): Promise<unknown> {
  const base = dirUrl.endsWith("/") ? dirUrl : dirUrl + "/";
  // A relative directory is the page's (or worker's) own: "fixtures/19934116/".
  let dir: URL;
  try {
    dir = new URL(base, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    throw new BraidError("FIXTURE_INVALID", `${dirUrl}: not a URL`);
  }
  for (const file of [name + ".gz", name]) {
    const url = new URL(file, dir).href;
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new BraidError("FIXTURE_INVALID", `${url}: fetch failed (${(e as Error).message})`);
    }
    if (res.status === 404) continue;
    if (!res.ok) throw new BraidError("FIXTURE_INVALID", `${url}: HTTP ${res.status} ${res.statusText}`);
    // A server may have inflated it already (Content-Encoding: gzip): then the body is JSON.
    const gz = file.endsWith(".gz") && !/gzip/i.test(res.headers.get("Content-Encoding") ?? "");
    const text = gz ? await gunzipText(res, url) : await res.text();
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new BraidError("FIXTURE_INVALID", `${url}: invalid JSON (${(e as Error).message})`);
    }
  }
  if (required) throw new BraidError("FIXTURE_INVALID", `${dir.href}: missing ${name} (or ${name}.gz)`);
  return undefined;
}

export interface FetchedBlockFixture {
  url: string;
  block: BlockInput;
  pre: PreState;
  /** The parsed JSON, for callers that parse again (the executors set tx.sender on the block). */
  json: { block: unknown; alloc: unknown; blockHashes: unknown };
}

export async function fetchBlockFixture(dirUrl: string): Promise<FetchedBlockFixture> {
  const [block, alloc, blockHashes] = await Promise.all([
    fetchFixtureJson(dirUrl, "block.json", true),
    fetchFixtureJson(dirUrl, "alloc.json", true),
    fetchFixtureJson(dirUrl, "block_hashes.json", false),
  ]);
  return { url: dirUrl, block: blockFromRpc(block), pre: preStateFromAlloc(alloc, blockHashes), json: { block, alloc, blockHashes } };
}
