// Shared helpers for the benchmark suites: machine description, number formatting, text tables, JSON results.
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem, platform, arch, release } from "node:os";
import { join, resolve } from "node:path";
import { PROJECT_ROOT } from "./fixtures.js";

export interface MachineInfo {
  cpu: string;
  cores: number;
  /** CPUs this process may run on (fewer than `cores` under `taskset`). */
  availableCpus: number;
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? "unknown",
    cores: c.length,
    availableCpus: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    v8: process.versions.v8,
  };
}

/** The command line that reproduces a run: the BENCH_* settings in effect, then the npm script. */
export function benchCommand(suite: string, args: string[]): string {
  const env = Object.keys(process.env).filter((k) => k.startsWith("BENCH_") && k !== "BENCH_RESULTS_DIR").sort();
  return [...env.map((k) => `${k}=${process.env[k]}`), "npm run bench --", suite, ...args].join(" ");
}

/** 1-minute load average, rounded (other processes on a 2-core machine skew timings: record it). */
export function load1(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function geomean(xs: number[]): number {
  const v = xs.filter((x) => Number.isFinite(x) && x > 0);
  if (v.length === 0) return NaN;
  return Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length);
}

/** Rounds to `digits` significant digits (for compact JSON). */
export function sig(x: number, digits = 4): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}

/** Formats a duration in ms with a sensible number of decimals. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms >= 1000) return ms.toFixed(0);
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 10) return ms.toFixed(2);
  if (ms >= 1) return ms.toFixed(3);
  return ms.toFixed(4);
}

export function fmtNum(x: number, decimals = 1): string {
  return Number.isFinite(x) ? x.toFixed(decimals) : "-";
}

/** Mgas/s for `gas` units of gas in `ms` milliseconds. */
export function mgasPerS(gas: number | bigint, ms: number): number {
  return Number(gas) / (ms * 1000);
}

export interface Column<R> {
  header: string;
  value: (r: R) => string;
  align?: "left" | "right";
}

/** A plain-text table with a header rule; numbers right-aligned by default. */
export function formatTable<R>(columns: Column<R>[], rows: R[], footer: R[] = []): string {
  const cells = [...rows, ...footer].map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) =>
    vals.map((v, i) => ((columns[i]!.align ?? "right") === "left" ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const out = [line(columns.map((c) => c.header)), rule, ...cells.slice(0, rows.length).map(line)];
  if (footer.length) out.push(rule, ...cells.slice(rows.length).map(line));
  return out.join("\n");
}

/** Folder for results, committed: keep files small. BENCH_RESULTS_DIR puts a run's files elsewhere (another machine's run). */
export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ? resolve(process.env.BENCH_RESULTS_DIR) : join(PROJECT_ROOT, "bench", "results");

/** Writes `bench/results/<name>.json` (pretty-printed; bigints as decimal strings); returns the path. */
export function writeResults(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(path, JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
  return path;
}

/** Progress/log lines go to stderr so stdout holds only the report. */
export function log(msg: string): void {
  process.stderr.write(msg + "\n");
}

export function banner(title: string): string {
  return `\n=== ${title} ${"=".repeat(Math.max(0, 72 - title.length))}`;
}
