import { maxGenesisBytes } from '../constants.js';
import { type AppLimits, appLimitBounds, appSectionName, defaultAppLimits } from './limits.js';
import type { Module } from './module.js';
import { GenesisError } from './tx-errors.js';

/** The parsed `app_state` of genesis: the framework's limits and each module's typed section. */
export interface ParsedAppState {
  readonly limits: AppLimits;
  readonly sections: Map<string, unknown>;
}

/**
 * Parses the `app_state` JSON of genesis into each module's typed section: a missing section takes
 * the module's default, an unknown section is refused (a typo must not silently drop state). The
 * `app` section holds the chain-wide limits (`parseAppLimits`).
 */
export function parseAppState(
  bytes: Uint8Array,
  modules: readonly Module[],
  addressPrefix = 'joule',
): Map<string, unknown> {
  return parseGenesisAppState(bytes, modules, addressPrefix).sections;
}

/** `parseAppState`, with the chain-wide limits of the `app` section. */
export function parseGenesisAppState(
  bytes: Uint8Array,
  modules: readonly Module[],
  addressPrefix = 'joule',
): ParsedAppState {
  if (bytes.length > maxGenesisBytes) throw new GenesisError(`app state exceeds ${maxGenesisBytes} bytes`);
  let json: unknown = {};
  if (bytes.length > 0) {
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (cause) {
      throw new GenesisError(`app state is not JSON: ${String(cause)}`);
    }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new GenesisError('app state must be a JSON object keyed by module name');
  }
  const sections = json as Record<string, unknown>;
  const known = new Set(modules.map((m) => m.name));
  for (const name of Object.keys(sections)) {
    if (!known.has(name) && name !== appSectionName)
      throw new GenesisError(`app state has a section for unknown module "${name}"`, { name });
  }
  const out = new Map<string, unknown>();
  for (const module of modules) {
    if (module.genesis === undefined) continue;
    const section = sections[module.name];
    out.set(
      module.name,
      section === undefined ? module.genesis.default() : module.genesis.parse(section, { addressPrefix }),
    );
  }
  return { limits: parseAppLimits(sections[appSectionName]), sections: out };
}

/**
 * Reads the `app` section of genesis (`{ "maxTxGas": 2000000, … }`, JSON integers); a missing
 * section or field takes the default, an unknown field or a value out of range is `GenesisError`.
 */
export function parseAppLimits(json: unknown): AppLimits {
  if (json === undefined) return defaultAppLimits;
  const section = jsonObject(json, appSectionName);
  const limits: { -readonly [K in keyof AppLimits]: number } = { ...defaultAppLimits };
  for (const [key, value] of Object.entries(section)) {
    if (!Object.hasOwn(appLimitBounds, key))
      throw new GenesisError(`${appSectionName}.${key}: unknown limit`, { key });
    const bound = appLimitBounds[key as keyof AppLimits];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > bound) {
      throw new GenesisError(`${appSectionName}.${key}: expected an integer from 1 to ${bound}`, { key });
    }
    limits[key as keyof AppLimits] = value;
  }
  return limits;
}

/** Reads a JSON object field as a string, or throws `GenesisError` naming the path. */
export function jsonString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new GenesisError(`${path}: expected a string`, { path });
  return value;
}

/** Reads a JSON array, or throws `GenesisError` naming the path. */
export function jsonArray(value: unknown, path: string, maxLength: number): unknown[] {
  if (!Array.isArray(value)) throw new GenesisError(`${path}: expected an array`, { path });
  if (value.length > maxLength) throw new GenesisError(`${path}: more than ${maxLength} items`, { path });
  return value;
}

/** Reads a JSON object, or throws `GenesisError` naming the path. */
export function jsonObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GenesisError(`${path}: expected an object`, { path });
  }
  return value as Record<string, unknown>;
}

/** Reads a decimal string as a non-negative bigint (JSON numbers cannot carry 64-bit amounts). */
export function jsonAmount(value: unknown, path: string): bigint {
  const text = jsonString(value, path);
  if (!/^(0|[1-9][0-9]{0,19})$/.test(text))
    throw new GenesisError(`${path}: expected a decimal amount`, { path });
  const amount = BigInt(text);
  if (amount >= 2n ** 64n) throw new GenesisError(`${path}: amount exceeds 64 bits`, { path });
  return amount;
}
