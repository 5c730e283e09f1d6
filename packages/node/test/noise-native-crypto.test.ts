import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The board bundle swaps @chainsafe/libp2p-noise's crypto module for scripts/noise-native-crypto.js
// (node:crypto only). Every operation must give the bytes of Noise's own pure-JS implementation, or
// two nodes of different builds could not handshake. The module imports `./js.js` (Noise's file
// beside the one it replaces); here it is loaded from a folder inside the repository whose `js.js`
// re-exports Noise's.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const noiseJs = join(root, 'node_modules/@chainsafe/libp2p-noise/dist/src/crypto/js.js');

interface NoiseCrypto {
  hashSHA256(data: Uint8Array): Uint8Array;
  chaCha20Poly1305Encrypt(p: Uint8Array, n: Uint8Array, ad: Uint8Array, k: Uint8Array): Uint8Array;
  chaCha20Poly1305Decrypt(c: Uint8Array, n: Uint8Array, ad: Uint8Array, k: Uint8Array): Uint8Array;
  generateX25519KeyPairFromSeed(seed: Uint8Array): { publicKey: Uint8Array; privateKey: Uint8Array };
  generateX25519KeyPair(): { publicKey: Uint8Array; privateKey: Uint8Array };
  generateX25519SharedKey(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

let dir: string;
let native: NoiseCrypto;
let pure: NoiseCrypto;

beforeAll(async () => {
  dir = mkdtempSync(join(root, 'packages/node/.noise-crypto-test-'));
  writeFileSync(join(dir, 'index.js'), readFileSync(join(root, 'scripts/noise-native-crypto.js'), 'utf8'));
  writeFileSync(
    join(dir, 'js.js'),
    `export { pureJsCrypto } from ${JSON.stringify(pathToFileURL(noiseJs).href)};\n`,
  );
  const module = (await import(pathToFileURL(join(dir, 'index.js')).href)) as {
    defaultCrypto: NoiseCrypto;
    pureJsCrypto: NoiseCrypto;
  };
  native = module.defaultCrypto;
  pure = module.pureJsCrypto;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('the bundle’s node:crypto module for Noise', () => {
  it('hashes as Noise’s pure-JS SHA-256', () => {
    for (const size of [0, 1, 64, 1000]) {
      const data = randomBytes(size);
      expect(hex(native.hashSHA256(data)), `size ${size}`).toBe(hex(pure.hashSHA256(data)));
    }
  });

  it('seals and opens ChaCha20-Poly1305 as Noise’s pure-JS one, at sizes below and above 1 200 bytes', () => {
    for (const size of [0, 15, 1199, 1200, 5000]) {
      const [k, n, ad, p] = [randomBytes(32), randomBytes(12), randomBytes(32), randomBytes(size)];
      const sealed = native.chaCha20Poly1305Encrypt(p, n, ad, k);
      expect(hex(sealed), `size ${size}`).toBe(hex(pure.chaCha20Poly1305Encrypt(p, n, ad, k)));
      expect(hex(native.chaCha20Poly1305Decrypt(sealed, n, ad, k)), `size ${size}`).toBe(hex(p));
    }
  });

  it('refuses a tampered ciphertext', () => {
    const [k, n, ad] = [randomBytes(32), randomBytes(12), randomBytes(32)];
    const sealed = Buffer.from(native.chaCha20Poly1305Encrypt(randomBytes(100), n, ad, k));
    sealed[3] = (sealed[3] ?? 0) ^ 1;
    expect(() => native.chaCha20Poly1305Decrypt(sealed, n, ad, k)).toThrow();
  });

  it('derives X25519 keys and shared secrets as Noise’s pure-JS one', () => {
    const seed = randomBytes(32);
    const a = native.generateX25519KeyPairFromSeed(seed);
    expect(hex(a.publicKey)).toBe(hex(pure.generateX25519KeyPairFromSeed(seed).publicKey));
    const b = native.generateX25519KeyPair();
    expect(b.publicKey.length).toBe(32);
    expect(b.privateKey.length).toBe(32);
    expect(hex(native.generateX25519SharedKey(a.privateKey, b.publicKey))).toBe(
      hex(pure.generateX25519SharedKey(b.privateKey, a.publicKey)),
    );
  });
});
