import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MempoolFullError, MempoolSenderFullError } from '@joule/consensus';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError, JouleClient } from '../client/index.js';
import { mempoolFullRetryAfterMs } from '../constants.js';
import type { ApiContext } from './context.js';
import { errorResponse } from './errors.js';
import { ApiServer } from './server.js';

const full = () => new MempoolFullError({ txs: 2, maxTxs: 2, bytes: 10, maxBytes: 100, txBytes: 5 });

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers) await close();
  closers = [];
});

/** An HTTP server answering each request with the next of `answers` (the last one repeats). */
async function scripted(answers: { status: number; body: unknown; headers?: Record<string, string> }[]) {
  let i = 0;
  const server: Server = createServer((_req, res) => {
    const a = answers[Math.min(i++, answers.length - 1)] as (typeof answers)[number];
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => i };
}

describe('back-pressure of the API', () => {
  it('answers a full mempool with 429, a retry hint in the body and Retry-After', () => {
    const r = errorResponse(full());
    expect(r.status).toBe(429);
    expect(r.body.code).toBe('MEMPOOL_FULL');
    expect(r.body.data).toEqual({ retry_after_ms: mempoolFullRetryAfterMs });
    expect(r.retryAfterMs).toBe(mempoolFullRetryAfterMs);
  });

  it("answers a sender's full quota with 429 and the same retry hint", () => {
    const r = errorResponse(new MempoolSenderFullError({ txs: 256, maxTxsPerSender: 256 }));
    expect(r.status).toBe(429);
    expect(r.body.code).toBe('MEMPOOL_SENDER_FULL');
    expect(r.body.data).toEqual({ retry_after_ms: mempoolFullRetryAfterMs });
    expect(r.retryAfterMs).toBe(mempoolFullRetryAfterMs);
  });

  it('refuses submissions past maxInFlightTxs with 429 API_BUSY and Retry-After', async () => {
    const maxInFlightTxs = 4;
    const pending: (() => void)[] = [];
    let hold = true;
    const ctx = {
      moduleRoutes: [],
      maxTxBytes: 1024,
      metrics: null,
      accepting: () => true,
      // A running node: the API answers its routes (before, 503 NODE_STARTING).
      chainState: () => ({}),
      // Checks that never end until released: every submission stays in flight.
      submitTx: () =>
        new Promise<Uint8Array>((resolve) => {
          if (hold) pending.push(() => resolve(new Uint8Array(32)));
          else resolve(new Uint8Array(32));
        }),
    } as unknown as ApiContext;
    const server = new ApiServer(
      {
        listen: '127.0.0.1:0',
        maxBodyBytes: 4096,
        requestTimeoutMs: 30_000,
        maxConnections: 64,
        configFile: 'config.toml',
        maxInFlightTxs,
      },
      ctx,
      pino({ level: 'silent' }),
    );
    await server.start();
    closers.push(() => server.stop());
    const post = () =>
      fetch(`${server.url}/broadcast_tx_sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tx: 'aabb' }),
      });
    const inFlight = Array.from({ length: maxInFlightTxs }, post);
    while (pending.length < maxInFlightTxs) await new Promise((r) => setTimeout(r, 10));
    const refused = await post();
    expect(refused.status, 'one more submission is refused').toBe(429);
    expect(refused.headers.get('retry-after'), 'with a Retry-After in seconds').toMatch(/^[1-9][0-9]*$/);
    expect(((await refused.json()) as { code: string }).code).toBe('API_BUSY');
    hold = false;
    for (const release of pending) release();
    const answers = await Promise.all(inFlight);
    expect(
      answers.every((a) => a.status === 200),
      'the others are answered',
    ).toBe(true);
    await Promise.all(answers.map((a) => a.text()));
    expect((await post()).status, 'accepted again once the others are done').toBe(200);
  });

  it('the client posts again after the hint, and gives up after busyRetries with the hint', async () => {
    const busy = {
      status: 429,
      body: { code: 'MEMPOOL_FULL', message: 'full', data: { retry_after_ms: 5 } },
    };
    const ok = { status: 200, body: { code: 0, hash: 'ab' } };
    const twice = await scripted([busy, busy, ok]);
    const client = new JouleClient({ url: twice.url, busyRetries: 3 });
    expect(await client.broadcastTxSync(new Uint8Array([1])), 'the third post succeeds').toEqual(ok.body);
    expect(twice.requests()).toBe(3);

    const always = await scripted([
      { status: 429, body: { code: 'API_BUSY', message: 'busy' }, headers: { 'retry-after': '0' } },
    ]);
    const patient = new JouleClient({ url: always.url, busyRetries: 2 });
    const error = await patient.broadcastTxSync(new Uint8Array([1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe('API_BUSY');
    expect((error as ClientError).context.retryAfterMs, 'the hint from Retry-After').toBe(0);
    expect(always.requests(), 'one post and two retries').toBe(3);

    const never = await scripted([busy]);
    const impatient = new JouleClient({ url: never.url, busyRetries: 0 });
    await expect(impatient.broadcastTxSync(new Uint8Array([1]))).rejects.toMatchObject({
      code: 'MEMPOOL_FULL',
    });
    expect(never.requests(), 'busyRetries 0: no retry').toBe(1);
  });
});
