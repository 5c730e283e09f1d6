import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger as Pino } from 'pino';
import {
  apiBusyRetryAfterMs,
  apiConnectionsCheckIntervalMs,
  apiHeadersTimeoutMs,
  apiKeepAliveTimeoutMs,
  apiRequestTimeoutRetryAfterMs,
  apiStartingRetryAfterMs,
  maxInFlightTxRequests,
  maxUrlLength,
  signedQueryHeader,
} from '../constants.js';
import { NodeInputError } from '../errors.js';
import { httpDate } from '../log/utc-time.js';
import type { ApiContext } from './context.js';
import { ApiError, errorResponse } from './errors.js';
import { answerModuleQuery, checkRouteTx, matchModuleRoute } from './module-routes.js';
import { coreRoutes } from './routes.js';

export interface ApiServerOptions {
  /** `host:port`; port 0 picks a free one (tests). */
  readonly listen: string;
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
  /** The setting named in a port-in-use error. */
  readonly configFile: string;
  /** Most transaction submissions handled at once; one more is a 429 `API_BUSY`. Default `maxInFlightTxRequests`. */
  readonly maxInFlightTxs?: number;
  /** The dashboard page served at `/ui` (`[api] ui`); absent: `/ui` is a 404. */
  readonly dashboardHtml?: string;
}

/**
 * The HTTP API on `node:http`: CometBFT-style routes, the modules' routes under `/<module>/…` and
 * `/metrics`. JSON in and out, errors as `{ code, message }` with their HTTP status. Every request
 * is bounded (URL, headers, body, time) and every failure inside a handler becomes a response:
 * nothing a client sends can throw out of the server. `Startable`: `stop()` closes the listener
 * and every open connection.
 */
export class ApiServer {
  #server: Server | null = null;
  #address = '';
  /** Transaction submissions being handled (bounded by `maxInFlightTxRequests`). */
  #inFlightTxs = 0;
  /** The node was running once: a stopping node answers NODE_STOPPING per route, not NODE_STARTING. */
  #wasRunning = false;

  constructor(
    private readonly options: ApiServerOptions,
    private readonly ctx: ApiContext,
    private readonly log: Pino,
  ) {}

  /** `http://host:port` once listening. */
  get url(): string {
    return this.#address;
  }

