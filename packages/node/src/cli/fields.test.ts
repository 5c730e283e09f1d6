import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { address, bigint, nullable, string, struct, uint } from '@joule/consensus';
import { coreModules, defineMessage, defineQuery, type Module } from '@joule/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodes } from '../constants.js';
import { type CliApp, coreAppState } from '../index.js';
import { jouleCliApp } from '../market/app.js';
import type { TxBuilder } from './extension.js';
import { findBuilder } from './fields.js';
import { runCli } from './run.js';

/** A module of another appchain: one message, one query, no CLI extension of its own. */
const setTariff = defineMessage({
  type: 'tariffs/set_tariff',
  codec: struct<{ zoneId: string; priceMicro: bigint; validUntil: number | null }>('SetTariff', {
    zoneId: string(32),
    priceMicro: bigint(),
    validUntil: nullable(uint()),
  }),
  async handle() {},
});
const getTariff = defineQuery({
  path: 'get_tariff',
  request: struct<{ zoneId: string; holder: Uint8Array }>('GetTariff', {
    zoneId: string(32),
    holder: address,
  }),
  response: string(32),
  handle: async () => '',
});
const tariffs: Module = { name: 'tariffs', messages: [setTariff], queries: [getTariff] };

const tariffApp: CliApp = {
  name: 'tariffd',
  addressPrefix: 'tar',
  denom: 'utar',
  build() {
    const core = coreModules({ addressPrefix: 'tar' });
    return { modules: [...core.modules, tariffs], accounts: core.accounts };
  },
  appState: coreAppState,
};

async function cli(app: CliApp, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, app, {
    out: (t) => {
      out += `${t}\n`;
    },
    err: (t) => {
      err += `${t}\n`;
    },
  });
  return { code, out, err };
}

describe('findBuilder', () => {
  it('prefers a builder of the exact name over another builder’s former name', () => {
    const builder = (aliases: string[]): TxBuilder => ({
      aliases,
      usage: '',
      flags: {},
      build: async () => [],
    });
    const app: CliApp = {
      ...tariffApp,
      extensions: [{ name: 'tariffs', tx: { set_zone: builder(['set_tariff']), set_tariff: builder([]) } }],
    };
    expect(findBuilder(app, 'tariffs', 'set_tariff')?.name).toBe('set_tariff');
    expect(findBuilder(app, 'tariffs', 'set_zone')?.name).toBe('set_zone');
    const renamed: CliApp = {
      ...tariffApp,
      extensions: [{ name: 'tariffs', tx: { set_zone: builder(['set_tariff']) } }],
    };
    expect(findBuilder(renamed, 'tariffs', 'set_tariff')?.name, 'a former name').toBe('set_zone');
    expect(
      findBuilder(renamed, 'tariffs', 'set_tariff', ['set_tariff']),
      'now a message of its own',
    ).toBeUndefined();
  });
});

