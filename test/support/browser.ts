import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../common/config.ts';

/**
 * The system's Chromium (Debian's `chromium` package, installed by .ci/run), driven by
 * playwright-core, which downloads no browser of its own. FILMROOM_CHROMIUM names another binary.
 */
export const chromiumPath = process.env.FILMROOM_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  // As root (CI), Chromium refuses its sandbox; the pages it opens are the test's own.
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
}

/** Where the browser tests leave their screenshots (ignored by git, kept after the run). */
export function artifactsDir(name: string): string {
  const dir = join(projectRoot, '.filmroom', 'test-artifacts', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Enters a key in the dashboard's key form; resolves once the page behind it shows. */
export async function enterKey(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Open the dashboard' }).click();
  await page.getByRole('button', { name: 'Forget key' }).waitFor();
}
