// `node scripts/dashboard-screenshot.mjs URL OUT_DIR [ADDRESS]`: the community dashboard at URL (a
// node's /ui, e.g. the address `npm start -- --keep` prints) in headless Chromium, community and
// household views at desktop and phone widths, as OUT_DIR/dashboard-{community,household}-{desktop,phone}.png.
// Chromium: CHROMIUM_PATH or /usr/bin/chromium (apt-get install chromium), started with the flags
// of the tests (packages/node/src/testkit/chromium.ts, built).
import { join, resolve } from 'node:path';

const [url, outArg, address] = process.argv.slice(2);
if (url === undefined || outArg === undefined) {
  console.error('usage: node scripts/dashboard-screenshot.mjs URL OUT_DIR [ADDRESS]');
  process.exit(2);
}
// The Chromium flags and launch of the dashboard test, from the build (`npm run build`).
const { launchChromium } = await import('../packages/node/dist/testkit/chromium.js').catch(() => {
  console.error('dashboard-screenshot: not built yet — run `npm run build` at the repository root first');
  process.exit(1);
});
const out = resolve(outArg);
const browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
const { context } = browser;
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
  await browser.close();
}
