import { writeFile } from 'node:fs/promises';
import { formatAddress, toHex } from '@joule/consensus';
import { JouleLight } from '@joule/light';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../testkit/chromium.js';
import { type LightChain, startLightChain } from '../testkit/light-chain.js';

/**
 * What a household's bill costs the light client from a cold start, once the chain is a month of
 * 15-minute slots long (2 880 heights; `JOULE_LIGHT_COST_HEIGHTS` for more): headers, requests and
 * bytes fetched, signatures checked, and the time, in Node and in headless Chromium. Prints the
 * figures (and writes them as Markdown to `JOULE_LIGHT_COST_OUT` when set). Takes minutes.
 */
const heights = Number(process.env.JOULE_LIGHT_COST_HEIGHTS ?? 2_880);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('light client cost of one bill after a month of blocks', () => {
  let chain: LightChain;
  beforeAll(async () => {
    chain = await startLightChain({ chainId: 'cost-1', ui: true, commitMs: 1 });
    while ((await chain.height()) < heights) await sleep(1_000);
  }, 1_800_000);
  afterAll(async () => {
    await chain?.stop();
  });

  it('checks a balance and a settlement line with a handful of headers', { timeout: 300_000 }, async () => {
    const address = formatAddress(chain.houseAddress, 'joule');
    const trust = `1:${toHex(chain.rootHash)}`;
    const rows: string[] = [];

    const t0 = performance.now();
    const light = new JouleLight({
      url: chain.node.apiUrl,
      chainId: chain.chainId,
      trust: { height: 1, hash: chain.rootHash, periodMs: 86_400_000 },
      addressPrefix: 'joule',
      denom: 'ujoule',
    });
    await light.start();
    const balance = await light.balance(address);
    const line = await light.settlement(address, chain.tsStart);
    const nodeMs = performance.now() - t0;
    const node = light.cost();
    expect(line.value?.state).toBe('SOLVED');
    rows.push(
      `| Node ${process.versions.node} | ${balance.headerHeight} | ${node.lightBlocks} | ${node.requests} | ${(node.bytes / 1024).toFixed(1)} | ${node.signatures} | ${nodeMs.toFixed(0)} |`,
    );

    const browser = await launchChromium();
    const context = browser.context;
    try {
      const page = await context.newPage();
      await page.goto(`${chain.node.apiUrl}/ui?view=household&address=${address}&trust=${trust}`);
      await page.locator('#badge.ok').waitFor({ timeout: 120_000 });
      const cost = JSON.parse((await page.locator('body').getAttribute('data-light-cost')) ?? '{}') as {
        ms: number;
        lightBlocks: number;
        requests: number;
        bytes: number;
        signatures: number;
      };
      const badge = (await page.locator('#badge').textContent()) ?? '';
      rows.push(
        `| Chromium ${context.browser()?.version() ?? ''} | ${/height (\d+)/.exec(badge)?.[1]} | ${cost.lightBlocks} | ${cost.requests} | ${(cost.bytes / 1024).toFixed(1)} | ${cost.signatures} | ${cost.ms} |`,
      );
      expect(cost.lightBlocks, 'skipping: the root, the latest and the proofs’ headers').toBeLessThanOrEqual(
        8,
      );
    } finally {
      await browser.close();
    }
    expect(node.lightBlocks).toBeLessThanOrEqual(8);
    const table = [
      `One bill (balance + settlement line: 3 proven queries) from a cold start, trusted root at height 1, ${heights}+ heights:`,
      '',
      '| where | verified at height | light blocks | requests | kB fetched | signatures checked | ms |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
    console.log(table);
    if (process.env.JOULE_LIGHT_COST_OUT !== undefined)
      await writeFile(process.env.JOULE_LIGHT_COST_OUT, `${table}\n`);
  });
});
