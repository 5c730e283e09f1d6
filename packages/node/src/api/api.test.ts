import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { addressOf, generateKeyPair, parseAddress } from '@joule/consensus';
import { coreModules, signTx, txMessage } from '@joule/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JouleClient } from '../client/index.js';
import { profiles } from '../constants.js';
import { loadKey } from '../home/home.js';
import { genesisMinNewAccountAmount, initHome } from '../home/init.js';
import { standaloneNetwork } from '../network/network.js';
import { createNode, type JouleNode } from '../node/node.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });

describe('HTTP API of a one-validator node (real LevelDB, 127.0.0.1:0)', () => {
  let dir = '';
  let node: JouleNode;
  let client: JouleClient;
  let operator: Awaited<ReturnType<typeof loadKey>>;
  const core = coreModules({ addressPrefix: 'joule' });
  const raw = (path: string, init?: RequestInit) => fetch(`${node.apiUrl}${path}`, init);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-api-'));
    const home = join(dir, 'home');
    await initHome({
      home,
      chainId: 'api-1',
      moniker: 'api',
      addressPrefix: 'joule',
      denom: 'ujoule',
      operatorKey: 'operator',
    });
    operator = await loadKey(home, 'operator');
    node = await createNode(
      {
        home,
        config: {
          api: { listen: '127.0.0.1:0', max_body_bytes: 4096, broadcast_tx_commit_timeout_ms: 10_000 },
          consensus: { timeout_commit_ms: 50 },
          // Larger than the profile's: the budget reported is the bound the cache fills towards.
          state: { value_cache_bytes: 5 * 1024 * 1024 },
          p2p: { invalid_signature_cache_bytes: 3 * 1024 * 1024 },
        },
        logDestination: silent,
      },
      {
        app: { addressPrefix: 'joule', accounts: core.accounts },
        modules: core.modules,
        network: standaloneNetwork,
      },
    );
    await node.start();
    await node.start(); // idempotent
    client = new JouleClient({ url: node.apiUrl });
  });
  afterAll(async () => {
    await node.stop();
    await node.stop(); // idempotent
    await rm(dir, { recursive: true, force: true });
  });

  it('serves /health and /status', async () => {
    expect(await client.health()).toEqual({});
    const status = await client.status();
    expect(status.node_info.network).toBe('api-1');
    expect(status.node_info.id).toMatch(/^12D3KooW/);
    expect(status.validator_info.voting_power).toBe('10');
    expect(status.sync_info.catching_up).toBe(false);
  });

  it('commits a bank send through the client and serves it back', async () => {
    const amount = genesisMinNewAccountAmount + 25n;
    const bob = addressOf(generateKeyPair().publicKey);
    // The genesis of `init` asks a first deposit of a new account (bank.minNewAccountAmount).
    await expect(
      client.signAndSend(operator.key.secretKey, [
        txMessage(core.bank.msg.send, { to: bob, denom: 'ujoule', amount: genesisMinNewAccountAmount - 1n }),
      ]),
      'a first deposit under the minimum',
    ).rejects.toMatchObject({ code: 'BANK_NEW_ACCOUNT_MINIMUM' });
    const sent = await client.signAndSend(
      operator.key.secretKey,
      [txMessage(core.bank.msg.send, { to: bob, denom: 'ujoule', amount })],
      { commit: true },
    );
    expect(sent.committed?.tx_result?.code).toBe(0);
    const height = Number(sent.committed?.height);
    const tx = await client.tx(sent.hash);
    expect(tx.height).toBe(String(height));
    expect(tx.tx_result?.events.map((e) => e.type)).toContain('bank.transfer');
    expect(await client.query('bank', core.bank.query.balance, { address: bob, denom: 'ujoule' })).toBe(
      amount,
    );
    const block = await client.block(height);
    expect(block.block.data.txs).toHaveLength(1);
    const commit = await client.commit(height);
    expect(commit.signed_header.header.height).toBe(String(height));
    const validators = await client.validators(height);
    expect(validators.validators).toHaveLength(1);
    // module routes, bigints as decimal strings, addresses in bech32
    const balances = (
      await client.get<{ result: { denom: string; amount: string }[] }>(`/bank/balances/${operator.address}`)
    ).result;
    expect(balances[0]?.amount).toBe((1_000_000_000_000n - amount).toString());
    const one = await client.get<{ result: string }>(`/bank/balances/${operator.address}/ujoule`);
    expect(one.result).toBe((1_000_000_000_000n - amount).toString());
    const account = await client.account(parseAddress(operator.address, 'joule'));
    expect(account?.nonce).toBe(1);
    const q = await client.abciQuery({
      path: '/bank/supply',
      data: new Uint8Array([0x91, 0xa6, ...Buffer.from('ujoule')]),
    });
    expect(q.code).toBe(0);
  });

  it("writes times as ISO 8601 and sends its own Date header in HTTP's format", async () => {
    const time = (await client.status()).sync_info.latest_block_time ?? '';
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(new Date(Date.parse(time)).toISOString()).toBe(time);
    for (const path of ['/status', '/metrics', '/no_such_route']) {
      const res = await raw(path);
      const date = res.headers.get('date') ?? '';
      expect(date).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
      expect(new Date(Date.parse(date)).toUTCString()).toBe(date);
      await res.arrayBuffer();
    }
  });

  it('answers an unsupported Expect with its own 417 JSON error and Date header', async () => {
    const url = new URL(`${node.apiUrl}/status`);
    const answer = await new Promise<{ status: number; date: string; body: string }>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, headers: { expect: 'teapot' } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, date: String(res.headers.date), body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(417);
    expect(JSON.parse(answer.body).code).toBe('EXPECTATION_FAILED');
    expect(new Date(Date.parse(answer.date)).toUTCString()).toBe(answer.date);
  });

  it('answers a tx the app refuses with 422 and the app code', async () => {
    const tx = signTx(operator.key.secretKey, {
      chainId: 'api-1',
      nonce: 999,
      messages: [txMessage(core.bank.msg.send, { to: new Uint8Array(20), denom: 'ujoule', amount: 1n })],
    });
    const res = await raw('/broadcast_tx_sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tx: Buffer.from(tx).toString('hex') }),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'TX_BAD_NONCE' });
  });

  it('admits a batch of txs in order with /broadcast_txs_sync, one result per tx', async () => {
    const nonce = (await client.account(parseAddress(operator.address, 'joule')))?.nonce ?? 0;
    const send = (n: number) =>
      signTx(operator.key.secretKey, {
        chainId: 'api-1',
        nonce: n,
        messages: [
          txMessage(core.bank.msg.send, {
            to: new Uint8Array(20),
            denom: 'ujoule',
            amount: genesisMinNewAccountAmount,
          }),
        ],
      });
    // Two consecutive nonces (the second admitted only if the first went first), then a gap.
    const { results } = await client.broadcastTxsSync([send(nonce), send(nonce + 1), send(nonce + 5)]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 'TX_BAD_NONCE']);
    const empty = await raw('/broadcast_txs_sync', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ txs: [] }),
    });
    expect(empty.status, 'an empty list').toBe(400);
  });

  const cases: [string, string, RequestInit | undefined, number, string][] = [
    ['an unknown route', '/nope', undefined, 404, 'NOT_FOUND'],
    [
      'a wrong method',
      '/status',
      { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } },
      405,
      'METHOD_NOT_ALLOWED',
    ],
    ['a bad height', '/block?height=abc', undefined, 400, 'BAD_PARAMETER'],
    ['a future height', '/block?height=999999', undefined, 404, 'HEIGHT_UNAVAILABLE'],
    ['a bad hash', '/tx?hash=xyz', undefined, 400, 'BAD_PARAMETER'],
    ['an unknown tx', `/tx?hash=${'00'.repeat(32)}`, undefined, 404, 'TX_NOT_FOUND'],
    [
      'malformed JSON',
      '/broadcast_tx_sync',
      { method: 'POST', body: '{bad', headers: { 'content-type': 'application/json' } },
      400,
      'BAD_JSON',
    ],
    [
      'a body without tx',
      '/broadcast_tx_sync',
      { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } },
      400,
      'BAD_BODY',
    ],
    [
      'undecodable tx bytes',
      '/broadcast_tx_sync',
      { method: 'POST', body: '{"tx":"00ff"}', headers: { 'content-type': 'application/json' } },
      422,
      'TX_MALFORMED',
    ],
    [
      'an oversized body',
      '/broadcast_tx_sync',
      {
        method: 'POST',
        body: JSON.stringify({ tx: 'aa'.repeat(5000) }),
        headers: { 'content-type': 'application/json' },
      },
      413,
      'BODY_TOO_LARGE',
    ],
    [
      'a wrong content type',
      '/broadcast_tx_sync',
      { method: 'POST', body: 'tx=1', headers: { 'content-type': 'text/plain' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['a bad module parameter', '/bank/balances/notanaddress', undefined, 400, 'BAD_PARAMETER'],
    ['an abci_query without path', '/abci_query', undefined, 400, 'BAD_PARAMETER'],
    ['a misspelt parameter (not the latest block)', '/block?heigth=1', undefined, 400, 'BAD_PARAMETER'],
    ['a parameter a route does not take', '/status?height=1', undefined, 400, 'BAD_PARAMETER'],
    ['a parameter given twice', '/block?height=1&height=2', undefined, 400, 'BAD_PARAMETER'],
    [
      'a module parameter given twice',
      '/bank/supply/ujoule?denom=x&denom=y',
      undefined,
      400,
      'BAD_PARAMETER',
    ],
    [
      'a body field the route does not take',
      '/broadcast_tx_sync',
      {
        method: 'POST',
        body: '{"tx":"00ff","txs":["00ff"]}',
        headers: { 'content-type': 'application/json' },
      },
      400,
      'BAD_BODY',
    ],
  ];
  for (const [name, path, init, status, code] of cases) {
    it(`answers ${name} with ${status} ${code}`, async () => {
      const res = await raw(path, init);
      const body = (await res.json()) as { code: string; message: string };
      expect(res.status, name).toBe(status);
      expect(body.code, `${name}: ${body.message}`).toBe(code);
      expect(typeof body.message, name).toBe('string');
    });
  }

  it('serves Prometheus metrics', async () => {
    const text = await (await raw('/metrics')).text();
    for (const name of [
      'joule_height',
      'joule_rounds_per_height',
      'joule_block_interval_seconds',
      'joule_txs_total',
      'joule_mempool_txs',
      'joule_peers',
      'joule_p2p_bytes',
      'joule_invalid_messages_total',
      'joule_idle_collections_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'joule_memory_budget_bytes{component="v8_old_space"}',
      'joule_memory_budget_bytes{component="p2p_stream_buffers"}',
      'joule_memory_budget_bytes{component="p2p_verdict_cache"}',
      'joule_memory_budget_bytes{component="p2p_invalid_signature_cache"}',
      'joule_memory_used_bytes{component="mempool"}',
    ])
      expect(text, name).toContain(name);
    const used = /^joule_memory_used_bytes\{component="v8_old_space"\} ([0-9]+)$/m.exec(text);
    expect(Number(used?.[1]), 'the old space in use is measured').toBeGreaterThan(1024 * 1024);
    const gauge = (name: string, component: string): number =>
      Number(new RegExp(`^${name}\\{component="${component}"\\} ([0-9.e+]+)$`, 'm').exec(text)?.[1]);
    // Every budgeted cache reports what it holds, within its budget; the state's are in use already.
    for (const cache of [
      'mempool_cache',
      'state_node_cache',
      'state_value_cache',
      'verified_tx_cache',
      'verified_signature_cache',
    ]) {
      const inUse = gauge('joule_memory_used_bytes', cache);
      expect(inUse, `${cache} is reported`).toBeGreaterThanOrEqual(0);
      expect(inUse, `${cache} is within its budget`).toBeLessThanOrEqual(
        gauge('joule_memory_budget_bytes', cache),
      );
    }
    expect(gauge('joule_memory_budget_bytes', 'state_value_cache'), 'the bound config.toml sets').toBe(
      5 * 1024 * 1024,
    );
    expect(gauge('joule_memory_budget_bytes', 'p2p_invalid_signature_cache'), 'a [p2p] bound').toBe(
      3 * 1024 * 1024,
    );
    expect(gauge('joule_memory_budget_bytes', 'p2p_verdict_cache'), "the profile's").toBe(
      profiles.server.memory.p2pVerdictCacheBytes,
    );
    if (process.platform === 'linux')
      expect(text, 'anonymous memory on Linux').toMatch(/^process_anonymous_memory_bytes [0-9]+/m);
    const external = Number(/^process_external_memory_bytes ([0-9]+)$/m.exec(text)?.[1]);
    const arrayBuffers = Number(/^process_array_buffers_bytes ([0-9]+)$/m.exec(text)?.[1]);
    expect(arrayBuffers, 'ArrayBuffers are measured').toBeGreaterThan(0);
    expect(arrayBuffers, 'ArrayBuffers are part of the external memory').toBeLessThanOrEqual(external);
  });
});
