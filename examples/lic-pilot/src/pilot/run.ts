import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decode, fromHex, headerCodec, headerHash, toHex } from '@joule/consensus';
import type { ConfigOverrides } from '@joule/node';
import { generateCommunity, parseCommunityCsv, previousMonth } from '../community/index.js';
import type { CommunityData } from '../community/types.js';
import { buildBundle, describeLaunch, unitNodeLaunch } from '../network/launch.js';
import { LocalNetwork } from '../network/local-network.js';
import { ResourceSampler } from '../network/sampler.js';
import { formatSeconds } from '../progress.js';
import { analyse } from '../report/analysis.js';
import { renderReportHtml } from '../report/html.js';
import { type PilotReport, paperFigures } from '../report/types.js';
import { height, signerOf } from './chain.js';
import type { PilotOptions } from './options.js';
import { postMeasures } from './post.js';
import { summarizeResources } from './resources.js';
import { auditMonth, solveMonth } from './settle.js';
import { setUpCommunity } from './setup.js';

export const chainId = 'lic-pilot-1';
/**
 * The pilot chain's block gas: about 135 of the back-fill's transactions (a meter's day each, ~140 000
 * gas used, 175 000 wanted), ~26 000 measures — well under a second of work for each of eight nodes
 * sharing two cores. The framework's default (50 000 000) would let a block hold twice that.
 */
export const pilotMaxBlockGas = 24_000_000;
/**
 * The nodes' config.toml: warnings only in the logs, and a proposal timeout of 10 s instead of 3 s —
 * a full block reaches the last validator after its proposer has committed the one
 * before, built it and sent it over two or three hops, all on a shared core; a round lost to the
 * timeout costs more than the wait. A commit timeout of 250 ms instead of 1 s: during a back-fill
 * every block is full, and the wait after each commit was a third of the block interval.
 */
export const pilotConfig: ConfigOverrides = {
  log: { level: 'warn' },
  consensus: { timeout_propose_ms: 10_000, timeout_commit_ms: 250 },
  // The community dashboard at /ui (off by default: a validator serves only its API).
  api: { ui: true },
};

export interface PilotRun {
  readonly report: PilotReport;
  readonly files: { readonly json: string; readonly html: string };
  /** The running network with --keep (stop it when done), else null. */
  readonly network: LocalNetwork | null;
}

/** The month's meter data: the CSV if given, else the generator for the chosen or last month. */
export async function loadCommunity(options: PilotOptions, nowSeconds: number): Promise<CommunityData> {
  if (options.data !== null) return parseCommunityCsv(await readFile(options.data, 'utf8'), options.data);
  const month =
    options.month === null
      ? previousMonth(nowSeconds)
      : previousMonth(Date.parse(`${options.month}-01T00:00:00Z`) / 1000 + 32 * 86_400);
  const days = Math.min(options.days ?? month.days, month.days);
  return generateCommunity({ seed: options.seed, tsStart: month.tsStart, days });
}

/**
 * The whole pilot: a network of separate node processes in the LIC grid, the community's setup,
 * a month of measures, the settlement, the audit from a non-validator, and the reports.
 */
