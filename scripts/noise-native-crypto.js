// The bundle's replacement for @chainsafe/libp2p-noise's `dist/src/crypto/index.js` (see
// scripts/bundle.mjs). The original compiles @chainsafe/as-chacha20poly1305's WebAssembly when it is
// imported (for ChaCha20-Poly1305 under 1200 bytes) and loads @chainsafe/as-sha256: ~1–2 MB of a
// board's memory, and it makes `node --jitless`/`--lite-mode` crash at start. This module keeps the
// package's interface (`defaultCrypto`, `pureJsCrypto`) and does every operation with node:crypto
// (OpenSSL): SHA-256, ChaCha20-Poly1305 at every size, X25519; HKDF stays the package's (noble).
import crypto from 'node:crypto';
import { Uint8ArrayList } from 'uint8arraylist';
import { pureJsCrypto } from './js.js';

const CHACHA_POLY1305 = 'chacha20-poly1305';
const PKCS8_PREFIX = Buffer.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);
const X25519_PREFIX = Buffer.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]);

const bytes = (data) => (data instanceof Uint8Array ? data : data.subarray());
const der = (prefix, key) => {
  const k = bytes(key);
  return Buffer.concat([prefix, k], prefix.byteLength + k.byteLength);
};

export { pureJsCrypto };

export const defaultCrypto = {
  ...pureJsCrypto,
  hashSHA256(data) {
    const hash = crypto.createHash('sha256');
    if (data instanceof Uint8Array) return hash.update(data).digest();
    for (const buf of data) hash.update(buf);
    return hash.digest();
  },
  chaCha20Poly1305Encrypt(plaintext, nonce, ad, k) {
    const cipher = crypto.createCipheriv(CHACHA_POLY1305, k, nonce, { authTagLength: 16 });
    cipher.setAAD(ad, { plaintextLength: plaintext.byteLength });
    if (plaintext instanceof Uint8Array) {
      const updated = cipher.update(plaintext);
      const final = cipher.final();
      const tag = cipher.getAuthTag();
      return Buffer.concat([updated, final, tag], updated.byteLength + final.byteLength + tag.byteLength);
    }
    const output = new Uint8ArrayList();
    for (const buf of plaintext) output.append(cipher.update(buf));
    const final = cipher.final();
    if (final.byteLength > 0) output.append(final);
    output.append(cipher.getAuthTag());
    return output;
  },
  chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k) {
    const authTag = ciphertext.subarray(ciphertext.length - 16);
    const decipher = crypto.createDecipheriv(CHACHA_POLY1305, k, nonce, { authTagLength: 16 });
    const text =
      ciphertext instanceof Uint8Array
        ? ciphertext.subarray(0, ciphertext.length - 16)
        : ciphertext.sublist(0, ciphertext.length - 16);
    decipher.setAAD(ad, { plaintextLength: text.byteLength });
    decipher.setAuthTag(authTag);
    if (text instanceof Uint8Array) {
      const output = decipher.update(text);
      const final = decipher.final();
      return final.byteLength > 0
        ? Buffer.concat([output, final], output.byteLength + final.byteLength)
        : output;
    }
    const output = new Uint8ArrayList();
    for (const buf of text) output.append(decipher.update(buf));
    const final = decipher.final();
    if (final.byteLength > 0) output.append(final);
    return output;
  },
  generateX25519KeyPair() {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('x25519', {
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    });
    return {
      publicKey: publicKey.subarray(X25519_PREFIX.length),
      privateKey: privateKey.subarray(PKCS8_PREFIX.length),
    };
  },
  generateX25519KeyPairFromSeed(seed) {
    const privateKey = crypto.createPrivateKey({
      key: der(PKCS8_PREFIX, seed),
      type: 'pkcs8',
      format: 'der',
    });
    const publicKey = crypto
      .createPublicKey(privateKey)
      .export({ type: 'spki', format: 'der' })
      .subarray(X25519_PREFIX.length);
    return { publicKey, privateKey: seed };
  },
  generateX25519SharedKey(privateKey, publicKey) {
    return crypto.diffieHellman({
      publicKey: crypto.createPublicKey({ key: der(X25519_PREFIX, publicKey), type: 'spki', format: 'der' }),
      privateKey: crypto.createPrivateKey({
        key: der(PKCS8_PREFIX, privateKey),
        type: 'pkcs8',
        format: 'der',
      }),
    });
  },
};
