import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { PilotReport } from '../report/types.js';

/**
 * `npm start -- --days 1` end to end: eight node processes in the LIC grid (four validators), the
 * 19 meters' day of measures, the settlement on chain, the audit from a non-validator, the reports,
 * and no process left behind. About a minute on two cores.
 */
const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const run = promisify(execFile);

/** Processes whose command line mentions `dir` (the nodes run `joule start --home <dir>/network/…`). */
async function processesUnder(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) out.push(Number(pid));
  }
  return out;
}

describe('the LIC pilot', () => {
  let dir = '';
  afterAll(async () => {
    for (const pid of await processesUnder(dir)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a day of the community end to end and leaves no process behind', {
    timeout: 300_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-pilot-'));
    const { stdout } = await run(
      process.execPath,
      [main, '--days', '1', '--month', '2026-06', '--out', dir, '--base-port', '27400'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout, 'the summary says the audit matched').toContain('equals the on-chain receipt');
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as PilotReport;
    expect(report.run.nodes, 'the default network').toBe(8);
    expect(report.resources.filter((n) => n.validator).length, 'four validators').toBe(4);
    expect(report.houses.length, '18 houses and the kindergarten').toBe(19);
    expect(report.chain.measures, 'both signals of 96 slots for 19 meters').toBe(19 * 96 * 2);
    expect(report.audit.measures, 'every measure exported').toBe(19 * 96 * 2);
    expect(report.audit, 'the audit from a non-validator equals the receipt').toMatchObject({
      matches: true,
      deltasEqual: true,
      adminEqual: true,
      gridFlowEqual: true,
      slotsEqual: true,
      missing: 0,
    });
    expect(report.audit.node, 'exported from a node that is not a validator').toBe(
      report.resources.filter((n) => !n.validator).at(-1)?.name,
    );
    expect(report.community.invariantUect, 'prosumers + admin + grid').toBe('0');
    expect(report.chain.appHashesEqual, 'one state on every node').toBe(true);
    // June has sun: the PV houses export, and some of it is used next door.
    expect(report.community.productionWh).toBeGreaterThan(0);
    expect(report.community.tradedInsideWh).toBeGreaterThan(0);
    const sum = report.houses.reduce((s, h) => s + BigInt(h.balanceDeltaUect), 0n);
    expect(sum + BigInt(report.community.adminMarginUect) + BigInt(report.community.gridFlowUect)).toBe(0n);
    for (const n of report.resources) expect(n.samples.length, `${n.name} was sampled`).toBeGreaterThan(0);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>') || html.startsWith('<!DOCTYPE html>'), 'an HTML page').toBe(
      true,
    );
    expect((await stat(join(dir, 'audit', 'RECEIPT.json'))).size).toBeGreaterThan(0);
    expect(await processesUnder(dir), 'every node process has exited').toEqual([]);
  });

  it('refuses bad options with the flag named, before starting anything', async () => {
    const err = await run(process.execPath, [main, '--days', '40']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain('--days must be a whole number from 1 to 31');
  });
});
