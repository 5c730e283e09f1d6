import {
  type Block,
  type Commit,
  formatAddress,
  type Header,
  toHex,
  type ValidatorSet,
} from '@joule/consensus';
import { snakeCase } from '../client/values.js';
import { isoTime } from '../log/utc-time.js';

/**
 * Plain JSON for a value: bigints as decimal strings, bytes as hex — except 20-byte values in module
 * answers, which are addresses and print in bech32 when `addressPrefix` is given. Maps and sets are
 * not expected (codecs produce plain objects and arrays).
 */
export function toJson(value: unknown, addressPrefix?: string): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) {
    return addressPrefix !== undefined && value.length === 20
      ? formatAddress(value, addressPrefix)
      : toHex(value);
  }
  if (Array.isArray(value)) return value.map((v) => toJson(v, addressPrefix));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v, addressPrefix);
    return out;
  }
  return value;
}

/**
 * A module's answer as JSON: as `toJson`, with every field name in snake_case (as /status and the
 * rest of the API), or as the codec spells it (camelCase) for the former route spellings.
 */
export function moduleJson(value: unknown, addressPrefix: string, former = false): unknown {
  const json = toJson(value, addressPrefix);
  return former ? json : snakeKeys(json);
}

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[snakeCase(k)] = snakeKeys(v);
    return out;
  }
  return value;
}

export function headerJson(h: Header): Record<string, unknown> {
  return {
    chain_id: h.chainId,
    height: String(h.height),
    time: isoTime(h.time),
    last_block_id: h.lastBlockId === null ? null : { hash: toHex(h.lastBlockId.hash) },
    last_commit_hash: toHex(h.lastCommitHash),
    data_hash: toHex(h.dataHash),
    validators_hash: toHex(h.validatorsHash),
    next_validators_hash: toHex(h.nextValidatorsHash),
    app_hash: toHex(h.appHash),
    last_results_hash: toHex(h.lastResultsHash),
    evidence_hash: toHex(h.evidenceHash),
    proposer_address: toHex(h.proposerAddress),
  };
}

export function commitJson(c: Commit): Record<string, unknown> {
  return {
    height: String(c.height),
    round: c.round,
    block_id: { hash: toHex(c.blockId.hash) },
    signatures: c.signatures.map((s) => ({
      block_id_flag: s.flag,
      validator_address: toHex(s.validatorAddress),
      timestamp: s.timestamp === 0 ? null : isoTime(s.timestamp),
      signature: toHex(s.signature),
    })),
  };
}

export function blockJson(b: Block, hash: Uint8Array): Record<string, unknown> {
  return {
    block_id: { hash: toHex(hash) },
    block: {
      header: headerJson(b.header),
      data: { txs: b.txs.map((t) => toHex(t)) },
      evidence: { evidence: toJson(b.evidence) },
      last_commit: b.lastCommit === null ? null : commitJson(b.lastCommit),
    },
  };
}

export function validatorsJson(set: ValidatorSet, height: number): Record<string, unknown> {
  return {
    block_height: String(height),
    validators: set.validators.map((v) => ({
      address: toHex(v.address),
      pub_key: toHex(v.pubKey),
      voting_power: v.votingPower.toString(),
      proposer_priority: v.proposerPriority.toString(),
    })),
    count: String(set.validators.length),
    total: String(set.validators.length),
  };
}
