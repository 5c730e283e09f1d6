/**
 * `@joule/node/client`: a typed client of a Joule node's HTTP API. It signs transactions locally
 * (the secret key never leaves the caller), submits them and runs queries. Used by the CLI and the
 * tests; runs anywhere with `fetch`.
 */
import {
  address as addressCodec,
  addressOf,
  decode,
  encode,
  fromHex,
  JouleError,
  nullable,
  publicKeyOf,
  struct,
  toHex,
} from '@joule/consensus';
import { type Account, accountCodec, type QueryType, signQuery, signTx, type TxMessage } from '@joule/state';
import {
  defaultClientBusyRetries,
  defaultClientTimeoutMs,
  maxClientResponseBytes,
  maxClientRetryAfterMs,
  signedQueryHeader,
} from '../constants.js';

export { valueFromParams } from './values.js';

/** The node answered with an error (`code` is the API's), or could not be reached (`UNREACHABLE`). */
export class ClientError extends JouleError {
  readonly status: number;
  constructor(status: number, code: string, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
    this.status = status;
  }
}

export interface ClientOptions {
  /** `http://127.0.0.1:26657` */
  readonly url: string;
  /** Per request, ms (default 30 s). */
  readonly timeoutMs?: number;
  /**
   * Times a request answered 429 with a retry hint (`MEMPOOL_FULL`, `API_BUSY`) is sent again,
   * each after the hint (`data.retry_after_ms`, else `Retry-After`), before the error is thrown
   * (default `defaultClientBusyRetries`; 0: never). The node slows a flood this way.
   */
  readonly busyRetries?: number;
}

export interface NodeStatus {
  readonly node_info: {
    readonly id: string;
    readonly moniker: string;
    readonly network: string;
    readonly version: string;
    readonly listen_addrs: string[];
  };
  readonly sync_info: {
    readonly latest_block_hash: string | null;
    readonly latest_app_hash: string | null;
    readonly latest_block_height: string;
    readonly latest_block_time: string | null;
    readonly earliest_block_height: string;
    readonly catching_up: boolean;
  };
  readonly validator_info: { readonly pub_key: string; readonly voting_power: string };
}

export interface TxResult {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly data: string;
  readonly gas_wanted: string;
  readonly gas_used: string;
  readonly events: { type: string; attributes: { key: string; value: string }[] }[];
}

/** One transaction's answer in `/broadcast_txs_sync`. */
export type SubmitResult =
  | { readonly code: 0; readonly hash: string }
  | { readonly code: string; readonly message: string; readonly retry_after_ms?: number };

export interface CommittedTx {
  readonly hash: string;
  readonly height: string;
  readonly tx_result: TxResult | null;
}

export interface QueryAnswer {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly value: Uint8Array;
  readonly height: number;
  readonly proof: Uint8Array | null;
}

const accountRequest = struct<{ address: Uint8Array }>('AccountRequest', { address: addressCodec });

export class JouleClient {
  readonly url: string;
  readonly #timeoutMs: number;
  readonly #busyRetries: number;
  #chainId: string | null = null;
  /** Timestamp of the last signed query, Unix ms. */
  #lastQueryTime = 0;

  constructor(options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? defaultClientTimeoutMs;
    this.#busyRetries = options.busyRetries ?? defaultClientBusyRetries;
  }

  /** GET `path` (with query parameters) and parse the JSON answer. */
  async get<T>(path: string, params: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
    const qs = search.size > 0 ? `?${search}` : '';
    return this.#request<T>('GET', `${path}${qs}`);
  }

  /** POST a JSON body to `path`. */
  async post<T>(path: string, body: unknown, timeoutMs?: number): Promise<T> {
    return this.#request<T>('POST', path, body, timeoutMs);
  }

  status(): Promise<NodeStatus> {
    return this.get('/status');
  }
  health(): Promise<Record<string, never>> {
    return this.get('/health');
  }
  netInfo(): Promise<{
    listening: boolean;
    listeners: string[];
    n_peers: string;
    peers: { node_id: string; remote_addr: string | null }[];
  }> {
    return this.get('/net_info');
  }
  block(height?: number): Promise<{
    block_id: { hash: string };
    block: { header: Record<string, unknown>; data: { txs: string[] } };
  }> {
    return this.get('/block', { height });
  }
  commit(
    height?: number,
  ): Promise<{ signed_header: { header: Record<string, unknown>; commit: Record<string, unknown> } }> {
    return this.get('/commit', { height });
  }
  validators(height?: number): Promise<{
    block_height: string;
    validators: { address: string; pub_key: string; voting_power: string }[];
  }> {
    return this.get('/validators', { height });
  }
  tx(hash: string | Uint8Array): Promise<CommittedTx & { index: number; tx: string | null }> {
    return this.get('/tx', { hash: typeof hash === 'string' ? hash : toHex(hash) });
  }

