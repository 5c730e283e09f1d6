import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  addressOf,
  formatAddress,
  fromHex,
  generateKeyPair,
  type KeyPair,
  publicKeyOf,
  toHex,
} from '@joule/consensus';
import { maxKeyFileBytes } from '../constants.js';
import { KeyFileError } from '../errors.js';

/**
 * A key file: one ed25519 key as JSON, `{ "type": "ed25519", "address", "public_key", "secret_key" }`
 * with hex keys. Written once with mode 0600 (never overwritten); refused on load when readable by
 * others, when the public key does not belong to the secret key, or when it is not this format.
 */
export interface KeyFile {
  readonly type: 'ed25519';
  readonly name?: string;
  readonly address: string;
  readonly public_key: string;
  readonly secret_key: string;
}

/** Creates a new key file (mode 0600, its directory 0700); fails if the file exists. */
export async function createKeyFile(
  path: string,
  prefix: string,
  name?: string,
  key: KeyPair = generateKeyPair(),
): Promise<KeyPair> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const body: KeyFile = {
    type: 'ed25519',
    ...(name === undefined ? {} : { name }),
    address: formatAddress(addressOf(key.publicKey), prefix),
    public_key: toHex(key.publicKey),
    secret_key: toHex(key.secretKey),
  };
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return key;
}

/** Loads and checks a key file; `label` names it in errors (`node key`, `validator key`, `key "alice"`). */
export async function loadKeyFile(path: string, label: string): Promise<KeyPair & { file: KeyFile }> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new KeyFileError(
      path,
      `the ${label} file is missing`,
      'run `joule init` for a new home, or restore the file from your backup',
    );
  }
  if (!info.isFile() || info.size > maxKeyFileBytes)
    throw new KeyFileError(
      path,
      `the ${label} file is not a small regular file`,
      'restore the file from your backup',
    );
  if ((info.mode & 0o077) !== 0)
    throw new KeyFileError(
      path,
      `the ${label} file is readable by others (mode ${(info.mode & 0o777).toString(8)})`,
      `run chmod 600 ${path}`,
    );
  const bad = (problem: string): never => {
    throw new KeyFileError(
      path,
      `${label}: ${problem}`,
      'restore the file from your backup; never edit key files by hand',
    );
  };
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return bad('not valid JSON');
  }
  const o = json as Partial<KeyFile>;
  if (typeof o !== 'object' || o === null || o.type !== 'ed25519') return bad('expected "type": "ed25519"');
  if (typeof o.secret_key !== 'string' || !/^[0-9a-f]{64}$/.test(o.secret_key))
    return bad('"secret_key" must be 64 hex characters');
  if (typeof o.public_key !== 'string' || !/^[0-9a-f]{64}$/.test(o.public_key))
    return bad('"public_key" must be 64 hex characters');
  const secretKey = fromHex(o.secret_key);
  const publicKey = publicKeyOf(secretKey);
  if (toHex(publicKey) !== o.public_key) return bad('"public_key" does not belong to "secret_key"');
  return { secretKey, publicKey, file: o as KeyFile };
}

const base58Alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/**
 * The libp2p peer id of an ed25519 public key (`12D3KooW…`): base58btc of the identity multihash of
 * the protobuf-encoded key, as libp2p computes it. The node key's seed is the libp2p identity key
 * (see @joule/p2p's `libp2pKeyOf`), so this is the node id without starting libp2p.
 */
export function peerIdOf(publicKey: Uint8Array): string {
  const bytes = new Uint8Array([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...publicKey]);
  let n = BigInt(`0x${toHex(bytes)}`);
  let out = '';
  while (n > 0n) {
    out = base58Alphabet[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}
