import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { JouleClient } from '../client/index.js';
import { defaultApiUrl, defaultHomeDir, homeEnvVar, homeFiles } from '../constants.js';
import { loadHome } from '../home/home.js';
import { didYouMean } from './suggest.js';

/** A wrong command line (code `CLI_USAGE`): printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'CLI_USAGE';
}

/** Where a command writes (injected by tests). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

/**
 * Strict flags and positionals, in any order (`--flag value`, `--flag=value`); an unknown flag is a
 * usage error that names the closest known flag.
 */
export function parse<const O extends FlagSpec>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    const flag = /'(-{1,2}[^'\s=]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
      const known = Object.keys(options).map((k) => `--${k}`);
      throw new UsageError(
        `unknown flag ${flag}${didYouMean(flag, known, '')}${known.length === 0 ? '' : ` (flags: ${known.join(' ')})`}`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
      const spec = options[flag.replace(/^-+/, '')];
      throw new UsageError(spec?.type === 'boolean' ? `${flag} takes no value` : `${flag} needs a value`);
    }
    throw error;
  }
}

export function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

/** `--home DIR`, else `$JOULE_HOME`, else `~/.joule`. */
export function homeOf(values: { home?: string | boolean | undefined }): string {
  if (typeof values.home === 'string') {
    if (values.home === '') throw new UsageError('--home needs a directory');
    return values.home;
  }
  const env = process.env[homeEnvVar];
  if (env !== undefined && env !== '') return env;
  return join(homedir(), defaultHomeDir);
}

export function integer(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${flag} is required`);
    return fallback;
  }
  if (!/^[0-9]{1,9}$/.test(value)) throw new UsageError(`--${flag} must be a whole number`);
  return Number(value);
}

export const json = (value: unknown): string => JSON.stringify(value, null, 2);

/**
 * The API URL of `--node`: `http(s)://host:port`, CometBFT's `tcp://host:port`, or `host:port`.
 */
export function nodeUrl(text: string): string {
  const hostPort = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})\/?$/;
  const m = /^(?:(https?|tcp):\/\/)?(.*)$/.exec(text);
  const scheme = m?.[1];
  const rest = m?.[2] ?? '';
  const hp = hostPort.exec(rest);
  const port = Number(hp?.[2]);
  if (scheme === 'http' || scheme === 'https') {
    try {
      new URL(text);
      return text.replace(/\/$/, '');
    } catch {}
  } else if (hp !== null && port >= 1 && port <= 65_535) {
    return `http://${(hp[1] as string).replace(/^0\.0\.0\.0$/, '127.0.0.1')}:${port}`;
  }
  throw new UsageError(
    `--node ${text}: expected host:port, tcp://host:port or http://host:port (e.g. --node 127.0.0.1:26657)`,
  );
}

/** `--node URL`, else the API of the home (`--home`, `$JOULE_HOME`, `~/.joule`) if it has a config, else the default API address. */
export async function clientOf(values: {
  node?: string | boolean | undefined;
  home?: string | boolean | undefined;
}): Promise<JouleClient> {
  if (typeof values.node === 'string') return new JouleClient({ url: nodeUrl(values.node) });
  const home = homeOf(values);
  const hasConfig = await access(join(home, homeFiles.config)).then(
    () => true,
    () => false,
  );
  if (hasConfig || typeof values.home === 'string') {
    const { config } = await loadHome(home);
    return new JouleClient({ url: `http://${config.api.listen.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}` });
  }
  return new JouleClient({ url: defaultApiUrl });
}
