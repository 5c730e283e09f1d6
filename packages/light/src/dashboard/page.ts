/**
 * The community dashboard: a static page that a node serves at `/ui`. It polls the node's public
 * API for the community's figures and runs the light client for the household view, so that a
 * household's balance and bill are checked in the browser, not taken from the node.
 */
import { fromHex, toHex } from '@joule/consensus/core';
import { LightClientError } from '../errors.js';
import { JouleLight } from '../light.js';
import { lightBlockFromJson } from '../verify/light-block.js';
import { dashboardPollMs } from './constants.js';
import { billRowsHtml } from './html.js';

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
const params = new URLSearchParams(location.search);
const api = (params.get('node') ?? location.origin).replace(/\/+$/, '');
const fmt = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const kwh = (wh: number): string => `${fmt.format(wh / 1000)} kWh`;
/** uECT (10^-6 ECT) as ECT with two decimals. */
const ect = (micro: bigint | string): string => {
  const v = Number(BigInt(micro)) / 1e6;
  return `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
};
/** A price of uECT per kWh (an exact num/den) in ECT per kWh. */
const perKwh = (num: string | null, den: string | null): string =>
  num === null || den === null ? '–' : (Number(BigInt(num)) / Number(BigInt(den)) / 1e6).toFixed(2);

/** A period as the API answers it (snake_case JSON). */
interface Period {
  ts_start: number;
  ts_end: number;
  slot_seconds: number;
  state: number;
}
/** A slot of `/market/get_receipt_slots` (snake_case JSON). */
interface Slot {
  ts_start: number;
  ec: number;
  ep: number;
  reporters: number;
  e: number;
  pb_num: string | null;
  pb_den: string | null;
  ps_num: string | null;
  ps_den: string | null;
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${api}${path}`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}
const query = async <T>(path: string): Promise<T> => (await get<{ result: T }>(path)).result;

/** The period holding `ts`, else the latest one that started in the 62 days before it. */
async function findPeriod(ts: number): Promise<Period | null> {
  const pinned = params.get('period');
  if (pinned !== null) return query<Period | null>(`/market/get_market_parameters/${Number(pinned)}`);
  for (let back = 0; back <= 62; back++) {
    const at = back === 0 ? ts : Math.floor(ts / 86_400) * 86_400 - (back - 1) * 86_400 - 1;
    const p = await query<Period | null>(`/market/get_market_parameters/${at}`);
    if (p !== null) return p;
  }
  return null;
}

let period: Period | null = null;
let chainId = '';
let previousBlock: { height: number; time: number } | null = null;

