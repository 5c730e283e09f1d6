import {
  bigint,
  bytes,
  type Codec,
  chainId,
  hash,
  height,
  int,
  list,
  maxBlockTxs,
  maxTotalVotingPower,
  maxValidators,
  publicKey,
  string,
  struct,
  timeMs,
  uint,
} from '@joule/consensus';
import {
  maxCodespaceLength,
  maxEventAttributeLength,
  maxEventAttributes,
  maxEventsPerTx,
  maxEventTypeLength,
  maxLogLength,
  maxStoredBlockEvents,
  maxTxResultDataBytes,
} from '../constants.js';
import { metaKeys, prefixes } from '../keys.js';
import { bytesKey, canonical, heightKey, Repository } from '../kv/repository.js';
import type { AppEvent, EventAttribute, ExecTxResult, ValidatorUpdate } from './abci.js';
import { type AppLimits, appLimitsCodec } from './limits.js';
import { storedTxResultBytes } from './tx-result-bytes.js';

export const eventCodec: Codec<AppEvent> = struct<AppEvent>('AppEvent', {
  type: string(maxEventTypeLength),
  attributes: list(
    struct<EventAttribute>('EventAttribute', {
      key: string(maxEventAttributeLength),
      value: string(maxEventAttributeLength),
    }),
    maxEventAttributes,
  ) as Codec<readonly EventAttribute[]>,
});

export const execTxResultCodec: Codec<ExecTxResult> = struct<ExecTxResult>('ExecTxResult', {
  code: int(0, 0xffff_ffff),
  codespace: string(maxCodespaceLength),
  log: string(maxLogLength),
  data: bytes({ max: maxTxResultDataBytes }),
  gasWanted: uint(),
  gasUsed: uint(),
  events: list(eventCodec, maxEventsPerTx) as Codec<readonly AppEvent[]>,
});

/** A transaction's result as indexed by its hash. */
export interface StoredTxResult {
  readonly height: number;
  readonly index: number;
  readonly result: ExecTxResult;
}

export const storedTxResultCodec: Codec<StoredTxResult> = struct<StoredTxResult>('StoredTxResult', {
  height,
  index: int(0, maxBlockTxs),
  result: execTxResultCodec,
});

/** A block's results: its transactions' hashes (in order), block events and validator updates. */
export interface BlockResults {
  readonly height: number;
  readonly txHashes: readonly Uint8Array[];
  readonly events: readonly AppEvent[];
  readonly validatorUpdates: readonly ValidatorUpdate[];
}

export const validatorUpdateCodec: Codec<ValidatorUpdate> = struct<ValidatorUpdate>('ValidatorUpdate', {
  pubKey: publicKey,
  power: bigint(0n, maxTotalVotingPower),
});

export const blockResultsCodec: Codec<BlockResults> = struct<BlockResults>('BlockResults', {
  height,
  txHashes: list(hash, maxBlockTxs) as Codec<readonly Uint8Array[]>,
  events: list(eventCodec, maxStoredBlockEvents) as Codec<readonly AppEvent[]>,
  validatorUpdates: list(validatorUpdateCodec, maxValidators) as Codec<readonly ValidatorUpdate[]>,
});

/** What the application remembers besides its state: persisted with every commit. */
export interface AppRecord {
  readonly chainId: string;
  readonly initialHeight: number;
  readonly lastBlockTime: number;
  /** The chain-wide limits from genesis. */
  readonly limits: AppLimits;
}

export const appRecordCodec: Codec<AppRecord> = struct<AppRecord>('AppRecord', {
  chainId,
  initialHeight: height,
  lastBlockTime: timeMs,
  limits: appLimitsCodec,
});

/** The application's tables outside the authenticated store (see `keys.ts`). */
export const appTables = {
  txResult: new Repository(prefixes.txResult, bytesKey, {
    // A block writes one per transaction: the usual ones are encoded directly, to the same bytes.
    encode: (stored: StoredTxResult) => storedTxResultBytes(stored),
    decode: canonical(storedTxResultCodec).decode,
  }),
  blockResults: new Repository(prefixes.blockResults, heightKey, canonical(blockResultsCodec)),
  record: new Repository(
    prefixes.meta,
    (_: 'app') => new Uint8Array([metaKeys.appInfo]),
    canonical(appRecordCodec),
  ),
};

/** `text` cut to `maxLogLength` characters. */
export function boundedLog(text: string): string {
  return text.length <= maxLogLength ? text : `${text.slice(0, maxLogLength - 1)}…`;
}
