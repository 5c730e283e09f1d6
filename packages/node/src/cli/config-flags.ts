import { NodeInputError } from '../errors.js';
import { applyOverrides, defaultConfig } from '../home/config.js';
import { type OptionSpec, sections } from '../home/config-schema.js';
import { UsageError } from './common.js';
import { didYouMean } from './suggest.js';

/**
 * `start`'s flags that override a key of config.toml for this run, named as in the file:
 * `--p2p.persistent_peers /ip4/…/p2p/…,/ip4/…` (lists comma-separated), `--api.listen 127.0.0.1:36657`,
 * `--log.level=debug`, `--consensus.create_empty_blocks true`. Each value is checked as the file's
 * would be; a wrong one is a usage error naming the flag. Returns the other arguments and the
 * overrides.
 */
export function configFlags(args: readonly string[]): {
  rest: string[];
  overrides: Record<string, Record<string, unknown>>;
} {
  const rest: string[] = [];
  const overrides: Record<string, Record<string, unknown>> = {};
  const keys = Object.entries(sections).flatMap(([s, specs]) => Object.keys(specs).map((k) => `${s}.${k}`));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const m = /^--([a-z0-9_]+)\.([a-z0-9_]+)(?:=(.*))?$/s.exec(arg);
    if (m === null) {
      rest.push(arg);
      if (arg === '--') rest.push(...args.slice(i + 1));
      if (arg === '--') break;
      continue;
    }
    const [, section = '', key = '', inline] = m;
    const spec = (sections as Record<string, Record<string, OptionSpec>>)[section]?.[key];
    if (spec === undefined)
      throw new UsageError(`unknown config flag --${section}.${key}${didYouMean(`${section}.${key}`, keys)}`);
    const text = inline ?? args[++i];
    if (text === undefined || (inline === undefined && text.startsWith('--')))
      throw new UsageError(`--${section}.${key} needs a value`);
    let value: unknown;
    switch (spec.type) {
      case 'int':
        value = /^-?[0-9]{1,16}$/.test(text) ? Number(text) : text;
        break;
      case 'bool':
        value = text === 'true' ? true : text === 'false' ? false : text;
        break;
      case 'strings':
        value = text === '' ? [] : text.split(',');
        break;
      case 'levels':
        throw new UsageError(
          `--${section}.${key} cannot be set from the command line: set it in config.toml`,
        );
      default:
        value = text;
    }
    overrides[section] = { ...overrides[section], [key]: value };
  }
  try {
    applyOverrides(defaultConfig(), overrides, 'the command line');
  } catch (error) {
    if (error instanceof NodeInputError)
      throw new UsageError(error.message.replace(/^the command line: /, ''));
    throw error;
  }
  return { rest, overrides };
}
