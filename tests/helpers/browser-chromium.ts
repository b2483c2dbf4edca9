// Launches Debian's Chromium (/usr/bin/chromium) headless through playwright-core, with a fresh
// user data dir. playwright-core downloads no browser: the system one must be installed. When it
// cannot be launched this throws (the browser tests fail, they do not skip) with the fix.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";

export const CHROMIUM = process.env.BRAID_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export const INSTALL_HINT =
  "Install Debian's Chromium: `apt-get update && apt-get install -y chromium` (as root; in CI put " +
  "these lines in .ci/run before the tests), or point BRAID_CHROMIUM at a Chromium/Chrome binary.";

export interface Chromium {
  context: BrowserContext;
  version: string;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}. ${INSTALL_HINT}`);
  let playwright: typeof import("playwright-core");
  try {
    playwright = await import("playwright-core");
  } catch (e) {
    throw new Error(`playwright-core is not installed (npm install --save-dev playwright-core): ${(e as Error).message}`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), "braid-chromium-"));
  let context: BrowserContext;
  try {
    context = await playwright.chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
    });
  } catch (e) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(`Chromium at ${CHROMIUM} could not be launched: ${(e as Error).message}\n${INSTALL_HINT}`);
  }
  const version = context.browser()?.version() ?? "unknown";
  return {
    context,
    version,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
