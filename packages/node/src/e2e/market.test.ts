import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAddress, toHex } from '@joule/consensus';
import type { AuditReport } from '@joule/market';
import { freePortRange } from '@joule/p2p/testkit';
import { signTx, txMessage } from '@joule/state';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClientError, JouleClient } from '../client/index.js';
import { type KeyInfo, loadKey } from '../home/home.js';
import { marketModules } from '../market/app.js';
import type { MeasureRow, ReceiptFile } from '../market/export.js';
import { yesterdayStart } from '../testkit/light-market.js';
import { type SpawnedTestnet, spawnTestnet } from '../testkit/testnet.js';

/**
 * The market end to end: `joule testnet --validators 4 --nodes 4`, four real processes on LevelDB and
 * libp2p over loopback. The admin (node0, the genesis authority) registers three meters and sets
 * yesterday's parameters (96 slots of 15 minutes) with the CLI; the meters post a day of measures
 * (one through the CLI, one through the REST route, the rest through the client); node3 solves;
 * `joule market export` + `joule market settle` on the files give exactly the balance changes and
 * the chain's receipt. About 40 s on two cores.
 */
const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const day = 86_400;
const slot = 900;
type Row = Omit<MeasureRow, 'account'>;

/** A day of readings: house1 consumes, house2 produces in daylight, house3 does both. */
function dayOfMeasures(tsStart: number): Omit<MeasureRow, 'account'>[] {
  const rows: Omit<MeasureRow, 'account'>[] = [];
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  for (let i = 0; i < day / slot; i++) {
    const ts = tsStart + i * slot;
    const row = (meterId: string, signal: MeasureRow['signal'], value: number) =>
      rows.push({ meterId, tsStart: ts, tsEnd: ts + slot, signal, value });
    const sun = i >= 28 && i < 72;
    row('m1', 'consumption', 200 + rand(1_300));
    if (sun) row('m2', 'production', 300 + rand(1_500));
    row('m3', 'consumption', 100 + rand(600));
    if (sun && i % 3 === 0) row('m3', 'production', rand(900));
  }
  return rows;
}

