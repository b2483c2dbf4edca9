// A state provider's answers are checked before they reach the tables: one of the wrong shape, a
// block hash that is not 32 bytes, or one that leaves an item out is STATE_INVALID naming it, in
// main-thread execution and with workers alike, and the Vm executes the next block as usual.
import { afterAll, describe, expect, it } from "vitest";
import { NodeWorkerPool, Vm, isBraidError, loadBraidModule, loadMainnetBlock } from "./helpers/braid-dist.js";

type RemoteModule = typeof import("../src/remote/execute.js");
type ProviderModule = typeof import("../src/remote/memory-provider.js");
const { executeRemote } = (await import(new URL("../dist/remote/execute.js", import.meta.url).href)) as RemoteModule;
const { MemoryStateProvider } = (await import(new URL("../dist/remote/memory-provider.js", import.meta.url).href)) as ProviderModule;

const module = loadBraidModule();
const vm = new Vm(module);
const pool = new NodeWorkerPool(2, module, vm.memory);
afterAll(async () => { await pool.close(); });

type Answer = Awaited<ReturnType<InstanceType<typeof MemoryStateProvider>["fetch"]>>;

describe("state provider answers", () => {
  // 14029313 reads block hashes (BLOCKHASH), so every kind of item is asked for.
  const { block, pre } = loadMainnetBlock("14029313");
  /** The honest provider's answers, edited: asynchronous (workers) and synchronous (main thread). */
  const lying = (edit: (a: Answer) => unknown) => {
    const honest = new MemoryStateProvider(pre);
    return { fetch: async (req: never) => edit(await honest.fetch(req)), fetchSync: (req: never) => edit(honest.fetchSync!(req)) } as never;
  };
  it.each([
    ["null", () => null, /^STATE_INVALID: state provider: fetch must answer an object of accounts, slots and blockHashes arrays/],
    ["no accounts", (a: Answer) => ({ ...a, accounts: [] }), /^STATE_INVALID: state provider: no answer for account 0x[0-9a-f]{40}/],
    ["an account that is null", (a: Answer) => ({ ...a, accounts: a.accounts.map(([k]) => [k, null]) }), /^STATE_INVALID: state provider: accounts\[0\] must be a \[20-byte address, account\] pair/],
    ["a 3-byte block hash", (a: Answer) => ({ ...a, blockHashes: a.blockHashes.map(([n]) => [n, new Uint8Array(3)]) }), /^STATE_INVALID: state provider: blockHashes\[\d+\] must be a \[bigint number, 32-byte hash\] pair/],
    ["no block hashes", (a: Answer) => ({ ...a, blockHashes: [] }), /^STATE_INVALID: state provider: no answer for the hash of block \d+/],
  ])("%s: named, on the main thread and on 2 workers", async (name, edit, message) => {
    for (const threads of [1, 2]) {
      let error: unknown;
      try { await executeRemote(vm, block, lying(edit as never), { verifySenders: false, pool, threads }); } catch (e) { error = e; }
      expect(isBraidError(error), `${name}, ${threads} threads: ${String(error)}`).toBe(true);
      expect(`${(error as { code: string }).code}: ${(error as Error).message}`, `${name}, ${threads} threads`).toMatch(message);
    }
    const good = await executeRemote(vm, block, new MemoryStateProvider(pre), { verifySenders: false, pool, threads: 2 });
    expect(good.receiptsRoot).toEqual(block.header.receiptsRoot);
  }, 60_000);
});
