import { join } from 'node:path';
import { decode, encode, formatAddress, fromHex, toHex } from '@joule/consensus';
import { lightBlockFromJson, signersOf } from '@joule/light';
import { amountCodec } from '@joule/state';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketModules } from '../market/app.js';
import { type HeadlessChromium, launchChromium } from '../testkit/chromium.js';
import { type LightTestnet, startLightTestnet } from '../testkit/light-testnet.js';

/**
 * The dashboard in headless Chromium (Debian's, through playwright-core) against a running testnet
 * (`joule testnet --validators 4 --nodes 4`: four processes, LevelDB, libp2p over loopback): its
 * figures are the API's, the household view shows a bill verified against the four validators'
 * signatures after the solve, and the badge turns red once the page's node starts lying. With
 * `JOULE_DASHBOARD_SHOTS=DIR`, writes the community and household views at desktop and phone widths
 * to DIR.
 */
const shots = process.env.JOULE_DASHBOARD_SHOTS;
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 900 };

describe('dashboard in headless Chromium', () => {
  let net: LightTestnet;
  let browser: HeadlessChromium;
  let context: BrowserContext;
  const { core, market: m } = marketModules('joule');

  beforeAll(async () => {
    // The browser first: without one, the test fails before it starts four nodes.
    browser = await launchChromium({ viewport: desktop });
    context = browser.context;
    // Ports of its own per run (below Linux's ephemeral range, clear of the other e2e tests').
    net = await startLightTestnet({ chainId: 'dash-1', basePort: 24_400 + (process.pid % 300) * 8 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await net?.stop();
  });

  const text = async (page: Page, id: string) => (await page.locator(`#${id}`).textContent())?.trim() ?? '';
  const kwh = (wh: number) =>
    `${new Intl.NumberFormat('en', { maximumFractionDigits: 1 }).format(wh / 1000)} kWh`;
  const ect = (micro: bigint) => `${micro >= 0n ? '+' : ''}${(Number(micro) / 1e6).toFixed(2)}`;

  it('shows the community as the API does, and a verified bill for the household', {
    timeout: 120_000,
  }, async () => {
    const { client, tsStart, houseAddress } = net;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(`${net.api}/ui`);
    await page.locator('#period-state:text-is("solved")').waitFor({ timeout: 60_000 });
    await page.locator('#bills tbody tr').first().waitFor();
    const totals = await client.query('market', m.query.getTotalEnergy, { tsStart, count: 96 });
    const ec = totals.reduce((n, s) => n + s.ec, 0);
    expect(await text(page, 'month-ec'), 'consumption so far').toBe(kwh(ec));
    expect(await text(page, 'month-slots')).toBe(`${totals.filter((s) => s.reporters > 0).length} of 96`);
    const validators = await client.validators();
    expect(validators.validators.length, "the testnet's validators").toBe(4);
    expect(await text(page, 'validators')).toBe(
      `${validators.validators.length} (power ${validators.validators.reduce((n, v) => n + Number(v.voting_power), 0)})`,
    );
    expect(Number(await text(page, 'peers')), 'the node is one of a network').toBeGreaterThan(0);
    const deltas = await client.query('market', m.query.getReceiptDeltas, { tsStart, start: 0, limit: 100 });
    expect(await page.locator('#bills tbody tr').count(), 'one bill per settled account').toBe(
      deltas.deltas.length,
    );
    expect(Number(await text(page, 'height'))).toBeGreaterThan(0);
    if (shots !== undefined) {
      await page.screenshot({ path: join(shots, 'community-desktop.png'), fullPage: true });
      await page.setViewportSize(phone);
      await page.screenshot({ path: join(shots, 'community-phone.png'), fullPage: true });
      await page.setViewportSize(desktop);
    }

    const address = formatAddress(houseAddress, 'joule');
    await page.click('#tab-household');
    await page.fill('#address', address);
    await page.click('#lookup button');
    await page.waitForSelector('#badge', { timeout: 60_000 });
    const badge = await text(page, 'badge');
    const [, at, signed] = /^✓ verified at height (\d+) by (\d+) of 4 validators$/.exec(badge) ?? [];
    expect(at, badge).toBeDefined();
    expect(Number(signed), `${badge}: more than 2/3 of 4`).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#badge').getAttribute('class')).toBe('badge ok');
    // The header the page verified is the testnet's: its set is the four validators' keys, and more
    // than 2/3 of their power signed it.
    const block = lightBlockFromJson(
      await (await fetch(`${net.api}/light_block?height=${at}`)).json(),
      net.api,
    );
    expect(
      block.validators.validators.map((v) => toHex(v.pubKey)).sort(),
      'the verified set is the four validators',
    ).toEqual(net.validatorKeys.map(toHex).sort());
    const signers = signersOf(block);
    expect(signers.signed, `signatures in the commit of height ${at}`).toBeGreaterThanOrEqual(3);
    expect(signers.signedPower * 3n > signers.totalPower * 2n, 'more than 2/3 of the power signed').toBe(
      true,
    );
    const own = deltas.deltas.find((d) => toHex(d.account) === toHex(houseAddress));
    expect(await text(page, 'h-bill'), 'the bill is the settlement delta').toBe(
      `${ect(own?.delta ?? 0n)} ECT`,
    );
    const balance = await client.query('bank', core.bank.query.balance, {
      address: houseAddress,
      denom: 'ujoule',
    });
    expect(await text(page, 'h-balance')).toBe(`${ect(balance).replace('+', '')} ECT`);
    if (shots !== undefined) {
      await page.screenshot({ path: join(shots, 'household-desktop.png'), fullPage: true });
      await page.setViewportSize(phone);
      await page.screenshot({ path: join(shots, 'household-phone.png'), fullPage: true });
    }
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('runs no markup of a hostile node it reads (?node=) in the origin that served it', {
    timeout: 120_000,
  }, async () => {
    const { proxy } = net;
    const page = await context.newPage();
    proxy.tamper = (path, _q, body) => {
      if (!path.startsWith('/market/get_receipt_deltas/')) return undefined;
      const b = body as { result: { deltas: { account: string; delta: string }[] } };
      // The page shows an account's first 12 and last 6 characters: enough to open an element
      // (and, across rows, to assemble a script between attribute quotes and comments).
      const deltas = b.result.deltas.map((d) => ({ ...d, account: `<b id=inject${'x'.repeat(20)}  z=1>` }));
      return { ...b, result: { ...b.result, deltas } };
    };
    try {
      // The page of the honest node, reading the community's figures from another node.
      await page.goto(`${net.api}/ui?node=${encodeURIComponent(proxy.url)}`);
      await page.locator('#bills tbody tr').first().waitFor({ timeout: 60_000 });
      expect(await page.locator('#bills b').count(), 'no element of the node in the page').toBe(0);
      expect(await page.locator('#bills tbody tr td').first().textContent()).toBe('<b id=inject…  z=1>');
    } finally {
      proxy.tamper = null;
      await page.close();
    }
  });

  it('turns the household badge red when the node it reads starts lying', { timeout: 120_000 }, async () => {
    const { proxy, houseAddress } = net;
    const page = await context.newPage();
    await page.goto(`${proxy.url}/ui?view=household&address=${formatAddress(houseAddress, 'joule')}`);
    await page.waitForSelector('#badge.ok', { timeout: 60_000 });
    proxy.tamper = (path, q, body) => {
      if (path !== '/abci_query' || q.get('path') !== '/bank/balance') return undefined;
      const r = (body as { response: { value: string } }).response;
      const lie = decode(amountCodec, fromHex(r.value)) * 10n;
      return { response: { ...r, value: toHex(encode(amountCodec, lie)) } };
    };
    await page.waitForSelector('#badge.bad', { timeout: 60_000 });
    expect(await text(page, 'badge')).toBe('✗ not verified: LIGHT_WRONG_ANSWER');
    if (shots !== undefined) {
      await page.setViewportSize(phone);
      await page.screenshot({ path: join(shots, 'household-lying-phone.png'), fullPage: true });
    }
    proxy.tamper = null;
    await page.close();
  });
});
