import type { AppOptions, ClassicKvOptions } from '@joule/state';
import { parse, stringify, TomlError } from 'smol-toml';
import { defaultProfile, type ProfileName } from '../constants.js';
import { ConfigError } from '../errors.js';
import { type AddressFormat, checkAddress } from './addresses.js';
import {
  type ConfigOverrides,
  type NodeConfig,
  type OptionSpec,
  sections,
  topLevel,
} from './config-schema.js';
import { profileConfig } from './profile.js';

const sectionNames = Object.keys(sections) as (keyof typeof sections)[];

/**
 * LevelDB's options for the database at `location` as config.toml's `[db]` sets them: the node and
 * the commands that open a stopped node's database (`export`) use the same bounds.
 */
export function dbOptions(config: NodeConfig, location: string): ClassicKvOptions {
  return {
    location,
    cacheBytes: config.db.cache_bytes,
    writeBufferBytes: config.db.write_buffer_bytes,
    maxOpenFiles: config.db.max_open_files,
  };
}

/** The state's cache bounds as config.toml's `[state]` sets them (the node's and `export`'s). */
export function stateCacheOptions(
  config: NodeConfig,
): Pick<AppOptions, 'nodeCacheBytes' | 'nodeCacheEntries' | 'valueCacheBytes'> {
  return {
    nodeCacheBytes: config.state.node_cache_bytes,
    nodeCacheEntries: config.state.node_cache_entries,
    valueCacheBytes: config.state.value_cache_bytes,
  };
}

/** The config with every default of `profile` (the schema's defaults, then the profile's values). */
export function defaultConfig(profile: ProfileName = defaultProfile): NodeConfig {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(topLevel)) out[key] = spec.default;
  for (const name of sectionNames) {
    const section: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(sections[name] as Record<string, OptionSpec>))
      section[key] = spec.default;
    for (const [key, value] of Object.entries(profileConfig(profile)[name] ?? {})) section[key] = value;
    out[name] = section;
  }
  return out as NodeConfig;
}

/** The profile a config file or an override names, validated (`undefined` when it names none). */
function profileIn(input: Record<string, unknown>, file: string): ProfileName | undefined {
  const node = input.node;
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
  const value = (node as Record<string, unknown>).profile;
  if (value === undefined) return undefined;
  return check(sections.node.profile, value, 'node.profile', file) as ProfileName;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * `config` moved to profile `to`: every value still at the default of its old profile takes the
 * new profile's default; values set on purpose (different from the old default) stay.
 */
function rebase(config: NodeConfig, to: ProfileName): NodeConfig {
  const from = defaultConfig(config.node.profile as ProfileName);
  const out = defaultConfig(to) as unknown as Record<string, Record<string, unknown>>;
  const current = config as unknown as Record<string, unknown>;
  for (const key of Object.keys(topLevel)) (out as Record<string, unknown>)[key] = current[key];
  for (const name of sectionNames) {
    const was = from[name] as Record<string, unknown>;
    const now = current[name] as Record<string, unknown>;
    for (const key of Object.keys(now))
      if (!same(now[key], was[key])) (out[name] as Record<string, unknown>)[key] = now[key];
  }
  (out.node as Record<string, unknown>).profile = to;
  return out as unknown as NodeConfig;
}

/**
 * Parses and validates `config.toml`. Unknown sections and keys are refused (a typo must not
 * silently fall back to a default); every error names the key, what was found and what is allowed.
 */
export function parseConfig(text: string, file: string): NodeConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : '';
    const what = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(
      file,
      `not valid TOML${where}: ${what}`,
      'fix the syntax (see the README config reference)',
    );
  }
  return applyOverrides(defaultConfig(profileIn(doc, file)), doc, file);
}

/** Checks a plain object against the schema and lays it over `base`. */
export function applyOverrides(
  base: NodeConfig,
  input: ConfigOverrides | Record<string, unknown>,
  file: string,
): NodeConfig {
  const profile = profileIn(input as Record<string, unknown>, file);
  const start = profile === undefined || profile === base.node.profile ? base : rebase(base, profile);
  const out: Record<string, unknown> = structuredClone(start) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key in topLevel) {
      out[key] = check(topLevel[key as keyof typeof topLevel], value, key, file);
      continue;
    }
    const specs = (sections as Record<string, Record<string, OptionSpec>>)[key];
    if (specs === undefined) {
      const allowed = [...Object.keys(topLevel), ...sectionNames.map((s) => `[${s}]`)].join(', ');
      throw new ConfigError(file, `unknown key "${key}" (allowed: ${allowed})`, 'remove or rename it');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(file, `"${key}" must be a [${key}] section`, `write it as a [${key}] table`);
    }
    const section = out[key] as Record<string, unknown>;
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      const spec = specs[name];
      if (spec === undefined) {
        throw new ConfigError(
          file,
          `unknown key "${key}.${name}" (allowed in [${key}]: ${Object.keys(specs).join(', ')})`,
          'remove or rename it',
        );
      }
      section[name] = check(spec, v, `${key}.${name}`, file);
    }
  }
  return out as unknown as NodeConfig;
}