  async start(): Promise<void> {
    if (this.#server !== null) return;
    const { host, port } = splitHostPort(this.options.listen);
    const server = createServer(
      {
        requestTimeout: this.options.requestTimeoutMs,
        headersTimeout: Math.min(this.options.requestTimeoutMs, apiHeadersTimeoutMs),
        keepAliveTimeout: apiKeepAliveTimeoutMs,
        // The timeouts above are enforced at this pace (Node's default is 30 s).
        connectionsCheckingInterval: apiConnectionsCheckIntervalMs,
        maxHeaderSize: 8 * 1024,
      },
      (req, res) => void this.#handle(req, res),
    );
    server.maxConnections = this.options.maxConnections;
    server.maxHeadersCount = 64;
    // A malformed or timed-out request: answer if the socket can take it (a JSON error as every
    // other answer), and destroy the socket once that is written. (Ending it only would leave a
    // client that never closes its side holding one of the `maxConnections` slots.)
    // `Expect:` other than 100-continue: Node would answer 417 itself, with a `Date` header made
    // from a `Date` (ICU's time-zone data, which the node never loads); the answer is ours instead.
    server.on('checkExpectation', (req, res) =>
      send(
        res,
        417,
        errorResponse(
          new ApiError(
            417,
            'EXPECTATION_FAILED',
            `unsupported Expect: ${String(req.headers.expect ?? '').slice(0, 80)}`,
          ),
        ).body,
        true,
      ),
    );
    server.on('clientError', (error, duplex) => {
      const socket = duplex as Socket;
      const code = (error as NodeJS.ErrnoException).code;
      this.log.debug({ code, remote: socket.remoteAddress }, 'api client error');
      if (socket.writable && !socket.destroyed) {
        socket.write(clientErrorResponse(code, this.options.requestTimeoutMs));
        socket.destroySoon();
      } else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        if (error.code === 'EADDRINUSE')
          reject(
            new NodeInputError(
              'PORT_IN_USE',
              this.options.configFile,
              `[api] listen ${this.options.listen} is in use`,
              'stop what uses the port, or set another [api] listen port',
            ),
          );
        else if (error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL')
          reject(
            new NodeInputError(
              'CONFIG_INVALID',
              this.options.configFile,
              `[api] listen ${this.options.listen}: ${error.code}`,
              'use a local address and a port above 1023',
            ),
          );
        else reject(error);
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, host);
    });
    server.on('error', (error) => this.log.error({ error: String(error) }, 'api server error'));
    const address = server.address() as AddressInfo;
    this.#address = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    this.#server = server;
    this.log.info({ url: this.#address }, 'api listening');
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    this.#server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => {});
    req.on('error', () => {});
    // Every POST submits a transaction (the core broadcasts and the modules' routes).
    const submits = req.method === 'POST';
    if (submits) {
      const max = this.options.maxInFlightTxs ?? maxInFlightTxRequests;
      if (this.#inFlightTxs >= max) {
        const busy = new ApiError(
          429,
          'API_BUSY',
          `${max} transaction submissions are being handled; post again later`,
          {},
          apiBusyRetryAfterMs,
        );
        const { status, body, retryAfterMs } = errorResponse(busy);
        return send(res, status, body, true, retryAfterMs);
      }
      this.#inFlightTxs++;
      res.once('close', () => this.#inFlightTxs--);
    }
    try {
      // The API listens before consensus starts (a port in use stops the start before any block):
      // until the node has its chain (handshake, WAL replay), every route answers 503 with a hint.
      if (!this.#wasRunning && this.ctx.chainState() === null) {
        const starting = new ApiError(
          503,
          'NODE_STARTING',
          'the node is starting (replaying its chain); ask again shortly',
          {},
          apiStartingRetryAfterMs,
        );
        throw starting;
      }
      this.#wasRunning = true;
      if ((req.url ?? '').length > maxUrlLength)
        throw new ApiError(414, 'URL_TOO_LONG', `the URL exceeds ${maxUrlLength} characters`);
      const url = parseRequestUrl(req.url ?? '/');
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'POST')
        throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not served`);
      if (url.pathname === '/metrics') return await this.#metrics(res, method);
      if (url.pathname === '/') return send(res, 200, this.#index());
      if (url.pathname === '/ui' && method === 'GET' && this.options.dashboardHtml !== undefined)
        return sendHtml(res, this.options.dashboardHtml);
      const core = coreRoutes[url.pathname];
      if (core !== undefined) {
        if (core.method !== method)
          throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${url.pathname} takes ${core.method}`);
        refuseUnknownParams(url.searchParams, core.params ?? []);
        const body =
          method === 'POST' ? refuseUnknownFields(await this.#readJson(req), core.body ?? []) : undefined;
        return send(res, 200, await core.handler(this.ctx, url.searchParams, body, req.headers));
      }
      const segments = url.pathname.split('/').slice(1);
      const match = matchModuleRoute(this.ctx.moduleRoutes, method, segments);
      if (match === 'method')
        throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${url.pathname} does not take ${method}`);
      if (match === null)
        throw new ApiError(404, 'NOT_FOUND', `no route ${method} ${url.pathname} (GET / lists the routes)`);
      if (match.route.method === 'GET') {
        refuseRepeatedParams(url.searchParams);
        const params = { ...Object.fromEntries(url.searchParams), ...match.params };
        return send(
          res,
          200,
          await answerModuleQuery(this.ctx.app, match.route, params, this.ctx.addressPrefix, () =>
            this.ctx.signedQueries.admit(req.headers[signedQueryHeader]),
          ),
        );
      }
      refuseUnknownParams(url.searchParams, []);
      const body = refuseUnknownFields(await this.#readJson(req), ['tx']);
      const tx = (body as { tx?: unknown } | null)?.tx;
      if (typeof tx !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(tx))
        throw new ApiError(400, 'BAD_BODY', 'expected a JSON body { "tx": "<hex of the signed tx>" }');
      checkRouteTx(match.route, Buffer.from(tx, 'hex'), this.ctx.maxTxBytes);
      const sync = coreRoutes['/broadcast_tx_sync'] as (typeof coreRoutes)[string];
      return send(res, 200, await sync.handler(this.ctx, url.searchParams, body));
    } catch (error) {
      const { status, body, retryAfterMs } = errorResponse(error);
      if (status >= 500 && status !== 503 && status !== 504)
        this.log.error({ error: String(error), url: req.url }, 'api request failed');
      send(res, status, body, status === 413, retryAfterMs);
    }
  }

  async #metrics(res: ServerResponse, method: string): Promise<void> {
    const metrics = this.ctx.metrics;
    if (metrics === null)
      throw new ApiError(404, 'NOT_FOUND', 'metrics are disabled ([metrics] enabled = false)');
    if (method !== 'GET') throw new ApiError(405, 'METHOD_NOT_ALLOWED', '/metrics takes GET');
    const { contentType, body } = await metrics.render();
    res.writeHead(200, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      date: httpDate(Date.now()),
    });
    res.end(body);
  }

  #index(): unknown {
    return {
      routes: [
        ...Object.entries(coreRoutes).map(([path, r]) => ({
          method: r.method,
          path,
          description: r.description,
        })),
        ...(this.ctx.metrics === null
          ? []
          : [{ method: 'GET', path: '/metrics', description: 'Prometheus metrics' }]),
        ...this.ctx.moduleRoutes
          .filter((r) => !r.alias)
          .map((r) => ({ method: r.method, path: r.path, description: r.description })),
      ],
    };
  }

  /** Reads a JSON body within `maxBodyBytes`; a larger body is a 413 before it is read whole. */
  async #readJson(req: IncomingMessage): Promise<unknown> {
    const max = this.options.maxBodyBytes;
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type))
      throw new ApiError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'send the body as application/json (Content-Type: application/json)',
      );
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) throw new ApiError(413, 'BODY_TOO_LARGE', `the body exceeds ${max} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) throw new ApiError(413, 'BODY_TOO_LARGE', `the body exceeds ${max} bytes`);
      chunks.push(chunk);
    }
    if (size === 0) throw new ApiError(400, 'BAD_BODY', 'the body is empty; expected JSON');
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new ApiError(400, 'BAD_JSON', 'the body is not valid JSON');
    }
  }
}

