import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { encode, toHex } from '@joule/consensus';
import { moduleTableKey, signQuery } from '@joule/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JouleClient } from '../client/index.js';
import { signedQueryHeader } from '../constants.js';
import { loadKey } from '../home/home.js';
import { initHome } from '../home/init.js';
import { marketAppState, marketModules } from '../market/app.js';
import { standaloneNetwork } from '../network/network.js';
import { createNode, type JouleNode } from '../node/node.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });
const maxConnections = 4;
const requestTimeoutMs = 1_500;

describe('HTTP API hardening (a market node, 127.0.0.1:0)', () => {
  let dir = '';
  let node: JouleNode;
  let client: JouleClient;
  let operator: Awaited<ReturnType<typeof loadKey>>;
  const built = marketModules('joule');
  const m = built.market;
  const raw = (path: string, init?: RequestInit) => fetch(`${node.apiUrl}${path}`, init);
  /** A signed `get_meters_list` envelope of the operator (the market admin) at `timestamp`. */
  const envelope = (timestamp: number, start = 0) =>
    signQuery(operator.key.secretKey, {
      chainId: 'hard-1',
      path: '/market/get_meters_list',
      body: encode(m.query.getMetersList.request, { start, limit: 10 }),
      timestamp,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-hard-'));
    const home = join(dir, 'home');
    await initHome({
      home,
      chainId: 'hard-1',
      moniker: 'hard',
      addressPrefix: 'joule',
      denom: 'ujoule',
      operatorKey: 'operator',
      appState: marketAppState,
    });
    operator = await loadKey(home, 'operator');
    node = await createNode(
      {
        home,
        config: {
          api: {
            listen: '127.0.0.1:0',
            max_connections: maxConnections,
            request_timeout_ms: requestTimeoutMs,
          },
          consensus: { timeout_commit_ms: 50 },
        },
        logDestination: silent,
      },
      {
        app: { addressPrefix: 'joule', accounts: built.accounts },
        modules: built.modules,
        network: standaloneNetwork,
      },
    );
    await node.start();
    client = new JouleClient({ url: node.apiUrl });
    while ((await client.status()).sync_info.latest_block_height === '0')
      await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(async () => {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('frees the connection of a client error even when the client never closes its side', async () => {
    const { port } = new URL(node.apiUrl);
    const sockets: Socket[] = [];
    // As many connections as the API takes, each sending a malformed request and then nothing.
    for (let i = 0; i < maxConnections; i++) {
      const socket = connect({ host: '127.0.0.1', port: Number(port), allowHalfOpen: true });
      socket.on('error', () => {});
      sockets.push(socket);
      const answer = new Promise<string>((resolve) => socket.once('data', (d) => resolve(String(d))));
      socket.write('NOT HTTP\r\n\r\n');
      expect(await answer).toMatch(/^HTTP\/1.1 400/);
    }
    let health: number | string = 'unreachable';
    for (let attempt = 0; attempt < 50 && health !== 200; attempt++) {
      health = await raw('/health', { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        (e: unknown) => String(e),
      );
      if (health !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(health, 'the silent sockets hold no connection slot').toBe(200);
    for (const s of sockets) s.destroy();
  });

  it('answers a request not received in full in time with a JSON 408 REQUEST_TIMEOUT and a retry hint', async () => {
    const { port } = new URL(node.apiUrl);
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    socket.on('error', () => {});
    let answer = '';
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (d) => {
      answer += String(d);
    });
    // The headers and a third of the body, then nothing: a stalled upload.
    socket.write(
      'POST /broadcast_tx_sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n{"tx":"00',
    );
    await closed;
    expect(answer).toMatch(/^HTTP\/1.1 408 /);
    expect(answer).toMatch(/\r\nRetry-After: 1\r\n/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { code: string; data: unknown };
    expect(body).toMatchObject({ code: 'REQUEST_TIMEOUT', data: { retry_after_ms: 1_000 } });
  });

  it('answers a bad %-escape in a module route with 400 BAD_ESCAPE', async () => {
    const res = await raw('/bank/balances/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_ESCAPE' });
  });

  it('refuses a JSON POST without Content-Type: application/json with 415', async () => {
    const body = new TextEncoder().encode(JSON.stringify({ tx: '00' }));
    for (const headers of [{}, { 'content-type': 'application/jsonx' }, { 'content-type': 'text/json' }]) {
      const res = await raw('/broadcast_tx_sync', { method: 'POST', body, headers });
      expect(res.status, JSON.stringify(headers)).toBe(415);
      expect(await res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    const ok = await raw('/broadcast_tx_sync', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(ok.status, 'JSON with a charset is read (and the tx refused)').toBe(422);
  });

  it('serves no raw state reads', async () => {
    const key = toHex(moduleTableKey('market', 'c'));
    for (const path of [
      `/abci_query?path=/store&data=${key}`,
      `/abci_query?path=/store&data=${key}&height=1`,
    ]) {
      const res = await raw(path);
      expect(res.status, path).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'RAW_STATE_WITHHELD' });
    }
  });

  it('takes signed queries in a header only, within a tight window, and answers each envelope once', async () => {
    const now = Date.parse((await client.status()).sync_info.latest_block_time ?? '');
    // The node's own client: the header form.
    const page = await client.queryAs(operator.key.secretKey, 'market', m.query.getMetersList, {
      start: 0,
      limit: 10,
    });
    expect(page.meters).toEqual([]);
    // The old URL forms are refused, before anything is answered.
    const inUrl = await raw(`/market/get_meters_list?signed=${toHex(envelope(now, 1))}`);
    expect(inUrl.status).toBe(400);
    expect(await inUrl.json()).toMatchObject({ code: 'SIGNED_QUERY_IN_URL' });
    const abciInUrl = await raw(`/abci_query?path=/market/get_meters_list&data=${toHex(envelope(now, 1))}`);
    expect(abciInUrl.status).toBe(400);
    expect(await abciInUrl.json()).toMatchObject({ code: 'SIGNED_QUERY_IN_URL' });
    // In the header: answered once; the same envelope again is a replay.
    const headers = { [signedQueryHeader]: toHex(envelope(now, 1)) };
    expect((await raw('/market/get_meters_list', { headers })).status).toBe(200);
    const replay = await raw('/market/get_meters_list', { headers });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'QUERY_REPLAYED' });
    const abciReplay = await raw('/abci_query?path=/market/get_meters_list', { headers });
    expect(await abciReplay.json()).toMatchObject({ code: 'QUERY_REPLAYED' });
    // A timestamp a minute away from the last block is stale at the API (the app would allow 5).
    const stale = await raw('/market/get_meters_list', {
      headers: { [signedQueryHeader]: toHex(envelope(now - 60_000, 2)) },
    });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ code: 'QUERY_STALE' });
    // Two queries of the client in a row get distinct envelopes: both answered.
    for (let i = 0; i < 2; i++)
      expect(
        (
          await client.queryAs(operator.key.secretKey, 'market', m.query.getMetersList, {
            start: 0,
            limit: 10,
          })
        ).meters,
      ).toEqual([]);
  });
});