async function refresh(): Promise<void> {
  const status = await get<{
    node_info: { network: string; moniker: string };
    sync_info: { latest_block_height: string; latest_block_time: string; earliest_block_height: string };
  }>('/status');
  chainId = status.node_info.network;
  const height = Number(status.sync_info.latest_block_height);
  const time = Date.parse(status.sync_info.latest_block_time);
  $('chain-id').textContent = `${chainId} · ${status.node_info.moniker}`;
  $('height').textContent = String(height);
  $('block-time').textContent = new Date(time).toLocaleString();
  if (previousBlock !== null && height > previousBlock.height)
    $('block-interval').textContent =
      `${((time - previousBlock.time) / (height - previousBlock.height) / 1000).toFixed(1)} s`;
  previousBlock = { height, time };
  const [validators, net] = await Promise.all([
    get<{ validators: { voting_power: string }[] }>('/validators'),
    get<{ n_peers: string }>('/net_info'),
  ]);
  const power = validators.validators.reduce((n, v) => n + Number(v.voting_power), 0);
  $('validators').textContent = `${validators.validators.length} (power ${power})`;
  $('peers').textContent = net.n_peers;
  const healthy = await fetch(`${api}/health`).then(
    (r) => r.ok,
    () => false,
  );
  $('health').innerHTML =
    `<span class="dot${healthy ? '' : ' bad'}"></span>${healthy ? 'healthy' : 'not answering'}`;
  period ??= await findPeriod(Math.floor(time / 1000));
  if (period !== null) await refreshPeriod(period, Math.floor(time / 1000));
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

async function refreshPeriod(p: Period, now: number): Promise<void> {
  period = (await query<Period | null>(`/market/get_market_parameters/${p.ts_start}`)) ?? p;
  const states = ['not solved', 'solving', 'solved', 'failed'];
  $('period').textContent =
    `${new Date(p.ts_start * 1000).toISOString().slice(0, 10)} → ${new Date(p.ts_end * 1000).toISOString().slice(0, 10)}`;
  $('period-state').textContent = states[period.state] ?? '–';
  const count = (p.ts_end - p.ts_start) / p.slot_seconds;
  const slots: Slot[] = [];
  for (let at = 0; at < count; at += 192)
    slots.push(
      ...(await query<Slot[]>(
        `/market/get_receipt_slots/${p.ts_start + at * p.slot_seconds}/${Math.min(192, count - at)}`,
      )),
    );
  const reported = slots.filter((s) => s.reporters > 0);
  const sum = (f: (s: Slot) => number): number => reported.reduce((n, s) => n + f(s), 0);
  $('month-slots').textContent = `${reported.length} of ${count}`;
  $('month-ec').textContent = kwh(sum((s) => s.ec));
  $('month-ep').textContent = kwh(sum((s) => s.ep));
  $('month-shared').textContent = kwh(sum((s) => Math.min(s.ec, s.ep)));
  // "Now": the slot of the last block time inside the period, else the period's last reported slot.
  const current =
    now >= p.ts_start && now < p.ts_end
      ? slots[Math.floor((now - p.ts_start) / p.slot_seconds) - 1]
      : reported[reported.length - 1];
  if (current !== undefined) {
    $('now-slot').textContent = new Date(current.ts_start * 1000)
      .toISOString()
      .replace('T', ' ')
      .slice(0, 16);
    $('now-reporters').textContent = String(current.reporters);
    $('now-ec').textContent = kwh(current.ec);
    $('now-ep').textContent = kwh(current.ep);
    $('now-e').textContent = kwh(current.e);
    // The grid dependency index of the pilot's report: +1 all from the grid, −1 all to it.
    $('now-gdi').textContent =
      current.ec + current.ep === 0 ? '–' : (current.e / (current.ec + current.ep)).toFixed(2);
    $('now-prices').textContent =
      `${perKwh(current.pb_num, current.pb_den)} / ${perKwh(current.ps_num, current.ps_den)} ECT/kWh`;
    const dayStart = Math.max(0, slots.indexOf(current) - 95);
    drawChart(slots.slice(dayStart, dayStart + 96));
    $('chart-label').textContent =
      `96 slots of ${p.slot_seconds / 60} minutes from ${new Date((slots[dayStart]?.ts_start ?? 0) * 1000).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  }
  if (period.state === 2) await refreshBills(p.ts_start);
}

function drawChart(slots: Slot[]): void {
  const w = 960 / Math.max(1, slots.length);
  const maxWh = Math.max(1, ...slots.map((s) => Math.max(s.ec, s.ep)));
  const price = (s: Slot, which: 'pb' | 'ps'): number | null => {
    const num = which === 'pb' ? s.pb_num : s.ps_num;
    const den = which === 'pb' ? s.pb_den : s.ps_den;
    return num === null || den === null ? null : Number(BigInt(num)) / Number(BigInt(den));
  };
  const maxPrice = Math.max(1, ...slots.flatMap((s) => [price(s, 'pb') ?? 0, price(s, 'ps') ?? 0]));
  const bars = slots
    .map((s, i) => {
      const hc = (s.ec / maxWh) * 170;
      const hp = (s.ep / maxWh) * 170;
      return `<rect x="${i * w}" y="${180 - hc}" width="${w * 0.45}" height="${hc}" fill="#d9822b"/><rect x="${i * w + w * 0.45}" y="${180 - hp}" width="${w * 0.45}" height="${hp}" fill="#2f80ed"/>`;
    })
    .join('');
  const line = (which: 'pb' | 'ps', color: string): string => {
    const pts = slots
      .map((s, i) => {
        const v = price(s, which);
        return v === null ? null : `${i * w + w / 2},${180 - (v / maxPrice) * 170}`;
      })
      .filter((x) => x !== null);
    return `<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`;
  };
  $('chart').innerHTML = bars + line('pb', '#333') + line('ps', '#8e44ad');
}

async function refreshBills(tsStart: number): Promise<void> {
  const deltas = await query<{ deltas: { account: string; delta: string }[] }>(
    `/market/get_receipt_deltas/${tsStart}?start=0&limit=500`,
  );
  $('bills-note').textContent = `Settled on chain: ${deltas.deltas.length} accounts.`;
  const body = $('bills').querySelector('tbody') as HTMLElement;
  body.innerHTML = billRowsHtml(deltas.deltas, ect);
}

// ---- household: the light client ----

let light: JouleLight | null = null;

async function lightClient(): Promise<JouleLight> {
  if (light !== null) return light;
  let trust = params.get('trust');
  if (trust === null) {
    // Trust on first use: the node's earliest kept header (print a trusted HEIGHT:HASH in the URL instead).
    const status = await get<{ sync_info: { earliest_block_height: string } }>('/status');
    const h = Math.max(1, Number(status.sync_info.earliest_block_height));
    trust = `${h}:${toHex(lightBlockFromJson(await get(`/light_block?height=${h}`), api).hash)}`;
  }
  const [h, hash] = trust.split(':');
  const witnesses = params.getAll('witness');
  light = new JouleLight({
    url: api,
    witnesses,
    chainId,
    trust: { height: Number(h), hash: fromHex(hash ?? ''), periodMs: 14 * 86_400_000 },
    addressPrefix: params.get('prefix') ?? 'joule',
    denom: params.get('denom') ?? 'ujoule',
  });
  await light.start();
  return light;
}

async function showHousehold(address: string): Promise<void> {
  const verdict = $('verdict');
  verdict.innerHTML = '<span class="muted">verifying…</span>';
  try {
    const cold = light === null;
    const started = performance.now();
    const l = await lightClient();
    const before = l.cost();
    const balance = await l.balance(address);
    $('h-balance').textContent = `${ect(balance.value).replace('+', '')} ECT`;
    let last = balance;
    if (period !== null) {
      const line = await l.settlement(address, period.ts_start);
      last = line.headerHeight > last.headerHeight ? (line as unknown as typeof balance) : last;
      $('h-period').textContent =
        `${new Date(period.ts_start * 1000).toISOString().slice(0, 10)} (${line.value?.state.toLowerCase().replace('_', ' ') ?? 'none'})`;
      $('h-bill').textContent =
        line.value?.delta === null || line.value === null ? '–' : `${ect(line.value.delta)} ECT`;
      $('h-receipt').textContent =
        line.value?.receipt === null || line.value === null
          ? 'not settled yet'
          : `${line.value.receipt.accounts} accounts, ${line.value.receipt.meters} meters, solved at height ${line.value.receipt.solvedHeight}`;
    }
    $('house').classList.remove('hidden');
    const after = l.cost();
    const ms = Math.round(performance.now() - started);
    $('h-cost').textContent =
      `${cold ? 'From a cold start' : 'Again'}: ${after.lightBlocks - (cold ? 0 : before.lightBlocks)} headers, ${after.requests - (cold ? 0 : before.requests)} requests, ${((after.bytes - (cold ? 0 : before.bytes)) / 1024).toFixed(1)} kB, ${after.signatures - (cold ? 0 : before.signatures)} signatures checked, ${ms} ms.`;
    document.body.dataset.lightCost = JSON.stringify({ cold, ms, ...after, before });
    const s = last.signers;
    verdict.innerHTML = `<span class="badge ok" id="badge">✓ verified at height ${last.headerHeight} by ${s.signed} of ${s.total} validators</span>`;
  } catch (error) {
    const code = error instanceof LightClientError ? error.code : 'ERROR';
    const message = error instanceof Error ? error.message : String(error);
    // Nothing unverified stays on screen.
    $('house').classList.add('hidden');
    verdict.innerHTML = `<span class="badge bad" id="badge">✗ not verified: ${code}</span><p class="muted"></p>`;
    (verdict.querySelector('p') as HTMLElement).textContent = message;
    light = null;
  }
}

function tab(which: 'community' | 'household'): void {
  $('community').classList.toggle('hidden', which !== 'community');
  $('household').classList.toggle('hidden', which !== 'household');
  $('tab-community').classList.toggle('on', which === 'community');
  $('tab-household').classList.toggle('on', which === 'household');
}

let household: string | null = null;
$('tab-community').addEventListener('click', () => tab('community'));
$('tab-household').addEventListener('click', () => tab('household'));
$('lookup').addEventListener('submit', (event) => {
  event.preventDefault();
  household = ($('address') as HTMLInputElement).value.trim();
  void showHousehold(household);
});

async function loop(): Promise<void> {
  try {
    await refresh();
    if (household !== null && !$('household').classList.contains('hidden')) await showHousehold(household);
  } catch (error) {
    $('updated').textContent = `node not answering: ${String(error)}`;
  }
  setTimeout(() => void loop(), dashboardPollMs);
}
if (params.get('view') === 'household') tab('household');
const preset = params.get('address');
if (preset !== null) {
  ($('address') as HTMLInputElement).value = preset;
  household = preset;
}
void loop();
