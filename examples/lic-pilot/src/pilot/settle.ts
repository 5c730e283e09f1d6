import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AuditReport } from '@joule/market';
import type { MeasureRow, ReceiptFile } from '@joule/node';
import { txMessage } from '@joule/state';
import { jouleCliPath, type LocalNetwork } from '../network/local-network.js';
import { Progress } from '../progress.js';
import type { AuditSummary } from '../report/types.js';
import { balanceOf, height, modules, type Signer, send, sleep, untilHeight } from './chain.js';
import type { Community } from './setup.js';

const run = promisify(execFile);
/** How long the chain has to finish a month's settlement once solve_markets is in a block. */
const solveTimeoutMs = 600_000;
/** Largest output read from one CLI command (a month's measures go to files, not stdout). */
const maxCliOutputBytes = 64 * 1024 * 1024;

export interface SolveResult {
  readonly solvedHeight: number;
  readonly blocks: number;
  readonly seconds: number;
  /** Balance change of every prosumer account and of the admin over the settlement. */
  readonly deltas: ReadonlyMap<string, bigint>;
  readonly adminDelta: bigint;
  readonly gridFlow: bigint;
}

/**
 * Anyone may solve a period once it has ended: `solver` (a node's own key, not the admin) sends
 * solve_markets and the chain settles the month over the next blocks (SOLVING → SOLVED). Balances
 * are read before and after on the admin's node.
 */
export async function solveMonth(community: Community, solver: Signer): Promise<SolveResult> {
  const m = modules.market;
  const client = community.admin.client;
  const accounts = [...community.meters.map((s) => s.address), community.admin.address];
  const before = await Promise.all(accounts.map((a) => balanceOf(client, a)));
  const t0 = performance.now();
  const sentAt = await send(
    solver,
    [txMessage(m.msg.solveMarkets, { tsStart: community.params.tsStart })],
    'solve_markets',
  );
  const progress = new Progress('settling', 1);
  const deadline = performance.now() + solveTimeoutMs;
  let receipt = null;
  while (receipt?.state !== 'SOLVED') {
    if (performance.now() > deadline)
      throw new Error(`the month was not SOLVED ${solveTimeoutMs / 1000} s after solve_markets`);
    receipt = await client.query('market', m.query.getReceipt, { tsStart: community.params.tsStart });
    progress.update(0, `height ${await height(client)} · ${receipt?.state ?? 'SOLVING'}`);
    if (receipt?.state !== 'SOLVED') await sleep(500);
  }
  const solvedHeight = await height(client);
  progress.done(`SOLVED by height ${solvedHeight}`);
  const after = await Promise.all(accounts.map((a) => balanceOf(client, a)));
  const deltas = new Map(accounts.map((a, i) => [a, (after[i] as bigint) - (before[i] as bigint)]));
  const adminDelta = deltas.get(community.admin.address) ?? 0n;
  deltas.delete(community.admin.address);
  return {
    solvedHeight,
    blocks: solvedHeight - sentAt + 1,
    seconds: (performance.now() - t0) / 1000,
    deltas,
    adminDelta,
    gridFlow: receipt.gridFlow,
  };
}

/**
 * The audit as a member of the community would do it: `joule market export` from a node that is
 * not a validator, with the admin's key (so the measures come too), then `joule market settle` on
 * the files; the recomputation must equal the chain's receipt to the uECT.
 */
export async function auditMonth(
  net: LocalNetwork,
  community: Community,
  solved: SolveResult,
  out: string,
): Promise<AuditSummary & { seconds: number }> {
  const t0 = performance.now();
  const node =
    [...net.nodes].reverse().find((n) => !n.validator) ?? (net.nodes.at(-1) as (typeof net.nodes)[number]);
  const home0 = (net.nodes[0] as (typeof net.nodes)[number]).home;
  const dir = join(out, 'audit');
  const joule = async (...args: string[]) =>
    (await run(process.execPath, [jouleCliPath(), ...args], { maxBuffer: maxCliOutputBytes })).stdout;
  // The exporting node must hold the block that solved the month.
  await untilHeight(node.client, solved.solvedHeight);
  process.stderr.write(`  exporting the month from ${node.name} (not a validator) …\n`);
  await joule(
    'market',
    'export',
    '--period',
    String(community.params.tsStart),
    '--node',
    node.api,
    '--out',
    dir,
    '--from',
    'node0',
    '--home',
    home0,
  );
  process.stderr.write(`  joule market settle --params ${join(dir, 'PARAMS.json')} --measures … --json\n`);
  const report = JSON.parse(
    await joule(
      'market',
      'settle',
      '--params',
      join(dir, 'PARAMS.json'),
      '--measures',
      join(dir, 'MEASURES.json'),
      '--json',
    ),
  ) as AuditReport;
  const chain = JSON.parse(await readFile(join(dir, 'RECEIPT.json'), 'utf8')) as ReceiptFile;
  const measures = JSON.parse(await readFile(join(dir, 'MEASURES.json'), 'utf8')) as MeasureRow[];
  // The recomputed deltas, the receipt's, and the balance changes the chain actually made.
  const balances = sorted(Object.fromEntries([...solved.deltas].map(([a, d]) => [a, String(d)])));
  const deltasEqual =
    JSON.stringify(report.deltas) === JSON.stringify(chain.deltas) &&
    JSON.stringify(sorted(report.deltas)) === JSON.stringify(balances);
  const adminEqual = report.admin === chain.admin && report.admin === String(solved.adminDelta);
  const gridFlowEqual = report.gridFlow === chain.gridFlow;
  const slotsEqual = JSON.stringify(report.slots) === JSON.stringify(chain.slots);
  return {
    node: node.name,
    measures: measures.length,
    deltasEqual,
    adminEqual,
    gridFlowEqual,
    slotsEqual,
    matches: deltasEqual && adminEqual && gridFlowEqual && slotsEqual,
    solvedHeight: chain.solvedHeight,
    missing: chain.missing,
    seconds: (performance.now() - t0) / 1000,
  };
}

function sorted(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
