import {
  addressOf,
  bytes,
  type Codec,
  decode,
  encode,
  hash,
  height,
  JouleError,
  publicKey,
  publicKeyOf,
  sign,
  signature,
  string,
  struct,
  timeMs,
} from '@joule/consensus';
import { signBytes, verifyFast } from '@joule/consensus/core';
import { maxQueryBytes, maxQueryGas, maxQueryPathLength, queryDomainTag } from '../constants.js';
import type { QueryRequest, QueryResponse } from './abci.js';
import { GasMeter } from './gas.js';
import { moduleOf } from './layout.js';
import type { QueryContext, QueryType } from './module.js';
import { MeteredState, ModuleState, type StoreKeys } from './state.js';
import { StateLayer, type StateReader } from './state-layer.js';
import { TxError } from './tx-errors.js';

/** An authenticated query's `data`: the body, when it was signed, and the caller's key and signature. */
export interface SignedQuery {
  readonly body: Uint8Array;
  /** Unix ms; must be within the freshness window of the last block time. */
  readonly timestamp: number;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

export const signedQueryCodec: Codec<SignedQuery> = struct<SignedQuery>('SignedQuery', {
  body: bytes({ max: maxQueryBytes }),
  timestamp: timeMs,
  publicKey,
  signature,
});

const querySignedCodec = struct<{ path: string; body: Uint8Array; timestamp: number }>('QuerySigned', {
  path: string(maxQueryPathLength),
  body: bytes({ max: maxQueryBytes }),
  timestamp: timeMs,
});

/** The bytes a caller signs: domain tag `joule/query/v1`, chain id, `[path, body, timestamp]`. */
export function querySignBytes(
  chainId: string,
  path: string,
  body: Uint8Array,
  timestamp: number,
): Uint8Array {
  return signBytes(queryDomainTag, chainId, querySignedCodec, { path, body, timestamp });
}

/** Builds the `data` of an authenticated query. */
export function signQuery(
  secretKey: Uint8Array,
  fields: { chainId: string; path: string; body: Uint8Array; timestamp: number },
): Uint8Array {
  const sig = sign(secretKey, querySignBytes(fields.chainId, fields.path, fields.body, fields.timestamp));
  return encode(signedQueryCodec, {
    body: fields.body,
    timestamp: fields.timestamp,
    publicKey: publicKeyOf(secretKey),
    signature: sig,
  });
}

/** Request codecs of the framework's own query paths. */
export const txQueryCodec: Codec<Uint8Array> = hash;
export const blockResultsQueryCodec: Codec<number> = height;

export interface ModuleQueryEnvironment {
  readonly chainId: string;
  readonly height: number;
  readonly lastBlockTime: number;
  readonly freshnessMs: number;
  readonly committed: StateReader;
  readonly addressPrefix: string;
  readonly storeKeys: StoreKeys;
}

/**
 * Runs a module query on committed state. An authenticated query's signature and freshness (against
 * the last block time, never the wall clock) are checked before the handler sees the caller.
 */
export async function runModuleQuery(
  query: QueryType<unknown, unknown>,
  request: QueryRequest,
  env: ModuleQueryEnvironment,
): Promise<Uint8Array> {
  let body = request.data;
  let caller: Uint8Array | null = null;
  if (query.authenticated === true) {
    let signed: SignedQuery;
    try {
      signed = decode(signedQueryCodec, request.data, { maxBytes: maxQueryBytes + 256 });
    } catch (cause) {
      throw new TxError(
        'QUERY_UNAUTHENTICATED',
        `authenticated query needs a signed envelope: ${String(cause)}`,
      );
    }
    if (Math.abs(signed.timestamp - env.lastBlockTime) > env.freshnessMs) {
      throw new TxError(
        'QUERY_STALE',
        `query time ${signed.timestamp} is outside ${env.freshnessMs} ms of the last block time ${env.lastBlockTime}`,
        {
          timestamp: signed.timestamp,
          lastBlockTime: env.lastBlockTime,
        },
      );
    }
    if (
      !verifyFast(
        signed.publicKey,
        querySignBytes(env.chainId, request.path, signed.body, signed.timestamp),
        signed.signature,
      )
    ) {
      throw new TxError('QUERY_BAD_SIGNATURE', 'query signature does not verify');
    }
    body = signed.body;
    caller = addressOf(signed.publicKey);
  }
  let decoded: unknown;
  try {
    decoded = decode(query.request, body, { maxBytes: maxQueryBytes });
  } catch (cause) {
    throw new TxError('QUERY_MALFORMED', `query body does not decode: ${String(cause)}`);
  }
  const ctx: QueryContext = {
    chainId: env.chainId,
    height: env.height,
    lastBlockTime: env.lastBlockTime,
    addressPrefix: env.addressPrefix,
    state: new ModuleState(
      new MeteredState(new StateLayer(env.committed), new GasMeter(maxQueryGas), true),
      moduleOf(request.path),
      env.storeKeys,
    ),
  };
  return encode(query.response, await query.handle(ctx, decoded, caller));
}

/** A query response for an error. */
export function queryFailure(error: unknown, atHeight: number): QueryResponse {
  if (
    error instanceof JouleError &&
    error.code.startsWith('STORE_') &&
    error.code !== 'STORE_VERSION_PRUNED' &&
    error.code !== 'STORE_VERSION_UNKNOWN'
  ) {
    throw error;
  }
  const code = error instanceof JouleError ? error.code : 'QUERY_FAILED';
  const abci = error instanceof TxError ? error.abciCode : 25;
  return {
    code: abci,
    codespace: code,
    log: error instanceof Error ? error.message : String(error),
    value: new Uint8Array(0),
    height: atHeight,
  };
}
