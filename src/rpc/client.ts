// A minimal JSON-RPC 2.0 client over HTTP: single calls and batches, each one POST (one round
// trip; a batch above the node's size limit goes as several POSTs at once). Uses the global
// `fetch`, so it runs in browsers and Node alike.
import { BraidError, optionsOf } from "../encoding/errors.js";

/** The part of the Fetch API the client uses (inject one to count, delay or fake requests). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; statusText?: string; text(): Promise<string> }>;

export interface RpcCall {
  method: string;
  params: unknown[];
}

export interface JsonRpcClientOptions {
  fetch?: FetchLike;
  /** Extra HTTP headers (an API key, for instance). */
  headers?: Record<string, string>;
  /**
   * Most calls in one HTTP request (default 1000, geth's default batch limit; some hosted nodes
   * allow fewer). A larger batch is split and its parts are sent at the same time.
   */
  maxBatch?: number;
  /**
   * Milliseconds an HTTP request may take, answer read whole (default 60,000; Infinity: no limit).
   * Past it the request is aborted and the call fails with RPC_TIMEOUT: a node that accepts a
   * connection and never answers would otherwise hold the block's execution for good.
   */
  timeoutMs?: number;
}

const DEFAULT_MAX_BATCH = 1000;
const DEFAULT_TIMEOUT_MS = 60_000;

export type RpcSettled = { ok: true; result: unknown } | { ok: false; error: BraidError };

interface RpcReply {
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
}

function malformed(what: string, detail: string): BraidError {
  return new BraidError("RPC_MALFORMED", `${what}: malformed JSON-RPC response: ${detail}`);
}

function preview(text: string): string {
  const t = text.trim();
  return t.length > 120 ? JSON.stringify(t.slice(0, 117) + "...") : JSON.stringify(t);
}

export class JsonRpcClient {
  readonly url: string;
  /** HTTP requests sent so far (a batch counts once). */
  roundTrips = 0;
  private nextId = 1;
  private readonly fetchFn: FetchLike;
  private readonly headers: Record<string, string>;
  readonly maxBatch: number;
  readonly timeoutMs: number;

  constructor(url: string, options?: JsonRpcClientOptions | null) {
    const opts = optionsOf(options, "JsonRpcClient");
    if (typeof url !== "string") throw new BraidError("OPTIONS_INVALID", `JsonRpcClient: the URL must be a string, got ${String(url)}`);
    this.url = url;
    const max = opts.maxBatch ?? DEFAULT_MAX_BATCH;
    if (!Number.isSafeInteger(max) || max < 1) throw new BraidError("OPTIONS_INVALID", `JsonRpcClient: maxBatch must be a positive integer, got ${String(opts.maxBatch)}`);
    this.maxBatch = max;
    const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (typeof timeout !== "number" || !(timeout > 0)) throw new BraidError("OPTIONS_INVALID", `JsonRpcClient: timeoutMs must be a positive number (Infinity: no limit), got ${String(opts.timeoutMs)}`);
    this.timeoutMs = timeout;
    // Bound: browsers reject a fetch called with any `this` but the global object.
    const f = opts.fetch ?? (globalThis.fetch?.bind(globalThis) as unknown as FetchLike | undefined);
    if (!f) throw new BraidError("RPC_NO_FETCH", "JsonRpcClient: no global fetch in this environment; pass opts.fetch");
    this.fetchFn = f;
    this.headers = { "content-type": "application/json", ...opts.headers };
  }