  /**
   * Raw application query (`/tx`, `/block_results`, `/<module>/<query>`). An authenticated query's
   * envelope goes in `signed` (sent in the `joule-signed-query` header, never in the URL).
   */
  async abciQuery(request: {
    path: string;
    data?: Uint8Array;
    signed?: Uint8Array;
    height?: number;
    prove?: boolean;
  }): Promise<QueryAnswer> {
    const search = new URLSearchParams({ path: request.path });
    if (request.data !== undefined) search.set('data', toHex(request.data));
    if (request.height !== undefined) search.set('height', String(request.height));
    if (request.prove !== undefined) search.set('prove', String(request.prove));
    const headers: Record<string, string> =
      request.signed === undefined ? {} : { [signedQueryHeader]: toHex(request.signed) };
    const { response: r } = await this.#request<{
      response: {
        code: number;
        codespace: string;
        log: string;
        value: string;
        height: string;
        proof: string | null;
      };
    }>('GET', `/abci_query?${search}`, undefined, undefined, headers);
    return {
      code: r.code,
      codespace: r.codespace,
      log: r.log,
      value: fromHex(r.value),
      height: Number(r.height),
      proof: r.proof === null ? null : fromHex(r.proof),
    };
  }

  /** A module query by its definition (`core.bank.query.balance`), typed end to end. */
  async query<Req, Res>(module: string, type: QueryType<Req, Res>, request: Req): Promise<Res> {
    const r = await this.abciQuery({ path: `/${module}/${type.path}`, data: encode(type.request, request) });
    if (r.code !== 0) throw new ClientError(422, r.codespace || 'QUERY_FAILED', r.log);
    return decode(type.response, r.value);
  }

  /**
   * An authenticated query (`QueryType.authenticated`), signed with `secretKey`: the handler sees
   * the caller's address. The timestamp defaults to the node's last block time, which is always
   * inside the chain's freshness window, whatever the two clocks say (one millisecond later than the
   * client's previous signed query, so that no two of its envelopes are the same: a node answers
   * each envelope once). Pass `timestamp` (Unix ms) to reuse one over many different queries.
   */
  async queryAs<Req, Res>(
    secretKey: Uint8Array,
    module: string,
    type: QueryType<Req, Res>,
    request: Req,
    options: { timestamp?: number } = {},
  ): Promise<Res> {
    const path = `/${module}/${type.path}`;
    const data = signQuery(secretKey, {
      chainId: await this.chainId(),
      path,
      body: encode(type.request, request),
      timestamp: options.timestamp ?? (await this.#nextQueryTime()),
    });
    const r = await this.abciQuery({ path, signed: data });
    if (r.code !== 0) throw new ClientError(422, r.codespace || 'QUERY_FAILED', r.log);
    return decode(type.response, r.value);
  }

  /** The last block time, or one millisecond after the previous signed query's time if later. */
  async #nextQueryTime(): Promise<number> {
    this.#lastQueryTime = Math.max(await this.lastBlockTime(), this.#lastQueryTime + 1);
    return this.#lastQueryTime;
  }

  /** Time of the node's latest block, Unix ms (now, before the first block). */
  async lastBlockTime(): Promise<number> {
    const time = (await this.status()).sync_info.latest_block_time;
    return time === null ? Date.now() : Date.parse(time);
  }

  /** The account of `address` (public key, next nonce), or null if it has none. */
  async account(address: Uint8Array): Promise<Account | null> {
    const r = await this.abciQuery({ path: '/auth/account', data: encode(accountRequest, { address }) });
    if (r.code !== 0) throw new ClientError(422, r.codespace || 'QUERY_FAILED', r.log);
    return decode(nullable(accountCodec), r.value);
  }

  async chainId(): Promise<string> {
    this.#chainId ??= (await this.status()).node_info.network;
    return this.#chainId;
  }

  broadcastTxSync(tx: Uint8Array): Promise<{ code: number; hash: string }> {
    return this.post('/broadcast_tx_sync', { tx: toHex(tx) });
  }

  /**
   * Submits up to `maxTxsPerSubmit` transactions in one request; the node admits them in this order.
   * One result per transaction: `{ code: 0, hash }` or the refusal (`code`, `message`, and
   * `retry_after_ms` for `MEMPOOL_FULL`). A refusal is not retried here: a signer's later nonces
   * would fail behind it, so the caller decides what to send again.
   */
  broadcastTxsSync(txs: readonly Uint8Array[]): Promise<{ results: SubmitResult[] }> {
    return this.post('/broadcast_txs_sync', { txs: txs.map((tx) => toHex(tx)) });
  }

  /** Submits `tx` and waits for its block; a `TX_COMMIT_TIMEOUT` error means it may still commit. */
  broadcastTxCommit(tx: Uint8Array): Promise<CommittedTx> {
    return this.post('/broadcast_tx_commit', { tx: toHex(tx) });
  }

  /**
   * Signs `messages` with `secretKey` (chain id from /status, nonce from the account unless given)
   * and submits them; with `commit`, waits for the block.
   */
  async signAndSend(
    secretKey: Uint8Array,
    messages: readonly TxMessage[],
    options: { commit?: boolean; memo?: string; nonce?: number } = {},
  ): Promise<{ hash: string; tx: Uint8Array; committed: CommittedTx | null }> {
    const chainId = await this.chainId();
    const nonce = options.nonce ?? (await this.account(addressOf(publicKeyOf(secretKey))))?.nonce ?? 0;
    const tx = signTx(secretKey, {
      chainId,
      nonce,
      messages,
      ...(options.memo === undefined ? {} : { memo: options.memo }),
    });
    if (options.commit === true) {
      const committed = await this.broadcastTxCommit(tx);
      return { hash: committed.hash, tx, committed };
    }
    const { hash } = await this.broadcastTxSync(tx);
    return { hash, tx, committed: null };
  }

  async #request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    timeoutMs?: number,
    headers: Record<string, string> = {},
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#requestOnce<T>(method, path, body, timeoutMs, headers);
      } catch (error) {
        const retryAfterMs = error instanceof ClientError ? error.context.retryAfterMs : undefined;
        if (typeof retryAfterMs !== 'number' || attempt >= this.#busyRetries) throw error;
        await new Promise((r) => setTimeout(r, Math.min(retryAfterMs, maxClientRetryAfterMs)));
      }
    }
  }

  async #requestOnce<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    timeoutMs?: number,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        signal: AbortSignal.timeout(timeoutMs ?? this.#timeoutMs),
        ...(body === undefined
          ? { headers }
          : { body: JSON.stringify(body), headers: { ...headers, 'content-type': 'application/json' } }),
      });
    } catch (error) {
      const cause =
        error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
      throw new ClientError(0, 'UNREACHABLE', `cannot reach the node at ${this.url}: ${cause}`, {
        url: this.url,
      });
    }
    const text = await response.text();
    if (text.length > maxClientResponseBytes)
      throw new ClientError(response.status, 'RESPONSE_TOO_LARGE', 'the answer is too large');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ClientError(
        response.status,
        'BAD_RESPONSE',
        `the node answered ${response.status} without JSON`,
      );
    }
    if (!response.ok) {
      const e = json as { code?: string; message?: string; data?: { retry_after_ms?: unknown } };
      // 429: the node is busy; 408: the node did not receive the request in time, so never
      // handled it; 503 NODE_STARTING: the node has no chain yet. All are safe to send again
      // after the hint.
      const retryAfterMs =
        response.status === 429 ||
        response.status === 408 ||
        (response.status === 503 && e.code === 'NODE_STARTING')
          ? retryHintMs(response, e.data?.retry_after_ms)
          : undefined;
      throw new ClientError(
        response.status,
        e.code ?? 'HTTP_ERROR',
        e.message ?? `HTTP ${response.status}`,
        retryAfterMs === undefined ? {} : { retryAfterMs },
      );
    }
    return json as T;
  }
}

/** A 429's retry hint, ms: the body's `retry_after_ms`, else `Retry-After` in seconds; none if neither. */
function retryHintMs(response: Response, bodyMs: unknown): number | undefined {
  if (typeof bodyMs === 'number' && Number.isFinite(bodyMs) && bodyMs >= 0) return bodyMs;
  const header = response.headers.get('retry-after');
  if (header === null || !/^[0-9]{1,6}$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}
