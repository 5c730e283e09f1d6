import { parseAddress } from '@joule/consensus/core';
import { LightClient, type LightClientOptions } from './client/light-client.js';
import { fail } from './errors.js';
import { HttpProvider } from './provider/http-provider.js';
import type { Period } from './queries/layout.js';
import {
  type MeasureRow,
  type SettlementLine,
  type Verified,
  VerifiedQueries,
} from './queries/verified-queries.js';

export interface JouleLightOptions extends LightClientOptions {
  /** The primary node's API, `http://127.0.0.1:26657`. */
  readonly url: string;
  /** Other nodes' APIs, whose headers must agree with the primary's. */
  readonly witnesses?: readonly string[];
  /** Bech32 prefix of the chain's addresses (`joule`). */
  readonly addressPrefix: string;
  /** The market's denomination (`uect`). */
  readonly denom: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/**
 * The light client for a household: `light.balance(address)`, `light.marketParameters(ts)`,
 * `light.settlement(address, tsStart)`, `light.meterMeasures(…)`, each proven against a header
 * that +2/3 of the validators signed. Addresses are bech32 strings or 20 bytes.
 */
/** What the light client has cost so far: light blocks, signatures checked, requests and bytes. */
export interface LightCost {
  readonly lightBlocks: number;
  readonly signatures: number;
  readonly provenQueries: number;
  readonly requests: number;
  readonly bytes: number;
}

export class JouleLight {
  readonly client: LightClient;
  readonly #providers: HttpProvider[];
  readonly #queries: VerifiedQueries;
  readonly #prefix: string;

  constructor(options: JouleLightOptions) {
    const fetchFn = options.fetch === undefined ? {} : { fetch: options.fetch };
    const primary = new HttpProvider({ url: options.url, ...fetchFn });
    const witnesses = (options.witnesses ?? []).map((url) => new HttpProvider({ url, ...fetchFn }));
    this.#providers = [primary, ...witnesses];
    this.client = new LightClient(options, {
      primary,
      witnesses,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    this.#prefix = options.addressPrefix;
    this.#queries = new VerifiedQueries(this.client, {
      chainId: options.chainId,
      denom: options.denom,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  async start(): Promise<void> {
    await this.client.start();
  }

  cost(): LightCost {
    const s = this.client.stats;
    return {
      lightBlocks: s.lightBlocksFetched,
      signatures: s.signaturesChecked,
      provenQueries: s.provenQueries,
      requests: this.#providers.reduce((n, p) => n + p.stats.requests, 0),
      bytes: this.#providers.reduce((n, p) => n + p.stats.bytes, 0),
    };
  }

  balance(addr: string | Uint8Array, denom?: string): Promise<Verified<bigint>> {
    return this.#queries.balance(this.#address(addr), denom);
  }

  marketParameters(ts: number): Promise<Verified<Period | null>> {
    return this.#queries.marketParameters(ts);
  }

  settlement(addr: string | Uint8Array, tsStart: number): Promise<Verified<SettlementLine | null>> {
    return this.#queries.settlement(this.#address(addr), tsStart);
  }

  meterMeasures(
    meterId: string,
    tsStart: number,
    count: number,
    secretKey: Uint8Array,
  ): Promise<Verified<MeasureRow[]>> {
    return this.#queries.meterMeasures(meterId, tsStart, count, secretKey);
  }

  #address(addr: string | Uint8Array): Uint8Array {
    if (addr instanceof Uint8Array) {
      if (addr.length !== 20) fail('LIGHT_BAD_REQUEST', 'an address is 20 bytes');
      return addr;
    }
    try {
      return parseAddress(addr, this.#prefix);
    } catch (error) {
      return fail('LIGHT_BAD_REQUEST', `not an address of prefix ${this.#prefix}: ${String(error)}`);
    }
  }
}
