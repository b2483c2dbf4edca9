// Starts anvil (from the @foundry-rs/anvil devDependency) on a free loopback port and talks to
// it over JSON-RPC. A missing binary or a node that does not answer is an error, never a skip.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The anvil binary: $BRAID_ANVIL, else the platform package @foundry-rs/anvil installs. */
export function anvilBinary(): string {
  if (process.env.BRAID_ANVIL) return process.env.BRAID_ANVIL;
  const os = { linux: "linux", darwin: "darwin", win32: "win32" }[process.platform as string];
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  const exe = process.platform === "win32" ? "anvil.exe" : "anvil";
  const tried: string[] = [];
  if (os && arch) {
    try {
      return require.resolve(`@foundry-rs/anvil-${os}-${arch}/bin/${exe}`);
    } catch {
      tried.push(`@foundry-rs/anvil-${os}-${arch}/bin/${exe}`);
    }
  }
  // The wrapper package's own fallback (bin.mjs): a binary its postinstall downloaded to dist/.
  try {
    const fallback = join(dirname(require.resolve("@foundry-rs/anvil/package.json")), "..", "dist", exe);
    if (existsSync(fallback)) return fallback;
    tried.push(fallback);
  } catch {
    tried.push("@foundry-rs/anvil (not installed)");
  }
  throw new Error(`anvil binary not found for ${process.platform}/${process.arch} (tried ${tried.join(", ")}); run npm install, or set BRAID_ANVIL`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export class Anvil {
  readonly url: string;
  private readonly proc: ChildProcess;
  private nextId = 1;

  private constructor(proc: ChildProcess, port: number) {
    this.proc = proc;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts anvil with automine off (blocks are mined with `mine()`), FIFO ordering, Cancun unless told. */
  static async start(hardfork = "cancun"): Promise<Anvil> {
    const bin = anvilBinary();
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const args = ["--host", "127.0.0.1", "--port", String(port), "--hardfork", hardfork, "--no-mining", "--order", "fifo", "--quiet"];
      const proc = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      proc.stdout!.on("data", (d) => (output += d));
      proc.stderr!.on("data", (d) => (output += d));
      const node = new Anvil(proc, port);
      try {
        await node.waitReady(() => output);
        return node;
      } catch (e) {
        lastError = e as Error;
        await node.stop();
      }
    }
    throw lastError!;
  }

  private async waitReady(output: () => string): Promise<void> {
    let exited: string | undefined;
    this.proc.once("exit", (code, sig) => (exited = `exited with ${code ?? sig}`));
    this.proc.once("error", (e) => (exited = `failed to start: ${e.message}`));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`anvil ${exited}: ${output().trim().slice(-500)}`);
      try {
        await this.rpc("eth_chainId", []);
        return;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`anvil did not answer on ${this.url} within 20 s: ${output().trim().slice(-500)}`);
  }

  async rpc<T = unknown>(method: string, params: unknown[]): Promise<T> {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: this.nextId++, method, params }),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  }

  /** Mines one block holding every pending transaction; returns its number. */
  async mine(): Promise<bigint> {
    await this.rpc("evm_mine", []);
    return BigInt(await this.rpc<string>("eth_blockNumber", []));
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once("exit", () => r()));
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
}
