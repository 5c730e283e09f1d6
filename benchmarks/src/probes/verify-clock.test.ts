import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';

describe('verify-clock probe', () => {
  it('wraps crypto.verify without changing a verdict', async () => {
    const native = crypto.verify;
    await import('./verify-clock.js');
    expect(crypto.verify).not.toBe(native);
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const message = Buffer.from('a vote');
    const signature = crypto.sign(null, message, privateKey);
    expect(crypto.verify(null, message, publicKey, signature)).toBe(true);
    expect(crypto.verify(null, Buffer.from('another vote'), publicKey, signature)).toBe(false);
    const bad = Buffer.from(signature);
    bad[0] = (bad[0] as number) ^ 1;
    expect(crypto.verify(null, message, publicKey, bad)).toBe(false);
  });
});
