import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Rewrites one answer of the node: return the body to send, or `undefined` to pass the node's on. */
export type Tamper = (path: string, query: URLSearchParams, body: unknown) => unknown;

/**
 * A lying node for light-client tests: an HTTP server on 127.0.0.1 that forwards every GET to a
 * real node's API and lets a test rewrite the JSON answers (`tamper`) on their way back.
 */
export class TamperingProxy {
  tamper: Tamper | null = null;
  #server: Server | null = null;
  #url = '';

  constructor(private readonly target: string) {}

  get url(): string {
    return this.#url;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://proxy');
        const signed = req.headers['joule-signed-query'];
        const answer = await fetch(`${this.target}${url.pathname}${url.search}`, {
          headers: typeof signed === 'string' ? { 'joule-signed-query': signed } : {},
        });
        const text = await answer.text();
        const type = answer.headers.get('content-type') ?? 'application/json';
        let out = text;
        if (this.tamper !== null && answer.ok && type.startsWith('application/json')) {
          const changed = this.tamper(url.pathname, url.searchParams, JSON.parse(text));
          if (changed !== undefined) out = JSON.stringify(changed);
        }
        // A node of its own: it lets any page read it, as a hostile node would.
        res.writeHead(answer.status, { 'content-type': type, 'access-control-allow-origin': '*' });
        res.end(out);
      })().catch((error: unknown) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'PROXY_FAILED', message: String(error) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    this.#server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
