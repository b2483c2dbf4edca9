// Node adapter: reads a block fixture directory (block.json[.gz], alloc.json[.gz], block_hashes.json).
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { BraidError } from "../encoding/errors.js";
import { blockFromRpc, preStateFromAlloc } from "../block/parse.js";
import type { BlockInput, PreState } from "../block/types.js";

function readJson(dir: string, name: string, required: boolean): unknown {
  for (const file of [join(dir, name + ".gz"), join(dir, name)]) {
    if (!existsSync(file)) continue;
    const raw = readFileSync(file);
    const text = file.endsWith(".gz") ? gunzipText(file, raw) : raw.toString("utf8");
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new BraidError("FIXTURE_INVALID", `${file}: invalid JSON (${(e as Error).message})`);
    }
  }
  if (required) throw new BraidError("FIXTURE_INVALID", `${dir}: missing ${name} (or ${name}.gz)`);
  return undefined;
}

function gunzipText(file: string, raw: Buffer): string {
  try {
    return gunzipSync(raw).toString("utf8");
  } catch (e) {
    throw new BraidError("FIXTURE_INVALID", `${file}: not a complete gzip file (${(e as Error).message})`);
  }
}

export interface BlockFixture {
  dir: string;
  block: BlockInput;
  pre: PreState;
}

export function loadBlockFixture(dir: string): BlockFixture {
  if (!existsSync(dir)) throw new BraidError("FIXTURE_INVALID", `${dir}: no such directory`);
  const block = blockFromRpc(readJson(dir, "block.json", true));
  const pre = preStateFromAlloc(readJson(dir, "alloc.json", true), readJson(dir, "block_hashes.json", false));
  return { dir, block, pre };
}
