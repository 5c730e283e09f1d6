import type { IncomingHttpHeaders } from 'node:http';
import {
  blockId,
  commitCodec,
  encode,
  fromHex,
  headerCodec,
  toHex,
  validatorSetCodec,
} from '@joule/consensus';
import { maxApiListItems, maxTxsPerSubmit, signedQueryHeader } from '../constants.js';
import { isoTime } from '../log/utc-time.js';
import type { ApiContext } from './context.js';
import { txResultJson } from './context.js';
import { ApiError, badRequest, errorResponse, notFound } from './errors.js';
import { blockJson, commitJson, headerJson, validatorsJson } from './json.js';

export type Query = URLSearchParams;
export type RouteHandler = (
  ctx: ApiContext,
  query: Query,
  body: unknown,
  headers?: IncomingHttpHeaders,
) => Promise<unknown>;

export interface CoreRoute {
  readonly method: 'GET' | 'POST';
  /** The query parameters it takes; any other is refused (400 `BAD_PARAMETER`), not ignored. */
  readonly params?: readonly string[];
  /** A POST's body fields; any other is refused (400 `BAD_BODY`). */
  readonly body?: readonly string[];
  readonly handler: RouteHandler;
  readonly description: string;
}

function hexParam(
  query: Query,
  name: string,
  required: boolean,
  exactBytes?: number,
): Uint8Array | undefined {
  const text = query.get(name);
  if (text === null || text === '') {
    if (required) throw badRequest('BAD_PARAMETER', `"${name}" is required (hex)`);
    return undefined;
  }
  const clean = text.replace(/^0x/, '').toLowerCase();
  if (!/^([0-9a-f]{2})*$/.test(clean)) throw badRequest('BAD_PARAMETER', `"${name}" must be hex`);
  const bytes = fromHex(clean);
  if (exactBytes !== undefined && bytes.length !== exactBytes)
    throw badRequest('BAD_PARAMETER', `"${name}" must be ${exactBytes} bytes of hex`);
  return bytes;
}

/** `?height=` or the latest height; refuses heights outside what the store holds. */
function heightParam(ctx: ApiContext, query: Query): number {
  const latest = ctx.store.height();
  const text = query.get('height');
  if (text === null || text === '' || text === '0') {
    if (latest === 0) throw notFound('HEIGHT_UNAVAILABLE', 'no block has been committed yet');
    return latest;
  }
  if (!/^[1-9][0-9]{0,15}$/.test(text))
    throw badRequest('BAD_PARAMETER', '"height" must be a positive integer');
  const h = Number(text);
  if (h > latest) throw notFound('HEIGHT_UNAVAILABLE', `height ${h} is above the latest height ${latest}`);
  if (h < ctx.store.base())
    throw notFound('HEIGHT_UNAVAILABLE', `height ${h} was pruned (lowest kept: ${ctx.store.base()})`);
  return h;
}

function txBody(body: unknown, max: number): Uint8Array {
  return txHex(
    (body as { tx?: unknown } | null)?.tx,
    max,
    'expected a JSON body { "tx": "<hex of the signed tx>" }',
  );
}

function txHex(tx: unknown, max: number, expected: string): Uint8Array {
  // One pass over the text: `fromHex` checks the digits (either case) as it decodes.
  if (typeof tx !== 'string' || tx === '' || tx.length % 2 !== 0) throw badRequest('BAD_BODY', expected);
  let bytes: Uint8Array;
  try {
    bytes = fromHex(tx);
  } catch {
    throw badRequest('BAD_BODY', expected);
  }
  if (bytes.length > max) throw new ApiError(413, 'TX_TOO_LARGE', `the tx exceeds ${max} bytes`);
  return bytes;
}

/** The transactions of a `{ "txs": [...] }` body: every one well-formed hex, at most `maxTxsPerSubmit`. */
function txsBody(body: unknown, max: number): Uint8Array[] {
  const expected = `expected a JSON body { "txs": ["<hex of a signed tx>", …] } with 1 to ${maxTxsPerSubmit} txs`;
  const txs = (body as { txs?: unknown } | null)?.txs;
  if (!Array.isArray(txs) || txs.length === 0 || txs.length > maxTxsPerSubmit)
    throw badRequest('BAD_BODY', expected);
  return txs.map((tx) => txHex(tx, max, expected));
}

async function broadcastSync(ctx: ApiContext, tx: Uint8Array): Promise<Uint8Array> {
  if (!ctx.accepting())
    throw new ApiError(503, 'NODE_STOPPING', 'the node is shutting down and takes no transactions');
  return ctx.submitTx(tx);
}

