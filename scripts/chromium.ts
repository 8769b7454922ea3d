/**
 * A headless Chromium for looking at the class report as a browser renders it (the browser test
 * and `npm run report-screenshot`): Debian's chromium (apt-get install chromium) driven by
 * playwright-core, which downloads no browser of its own. CHROMIUM names another binary.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM || "/usr/bin/chromium";

/**
 * Flags for a quiet, self-contained run: no sandbox (containers and CI run as root, where
 * Chromium's own sandbox will not start), no GPU, and none of the background traffic a profile
 * makes (updates, sync, first-run pages), so the page's own requests are the only ones.
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/** Why Chromium cannot be used here, or null when it can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH)
    ? null
    : `no Chromium at ${CHROMIUM_PATH} (install Debian's: apt-get install -y chromium, or set CHROMIUM to a Chromium binary)`;
}

export interface Browser {
  context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Chromium, headless, with a fresh profile (user-data dir) that close() removes. */
export async function launchChromium(viewport = { width: 1200, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "report-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
