import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JouleNode } from '@joule/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startNode } from './run-http.js';

/** Requests the HTTP fuzzer found answered 500; each must be the client's 400. */
describe('HTTP requests the fuzzer found', () => {
  let dir = '';
  let node: JouleNode;
  let port = 0;
  const raw = (line: string): Promise<number> =>
    send(port, Buffer.from(`${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`), 20_000);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-fuzz-regress-'));
    node = await startNode(dir);
    port = Number(new URL(node.apiUrl).port);
  });
  afterAll(async () => {
    await node?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a request target of "//" with 400', async () => {
    expect(await raw('GET // HTTP/1.1'), 'GET //').toBe(400);
    expect(await raw('POST // HTTP/1.1'), 'POST //').toBe(400);
  });

  it('answers a malformed %-escape in a module route parameter with 400', async () => {
    expect(await raw('GET /bank/balances/%zz HTTP/1.1'), '%zz').toBe(400);
    expect(await raw('GET /market/get_debts/%E0%A4%A HTTP/1.1'), 'a cut UTF-8 sequence').toBe(400);
  });

  it('still answers /health', async () => {
    expect(await raw('GET /health HTTP/1.1'), '/health').toBe(200);
  });
});
