/**
 * `npm run report:screenshot -- DIR` — renders `DIR/report.html` (written by `npm start`) in headless
 * Chromium and saves a full-page screenshot next to it as `DIR/report.png`, 1200 px wide: a way to
 * look at the pilot's report without a desktop, or to attach it to an issue.
 *
 * Chromium is Debian's (`apt-get install chromium`, at /usr/bin/chromium) or any other build given
 * by CHROMIUM_PATH; playwright-core drives it, without downloading a browser of its own. The page is
 * self-contained, so the browser starts with networking features off and never needs the network
 * (the flags of the tests: packages/node/src/testkit/chromium.ts, imported from its build).
 */
import { access, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const usage =
  'usage: npm run report:screenshot -- DIR   (DIR holds report.html, e.g. the pilot run directory)';

function fail(message) {
  console.error(`report:screenshot: ${message}`);
  process.exit(1);
}

const args = process.argv.slice(2);
if (args.length !== 1 || args[0] === '-h' || args[0] === '--help') fail(usage);

const dir = resolve(args[0]);
const html = join(dir, 'report.html');
const png = join(dir, 'report.png');

const dirStat = await stat(dir).catch(() => null);
if (dirStat === null) fail(`no directory ${dir}\n${usage}`);
if (!dirStat.isDirectory()) fail(`${dir} is not a directory\n${usage}`);
if ((await stat(html).catch(() => null)) === null) {
  fail(`no report.html in ${dir}: run the pilot first (npm start), or pass the directory it wrote to`);
}

// The Chromium flags of the tests, from the build (`npm start` builds; so does `npm run build`).
const { chromiumArgs, chromiumPath } = await import('../packages/node/dist/testkit/chromium.js').catch(
  (error) =>
    fail(
      String(error?.message).includes('playwright-core')
        ? 'playwright-core is not installed: run npm install at the repository root'
        : 'not built yet: run `npm run build` at the repository root first',
    ),
);
const executablePath = chromiumPath();
try {
  await access(executablePath);
} catch {
  fail(
    `no Chromium at ${executablePath}: install it (apt-get install chromium) ` +
      'or set CHROMIUM_PATH to a Chromium or Chrome binary',
  );
}

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  fail('playwright-core is not installed: run npm install at the repository root');
}

const browser = await chromium
  .launch({
    executablePath,
    args: [...chromiumArgs],
  })
  .catch((error) => fail(`Chromium at ${executablePath} did not start: ${error.message}`));
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  await page.screenshot({ path: png, fullPage: true });
  console.log(`report:screenshot: ${png}`);
} finally {
  await browser.close();
}
