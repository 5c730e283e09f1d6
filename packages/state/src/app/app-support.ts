import { decode, encode, maxBlockTxs, maxTxBytes, toHex } from '@joule/consensus';
import type { KvStore } from '../kv/kv-store.js';
import { encodeProof } from '../store/proof.js';
import type { VersionedStore } from '../store/versioned-store.js';
import type { QueryRequest, QueryResponse, ValidatorUpdate } from './abci.js';
import { signatureVerifies, verifiedTx } from './ante.js';
import { txFloorGas } from './gas.js';
import type { QueryType } from './module.js';
import { ProvingReader, provedReadsCodec } from './proved-reads.js';
import {
  blockResultsQueryCodec,
  type ModuleQueryEnvironment,
  queryFailure,
  runModuleQuery,
  txQueryCodec,
} from './queries.js';
import { appTables } from './results.js';
import { decodeTx, txHash } from './tx.js';
import { TxError } from './tx-errors.js';

/**
 * The transactions a proposer puts in a block: those that decode as transactions of this chain and
 * whose signature verifies, in mempool order, within `maxBytes` in total, `maxBlockTxs` in number and
 * `maxBlockGas` in the sum of their floors (`txFloorGas`: what each counts even if it fails).
 * Nonces and messages are checked at execution; a block carrying a transaction that does not decode,
 * is for another chain, has a bad signature or whose floors pass `maxBlockGas` is rejected by `processProposal` (the node prevotes
 * nil). Signatures go through the verified-once cache, so a transaction the node admitted to its
 * pool (or saw in an earlier proposal) is not verified again.
 */
export function proposalTxs(
  txs: readonly Uint8Array[],
  limits: { readonly maxBytes: number; readonly maxBlockGas: number },
  chainId: string,
  /** When given, receives the hash of each transaction kept, in order. */
  keptHashes?: Uint8Array[],
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let total = 0;
  let floorGas = 0;
  for (const tx of txs) {
    if (out.length >= maxBlockTxs) break;
    if (tx.length > maxTxBytes || total + tx.length > limits.maxBytes) continue;
    if (floorGas + txFloorGas(tx.length) > limits.maxBlockGas) continue;
    const hash = txHash(tx);
    const known = verifiedTx(hash);
    if (known !== undefined) {
      if (known.chainId !== chainId) continue;
    } else
      try {
        const decoded = decodeTx(tx, maxTxBytes);
        if (decoded.body.chainId !== chainId || !signatureVerifies(tx, decoded, hash)) continue;
      } catch {
        continue;
      }
    out.push(tx);
    keptHashes?.push(hash);
    total += tx.length;
    floorGas += txFloorGas(tx.length);
  }
  return out;
}

/**
 * Routes a query: `/store` (a raw key at any retained height, with a proof when asked), `/tx` (a
 * result by tx hash), `/block_results` (by height), or `/<module>/<query>` at the latest height —
 * or, with `prove`, at any retained height, its `proof` the proofs of every key it read
 * (`provedReadsCodec`).
 */
export async function answerQuery(
  request: QueryRequest,
  at: number,
  latest: number,
  deps: {
    readonly store: VersionedStore;
    readonly kv: KvStore;
    readonly queries: ReadonlyMap<string, QueryType<unknown, unknown>>;
    readonly env: ModuleQueryEnvironment;
  },
): Promise<QueryResponse> {
  const ok = (value: Uint8Array): QueryResponse => ({
    code: 0,
    codespace: '',
    log: '',
    value,
    height: latest,
  });
  try {
    if (request.path === '/store') {
      const { value, proof } = await deps.store.prove(request.data, at);
      const proofField = request.prove === true ? { proof: encodeProof(proof) } : {};
      const log = value === null ? 'absent' : '';
      return { code: 0, codespace: '', log, value: value ?? new Uint8Array(0), height: at, ...proofField };
    }
    if (request.path === '/tx') {
      const result = await appTables.txResult.get(deps.kv, decode(txQueryCodec, request.data));
      if (result === undefined) throw new TxError('QUERY_FAILED', 'no such transaction');
      return ok(appTables.txResult.encode(result));
    }
    if (request.path === '/block_results') {
      const results = await appTables.blockResults.get(deps.kv, decode(blockResultsQueryCodec, request.data));
      if (results === undefined) throw new TxError('QUERY_FAILED', 'no results at that height');
      return ok(appTables.blockResults.encode(results));
    }
    const query = deps.queries.get(request.path);
    if (query === undefined) throw new TxError('QUERY_UNKNOWN_PATH', `no query at "${request.path}"`);
    if (request.prove === true) {
      if (query.provable === false)
        throw new TxError(
          'QUERY_NOT_PROVABLE',
          `"${request.path}" reads more than it shows; it has no proven answer`,
        );
      // Proven: the handler reads through the store's proofs at `at`, and the caller gets them all.
      const reader = new ProvingReader(deps.store, at);
      const value = await runModuleQuery(query, request, { ...deps.env, height: at, committed: reader });
      return {
        code: 0,
        codespace: '',
        log: '',
        value,
        height: at,
        proof: encode(provedReadsCodec, reader.reads),
      };
    }
    if (at !== latest) throw new TxError('QUERY_FAILED', 'module queries answer at the latest height only');
    return ok(await runModuleQuery(query, request, deps.env));
  } catch (error) {
    return queryFailure(error, at);
  }
}

/** One update per key (the last wins), ordered by key, so every node returns the same list. */
export function mergeUpdates(updates: readonly ValidatorUpdate[]): ValidatorUpdate[] {
  const byKey = new Map<string, ValidatorUpdate>();
  for (const update of updates) byKey.set(toHex(update.pubKey), update);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, u]) => u);
}
