import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Genesis, KeyPair } from '@joule/consensus';
import {
  homeFiles,
  keyNamePattern,
  maxConfigFileBytes,
  maxGenesisFileBytes,
  maxKeyringKeys,
} from '../constants.js';
import { NodeInputError } from '../errors.js';
import { parseConfig } from './config.js';
import type { NodeConfig } from './config-schema.js';
import { type GenesisDoc, parseGenesis } from './genesis-file.js';
import { createKeyFile, loadKeyFile } from './key-files.js';

/** Absolute paths of a home's files. */
export type HomePaths = { readonly [K in keyof typeof homeFiles]: string } & { readonly home: string };

export function homePaths(home: string): HomePaths {
  const out: Record<string, string> = { home };
  for (const [key, rel] of Object.entries(homeFiles)) out[key] = join(home, rel);
  return out as HomePaths;
}

/** What a node needs from its home, loaded and validated (no handle is left open). */
export interface Home {
  readonly paths: HomePaths;
  readonly config: NodeConfig;
  readonly genesis: Genesis;
  readonly genesisDoc: GenesisDoc;
  readonly nodeKey: KeyPair;
  readonly validatorKey: KeyPair;
}

/** Reads and validates config.toml, genesis.json and the two keys of `home`. */
export async function loadHome(home: string): Promise<Home> {
  const paths = homePaths(home);
  const config = parseConfig(await readSmallFile(paths.config, maxConfigFileBytes, home), paths.config);
  const { genesis, doc } = parseGenesis(
    await readSmallFile(paths.genesis, maxGenesisFileBytes, home),
    paths.genesis,
  );
  const nodeKey = await loadKeyFile(paths.nodeKey, 'node key');
  const validatorKey = await loadKeyFile(paths.validatorKey, 'validator key');
  return { paths, config, genesis, genesisDoc: doc, nodeKey, validatorKey };
}

async function readSmallFile(path: string, maxBytes: number, home: string): Promise<string> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new NodeInputError(
      'HOME_MISSING',
      path,
      'file not found',
      `run \`joule init --home ${home}\` first, or pass the right --home`,
    );
  }
  if (size > maxBytes)
    throw new NodeInputError('CONFIG_INVALID', path, `larger than ${maxBytes} bytes`, 'restore the file');
  return readFile(path, 'utf8');
}

/** Fails with HOME_MISSING unless `home` holds a config.toml (a mistyped --home must not pass silently). */
export async function requireHome(home: string): Promise<void> {
  const paths = homePaths(home);
  const exists = await access(paths.config, constants.F_OK).then(
    () => true,
    () => false,
  );
  if (!exists)
    throw new NodeInputError(
      'HOME_MISSING',
      paths.config,
      `${home} is not a Joule home (no config/config.toml)`,
      `pass the right --home (or $JOULE_HOME), or run \`joule init --home ${home}\` first`,
    );
}

/** Fails when `home` already holds a config (init never overwrites a home). */
export async function assertFreshHome(home: string): Promise<void> {
  const paths = homePaths(home);
  for (const file of [paths.config, paths.genesis, paths.nodeKey, paths.validatorKey]) {
    const exists = await access(file, constants.F_OK).then(
      () => true,
      () => false,
    );
    if (exists)
      throw new NodeInputError(
        'HOME_EXISTS',
        file,
        'the home is already initialized',
        'use another --home, or delete that home deliberately',
      );
  }
}

/** Creates the directories of a home (0700). */
export async function makeHomeDirs(paths: HomePaths): Promise<void> {
  for (const dir of [paths.home, join(paths.home, 'config'), join(paths.home, 'data'), paths.keyring])
    await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Writes a text file readable by its owner only. */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600, flag: 'wx' });
}

/**
 * Writes `text` to `path`, readable by its owner only, replacing any file there whatever its mode
 * (an export run again into the same directory): a new file next to it, created 0600 and written,
 * is renamed over it, so no reader ever sees the data under a wider mode or half written.
 */
export async function replacePrivateFile(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      await handle.chmod(0o600); // exactly 0600, whatever the umask
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

// ─── keyring ─────────────────────────────────────────────────────────────────────────────────────

export interface KeyInfo {
  readonly name: string;
  readonly address: string;
  readonly publicKey: string;
}

/** A key loaded from the keyring, with its file. */
export type LoadedKey = KeyInfo & { readonly key: KeyPair; readonly path: string };

function keyPath(home: string, name: string): string {
  if (!keyNamePattern.test(name))
    throw new NodeInputError(
      'KEY_INVALID',
      name,
      'not a valid key name',
      'use letters, digits, ".", "_" or "-" (at most 64)',
    );
  return join(homePaths(home).keyring, `${name}.json`);
}

/** Adds a new key `name` to the home's keyring (`keyring/<name>.json`, 0600). */
export async function addKey(
  home: string,
  name: string,
  prefix: string,
): Promise<KeyInfo & { key: KeyPair }> {
  const path = keyPath(home, name);
  try {
    const key = await createKeyFile(path, prefix, name);
    const loaded = await loadKeyFile(path, `key "${name}"`);
    return { name, address: loaded.file.address, publicKey: loaded.file.public_key, key };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new NodeInputError('KEY_EXISTS', path, `a key named "${name}" exists`, 'choose another name');
    throw error;
  }
}

/**
 * Adds the key of key file `file` (as `keys export` writes it: checked like any key file, 0600) to
 * the home's keyring as `name`; its address is derived again with `prefix`.
 */
export async function importKey(
  home: string,
  name: string,
  file: string,
  prefix: string,
): Promise<LoadedKey> {
  const path = keyPath(home, name);
  const source = await loadKeyFile(file, 'imported key');
  try {
    await createKeyFile(path, prefix, name, { secretKey: source.secretKey, publicKey: source.publicKey });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new NodeInputError('KEY_EXISTS', path, `a key named "${name}" exists`, 'choose another name');
    throw error;
  }
  return loadKey(home, name);
}

/** Loads key `name` of the home's keyring. */
export async function loadKey(home: string, name: string): Promise<LoadedKey> {
  const path = keyPath(home, name);
  const exists = await access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
  if (!exists)
    throw new NodeInputError(
      'KEY_NOT_FOUND',
      path,
      `no key named "${name}"`,
      '`joule keys list` shows the keys; `joule keys add NAME` makes one',
    );
  const loaded = await loadKeyFile(path, `key "${name}"`);
  return { name, address: loaded.file.address, publicKey: loaded.file.public_key, key: loaded, path };
}

/** The keys of the home's keyring, by name. */
export async function listKeys(home: string): Promise<KeyInfo[]> {
  const names = (await readdir(homePaths(home).keyring).catch(() => []))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .filter((n) => keyNamePattern.test(n))
    .sort()
    .slice(0, maxKeyringKeys);
  const out: KeyInfo[] = [];
  for (const name of names) {
    const { key: _key, path: _path, ...info } = await loadKey(home, name);
    out.push(info);
  }
  return out;
}
