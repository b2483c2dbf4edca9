// `braid block --rpc URL --number N [--json] [--no-ooo] [--threads N] [--max-batch N]`: executes
// block N on state fetched (and verified) from a JSON-RPC node, and compares the receipts with
// the node's.
import { forkName, SUPPORTED_FORKS } from "../fork.js";
import { equalBytes } from "../encoding/hex.js";
import { isBraidError } from "../encoding/errors.js";
import { loadBraidModule } from "../node/load.js";
import { NodeWorkerPool } from "../node/pool.js";
import { Vm } from "../vm/vm.js";
import { executeRemote } from "../remote/execute.js";
import { JsonRpcClient } from "../rpc/client.js";
import { hexUint } from "../block/parse.js";
import { fetchBlockFromRpc } from "../rpc/block.js";
import { RpcStateProvider } from "../rpc/provider.js";
import { compareReceipts } from "../rpc/receipts.js";
import { chainForNode } from "../rpc/chain.js";
import { UsageError, parseArgs, positiveOption, MAX_THREADS } from "./args.js";

interface Options {
  url: string;
  number: bigint | "latest";
  json: boolean;
  ooo: boolean;
  threads: number;
  /** Most calls per HTTP request (JsonRpcClient's maxBatch). */
  maxBatch: number;
}

function parse(argv: string[]): Options {
  const { opts, rest } = parseArgs(argv, ["json", "no-ooo"], ["rpc", "number", "threads", "max-batch"]);
  if (rest.length) throw new UsageError(`block --rpc takes no positional arguments, got '${rest[0]}'`);
  if (typeof opts.rpc !== "string") throw new UsageError("block --rpc needs a URL");
  const n = opts.number;
  if (n === undefined) throw new UsageError("block --rpc needs --number N");
  if (n !== "latest" && !/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(String(n))) throw new UsageError(`--number must be a block number or 'latest', got '${n}'`);
  return {
    url: opts.rpc, number: n === "latest" ? "latest" : BigInt(String(n)), json: !!opts.json, ooo: !opts["no-ooo"],
    threads: positiveOption(opts.threads, "threads", 1, MAX_THREADS),
    maxBatch: positiveOption(opts["max-batch"], "max-batch", 1000),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Exit status: 0 when the receipts match, 1 on a mismatch or a failure, 2 on a usage error. */
export async function rpcBlockCommand(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parse(argv);
  } catch (e) {
    if (e instanceof UsageError) { console.error(`braid: ${e.message}`); return 2; }
    throw e;
  }
  const t0 = performance.now();
  const client = new JsonRpcClient(o.url, { maxBatch: o.maxBatch });
  let number = o.number === "latest" ? -1n : o.number;
  let pool: NodeWorkerPool | undefined;
  try {
    if (o.number === "latest") number = hexUint(await client.call<unknown>("eth_blockNumber"), "eth_blockNumber's answer", 64, "RPC_MALFORMED");
    const rb = await fetchBlockFromRpc(client, number);
    const chain = chainForNode(rb.chainId, rb.header.json, SUPPORTED_FORKS);
    const provider = await RpcStateProvider.create(client, number, { header: rb.header.json });
    const module = loadBraidModule();
    const vm = new Vm(module);
    pool = new NodeWorkerPool(o.threads, module, vm.memory);
    await pool.whenReady();
    const r = await executeRemote(vm, rb.block, provider, { chain, ooo: o.ooo, pool, threads: o.threads });
    const mismatches = compareReceipts(r.receipts, rb.receipts);
    const checks = {
      receipts: mismatches.length === 0,
      gasUsed: r.gasUsed === rb.block.header.gasUsed,
      receiptsRoot: r.receiptsRoot === null ? null : equalBytes(r.receiptsRoot, rb.header.receiptsRoot),
    };
    const out = {
      number: Number(number), fork: forkName(r.fork), txs: rb.block.transactions.length, gasUsed: Number(r.gasUsed), checks,
      // Every HTTP request to the node: block and receipts, headers, and the state round trips.
      roundTrips: client.roundTrips,
      ms: round(performance.now() - t0),
      mismatches,
      remote: { stateRoundTrips: r.remote.roundTrips, accounts: r.remote.accounts, slots: r.remote.slots, blockHashes: r.remote.blockHashes, stalls: r.remote.stalls, ooo: o.ooo, threads: o.threads },
    };
    const ok = checks.receipts && checks.gasUsed && checks.receiptsRoot !== false;
    if (o.json) console.log(JSON.stringify(out));
    else {
      console.log(`block ${out.number} (${out.fork}) from ${o.url}: ${out.txs} txs, ${out.gasUsed} gas, ${out.roundTrips} round trips, ${out.ms} ms`);
      console.log(`  receipts ${checks.receipts ? "match the node's" : "DIFFER from the node's"}, gasUsed ${checks.gasUsed ? "ok" : `MISMATCH (got ${r.gasUsed}, header ${rb.block.header.gasUsed})`}, receiptsRoot ${checks.receiptsRoot === null ? "not checkable" : checks.receiptsRoot ? "ok" : "MISMATCH"}`);
      for (const m of mismatches.slice(0, 20)) console.log(`  ${m}`);
      if (mismatches.length > 20) console.log(`  ... and ${mismatches.length - 20} more`);
    }
    return ok ? 0 : 1;
  } catch (e) {
    if (isBraidError(e)) { console.error(`braid: block ${number >= 0n ? number : o.number}: ${e.message}`); return 1; }
    throw e;
  } finally {
    await pool?.close();
  }
}
