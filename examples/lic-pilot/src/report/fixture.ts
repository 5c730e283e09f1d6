import { settlePeriod } from '@joule/market';
import type { CommunityData, CommunityMeter } from '../community/types.js';
import { type AnalysisParams, analyse } from './analysis.js';
import { type NodeResources, type PilotReport, paperFigures } from './types.js';

/**
 * A realistic, deterministic `PilotReport` for the report's tests and for looking at the page: the
 * LIC's 19 meters over a month (May 2026) of invented but plausible 15-minute data, settled by
 * @joule/market's `settlePeriod` and analysed by `analyse`, with made-up node samples. For tests only.
 */

export interface FixtureOptions {
  /** Days of data (default 31). */
  readonly days?: number;
  /** Replace the first meter's id (e.g. with something hostile). */
  readonly firstMeterId?: string;
  /** Nodes with resource samples (default 20; 0 for a run without samples). */
  readonly nodes?: number;
  /** Seconds of samples per node (default 540). */
  readonly wallSeconds?: number;
  /** The LPM coefficient, uECT/kWh² (default 20 000: 0.02 ECT/kWh², so the LPM shows). */
  readonly beta?: bigint;
}

const may1 = Date.UTC(2026, 4, 1) / 1000;
const slotSeconds = 900;
const ect = 1_000_000n;

/** mulberry32: a small seeded PRNG, so the fixture is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function lic(firstMeterId: string | undefined): CommunityMeter[] {
  const pv: Record<number, number> = { 3: 9.5, 7: 8, 11: 10.5, 15: 9 };
  const houses = Array.from({ length: 18 }, (_, i): CommunityMeter => {
    const n = i + 1;
    return { id: `house-${String(n).padStart(2, '0')}`, kind: 'house', pvKwp: pv[n] ?? 0, batteryKwh: 0 };
  });
  const meters = [
    ...houses,
    { id: 'kindergarten', kind: 'kindergarten', pvKwp: 27, batteryKwh: 60 } as const,
  ];
  return firstMeterId === undefined ? meters : [{ ...meters[0]!, id: firstMeterId }, ...meters.slice(1)];
}

/** Invented LIC data: household loads with morning and evening peaks, PV under passing clouds, net per meter. */
export function fixtureCommunity(days = 31, firstMeterId?: string): CommunityData {
  const meters = lic(firstMeterId);
  const slots = days * 96;
  const random = rng(1);
  const clouds = Array.from({ length: days }, () => 0.3 + 0.7 * Math.sqrt(random()));
  const consumption = meters.map(() => new Uint32Array(slots));
  const production = meters.map(() => new Uint32Array(slots));
  let battery = 30_000;
  for (let s = 0; s < slots; s++) {
    const t = may1 + s * slotSeconds;
    const day = Math.floor(s / 96);
    const hour = ((s % 96) + 0.5) / 4 + 2; // Lugano summer time, UTC+2
    const weekend = [0, 6].includes(new Date(t * 1000).getUTCDay());
    const sun = Math.max(0, Math.sin((Math.PI * (hour - 6)) / 15)) ** 1.5; // 06:00–21:00 local
    const sky = clouds[day]! * (0.85 + 0.15 * random());
    meters.forEach((m, i) => {
      let loadW: number;
      if (m.kind === 'kindergarten') {
        const open = !weekend && hour >= 7.5 && hour < 17.5;
        loadW = open ? 4500 + 1500 * random() : 900 + 200 * random();
      } else {
        const morning = Math.exp(-(((hour - 7.5) / 1.2) ** 2));
        const evening = Math.exp(-(((hour - 19.5) / 2) ** 2));
        const midday = weekend ? 0.6 * Math.exp(-(((hour - 12.5) / 2) ** 2)) : 0;
        loadW =
          (250 + 120 * (i % 5)) * (1 + 2.2 * morning + 3 * evening + 2 * midday) * (0.7 + 0.6 * random());
      }
      const pvW = m.pvKwp * 1000 * 0.8 * sun * sky;
      let net = (loadW - pvW) / 4; // Wh in the quarter
      if (m.batteryKwh > 0) {
        // Charges from surplus, discharges at most 1 kW in the evening (a community battery, not backup).
        const evening = hour >= 17 && hour < 23;
        const charge =
          net < 0
            ? Math.min(-net, 60_000 - battery, 2500)
            : evening
              ? -Math.min(net, battery - 6000, 250)
              : 0;
        battery += charge;
        net += charge;
      }
      consumption[i]![s] = Math.max(0, Math.round(net));
      production[i]![s] = Math.max(0, Math.round(-net));
    });
  }
  return { meters, tsStart: may1, slotSeconds, slots, consumption, production, source: 'fixture (seed 1)' };
}