describe('the field-aware CLI', () => {
  let dir = '';
  let home = '';
  /** A node nobody listens on: a command line that is accepted ends unreachable (exit 4). */
  const nowhere = ['--node', '127.0.0.1:1'];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-cli-fields-'));
    home = join(dir, 'h');
    expect((await cli(jouleCliApp, 'init', '--home', home, '--chain-id', 'f-1')).code).toBe(0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("lists a module's message fields from its codec, for any app's modules", async () => {
    const r = await cli(tariffApp, 'tx', 'tariffs', 'set_tariff', '--help');
    expect(r.code).toBe(exitCodes.ok);
    expect(r.out).toContain('Usage: tariffd tx tariffs set_tariff --from KEY --args JSON');
    expect(r.out).toMatch(/zone_id\s+required\s+string ≤ 32 characters/);
    expect(r.out).toMatch(/price_micro\s+required\s+integer ≥ 0 \(64-bit\)/);
    expect(r.out).toMatch(/valid_until\s+optional\s+integer ≥ 0/);
    // The command's own help lists every message and query of the app.
    expect((await cli(tariffApp, 'tx', '--help')).out).toMatch(
      /Messages \(.*\):\n[\s\S]* {2}tariffs set_tariff\n/,
    );
    expect((await cli(tariffApp, 'query', '--help')).out).toContain('  tariffs get_tariff');
    const q = await cli(tariffApp, 'query', 'tariffs', 'get_tariff', '--help');
    expect(q.out).toContain('Usage: tariffd query tariffs get_tariff zone_id=… holder=…');
    expect(q.out).toMatch(/holder\s+required\s+address \(bech32 or key name\)/);
  });

  it('refuses an --args field the message does not have, and an unknown flag, naming it', async () => {
    const args = JSON.stringify({ zone_id: 'z1', price_micro: '5', validUntl: 9 });
    const r = await cli(
      tariffApp,
      'tx',
      'tariffs',
      'set_tariff',
      '--args',
      args,
      '--from',
      'x',
      '--home',
      home,
    );
    expect(r.code).toBe(exitCodes.usage);
    expect(r.err).toContain('unknown field "validUntl" (did you mean "valid_until"?)');
    const flag = await cli(tariffApp, 'tx', 'tariffs', 'set_tariff', '--zone', 'z1', '--from', 'x');
    expect(flag.code).toBe(exitCodes.usage);
    expect(flag.err).toContain('unknown flag --zone');
    const query = await cli(tariffApp, 'query', 'tariffs', 'get_tariff', 'zone=z1', ...nowhere);
    expect(query.code).toBe(exitCodes.usage);
    expect(query.err).toContain('unknown field "zone"');
  });

  it('refuses a field given twice, by its name and by its codec spelling', async () => {
    const args = JSON.stringify({ zone_id: 'z1', zoneId: 'z2', price_micro: '5' });
    const r = await cli(
      tariffApp,
      'tx',
      'tariffs',
      'set_tariff',
      '--args',
      args,
      '--from',
      'x',
      '--home',
      home,
    );
    expect(r.code).toBe(exitCodes.usage);
    expect(r.err).toContain('field "zone_id" is given twice');
    const query = await cli(tariffApp, 'query', 'tariffs', 'get_tariff', 'zone_id=a', 'zoneId=b', ...nowhere);
    expect(query.code).toBe(exitCodes.usage);
    expect(query.err).toContain('field "zone_id" is given twice');
    const again = await cli(
      tariffApp,
      'query',
      'tariffs',
      'get_tariff',
      'zone_id=a',
      'zone_id=b',
      ...nowhere,
    );
    expect(again.code).toBe(exitCodes.usage);
    expect(again.err).toContain('field "zone_id" is given twice');
    const proto = await cli(tariffApp, 'query', 'tariffs', 'get_tariff', '__proto__=a', ...nowhere);
    expect(proto.code).toBe(exitCodes.usage);
    expect(proto.err, 'a field name like any other').toContain('unknown field "__proto__"');
  });

  it('takes snake_case fields, the codec spelling as an alias, and leaves optional ones out', async () => {
    for (const args of [
      { zone_id: 'z1', price_micro: '5' },
      { zoneId: 'z1', priceMicro: '5', validUntil: 9 },
    ]) {
      const r = await cli(
        tariffApp,
        'tx',
        'tariffs',
        'set_tariff',
        '--args',
        JSON.stringify(args),
        '--from',
        'operator',
        '--home',
        home,
        ...nowhere,
      );
      // Accepted: it went as far as the (absent) node.
      expect(r.code, r.err).toBe(exitCodes.unreachable);
    }
    const missing = await cli(
      tariffApp,
      'tx',
      'tariffs',
      'set_tariff',
      '--args',
      '{"zone_id":"z1"}',
      '--from',
      'operator',
      '--home',
      home,
    );
    expect(missing.code).toBe(exitCodes.usage);
    expect(missing.err).toContain('missing field "price_micro"');
  });

  it("shows a market message's builder and generic forms, and accepts both and the former names", async () => {
    const help = await cli(jouleCliApp, 'tx', 'market', 'add_meter_from_list', '--help');
    expect(help.out).toContain('joule tx market add_meter_from_list --from KEY --args JSON');
    expect(help.out).toContain(
      'joule tx market add_meter_from_list --from KEY --meter ID --account ADDRESS|KEY',
    );
    expect(help.out).toMatch(/meter_id\s+required\s+string/);
    expect(help.out).toMatch(/account\s+required\s+address/);
    // The former kebab name shows the same help.
    expect((await cli(jouleCliApp, 'tx', 'market', 'add-meter', '--help')).out).toBe(help.out);
    const sent = ['--from', 'operator', '--home', home, ...nowhere];
    const builder = await cli(
      jouleCliApp,
      'tx',
      'market',
      'add_meter_from_list',
      '--meter',
      'm1',
      '--account',
      'operator',
      ...sent,
    );
    const generic = await cli(
      jouleCliApp,
      'tx',
      'market',
      'add_meter_from_list',
      '--args',
      JSON.stringify({ meter_id: 'm1', account: 'operator' }),
      ...sent,
    );
    const former = await cli(
      jouleCliApp,
      'tx',
      'market',
      'add-meter',
      '--meter',
      'm1',
      '--account',
      'operator',
      ...sent,
    );
    for (const r of [builder, generic, former]) {
      expect(r.err).toContain('UNREACHABLE');
      expect(r.code).toBe(exitCodes.unreachable);
    }
    // The builder's flags are not fields of the generic form.
    const mixed = await cli(
      jouleCliApp,
      'tx',
      'market',
      'add_meter_from_list',
      '--args',
      '{}',
      '--meter',
      'm1',
      ...sent,
    );
    expect(mixed.code).toBe(exitCodes.usage);
    expect(mixed.err).toContain('unknown flag --meter');
    const unknown = await cli(
      jouleCliApp,
      'tx',
      'market',
      'add_meter_from_list',
      '--args',
      JSON.stringify({ meter_id: 'm1', acount: 'operator' }),
      ...sent,
    );
    expect(unknown.err).toContain('unknown field "acount" (did you mean "account"?)');
  });

  it('answers market queries by their snake_case names and their former camelCase ones', async () => {
    const help = await cli(jouleCliApp, 'query', 'market', 'get_receipt', '--help');
    expect(help.out).toMatch(/ts_start\s+required\s+integer/);
    expect((await cli(jouleCliApp, 'query', 'market', 'getReceipt', '--help')).out).toBe(help.out);
    for (const name of ['get_receipt', 'getReceipt']) {
      const r = await cli(jouleCliApp, 'query', 'market', name, 'ts_start=0', ...nowhere);
      expect(r.code, r.err).toBe(exitCodes.unreachable);
    }
    const tx = await cli(jouleCliApp, 'tx', '--help');
    expect(tx.out).toContain('joule tx market set_energy_measure --meter ID');
    expect(tx.out).not.toContain('set-measure');
  });
});
