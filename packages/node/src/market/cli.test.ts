import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.js';
import { jouleCliApp } from './app.js';
import { parseSlotValues, parseTime } from './cli.js';

/** `runCli` in-process with the `joule` app; what it printed. */
async function joule(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, jouleCliApp, {
    out: (t) => {
      out += `${t}\n`;
    },
    err: (t) => {
      err += `${t}\n`;
    },
  });
  return { code, out, err };
}

describe('the joule CLI with the market', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-market-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('init writes the market genesis with the operator as admin, in the chain denomination', async () => {
    const home = join(dir, 'h');
    const r = await joule('init', '--home', home, '--chain-id', 'lic-1');
    expect(r.code, r.err).toBe(0);
    const genesis = JSON.parse(await readFile(join(home, 'config/genesis.json'), 'utf8'));
    expect(genesis.app_state.market).toMatchObject({
      admin: JSON.parse(r.out).operator,
      denom: 'ujoule',
      pseudonymous: false,
    });
  });

  it('lists the market command and messages in the help, and refuses bad flags with exit 2', async () => {
    expect((await joule('--help')).out).toMatch(/market\s+market audit/);
    expect((await joule('tx', '--help')).out).toContain('joule tx market set_energy_measure --meter ID');
    expect((await joule('tx', '--help')).out).toContain('joule tx market set_energy_measures --meter ID');
    const values = await joule(
      'tx',
      'market',
      'set-measures',
      '--meter',
      'm1',
      '--ts-start',
      '0',
      '--consumption',
      '1,x',
      '--production',
      '1,2',
      '--from',
      'operator',
      '--home',
      dir,
    );
    expect(values.code).toBe(2);
    expect(values.err).toContain('--consumption: "x" is not a whole number of Wh or "-" (no value)');
    expect((await joule('market', '--help')).out).toContain('Usage: joule market settle');
    const missing = await joule(
      'tx',
      'market',
      'add-meter',
      '--meter',
      'm1',
      '--from',
      'operator',
      '--home',
      dir,
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--account is required');
    const price = await joule(
      'tx',
      'market',
      'set-params',
      '--ts-start',
      '0',
      '--ts-end',
      '900',
      '--p-buy-bau',
      '21.5',
      '--from',
      'operator',
      '--home',
      dir,
    );
    expect(price.err).toContain('--p-buy-bau must be a whole number (uECT)');
    expect(
      (await joule('tx', 'market', 'solve', '--ts-start', 'yesterday', '--from', 'x', '--home', dir)).code,
    ).toBe(2);
    expect((await joule('market', 'frobnicate')).err).toContain('expected market settle|export');
    expect((await joule('query', 'market', 'get_meters_list', 'start=0', 'limit=1')).err).toContain(
      'is authenticated: pass --from KEY',
    );
  });

  it('reads a run of slot values: whole Wh, "-" for none, at most a day of slots', () => {
    expect(parseSlotValues('2500, 0,-,310', 'consumption')).toEqual([2500, 0, null, 310]);
    expect(parseSlotValues('-5', 'production')).toEqual([-5]); // the chain refuses it with its code
    expect(() => parseSlotValues('1.5', 'production')).toThrow('"1.5" is not a whole number');
    expect(() => parseSlotValues('', 'production')).toThrow();
    expect(() => parseSlotValues(Array(97).fill('1').join(','), 'production')).toThrow('at most 96 slots');
  });

  it('market settle runs the audit on files: Algorithm 1 of the paper', async () => {
    const params = join(dir, 'P.json');
    const measures = join(dir, 'M.json');
    await writeFile(
      params,
      JSON.stringify({
        tsStart: 0,
        tsEnd: 900,
        slotSeconds: 900,
        pBuyBAU: '21000000',
        pSellBAU: '6000000',
        pBuyLEM: '16000000',
        pSellLEM: '9000000',
        beta: '0',
        admin: 'admin',
      }),
    );
    await writeFile(
      measures,
      JSON.stringify([
        { meterId: 'm1', account: 'N1', tsStart: 0, tsEnd: 900, signal: 'consumption', value: 2500 },
        { meterId: 'm2', account: 'N2', tsStart: 0, tsEnd: 900, signal: 'production', value: 1400 },
      ]),
    );
    const r = await joule('market', 'settle', '--params', params, '--measures', measures, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      deltas: { N1: '-45500000', N2: '12600000' },
      admin: '9800000',
      gridFlow: '23100000',
    });
    const bad = await joule('market', 'settle', '--params', params);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('usage: joule market settle');
  });

  it('reads times as Unix seconds or ISO 8601 on a whole second', () => {
    expect(parseTime('1772323200', 't')).toBe(1_772_323_200);
    expect(parseTime('2026-03-01T00:00:00Z', 't')).toBe(1_772_323_200);
    expect(() => parseTime('2026-03-01T00:00:00.5Z', 't')).toThrow('--t must be Unix seconds');
    expect(() => parseTime('March', 't')).toThrow('--t must be Unix seconds');
  });
});
