import { parseArgs } from 'node:util';
import { JouleClient } from '../client/index.js';
import { loadHome } from '../home/home.js';

/** A wrong command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

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

/** Strict flags and positionals; an unknown flag is a usage error. */
export function parse<const O extends FlagSpec>(args: readonly string[], options: O) {
  return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
}

export function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${flag} is required`);
  return value;
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

/** `--node URL`, else the API of `--home`, else the default API address. */
export async function clientOf(values: {
  node?: string | boolean | undefined;
  home?: string | boolean | undefined;
}): Promise<JouleClient> {
  if (typeof values.node === 'string') return new JouleClient({ url: values.node });
  if (typeof values.home === 'string') {
    const { config } = await loadHome(values.home);
    return new JouleClient({ url: `http://${config.api.listen.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}` });
  }
  return new JouleClient({ url: 'http://127.0.0.1:26657' });
}
