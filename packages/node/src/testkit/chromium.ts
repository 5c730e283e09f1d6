import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/**
 * The flags of every headless Chromium that Joule's tests and scripts start (the dashboard test, the
 * light client's cost run, `scripts/dashboard-screenshot.mjs` and `scripts/report-screenshot.mjs`,
 * which import this list from the build): headless in a container without a user namespace
 * (`--no-sandbox`) or a GPU, with no QUIC (the node speaks HTTP/1.1), and none of the first-run,
 * background, update or sync traffic, so that a run never needs the network beyond the node it reads.
 */
export const chromiumArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium binary: `CHROMIUM_PATH`, else Debian's (`apt-get install chromium`). */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export interface HeadlessChromium {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * A headless Chromium (playwright-core drives the system's, downloading no browser of its own) with
 * a fresh profile in the temporary directory. A missing binary is an error naming the fix.
 */
export async function launchChromium(
  options: { viewport?: { width: number; height: number } } = {},
): Promise<HeadlessChromium> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath))
    throw new Error(
      `no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH`,
    );
  const profile = await mkdtemp(join(tmpdir(), 'joule-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [...chromiumArgs],
      ...(options.viewport === undefined ? {} : { viewport: options.viewport }),
    });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
