// Loads benchmark cases from ../shared/fixtures (read in place, never copied into the repository).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
/** The project root: bench/ compiles to dist-bench/, one level below it. */
export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The shared fixtures folder (BRAID_FIXTURES overrides it). */
export function fixturesDir() {
    return process.env.BRAID_FIXTURES ? resolve(process.env.BRAID_FIXTURES) : resolve(PROJECT_ROOT, "../shared/fixtures");
}
export function hexToBytes(hex) {
    const h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
    if (h.length % 2 !== 0 || /[^0-9a-fA-F]/.test(h))
        throw new Error(`bad hex string (${h.length} chars)`);
    return new Uint8Array(Buffer.from(h, "hex"));
}
export function bytesToHex(b) {
    return "0x" + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}
/** All cases of `evm-benchmarks/{main,micro}`, in suite then file order. */
export function loadInterpreterCases(suites = ["main", "micro"]) {
    const root = join(fixturesDir(), "evm-benchmarks");
    if (!existsSync(root))
        throw new Error(`fixtures not found: ${root} (set BRAID_FIXTURES)`);
    const cases = [];
    for (const suite of suites) {
        const dir = join(root, suite);
        if (!existsSync(dir))
            continue;
        for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
            const json = JSON.parse(readFileSync(join(dir, file), "utf8"));
            for (const [testName, t] of Object.entries(json)) {
                const to = t.transaction.to.toLowerCase();
                const pre = Object.entries(t.pre).find(([a]) => a.toLowerCase() === to)?.[1];
                if (!pre)
                    throw new Error(`${suite}/${file}: no pre account for transaction.to ${to}`);
                const code = hexToBytes(pre.code);
                const labels = t._info?.labels ?? {};
                const gasLimit = BigInt(t.transaction.gasLimit[0] ?? "0x3b9aca00");
                t.transaction.data.forEach((data, i) => {
                    const label = labels[String(i)] ?? String(i);
                    cases.push({ suite, contract: testName, label, name: `${testName}/${label}`, code, input: hexToBytes(data), gasLimit });
                });
            }
        }
    }
    return cases;
}
//# sourceMappingURL=fixtures.js.map