describe('market on a 4-validator testnet end to end', () => {
  let net: SpawnedTestnet | undefined;
  afterAll(async () => {
    await net?.stop();
  });

  it('settles a day on chain exactly as `joule market settle` on the exported files', {
    timeout: 180_000,
  }, async () => {
    const joule = async (...args: string[]) => (await run(process.execPath, [bin, ...args])).stdout;
    const testnet = await spawnTestnet({
      validators: 4,
      nodes: 4,
      // Ports of their own per run (below Linux's ephemeral range), so that two runs on one machine
      // never talk to each other's nodes; a range another process holds is skipped.
      basePort: await freePortRange(8, 29_200 + (process.pid % 400) * 8, 32_768),
      dirPrefix: 'joule-market-e2e-',
      clientTimeoutMs: 10_000,
    });
    net = testnet;
    const { dir, nodes, clients } = testnet;
    const client = (i: number) => clients[i] as JouleClient;
    const home0 = join(dir, 'node0');
    // Up, and past block 1 (genesis is committed with it: before, no account exists yet).
    await testnet.waitForHeight(1);

    // The installer: a key per house in the admin's keyring, funded by the admin.
    const houses = ['house1', 'house2', 'house3'];
    const keys: (KeyInfo & { key: { secretKey: Uint8Array } })[] = [];
    for (const h of houses) {
      await joule('keys', 'add', h, '--home', home0);
      keys.push(await loadKey(home0, h));
    }
    for (const h of houses)
      await joule('tx', 'bank', 'send', 'node0', h, '10000000000', 'ujoule', '--home', home0);
    // The LIC admin: meters and yesterday's parameters.
    for (const [i, h] of houses.entries())
      await joule(
        'tx',
        'market',
        'add_meter_from_list',
        '--meter',
        `m${i + 1}`,
        '--account',
        h,
        '--from',
        'node0',
        '--home',
        home0,
      );
    const tsStart = yesterdayStart();
    const tsEnd = tsStart + day;
    await joule(
      'tx',
      'market',
      'set_market_parameters',
      '--ts-start',
      String(tsStart),
      '--ts-end',
      new Date(tsEnd * 1000).toISOString(),
      '--p-buy-bau',
      '21000000',
      '--p-sell-bau',
      '6000000',
      '--p-buy-lem',
      '16000000',
      '--p-sell-lem',
      '9000000',
      '--beta',
      '2000',
      '--from',
      'node0',
      '--home',
      home0,
    );

    // The meters: one measure through the CLI, one through POST /market/set_energy_measure, the rest
    // through the client, 32 messages a tx, each house on its own node.
    const { market: m } = marketModules('joule');
    const measures = dayOfMeasures(tsStart).sort(
      (a, b) => a.meterId.localeCompare(b.meterId) || a.tsStart - b.tsStart,
    );
    const [viaCli, viaRest, ...viaClient] = measures as [Row, Row, ...Row[]];
    expect(viaCli.meterId === 'm1' && viaRest.meterId === 'm1', 'the first two rows are m1').toBe(true);
    await joule(
      'tx',
      'market',
      'set_energy_measure',
      '--meter',
      'm1',
      '--ts-start',
      String(viaCli.tsStart),
      '--signal',
      viaCli.signal,
      '--value',
      String(viaCli.value),
      '--from',
      'house1',
      '--home',
      home0,
    );
    const key1 = (keys[0] as (typeof keys)[number]).key.secretKey;
    const restTx = signTx(key1, {
      chainId: await client(0).chainId(),
      nonce:
        (await client(0).account(parseAddress((keys[0] as (typeof keys)[number]).address, 'joule')))?.nonce ??
        0,
      messages: [txMessage(m.msg.setEnergyMeasure, { ...viaRest })],
    });
    const posted = await client(1).post<{ code: number; hash: string }>('/market/set_energy_measure', {
      tx: toHex(restTx),
    });
    expect(posted.code, 'POST /market/set_energy_measure').toBe(0);
    for (let t = 0; t < 40; t++) {
      if (
        (
          await client(1)
            .tx(posted.hash)
            .catch(() => null)
        )?.tx_result?.code === 0
      )
        break;
      await sleep(250);
    }
    await Promise.all(
      houses.map(async (_h, i) => {
        const mine = viaClient.filter((r) => r.meterId === `m${i + 1}`);
        for (let k = 0; k < mine.length; k += 32) {
          const sent = await client(i + 1).signAndSend(
            (keys[i] as (typeof keys)[number]).key.secretKey,
            mine.slice(k, k + 32).map((r) => txMessage(m.msg.setEnergyMeasure, { ...r })),
            { commit: true },
          );
          expect(sent.committed?.tx_result?.code, `m${i + 1} measures ${k}`).toBe(0);
        }
      }),
    );

    // Privacy through the client: a house sees its own measure, not another's.
    const own = await client(2).queryAs(key1, 'market', m.query.getEnergyMeasure, {
      meterId: 'm1',
      tsStart: viaCli.tsStart,
      signal: 'consumption',
    });
    expect(own).toBe(viaCli.value);
    await expect(
      client(2).queryAs(
        (keys[1] as (typeof keys)[number]).key.secretKey,
        'market',
        m.query.getEnergyMeasure,
        {
          meterId: 'm1',
          tsStart: viaCli.tsStart,
          signal: 'consumption',
        },
      ),
    ).rejects.toMatchObject({ code: 'MARKET_NOT_METER_OWNER' } satisfies Partial<ClientError>);
    const viaQueryCli = JSON.parse(
      await joule(
        'query',
        'market',
        'get_energy_measure',
        'meter_id=m1',
        `ts_start=${viaCli.tsStart}`,
        'signal=consumption',
        '--from',
        'house1',
        '--home',
        home0,
      ),
    );
    expect(viaQueryCli).toBe(viaCli.value);
    const totals = await client(3).get<{ result: { reporters: number }[] }>(
      `/market/get_total_energy/${tsStart}/96`,
    );
    expect(totals.result.length).toBe(96);

    // Anyone solves (node3, from its own home); the chain settles over the next blocks.
    const balances = async () => {
      const out: Record<string, bigint> = {};
      for (const a of [...keys.map((k) => k.address), nodes[0] && (await loadKey(home0, 'node0')).address])
        out[a as string] = await client(0).query('bank', marketModules('joule').core.bank.query.balance, {
          address: parseAddress(a as string, 'joule'),
          denom: 'ujoule',
        });
      return out;
    };
    const before = await balances();
    await joule(
      'tx',
      'market',
      'solve_markets',
      '--ts-start',
      String(tsStart),
      '--from',
      'node3',
      '--home',
      join(dir, 'node3'),
    );
    let receipt = null;
    for (let t = 0; t < 60 && receipt === null; t++) {
      receipt = await client(0).query('market', m.query.getReceipt, { tsStart });
      if (receipt === null) await sleep(500);
    }
    expect(receipt?.state, 'solved').toBe('SOLVED');
    const after = await balances();

    // The audit: export with the admin's key, settle offline, compare to the uECT. A stale copy
    // readable by others is replaced by files of the admin's only.
    const out = join(dir, 'audit');
    await mkdir(out);
    await writeFile(join(out, 'MEASURES.json'), '[]\n', { mode: 0o644 });
    await chmod(join(out, 'MEASURES.json'), 0o644);
    await joule(
      'market',
      'export',
      '--period',
      String(tsStart),
      '--node',
      nodes[2]?.api as string,
      '--out',
      out,
      '--from',
      'node0',
      '--home',
      home0,
    );
    const exported = JSON.parse(await readFile(join(out, 'MEASURES.json'), 'utf8')) as MeasureRow[];
    for (const file of ['PARAMS.json', 'MEASURES.json', 'RECEIPT.json'])
      expect((await stat(join(out, file))).mode & 0o777, `${file} is 0600`).toBe(0o600);
    expect(exported.length, 'every measure exported').toBe(measures.length);
    const report = JSON.parse(
      await joule(
        'market',
        'settle',
        '--params',
        join(out, 'PARAMS.json'),
        '--measures',
        join(out, 'MEASURES.json'),
        '--json',
      ),
    ) as AuditReport;
    const chain = JSON.parse(await readFile(join(out, 'RECEIPT.json'), 'utf8')) as ReceiptFile;
    expect(report.deltas, 'per-account deltas').toEqual(chain.deltas);
    expect(report.admin, 'admin margin').toBe(chain.admin);
    expect(report.gridFlow, 'grid flow').toBe(chain.gridFlow);
    expect(report.slots, 'per-slot Ec, Ep, pb, ps, E').toEqual(chain.slots);
    const admin = (await loadKey(home0, 'node0')).address;
    for (const k of keys)
      expect(
        String((after[k.address] as bigint) - (before[k.address] as bigint)),
        `${k.name}'s balance`,
      ).toBe(report.deltas[k.address]);
    expect(String((after[admin] as bigint) - (before[admin] as bigint)), "the admin's balance").toBe(
      report.admin,
    );
    const sum = Object.values(report.deltas).reduce((s, d) => s + BigInt(d), 0n);
    expect(sum + BigInt(report.admin) + BigInt(report.gridFlow), 'invariant').toBe(0n);

    const height = Number((await client(0).status()).sync_info.latest_block_height);
    const hashes = await Promise.all(
      clients.map(async (c) => {
        for (let t = 0; t < 40; t++) {
          const got = await c.commit(height).catch(() => null);
          if (got !== null) return got.signed_header.header.app_hash;
          await sleep(250);
        }
        return null;
      }),
    );
    expect(new Set(hashes).size, 'equal app hashes').toBe(1);

    expect(await testnet.terminate(), 'every node exits 0 on SIGTERM').toEqual([0, 0, 0, 0]);
  });
});