function fixtureResources(nodes: number, wallSeconds: number): NodeResources[] {
  const random = rng(7);
  return Array.from({ length: nodes }, (_, n): NodeResources => {
    const validator = n < 4;
    const base = (validator ? 72 : 64) + 6 * random();
    const samples = Array.from({ length: wallSeconds }, (_, t) => {
      const posting = t > 40 && t < wallSeconds - 90;
      const burst = posting && t % 15 < 2 ? 25 * random() : 0;
      return {
        t,
        rssMb:
          Math.round((base + 22 * (1 - Math.exp(-t / 120)) + 3 * Math.sin(t / 17) + 1.5 * random()) * 10) /
          10,
        heapMb: Math.round((base * 0.45 + 10 * (1 - Math.exp(-t / 150)) + 4 * random()) * 10) / 10,
        cpuPercent: Math.round(((posting ? 3 : 1) + burst + 2 * random()) * 10) / 10,
      };
    });
    const rss = samples.map((s) => s.rssMb);
    const cpu = samples.map((s) => s.cpuPercent);
    return {
      name: `node${n}`,
      validator,
      peakRssMb: Math.max(...rss),
      meanRssMb: Math.round((rss.reduce((a, b) => a + b, 0) / rss.length) * 10) / 10,
      peakHeapMb: Math.max(...samples.map((s) => s.heapMb)),
      cpuSeconds: Math.round(cpu.reduce((a, b) => a + b, 0)) / 100,
      meanCpuPercent: Math.round((cpu.reduce((a, b) => a + b, 0) / cpu.length) * 10) / 10,
      diskMb: Math.round((38 + 4 * random()) * 10) / 10,
      samples,
    };
  });
}

/** The whole fake report; see the module comment. */
export function fixtureReport(options: FixtureOptions = {}): PilotReport {
  const days = options.days ?? 31;
  const wallSeconds = options.wallSeconds ?? 540;
  const data = fixtureCommunity(days, options.firstMeterId);
  const params: AnalysisParams = {
    tsStart: data.tsStart,
    tsEnd: data.tsStart + data.slots * slotSeconds,
    slotSeconds,
    pBuyBAU: 21n * ect,
    pSellBAU: 6n * ect,
    pBuyLEM: 16n * ect,
    pSellLEM: 9n * ect,
    beta: options.beta ?? 20_000n,
  };
  const account = (i: number): string =>
    `lic1${'qpzry9x8gf2tvdw0s3jn54khce6mua7l'.repeat(2).slice(i, i + 38)}`;
  const nodes = options.nodes ?? 20;
  const settlement = settlePeriod({
    prices: params,
    slots: Array.from({ length: data.slots }, (_, s) => ({
      tsStart: data.tsStart + s * slotSeconds,
      readings: data.meters.map((m, i) => ({
        meter: m.id,
        account: account(i),
        cons: BigInt(data.consumption[i]![s]!),
        prod: BigInt(data.production[i]![s]!),
      })),
    })),
    expectedMeters: data.meters.length,
  });
  const analysis = analyse({
    data,
    params,
    accounts: new Map(data.meters.map((m, i) => [m.id, account(i)])),
    nodes: new Map(data.meters.map((m, i) => [m.id, `node${i}`])),
    balanceDeltas: settlement.deltas,
    adminDelta: settlement.admin,
    gridFlow: settlement.gridFlow,
  });
  const measures = data.slots * data.meters.length * 2;
  return {
    version: 1,
    finishedAt: '2026-06-01T00:09:12.000Z',
    run: {
      nodes,
      validators: Math.min(4, nodes),
      seed: 1,
      days,
      data: data.source,
      chainId: 'lic-1',
      dir: '/tmp/joule-lic-pilot',
      wallSeconds,
      node: 'v26.10.0',
      arch: 'x64',
    },
    period: {
      tsStart: params.tsStart,
      tsEnd: params.tsEnd,
      slotSeconds,
      slots: data.slots,
      pBuyBAU: String(params.pBuyBAU),
      pSellBAU: String(params.pSellBAU),
      pBuyLEM: String(params.pBuyLEM),
      pSellLEM: String(params.pSellLEM),
      beta: String(params.beta),
    },
    ...analysis,
    audit: {
      node: 'node7',
      measures,
      deltasEqual: true,
      adminEqual: true,
      gridFlowEqual: true,
      slotsEqual: true,
      matches: true,
      solvedHeight: 1843,
      missing: 0,
    },
    chain: {
      height: 1851,
      txs: measures / 8,
      measures,
      appHashesEqual: true,
      phases: { start: 6.2, setup: 3.1, post: 402.5, solve: 21.4, audit: 4.8 },
    },
    resources: fixtureResources(nodes, wallSeconds),
    paper: paperFigures,
  };
}
