// `node scripts/dashboard-screenshot.mjs URL OUT_DIR [ADDRESS]`: the community dashboard at URL (a
// node's /ui, e.g. the address `npm start -- --keep` prints) in headless Chromium, community and
// household views at desktop and phone widths, as OUT_DIR/dashboard-{community,household}-{desktop,phone}.png.
// Chromium: CHROMIUM_PATH or /usr/bin/chromium (apt-get install chromium).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [url, outArg, address] = process.argv.slice(2);
if (url === undefined || outArg === undefined) {
  console.error('usage: node scripts/dashboard-screenshot.mjs URL OUT_DIR [ADDRESS]');
  process.exit(2);
}
const out = resolve(outArg);
const profile = await mkdtemp(join(tmpdir(), 'joule-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const widths = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };
try {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('#bills tbody tr').first().waitFor({ timeout: 60_000 });
  for (const [name, size] of Object.entries(widths)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(out, `dashboard-community-${name}.png`), fullPage: true });
  }
  if (address !== undefined) {
    const separator = url.includes('?') ? '&' : '?';
    await page.goto(`${url}${separator}view=household&address=${address}`);
    await page.locator('#badge').waitFor({ timeout: 60_000 });
    for (const [name, size] of Object.entries(widths)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: join(out, `dashboard-household-${name}.png`), fullPage: true });
    }
  }
  console.log(`dashboard screenshots in ${out}`);
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
