import { parse, stringify, TomlError } from 'smol-toml';
import { ConfigError } from '../errors.js';
import {
  type ConfigOverrides,
  type NodeConfig,
  type OptionSpec,
  sections,
  topLevel,
} from './config-schema.js';

const sectionNames = Object.keys(sections) as (keyof typeof sections)[];

/** The config with every default. */
export function defaultConfig(): NodeConfig {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(topLevel)) out[key] = spec.default;
  for (const name of sectionNames) {
    const section: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(sections[name] as Record<string, OptionSpec>))
      section[key] = spec.default;
    out[name] = section;
  }
  return out as NodeConfig;
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
  return applyOverrides(defaultConfig(), doc, file);
}

/** Checks a plain object against the schema and lays it over `base`. */
export function applyOverrides(
  base: NodeConfig,
  input: ConfigOverrides | Record<string, unknown>,
  file: string,
): NodeConfig {
  const out: Record<string, unknown> = structuredClone(base) as unknown as Record<string, unknown>;
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
        return bad(`a list of at most ${spec.maxItems} non-empty strings`);
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

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a table';
  return String(value);
}

/** A commented `config.toml` holding `config` (every key written, with its documentation). */
export function renderConfig(config: NodeConfig): string {
  const lines = [
    '# Joule node configuration. Every key is optional; a missing key takes its default.',
    '# Reference: packages/node/README.md (config reference).',
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
    for (const [key, spec] of Object.entries(sections[name] as Record<string, OptionSpec>)) {
      lines.push(`# ${spec.doc} Default: ${value(spec.default)}.`, `${key} = ${value(current[key])}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
