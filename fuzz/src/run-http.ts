import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { formatAddress, toHex } from '@joule/consensus';
import {
  createNode,
  initHome,
  type JouleNode,
  marketAppState,
  marketModules,
  standaloneNetwork,
} from '@joule/node';
import {
  httpBatchRequests,
  httpConcurrentRequests,
  httpHalfCloseAfterMs,
  httpMaxBodyBytes,
} from './constants.js';
import { newReport, record, sampleRss, type TargetReport } from './findings.js';
import { mutate } from './mutate.js';
import { hashString, Rng } from './rng.js';
import * as v from './values.js';

export interface HttpRunOptions {
  readonly seed: number;
  readonly inputs: number;
  readonly seconds: number;
  /** A request not answered within this is a hang. */
  readonly hangMs: number;
  readonly outDir: string | null;
}

/** Documented 5xx answers: 503 (not ready, stopping) and 504 (a commit wait that timed out). */
const documented5xx = new Set([503, 504]);

const silent = new Writable({ write: (_c, _e, cb) => cb() });

const coreRoutes = [
  'GET /health',
  'GET /status',
  'GET /net_info',
  'GET /block',
  'GET /commit',
  'GET /validators',
  'GET /tx',
  'GET /abci_query',
  'POST /broadcast_tx_sync',
  'POST /broadcast_txs_sync',
  'POST /broadcast_tx_commit',
  'GET /metrics',
  'GET /',
];
const queryKeys = [
  'height',
  'hash',
  'path',
  'data',
  'prove',
  'tx',
  'from',
  'count',
  'page',
  'limit',
  'signed',
  'x',
];
const methods = ['PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'FOO', 'get', 'CONNECT'];
const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  'application/jsonx',
];

/** Values for path parameters and query strings: valid ones, edge numbers, bad escapes, junk. */
function paramValue(r: Rng): string {
  switch (r.below(14)) {
    case 0:
      return formatAddress(r.bytes(20), 'joule');
    case 1:
      return toHex(r.bytes(r.pick([0, 1, 20, 32, 33])));
    case 2:
      return String(r.pick([0, 1, 2, -1, 2 ** 53, 2 ** 53 + 1, 1e21, 1_700_006_400, 4_294_967_296]));
    case 3:
      return r.pick(['NaN', 'Infinity', '-0', '0x10', '1e3', ' 1', '01', '+1', '1.5', '']);
    case 4:
      return r.pick(['%', '%zz', '%c0%af', '%00', '%E0%A4%A', '%ff%fe', '%2F', '%25', '%%']);
    case 5:
      return 'a'.repeat(r.pick([65, 257, 2000, 9000]));
    case 6:
      return r.pick([
        '..',
        '.',
        '../../etc/passwd',
        '/store',
        '/market/x',
        '/bank/balance',
        '__proto__',
        'constructor',
      ]);
    case 7:
      return encodeURIComponent(r.text(r.below(20), 'αβγé\u0000\u202e"\'<>{}[]\\'));
    case 8:
      return r.pick(['meter-1', 'LIC:0042', 'Ec', 'Ep', 'ujoule', 'true', 'false', 'null']);
    default:
      return r.text(r.below(24), 'abcdefghijklmnopqrstuvwxyz0123456789-_.~:');
  }
}

function jsonBody(r: Rng): string {
  const tx = v.tx(r);
  switch (r.below(10)) {
    case 0:
    case 1:
      return JSON.stringify({ tx: toHex(tx) });
    case 2:
      return JSON.stringify({ tx: toHex(mutate(r, tx, [])) });
    case 3:
      return JSON.stringify({ txs: [toHex(tx), toHex(mutate(r, tx, []))] });
    case 4:
      return JSON.stringify(
        r.pick([null, 1, 'x', [], {}, { tx: 1 }, { tx: null }, { tx: 'zz' }, { tx: '0' }, { txs: 'x' }]),
      );
    case 5:
      return '['.repeat(r.pick([10, 1000, 5000]));
    case 6:
      return JSON.stringify({ tx: toHex(tx) }).slice(0, r.below(40));
    case 7:
      return JSON.stringify({ __proto__: { tx: 'aa' }, constructor: { prototype: 1 }, tx: toHex(tx) });
    case 8:
      return 'x'.repeat(r.pick([httpMaxBodyBytes - 1, httpMaxBodyBytes + 1, 3 * httpMaxBodyBytes]));
    default:
      return Buffer.from(r.bytes(r.below(200))).toString('latin1');
  }
}