function check(spec: OptionSpec, value: unknown, key: string, file: string): unknown {
  const bad = (allowed: string): never => {
    throw new ConfigError(
      file,
      `"${key}" is ${show(value)}; allowed: ${allowed}`,
      `set ${key} to an allowed value, or delete the line to use the default`,
    );
  };
  switch (spec.type) {
    case 'int': {
      const n = typeof value === 'bigint' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < spec.min || n > spec.max)
        return bad(`an integer from ${spec.min} to ${spec.max}`);
      return n;
    }
    case 'bool':
      return typeof value === 'boolean' ? value : bad('true or false');
    case 'string':
      if (typeof value !== 'string' || (spec.pattern !== undefined && !spec.pattern.test(value)))
        return bad(spec.pattern === undefined ? 'a string' : `a string matching ${String(spec.pattern)}`);
      if (spec.format !== undefined) checkAddressIn(spec.format, value, key, file);
      return value;
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value)
        ? value
        : bad(spec.values.map((v) => `"${v}"`).join(', '));
    case 'strings':
      if (
        !Array.isArray(value) ||
        value.length > spec.maxItems ||
        value.some((v) => typeof v !== 'string' || v === '')
      )
        return bad(
          typeof value === 'string' && spec.format !== undefined
            ? `a list, e.g. ${key.split('.').pop()} = [${JSON.stringify(value)}]`
            : `a list of at most ${spec.maxItems} non-empty strings`,
        );
      if (spec.format !== undefined)
        for (const item of value as string[]) checkAddressIn(spec.format, item, key, file);
      return [...(value as string[])];
    case 'levels': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return bad(`a table such as { consensus = "debug" } with keys ${spec.keys.join(', ')}`);
      const out: Record<string, string> = {};
      for (const [module, level] of Object.entries(value)) {
        if (!spec.keys.includes(module))
          throw new ConfigError(
            file,
            `unknown module "${key}.${module}" (allowed: ${spec.keys.join(', ')})`,
            'remove or rename it',
          );
        const levels = sections.log.level.values;
        if (typeof level !== 'string' || !(levels as readonly string[]).includes(level))
          throw new ConfigError(
            file,
            `"${key}.${module}" is ${show(level)}; allowed: ${levels.join(', ')}`,
            'use one of those levels',
          );
        out[module] = level;
      }
      return out;
    }
  }
}

function checkAddressIn(format: AddressFormat, value: string, key: string, file: string): void {
  const found = checkAddress(format, value, key);
  if (found !== undefined) throw new ConfigError(file, found.problem, found.fix);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a table';
  return String(value);
}

/**
 * A commented `config.toml` holding `config`: every key with its documentation; a key at its
 * profile's default is written as a comment, so that changing `[node] profile` moves it.
 */
export function renderConfig(config: NodeConfig): string {
  const defaults = defaultConfig(config.node.profile as ProfileName);
  const lines = [
    '# Joule node configuration. Every key is optional; a missing key takes the default of the',
    '# profile ([node] profile). Commented keys show that default. Reference: packages/node/README.md.',
    '',
  ];
  const value = (v: unknown): string => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const entries = Object.entries(v).map(([k, x]) => `${k} = ${JSON.stringify(x)}`);
      return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
    }
    return stringify({ v }).replace(/^v = /, '').trim();
  };
  for (const [key, spec] of Object.entries(topLevel)) {
    lines.push(`# ${spec.doc}`, `${key} = ${value((config as unknown as Record<string, unknown>)[key])}`, '');
  }
  for (const name of sectionNames) {
    lines.push(`[${name}]`);
    const current = config[name] as Record<string, unknown>;
    const profiled = defaults[name] as Record<string, unknown>;
    for (const [key, spec] of Object.entries(sections[name] as Record<string, OptionSpec>)) {
      const line = `${key} = ${value(current[key])}`;
      const isDefault = name !== 'node' && same(current[key], profiled[key]);
      lines.push(`# ${spec.doc}`, isDefault ? `# ${line}` : line);
    }
    lines.push('');
  }
  return lines.join('\n');
}
