import fs from 'fs';
import os from 'os';
import path from 'path';
import { BrowserContext, chromium } from 'playwright-core';

/**
 * Debian's chromium, headless, driven by playwright-core (no browser download): a fresh profile
 * directory per launch, no network beyond what the page asks for. `close()` ends the browser and
 * removes the profile.
 */
export const CHROMIUM = process.env.RASGW_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  downloads: string;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the console tests need Debian's chromium (apt-get install -y chromium; npm test installs it when it may)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-chromium-'));
  const context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    acceptDownloads: true,
    downloadsPath: path.join(dir, 'downloads'),
  });
  return {
    context,
    downloads: path.join(dir, 'downloads'),
    async close() {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Screenshots go to docs/console only when RASGW_SCREENSHOTS=1 (they are committed files). */
export const SCREENSHOT_DIR = process.env.RASGW_SCREENSHOTS === '1' ? path.join(__dirname, '..', '..', 'docs', 'console') : undefined;
