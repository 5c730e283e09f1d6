import type { ChainState, ChainStore, ExecTxResult, Mempool } from '@joule/consensus';
import type { App } from '@joule/state';
import type { NodeMetrics } from '../metrics/metrics.js';
import type { NetworkService } from '../network/network.js';
import type { ModuleRoute } from './module-routes.js';
import type { SignedQueryGuard } from './signed-queries.js';

/** What the API reads and calls; the node builds it from its parts. */
export interface ApiContext {
  readonly chainId: string;
  readonly moniker: string;
  readonly version: string;
  readonly addressPrefix: string;
  readonly validatorPubKey: Uint8Array;
  readonly app: App;
  readonly store: ChainStore;
  readonly mempool: Mempool;
  readonly network: NetworkService;
  readonly metrics: NodeMetrics | null;
  readonly moduleRoutes: readonly ModuleRoute[];
  /** Paths (`/<module>/<query>`) of the authenticated queries. */
  readonly authenticatedQueryPaths: ReadonlySet<string>;
  /** Admits authenticated queries' envelopes (header, window, replay). */
  readonly signedQueries: SignedQueryGuard;
  readonly maxTxBytes: number;
  readonly commitTimeoutMs: number;
  /** The chain state after the last block (null before the node has started consensus). */
  chainState(): ChainState | null;
  /** False once shutdown began: transactions are refused with 503. */
  accepting(): boolean;
  /** Admits a transaction to the mempool and gossips it; resolves with its hash. */
  submitTx(tx: Uint8Array): Promise<Uint8Array>;
  /** Resolves with the height of the block that committed `hash`, or null after `timeoutMs`. */
  waitForCommit(hash: Uint8Array, timeoutMs: number): Promise<number | null>;
}

export type TxResultJson = ReturnType<typeof txResultJson>;

export function txResultJson(r: ExecTxResult): Record<string, unknown> {
  return {
    code: r.code,
    codespace: r.codespace,
    log: r.log,
    data: Buffer.from(r.data).toString('hex'),
    gas_wanted: String(r.gasWanted),
    gas_used: String(r.gasUsed),
    events: r.events.map((e) => ({
      type: e.type,
      attributes: e.attributes.map((a) => ({ key: a.key, value: a.value })),
    })),
  };
}
