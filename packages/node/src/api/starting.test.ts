import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { JouleClient } from '../client/index.js';
import type { ApiContext } from './context.js';
import { ApiServer } from './server.js';

/** The part of a node's API context the server reads before the node has its chain. */
function startingContext(state: { running: boolean }): ApiContext {
  return {
    chainState: () => (state.running ? ({} as ReturnType<ApiContext['chainState']>) : null),
    accepting: () => state.running,
  } as unknown as ApiContext;
}

describe('the API of a node that is starting', () => {
  let server: ApiServer | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('answers every route 503 NODE_STARTING with a retry hint until the node has its chain', async () => {
    const state = { running: false };
    server = new ApiServer(
      {
        listen: '127.0.0.1:0',
        maxBodyBytes: 1024,
        requestTimeoutMs: 1_000,
        maxConnections: 4,
        configFile: 'config.toml',
      },
      startingContext(state),
      pino({ level: 'silent' }),
    );
    await server.start();
    for (const path of ['/status', '/health', '/abci_query?path=/auth/account&data=00']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after'), path).toBe('1');
      expect(await res.json(), path).toMatchObject({
        code: 'NODE_STARTING',
        data: { retry_after_ms: 1_000 },
      });
    }
    // The client waits for it like for a busy node, then gets the route's own answer.
    const client = new JouleClient({ url: server.url, busyRetries: 3 });
    const health = fetch(`${server.url}/health`).then((r) => r.status);
    expect(await health).toBe(503);
    setTimeout(() => {
      state.running = true;
    }, 200);
    // This context has nothing behind /status: after the wait, the answer is the route's own (a 500).
    await expect(client.status()).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
