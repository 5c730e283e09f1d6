import {
  type ConsensusParams,
  chainIdPattern,
  defaultConsensusParams,
  fromHex,
  type Genesis,
  maxChainIdLength,
  maxTotalVotingPower,
  maxValidators,
  toHex,
  type ValidatorUpdate,
} from '@joule/consensus';
import { unsafeKeyReason } from '@joule/state';
import { GenesisFileError } from '../errors.js';

/**
 * `genesis.json`, as written on disk: snake_case like CometBFT's, times as RFC 3339 strings,
 * powers as decimal strings (64-bit), keys as hex, and each module's section under `app_state`.
 */
export interface GenesisDoc {
  readonly chain_id: string;
  readonly genesis_time: string;
  readonly initial_height: number;
  readonly consensus_params: {
    readonly max_block_bytes: number;
    readonly max_block_gas: number;
    readonly evidence_max_age_blocks: number;
    readonly evidence_max_age_ms: number;
  };
  readonly validators: readonly { readonly name: string; readonly pub_key: string; readonly power: string }[];
  readonly app_state: Record<string, unknown>;
}

const topKeys = ['chain_id', 'genesis_time', 'initial_height', 'consensus_params', 'validators', 'app_state'];
const paramKeys = [
  'max_block_bytes',
  'max_block_gas',
  'evidence_max_age_blocks',
  'evidence_max_age_ms',
] as const;

/** The genesis document for `genesis` (validators named `names[i]`). */
export function genesisDoc(
  genesis: Genesis,
  appState: Record<string, unknown>,
  names: readonly string[] = [],
): GenesisDoc {
  const p = genesis.consensusParams;
  return {
    chain_id: genesis.chainId,
    genesis_time: new Date(genesis.genesisTime).toISOString(),
    initial_height: genesis.initialHeight,
    consensus_params: {
      max_block_bytes: p.maxBlockBytes,
      max_block_gas: p.maxBlockGas,
      evidence_max_age_blocks: p.evidenceMaxAgeBlocks,
      evidence_max_age_ms: p.evidenceMaxAgeMs,
    },
    validators: genesis.validators.map((v, i) => ({
      name: names[i] ?? `validator-${i}`,
      pub_key: toHex(v.pubKey),
      power: v.power.toString(),
    })),
    app_state: appState,
  };
}

/** Serializes a genesis document (2-space JSON, a final newline). */
export function renderGenesis(doc: GenesisDoc): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * Parses and validates `genesis.json` into consensus's `Genesis`. Every error names the field
 * (`validators[2].power`). The module sections are checked by the application's own parsers
 * (`checkAppState` in the node), which know their formats.
 */
export function parseGenesis(text: string, file: string): { genesis: Genesis; doc: GenesisDoc } {
  const fail = (field: string, problem: string): never => {
    throw new GenesisFileError(file, `${field}: ${problem}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GenesisFileError(
      file,
      `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      'restore the file from the chain’s published genesis',
    );
  }
  const o = object(json, 'genesis', fail);
  unknownKeys(o, topKeys, '', fail);
  const chainId = o.chain_id;
  if (typeof chainId !== 'string' || chainId.length > maxChainIdLength || !chainIdPattern.test(chainId))
    fail('chain_id', `expected 1–${maxChainIdLength} characters of [A-Za-z0-9._-]`);
  const time = typeof o.genesis_time === 'string' ? Date.parse(o.genesis_time) : Number.NaN;
  if (!Number.isSafeInteger(time) || time < 0 || !/^\d{4}-\d\d-\d\dT/.test(String(o.genesis_time)))
    fail('genesis_time', 'expected an RFC 3339 time such as "2025-01-01T00:00:00.000Z"');
  const initialHeight = o.initial_height ?? 1;
  if (typeof initialHeight !== 'number' || !Number.isSafeInteger(initialHeight) || initialHeight < 1)
    fail('initial_height', 'expected an integer ≥ 1');
  const params = parseParams(o.consensus_params, fail);
  const list = o.validators;
  if (!Array.isArray(list) || list.length === 0 || list.length > maxValidators)
    fail('validators', `expected a list of 1–${maxValidators} validators`);
  const seen = new Set<string>();
  let total = 0n;
  const validators: ValidatorUpdate[] = (list as unknown[]).map((item, i) => {
    const v = object(item, `validators[${i}]`, fail);
    unknownKeys(v, ['name', 'pub_key', 'power'], `validators[${i}].`, fail);
    if (v.name !== undefined && (typeof v.name !== 'string' || v.name.length > 64))
      fail(`validators[${i}].name`, 'expected a string of at most 64 characters');
    if (typeof v.pub_key !== 'string' || !/^[0-9a-f]{64}$/.test(v.pub_key))
      fail(`validators[${i}].pub_key`, 'expected 64 lower-case hex characters (an ed25519 public key)');
    const unsafe = unsafeKeyReason(fromHex(v.pub_key as string));
    if (unsafe !== undefined)
      fail(`validators[${i}].pub_key`, `not a safe ed25519 public key (${unsafe}: anyone could sign for it)`);
    if (seen.has(v.pub_key as string)) fail(`validators[${i}].pub_key`, 'appears twice');
    seen.add(v.pub_key as string);
    if (typeof v.power !== 'string' || !/^[1-9][0-9]{0,18}$/.test(v.power))
      fail(`validators[${i}].power`, 'expected a positive decimal string such as "10"');
    const power = BigInt(v.power as string);
    total += power;
    return { pubKey: fromHex(v.pub_key as string), power };
  });
  if (total > maxTotalVotingPower) fail('validators', `total power exceeds ${maxTotalVotingPower}`);
  const appState = o.app_state ?? {};
  object(appState, 'app_state', fail);
  const genesis: Genesis = {
    chainId: chainId as string,
    genesisTime: time,
    initialHeight: initialHeight as number,
    validators,
    consensusParams: params,
    appState: new TextEncoder().encode(JSON.stringify(appState)),
  };
  return { genesis, doc: o as unknown as GenesisDoc };
}

function parseParams(value: unknown, fail: (field: string, problem: string) => never): ConsensusParams {
  if (value === undefined) return defaultConsensusParams;
  const o = object(value, 'consensus_params', fail);
  unknownKeys(o, paramKeys, 'consensus_params.', fail);
  const int = (key: (typeof paramKeys)[number], min: number, max: number, fallback: number): number => {
    const v = o[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
      fail(`consensus_params.${key}`, `expected an integer from ${min} to ${max}`);
    return v as number;
  };
  const d = defaultConsensusParams;
  return {
    maxBlockBytes: int('max_block_bytes', 1024, 64 * 1024 * 1024, d.maxBlockBytes),
    maxBlockGas: int('max_block_gas', -1, Number.MAX_SAFE_INTEGER, d.maxBlockGas),
    evidenceMaxAgeBlocks: int('evidence_max_age_blocks', 1, Number.MAX_SAFE_INTEGER, d.evidenceMaxAgeBlocks),
    evidenceMaxAgeMs: int('evidence_max_age_ms', 1, Number.MAX_SAFE_INTEGER, d.evidenceMaxAgeMs),
  };
}

function object(
  value: unknown,
  field: string,
  fail: (field: string, problem: string) => never,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(field, 'expected a JSON object');
  return value as Record<string, unknown>;
}

function unknownKeys(
  o: Record<string, unknown>,
  allowed: readonly string[],
  prefix: string,
  fail: (field: string, problem: string) => never,
): void {
  for (const key of Object.keys(o))
    if (!allowed.includes(key)) fail(`${prefix}${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
}