function send(
  res: ServerResponse,
  status: number,
  value: unknown,
  close = false,
  retryAfterMs?: number,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = json(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    // Node's own Date header formats a Date (ICU's zone data); this one is the same text.
    date: httpDate(Date.now()),
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
    ...(retryAfterMs === undefined
      ? {}
      : { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) }),
  });
  res.end(body);
}

/**
 * `value` as JSON, a bigint as its decimal string. Without a replacer first: JSON.stringify calls
 * one for every key and value, several times the cost of the whole text for an answer of many
 * transactions (a block, a batch's results); only an answer that holds a bigint is written again
 * with it (the first pass throws a TypeError at the bigint, as it does at a cycle, which the second
 * pass throws again).
 */
function json(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
}

/** The dashboard: a page that loads nothing but its own inlined code and asks only this origin. */
function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    date: httpDate(Date.now()),
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'content-security-policy':
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src *; img-src data:",
  });
  res.end(html);
}

/**
 * The raw answer to a request Node's parser refused. A request not received in full within the
 * request timeout (a slow link, or a node too busy to read it) is a 408 `REQUEST_TIMEOUT` with a
 * retry hint: the node never handled it, so sending it again is safe. Anything else is a 400.
 */
export function clientErrorResponse(code: string | undefined, requestTimeoutMs: number): string {
  const timedOut = code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const body = JSON.stringify(
    timedOut
      ? {
          code: 'REQUEST_TIMEOUT',
          message: `the request was not received in full within ${requestTimeoutMs} ms; send it again`,
          data: { retry_after_ms: apiRequestTimeoutRetryAfterMs },
        }
      : { code: 'BAD_REQUEST', message: `malformed HTTP request (${code ?? 'parse error'})` },
  );
  const status = timedOut ? '408 Request Timeout' : '400 Bad Request';
  const retry = timedOut ? `Retry-After: ${Math.ceil(apiRequestTimeoutRetryAfterMs / 1000)}\r\n` : '';
  return (
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Cache-Control: no-store\r\n${retry}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** Splits `host:port` (IPv6 in brackets). */
export function splitHostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(listen.slice(i + 1)) };
}

/** The request target as a URL; one that does not parse (`//`, `//host:bad`) is the client's 400. */
function parseRequestUrl(target: string): URL {
  try {
    return new URL(target, 'http://localhost');
  } catch {
    throw new ApiError(400, 'BAD_URL', 'the request target is not a valid path');
  }
}

/** A query parameter the route does not take is refused, not ignored (`?heigth=` is not the latest block). */
function refuseUnknownParams(query: URLSearchParams, known: readonly string[]): void {
  refuseRepeatedParams(query);
  for (const name of query.keys())
    if (!known.includes(name))
      throw new ApiError(
        400,
        'BAD_PARAMETER',
        `unknown parameter "${name.slice(0, 64)}" (parameters: ${known.join(', ') || 'none'})`,
      );
}

/** A parameter given twice is refused: neither the first nor the last silently wins. */
function refuseRepeatedParams(query: URLSearchParams): void {
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (seen.has(name))
      throw new ApiError(400, 'BAD_PARAMETER', `parameter "${name.slice(0, 64)}" is given twice`);
    seen.add(name);
  }
}

/** A JSON body's field the route does not take is refused, not ignored. */
function refuseUnknownFields(body: unknown, known: readonly string[]): unknown {
  if (typeof body === 'object' && body !== null && !Array.isArray(body))
    for (const name of Object.keys(body))
      if (!known.includes(name))
        throw new ApiError(
          400,
          'BAD_BODY',
          `unknown body field "${name.slice(0, 64)}" (fields: ${known.join(', ') || 'none'})`,
        );
  return body;
}
