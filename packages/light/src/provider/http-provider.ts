import { decode, fromHex, toHex } from '@joule/consensus/core';
import { type ProvedRead, provedReadsCodec } from '@joule/state/proof';
import { defaultRequestTimeoutMs, maxResponseBytes } from '../constants.js';
import { fail, LightClientError } from '../errors.js';
import { type LightBlock, lightBlockFromJson } from '../verify/light-block.js';

/** The header that carries an authenticated query's envelope (the node's `joule-signed-query`). */
export const signedQueryHeader = 'joule-signed-query';

/** A proven module query's answer, not yet verified. */
export interface ProvenAnswer {
  /** The handler's answer (the query's response codec). */
  readonly value: Uint8Array;
  /** The height whose state the reads are of: their app hash is in the header of `height + 1`. */
  readonly height: number;
  readonly reads: readonly ProvedRead[];
}

/** Where a light client gets light blocks and proven answers: one node. */
export interface Provider {
  /** The node, for reports (`http://127.0.0.1:26657`). */
  readonly id: string;
  /** The light block at `height`, or the latest one. */
  lightBlock(height?: number): Promise<LightBlock>;
  /** A module query answered with a proof of every key it read, at `height` (the state after that block). */
  provenQuery(path: string, data: Uint8Array, height: number, signed?: Uint8Array): Promise<ProvenAnswer>;
}

export interface HttpProviderOptions {
  readonly url: string;
  readonly timeoutMs?: number;
  /** `fetch` (default the global one): a browser's, Node's, or a test's. */
  readonly fetch?: typeof fetch;
}

/** A `Provider` over a node's HTTP API (`/light_block`, `/abci_query?prove=true`), with `fetch` only. */
export class HttpProvider implements Provider {
  readonly id: string;
  /** HTTP requests made and bytes of their answers (UTF-16 code units of the JSON text). */
  readonly stats = { requests: 0, bytes: 0 };
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: HttpProviderOptions) {
    this.id = options.url.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#timeoutMs = options.timeoutMs ?? defaultRequestTimeoutMs;
  }

  async lightBlock(height?: number): Promise<LightBlock> {
    const json = await this.#get(`/light_block${height === undefined ? '' : `?height=${height}`}`);
    const block = lightBlockFromJson(json, this.id);
    if (height !== undefined && block.header.height !== height)
      fail('LIGHT_PROVIDER_ERROR', `${this.id} sent height ${block.header.height} when asked for ${height}`, {
        node: this.id,
        height,
      });
    return block;
  }

  async provenQuery(
    path: string,
    data: Uint8Array,
    height: number,
    signed?: Uint8Array,
  ): Promise<ProvenAnswer> {
    const params = new URLSearchParams({ path, prove: 'true', height: String(height) });
    if (signed === undefined) params.set('data', toHex(data));
    const headers: Record<string, string> =
      signed === undefined ? {} : { [signedQueryHeader]: toHex(signed) };
    const json = (await this.#get(`/abci_query?${params}`, headers)) as {
      response?: {
        code?: unknown;
        codespace?: unknown;
        log?: unknown;
        value?: unknown;
        height?: unknown;
        proof?: unknown;
      };
    };
    const r = json.response;
    if (r === undefined || typeof r.code !== 'number')
      return fail('LIGHT_PROVIDER_ERROR', `${this.id} sent no query response`, { node: this.id, path });
    if (r.code !== 0)
      return fail(
        'LIGHT_PROVIDER_ERROR',
        `${this.id} refused ${path}: ${String(r.codespace)} ${String(r.log)}`,
        {
          node: this.id,
          path,
          status: String(r.codespace),
        },
      );
    try {
      if (typeof r.value !== 'string' || typeof r.proof !== 'string' || typeof r.height !== 'string')
        throw new TypeError('expected value, proof and height');
      const height = Number(r.height);
      if (!Number.isSafeInteger(height) || height < 0) throw new TypeError(`bad height ${r.height}`);
      const reads = decode(provedReadsCodec, fromHex(r.proof), { maxBytes: maxResponseBytes });
      return { value: fromHex(r.value), height, reads };
    } catch (error) {
      return fail(
        'LIGHT_PROVIDER_ERROR',
        `${this.id} sent a proven answer that does not decode: ${String(error)}`,
        {
          node: this.id,
          path,
        },
      );
    }
  }

  async #get(path: string, headers: Record<string, string> = {}): Promise<unknown> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    try {
      this.stats.requests++;
      const res = await this.#fetch(`${this.id}${path}`, { headers, signal: controller.signal });
      const text = await res.text();
      this.stats.bytes += text.length;
      if (text.length > 2 * maxResponseBytes)
        fail('LIGHT_PROVIDER_ERROR', `${this.id} sent more than ${maxResponseBytes} bytes`, {
          node: this.id,
        });
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        fail(
          'LIGHT_PROVIDER_ERROR',
          `${this.id}${path} answered ${res.status} with something that is not JSON`,
          {
            node: this.id,
            status: res.status,
          },
        );
      }
      if (!res.ok) {
        const e = body as { code?: unknown; message?: unknown };
        fail(
          'LIGHT_PROVIDER_ERROR',
          `${this.id}${path} answered ${res.status}: ${String(e.code)} ${String(e.message)}`,
          {
            node: this.id,
            status: res.status,
            apiCode: typeof e.code === 'string' ? e.code : undefined,
          },
        );
      }
      return body;
    } catch (error) {
      if (error instanceof LightClientError) throw error;
      return fail('LIGHT_PROVIDER_ERROR', `${this.id} cannot be reached: ${String(error)}`, {
        node: this.id,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