export const coreRoutes: Record<string, CoreRoute> = {
  '/health': {
    method: 'GET',
    description: 'Empty 200 while the node runs; 503 while it stops',
    handler: async (ctx) => {
      if (!ctx.accepting()) throw new ApiError(503, 'NODE_STOPPING', 'the node is shutting down');
      return {};
    },
  },
  '/status': {
    method: 'GET',
    description: 'Node id, latest height, time, app hash, catching-up flag',
    handler: async (ctx) => {
      // The latest block is the last one the application committed: the block store shows a
      // decided block as soon as it is staged, while the application still executes it — not yet
      // durable, its transactions not yet in `/tx`. A client that reads height h here must find
      // h's transactions, and a node killed now comes back with h.
      const info = await ctx.app.info();
      const staged = ctx.store.height() > info.lastBlockHeight;
      const height = staged ? info.lastBlockHeight : ctx.store.height();
      const block = height > 0 ? await ctx.store.loadBlock(height) : null;
      const state = ctx.chainState();
      const own = state?.validators.validators.find(
        (v) => Buffer.compare(v.pubKey, ctx.validatorPubKey) === 0,
      );
      return {
        node_info: {
          id: ctx.network.nodeId,
          moniker: ctx.moniker,
          network: ctx.chainId,
          version: ctx.version,
          listen_addrs: ctx.network.listenAddresses(),
        },
        sync_info: {
          latest_block_hash: block === null ? null : toHex(blockId(block).hash),
          latest_app_hash: state === null ? null : toHex(staged ? info.lastBlockAppHash : state.appHash),
          latest_block_height: String(height),
          latest_block_time: block === null ? null : isoTime(block.header.time),
          earliest_block_height: String(ctx.store.base()),
          catching_up: ctx.network.catchingUp(),
        },
        validator_info: {
          pub_key: toHex(ctx.validatorPubKey),
          voting_power: own === undefined ? '0' : own.votingPower.toString(),
        },
      };
    },
  },
  '/net_info': {
    method: 'GET',
    description: 'Listen addresses and connected peers',
    handler: async (ctx) => {
      const peers = ctx.network.peers().slice(0, maxApiListItems);
      return {
        listening: ctx.network.listenAddresses().length > 0,
        listeners: ctx.network.listenAddresses(),
        n_peers: String(ctx.network.peers().length),
        peers: peers.map((p) => ({
          node_id: p.id,
          remote_addr: p.address,
          ...(p.direction === undefined ? {} : { is_outbound: p.direction === 'outbound' }),
          ...(p.score === undefined ? {} : { score: p.score }),
        })),
      };
    },
  },
  '/block': {
    method: 'GET',
    params: ['height'],
    description: 'A block: ?height= (default latest)',
    handler: async (ctx, q) => {
      const h = heightParam(ctx, q);
      const block = await ctx.store.loadBlock(h);
      if (block === null) throw notFound('HEIGHT_UNAVAILABLE', `no block at height ${h}`);
      return blockJson(block, blockId(block).hash);
    },
  },
  '/commit': {
    method: 'GET',
    params: ['height'],
    description: 'A header and the commit that decided it: ?height=',
    handler: async (ctx, q) => {
      const h = heightParam(ctx, q);
      const [block, commit] = await Promise.all([ctx.store.loadBlock(h), ctx.store.loadCommit(h)]);
      if (block === null || commit === null) throw notFound('HEIGHT_UNAVAILABLE', `no commit at height ${h}`);
      return {
        signed_header: { header: headerJson(block.header), commit: commitJson(commit) },
        canonical: true,
      };
    },
  },
  '/validators': {
    method: 'GET',
    params: ['height'],
    description: 'The validator set of a height: ?height=',
    handler: async (ctx, q) => {
      const h = heightParam(ctx, q);
      const set = await ctx.store.loadValidators(h);
      if (set === null) throw notFound('HEIGHT_UNAVAILABLE', `no validator set kept for height ${h}`);
      return validatorsJson(set, h);
    },
  },
  '/light_block': {
    method: 'GET',
    params: ['height'],
    description:
      'What a light client verifies, in canonical encoding (hex): the header, its commit and the validator set of ?height= (default latest)',
    handler: async (ctx, q) => {
      const h = heightParam(ctx, q);
      const [block, commit, set] = await Promise.all([
        ctx.store.loadBlock(h),
        ctx.store.loadCommit(h),
        ctx.store.loadValidators(h),
      ]);
      if (block === null || commit === null || set === null)
        throw notFound('HEIGHT_UNAVAILABLE', `no light block at height ${h}`);
      return {
        height: String(h),
        header: toHex(encode(headerCodec, block.header)),
        commit: toHex(encode(commitCodec, commit)),
        validators: toHex(encode(validatorSetCodec, set)),
      };
    },
  },
  '/tx': {
    method: 'GET',
    params: ['hash'],
    description: 'A committed transaction and its result: ?hash=',
    handler: async (ctx, q) => {
      const hash = hexParam(q, 'hash', true, 32) as Uint8Array;
      const stored = await ctx.app.txResult(hash);
      if (stored === undefined)
        throw notFound('TX_NOT_FOUND', `no committed transaction ${toHex(hash)} (or it was pruned)`);
      const block = await ctx.store.loadBlock(stored.height);
      const tx = block?.txs[stored.index];
      return {
        hash: toHex(hash),
        height: String(stored.height),
        index: stored.index,
        tx_result: txResultJson(stored.result),
        tx: tx === undefined ? null : toHex(tx),
      };
    },
  },
  '/abci_query': {
    method: 'GET',
    params: ['path', 'data', 'height', 'prove'],
    description: `An application query: ?path=&data=(hex)&height=&prove=; an authenticated one carries its envelope in the ${signedQueryHeader} header`,
    handler: async (ctx, q, _body, headers) => {
      const path = q.get('path');
      if (path === null || !path.startsWith('/') || path.length > 256)
        throw badRequest('BAD_PARAMETER', '"path" is required and starts with /');
      if (path === '/store')
        throw new ApiError(
          403,
          'RAW_STATE_WITHHELD',
          "raw state reads are not served: use the modules' queries, which show each caller what it may see",
        );
      let data = hexParam(q, 'data', false) ?? new Uint8Array(0);
      if (ctx.authenticatedQueryPaths.has(path)) {
        if (q.has('data'))
          throw badRequest(
            'SIGNED_QUERY_IN_URL',
            `an authenticated query's envelope goes in the ${signedQueryHeader} header, not in the URL`,
          );
        data = ctx.signedQueries.admit(headers?.[signedQueryHeader]);
      }
      const heightText = q.get('height');
      if (heightText !== null && heightText !== '' && !/^(0|[1-9][0-9]{0,15})$/.test(heightText))
        throw badRequest('BAD_PARAMETER', '"height" must be a non-negative integer');
      const prove = q.get('prove');
      if (prove !== null && prove !== 'true' && prove !== 'false')
        throw badRequest('BAD_PARAMETER', '"prove" is true or false');
      const r = await ctx.app.query({
        path,
        data,
        ...(heightText ? { height: Number(heightText) } : {}),
        prove: prove === 'true',
      });
      return {
        response: {
          code: r.code,
          codespace: r.codespace,
          log: r.log,
          value: toHex(r.value),
          height: String(r.height),
          proof: r.proof === undefined ? null : toHex(r.proof),
        },
      };
    },
  },
  '/broadcast_tx_sync': {
    method: 'POST',
    body: ['tx'],
    description: 'Checks a signed tx and admits it to the mempool: body { "tx": "<hex>" }',
    handler: async (ctx, _q, body) => {
      const hash = await broadcastSync(ctx, txBody(body, ctx.maxTxBytes));
      return { code: 0, hash: toHex(hash) };
    },
  },
  '/broadcast_txs_sync': {
    method: 'POST',
    body: ['txs'],
    description: `As broadcast_tx_sync for up to ${maxTxsPerSubmit} txs, admitted in their order: body { "txs": ["<hex>", …] }`,
    handler: async (ctx, _q, body) => {
      const txs = txsBody(body, ctx.maxTxBytes);
      // Submitted together, checked in order by the mempool's lane: a signer's nonces stay in sequence.
      const settled = await Promise.allSettled(txs.map((tx) => broadcastSync(ctx, tx)));
      return {
        results: settled.map((r) => {
          if (r.status === 'fulfilled') return { code: 0, hash: toHex(r.value) };
          const { body: e, retryAfterMs } = errorResponse(r.reason);
          return retryAfterMs === undefined ? e : { ...e, retry_after_ms: retryAfterMs };
        }),
      };
    },
  },
  '/broadcast_tx_commit': {
    method: 'POST',
    body: ['tx'],
    description: 'As broadcast_tx_sync, then waits for the block that commits it',
    handler: async (ctx, _q, body) => {
      const tx = txBody(body, ctx.maxTxBytes);
      const hash = await broadcastSync(ctx, tx);
      const height = await ctx.waitForCommit(hash, ctx.commitTimeoutMs);
      if (height === null) {
        throw new ApiError(
          504,
          'TX_COMMIT_TIMEOUT',
          `tx ${toHex(hash)} was admitted but not committed within ${ctx.commitTimeoutMs} ms; it may still commit: ask /tx?hash=${toHex(hash)}`,
        );
      }
      const stored = await ctx.app.txResult(hash);
      return {
        hash: toHex(hash),
        height: String(height),
        tx_result: stored === undefined ? null : txResultJson(stored.result),
      };
    },
  },
};