  /** One method call, one round trip. */
  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    if (typeof method !== "string" || !Array.isArray(params)) throw new BraidError("OPTIONS_INVALID", `JsonRpcClient.call: a method name and an array of params, got ${String(method)}, ${String(params)}`);
    const id = this.nextId++;
    const body = await this.post(JSON.stringify({ jsonrpc: "2.0", id, method, params }), method);
    if (Array.isArray(body) || !body || typeof body !== "object") throw malformed(method, "expected a JSON object");
    return this.unwrap(body as RpcReply, method) as T;
  }

  /**
   * Several calls in one HTTP request (a JSON-RPC batch). Results come back in the order of
   * `calls`; any error fails the whole batch, naming the method that failed. An empty batch
   * sends nothing.
   */
  async batch(calls: RpcCall[]): Promise<unknown[]> {
    return (await this.batchSettled(calls)).map((r) => {
      if (!r.ok) throw r.error;
      return r.result;
    });
  }

  /**
   * Like `batch`, but a call the node answers with an error gives `{ ok: false, error }` instead
   * of failing the others. A malformed or missing response still throws.
   */
  async batchSettled(calls: RpcCall[]): Promise<RpcSettled[]> {
    if (!Array.isArray(calls) || !calls.every((c) => c && typeof c.method === "string" && Array.isArray(c.params))) {
      throw new BraidError("OPTIONS_INVALID", "JsonRpcClient.batch: an array of { method, params } calls (params an array)");
    }
    if (calls.length <= this.maxBatch) return this.post1(calls);
    const parts: RpcCall[][] = [];
    for (let i = 0; i < calls.length; i += this.maxBatch) parts.push(calls.slice(i, i + this.maxBatch));
    return (await Promise.all(parts.map((p) => this.post1(p)))).flat();
  }

  /** One batch in one HTTP request. */
  private async post1(calls: RpcCall[]): Promise<RpcSettled[]> {
    if (calls.length === 0) return [];
    const first = this.nextId;
    this.nextId += calls.length;
    const payload = calls.map((c, i) => ({ jsonrpc: "2.0", id: first + i, method: c.method, params: c.params }));
    const what = `batch of ${calls.length} (${summarize(calls)})`;
    const body = await this.post(JSON.stringify(payload), what);
    // A node that rejects the batch as a whole answers with one error object.
    if (!Array.isArray(body)) {
      if (body && typeof body === "object" && (body as RpcReply).error) this.unwrap(body as RpcReply, what);
      throw malformed(what, "expected a JSON array");
    }
    const byId = new Map<number, RpcReply>();
    for (const r of body as unknown[]) {
      if (!r || typeof r !== "object") throw malformed(what, "an element is not an object");
      const id = (r as RpcReply).id;
      if (typeof id !== "number" || id < first || id >= first + calls.length) throw malformed(what, `unexpected id ${JSON.stringify(id)}`);
      if (byId.has(id)) throw malformed(what, `id ${id} answered twice`);
      byId.set(id, r as RpcReply);
    }
    return calls.map((c, i): RpcSettled => {
      const r = byId.get(first + i);
      if (!r) throw malformed(label(c), `no answer to request id ${first + i} in the batch`);
      try {
        return { ok: true, result: this.unwrap(r, label(c)) };
      } catch (e) {
        if (e instanceof BraidError && e.code === "RPC_ERROR") return { ok: false, error: e };
        throw e;
      }
    });
  }

  private async post(body: string, what: string): Promise<unknown> {
    this.roundTrips++;
    // The limit covers the request and reading the answer whole (a node may trickle it); an
    // injected fetch that ignores the signal is raced all the same.
    const abort = typeof AbortController === "function" ? new AbortController() : undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      if (this.timeoutMs >= 2 ** 31) return; // setTimeout's limit (about 25 days): no limit then
      timer = setTimeout(() => {
        abort?.abort();
        reject(new BraidError("RPC_TIMEOUT", `${what}: no whole answer from ${this.url} within ${this.timeoutMs} ms (JsonRpcClient's timeoutMs)`));
      }, this.timeoutMs);
    });
    expired.catch(() => undefined); // raced below; rejected only while a race waits on it
    try {
      let res: Awaited<ReturnType<FetchLike>>;
      try {
        res = await Promise.race([this.fetchFn(this.url, { method: "POST", headers: this.headers, body, signal: abort?.signal }), expired]);
      } catch (e) {
        if (e instanceof BraidError) throw e;
        throw new BraidError("RPC_UNREACHABLE", `${what}: cannot reach ${this.url}: ${(e as Error).message}`, { cause: e });
      }
      let text: string;
      try {
        text = await Promise.race([res.text(), expired]);
      } catch (e) {
        if (e instanceof BraidError) throw e;
        // The connection broke off mid-answer, or the answer is too large for a string.
        throw new BraidError("RPC_UNREACHABLE", `${what}: cannot read the answer from ${this.url}: ${(e as Error).message}`, { cause: e });
      }
      if (!res.ok) throw new BraidError("RPC_HTTP", `${what}: HTTP ${res.status}${res.statusText ? " " + res.statusText : ""} from ${this.url}: ${preview(text)}`);
      try {
        return JSON.parse(text);
      } catch {
        throw malformed(what, `not JSON: ${preview(text)}`);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private unwrap(r: RpcReply, method: string): unknown {
    if (r.error !== undefined && r.error !== null) {
      const e = r.error;
      const msg = typeof e.message === "string" ? e.message : JSON.stringify(e);
      throw new BraidError("RPC_ERROR", `${method}: node error${typeof e.code === "number" ? ` ${e.code}` : ""}: ${msg}`);
    }
    if (!("result" in r)) throw malformed(method, "neither 'result' nor 'error'");
    return r.result;
  }
}

/** "eth_getProof(0xabc...)": the method and its first parameter when that is a short string. */
function label(c: RpcCall): string {
  const p = c.params[0];
  return typeof p === "string" && p.length <= 66 ? `${c.method}(${p})` : c.method;
}

function summarize(calls: RpcCall[]): string {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
  return [...counts].map(([m, n]) => (n > 1 ? `${n}x ${m}` : m)).join(", ");
}