export async function runPilot(options: PilotOptions, log: (line: string) => void): Promise<PilotRun> {
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  const phase = (name: string, since: number) => {
    phases[name] = Math.round((performance.now() - since) / 100) / 10;
  };
  const data = await loadCommunity(options, Math.floor(Date.now() / 1000));
  const out = resolve(options.out);
  const dir = join(out, 'network');
  await rm(dir, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  log(
    `Lugaggia Innovation Community — ${data.meters.length} meters, ${data.slots} slots from ${new Date(data.tsStart * 1000).toISOString().slice(0, 10)} (${data.source})`,
  );
  log(`network: ${options.nodes} nodes (${options.validators} validators) in the LIC grid under ${dir}`);

  // The nodes run as a board's systemd unit runs its node: the bundle, the unit's Node flags and
  // environment, the board profile.
  const build = options.dist ? 'dist' : 'bundle';
  if (build === 'bundle') buildBundle();
  const launch = unitNodeLaunch(build);
  log(`  each node: ${describeLaunch(build)}`);

  let t = performance.now();
  const net = await LocalNetwork.create({
    dir,
    nodes: options.nodes,
    validators: options.validators,
    topology: 'lic',
    basePort: options.basePort,
    chainId,
    maxBlockGas: pilotMaxBlockGas,
    config: pilotConfig,
    launch: () => launch,
  });
  const sampler = new ResourceSampler({}, net.nodes);
  let keep = false;
  try {
    await net.start();
    sampler.start();
    phase('start', t);
    log(`  ${net.nodes.length} node processes answer; logs in ${dir}/node*.log`);

    t = performance.now();
    const community = await setUpCommunity(net, data);
    phase('setup', t);
    log(
      `  ${community.meters.length} prosumer keys funded, meters registered, parameters set (${phases.setup} s)`,
    );
    log(`  dashboard: ${await dashboardUrl(net.nodes[0]?.api ?? '')}`);

    t = performance.now();
    const posted = await postMeasures(data, community);
    phase('post', t);
    log(
      `  ${posted.measures} measures in ${posted.txs} transactions, heights ${posted.firstHeight}–${posted.lastHeight}, ${formatSeconds(posted.seconds)} (${(posted.txs / posted.seconds).toFixed(0)} tx/s, ${(posted.measures / posted.seconds).toFixed(0)} measures/s)`,
    );

    t = performance.now();
    const last = net.nodes.at(-1) as (typeof net.nodes)[number];
    const solver = await signerOf(last.home, last.name, last.client);
    const solved = await solveMonth(community, solver);
    phase('solve', t);
    log(
      `  solve_markets by ${solver.name}: SOLVED at height ${solved.solvedHeight} over ${solved.blocks} blocks`,
    );

    t = performance.now();
    const audit = await auditMonth(net, community, solved, out);
    phase('audit', t);
    log(
      `  audit from ${audit.node}: ${audit.matches ? 'equals the chain receipt to the uECT' : 'DIFFERS from the chain receipt'}`,
    );

    const chainHeight = await height(community.admin.client);
    const appHashesEqual = await sameAppHash(net, chainHeight);
    await sampler.sample();
    sampler.stop();
    const analysis = analyse({
      data,
      params: community.params,
      accounts: new Map(community.meters.map((s) => [s.meterId, s.address])),
      nodes: new Map(community.meters.map((s) => [s.meterId, s.node])),
      balanceDeltas: solved.deltas,
      adminDelta: solved.adminDelta,
      gridFlow: solved.gridFlow,
    });
    const p = community.params;
    const report: PilotReport = {
      version: 1,
      finishedAt: new Date().toISOString(),
      run: {
        nodes: options.nodes,
        validators: options.validators,
        seed: options.seed,
        days: data.slots / (86_400 / data.slotSeconds),
        data: data.source,
        chainId,
        dir: out,
        wallSeconds: Math.round((performance.now() - t0) / 1000),
        node: process.version,
        arch: process.arch,
      },
      period: {
        tsStart: p.tsStart,
        tsEnd: p.tsEnd,
        slotSeconds: p.slotSeconds,
        slots: data.slots,
        pBuyBAU: String(p.pBuyBAU),
        pSellBAU: String(p.pSellBAU),
        pBuyLEM: String(p.pBuyLEM),
        pSellLEM: String(p.pSellLEM),
        beta: String(p.beta),
      },
      ...analysis,
      audit: { ...audit, matches: audit.matches && analysis.community.invariantHolds },
      chain: { height: chainHeight, txs: posted.txs, measures: posted.measures, appHashesEqual, phases },
      resources: summarizeResources(sampler.series),
      paper: paperFigures,
    };
    const files = { json: join(out, 'report.json'), html: join(out, 'report.html') };
    await writeFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(files.html, renderReportHtml(report));
    keep = options.keep;
    return { report, files, network: keep ? net : null };
  } finally {
    sampler.stop();
    if (!keep) {
      const codes = await net.stop();
      const bad = codes.map((c, i) => [c, i] as const).filter(([c]) => c !== 0 && c !== null);
      for (const [c, i] of bad) log(`  node${i} exited with code ${c}; see ${net.nodes[i]?.log}`);
    }
  }
}

/** True when every node reports the same app hash for `height` (waiting a little for stragglers). */
async function sameAppHash(net: LocalNetwork, h: number): Promise<boolean> {
  const hashes = await Promise.all(
    net.nodes.map(async (n) => {
      for (let k = 0; k < 40; k++) {
        const c = await n.client.commit(h).catch(() => null);
        if (c !== null) return c.signed_header.header.app_hash;
        await new Promise((r) => setTimeout(r, 250));
      }
      return null;
    }),
  );
  return hashes.every((x) => x !== null && x === hashes[0]);
}

/**
 * The dashboard of `api`, with the header at height 1 as the household light client's root of
 * trust (what an operator would print for the community: its own node's first header).
 */
export async function dashboardUrl(api: string): Promise<string> {
  const first = (await (await fetch(`${api}/light_block?height=1`)).json()) as { header?: string };
  if (typeof first.header !== 'string') return `${api}/ui`;
  const hash = toHex(headerHash(decode(headerCodec, fromHex(first.header))));
  return `${api}/ui?trust=1:${hash}`;
}