/** One raw HTTP/1.1 request (bytes on the socket, so malformed requests are reachable too). */
export function requestAt(seed: number, index: number, routes: readonly string[]): Uint8Array {
  const r = new Rng(
    (hashString('http') ^ Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0,
  );
  const [routeMethod, template] = r.pick(routes).split(' ') as [string, string];
  let path = template.replace(/:[A-Za-z]+/g, () => paramValue(r));
  if (r.chance(0.1))
    path = r.pick([`${path}/`, `/${path}`, `${path}/extra`, path.toUpperCase(), path.replaceAll('/', '//')]);
  const query: string[] = [];
  const nQuery = r.chance(0.5) ? r.below(4) : 0;
  for (let i = 0; i < nQuery; i++) query.push(`${r.pick(queryKeys)}=${paramValue(r)}`);
  if (r.chance(0.03)) query.push(`x=${'q'.repeat(r.pick([3000, 9000]))}`);
  const target = `${path}${query.length > 0 ? `?${query.join('&')}` : ''}`;
  const roll = r.below(100);
  const method =
    roll < 80 ? routeMethod : roll < 90 ? (routeMethod === 'GET' ? 'POST' : 'GET') : r.pick(methods);
  const headers: string[] = [`Host: 127.0.0.1`, 'Connection: close'];
  let body = '';
  if (method !== 'GET' && method !== 'HEAD' && (method !== 'OPTIONS' || r.chance(0.5))) {
    body = jsonBody(r);
    const type = r.chance(0.8) ? 'application/json' : r.pick(contentTypes);
    if (type !== '') headers.push(`Content-Type: ${type}`);
  }
  const bodyBytes = Buffer.from(body, 'latin1');
  if (r.chance(0.05) && bodyBytes.length > 0) {
    headers.push('Transfer-Encoding: chunked');
    const chunked = Buffer.concat([
      Buffer.from(`${bodyBytes.length.toString(16)}\r\n`),
      bodyBytes,
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
    return withHead(`${method} ${target} HTTP/1.1`, headers, chunked);
  }
  const declared = r.chance(0.05) ? r.below(bodyBytes.length + 1) : bodyBytes.length;
  if (bodyBytes.length > 0 || method === 'POST') headers.push(`Content-Length: ${declared}`);
  if (r.chance(0.05))
    headers.push(
      r.pick([
        'X-Junk: \u00ff\u00fe',
        `X-Big: ${'h'.repeat(12_000)}`,
        'Expect: 100-continue',
        'Content-Length: 5',
      ]),
    );
  const request = withHead(`${method} ${target} HTTP/1.1`, headers, bodyBytes);
  return r.chance(0.04) ? mutate(r, request, []) : request;
}

function withHead(line: string, headers: string[], body: Buffer): Uint8Array {
  return Buffer.concat([Buffer.from(`${line}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** Sends raw bytes, resolves with the status code (0: closed without an answer, -1: timed out). */
export function send(port: number, request: Uint8Array, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let head = '';
    let done = false;
    const finish = (status: number): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(halfClose);
      socket.destroy();
      resolve(status);
    };
    const timer = setTimeout(() => finish(-1), timeoutMs);
    // The request is left open (a half-close can make the server drop a request it is still
    // answering); a request the server still waits on after `httpHalfCloseAfterMs` (a cut body, a
    // mutated header) is then ended, so it is answered or dropped rather than timed out.
    const halfClose = setTimeout(() => socket.end(), httpHalfCloseAfterMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      // Skip interim answers (100 Continue): the status that counts is the final one.
      for (const match of head.matchAll(/HTTP\/1\.[01] (\d{3})[^\r]*\r\n/g)) {
        if (match[1] !== '100') return finish(Number(match[1]));
      }
      if (head.length > 4096) finish(0);
    });
    socket.on('error', () => finish(0));
    socket.on('close', () => finish(0));
  });
}

async function health(port: number, timeoutMs: number): Promise<number> {
  return send(
    port,
    Buffer.from('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
    timeoutMs,
  );
}

/** Starts a one-validator `joule` node (bank, poa, market) on 127.0.0.1 with real LevelDB. */
export async function startNode(dir: string): Promise<JouleNode> {
  const home = join(dir, 'home');
  await initHome({
    home,
    chainId: 'fuzz-1',
    moniker: 'fuzz',
    addressPrefix: 'joule',
    denom: 'ujoule',
    operatorKey: 'operator',
    appState: marketAppState,
  });
  const built = marketModules('joule');
  const node = await createNode(
    {
      home,
      config: {
        api: { listen: '127.0.0.1:0', max_body_bytes: httpMaxBodyBytes, broadcast_tx_commit_timeout_ms: 500 },
        consensus: { timeout_commit_ms: 200 },
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
  return node;
}

/**
 * Fuzzes the HTTP API of a real node: raw requests over TCP, `httpConcurrentRequests` at a time, with a
 * `/health` check after every `httpBatchRequests`. Oracle: no 5xx but the documented ones, an
 * answer within `hangMs`, and a server that still answers `/health`.
 */
export async function runHttp(options: HttpRunOptions): Promise<TargetReport> {
  const report = newReport('http-api', 'http');
  const statuses: Record<string, number> = {};
  report.statuses = statuses;
  const dir = await mkdtemp(join(tmpdir(), 'joule-fuzz-http-'));
  const node = await startNode(dir);
  try {
    const port = Number(new URL(node.apiUrl).port);
    const routes = [
      ...coreRoutes,
      ...marketModules('joule').modules.flatMap((m) => (m.routes ?? []).map((r) => `${r.method} ${r.path}`)),
    ];
    const started = performance.now();
    const deadline = started + options.seconds * 1000;
    let next = 0;
    while (next < options.inputs && performance.now() < deadline) {
      const batchEnd = Math.min(options.inputs, next + httpBatchRequests);
      const worker = async (): Promise<void> => {
        while (next < batchEnd) {
          const index = next++;
          const request = requestAt(options.seed, index, routes);
          const t0 = performance.now();
          const status = await send(port, request, options.hangMs);
          const ms = performance.now() - t0;
          report.inputs++;
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (ms > report.maxMs) report.maxMs = ms;
          if (status === -1) {
            record(
              report,
              { kind: 'hang', seed: options.seed, index, detail: `no answer in ${options.hangMs} ms` },
              request,
              options.outDir,
            );
          } else if (status >= 500 && !documented5xx.has(status)) {
            record(
              report,
              { kind: 'unexpected-5xx', seed: options.seed, index, detail: `HTTP ${status}` },
              request,
              options.outDir,
            );
          } else if (status >= 200 && status < 300) report.accepted++;
          else report.refused++;
        }
      };
      await Promise.all(Array.from({ length: httpConcurrentRequests }, worker));
      sampleRss(report);
      const alive = await health(port, options.hangMs);
      if (alive !== 200) {
        record(
          report,
          {
            kind: 'down',
            seed: options.seed,
            index: next,
            detail: `/health answered ${alive} after request ${next}`,
          },
          new Uint8Array(0),
          options.outDir,
        );
        break;
      }
    }
    report.seconds = (performance.now() - started) / 1000;
  } finally {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return report;
}
