import { addressOf, formatAddress, generateKeyPair } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { coreModules, txMessage } from '../index.js';
import { eventsOf, TestChain } from '../testkit/index.js';
import { getNote, notesModule, setNote } from './notes.js';

describe('the README example module', () => {
  it('sets notes for their signer only, with events, and answers queries', async () => {
    const core = coreModules();
    const alice = generateKeyPair(new Uint8Array(32).fill(5));
    const c = await TestChain.create({
      modules: [...core.modules, notesModule],
      accounts: core.accounts,
      genesis: { auth: { accounts: [{ address: formatAddress(addressOf(alice.publicKey), 'joule') }] } },
    });
    const result = await c.deliver(alice, txMessage(setNote, { text: 'solar panels cleaned' }));
    expect(result.code).toBe(0);
    expect(eventsOf(result, 'notes.set')[0]?.length).toBe('20');
    expect(eventsOf(result, 'notes.set')[0]?.owner, 'an address value prints in bech32').toBe(
      formatAddress(addressOf(alice.publicKey), 'joule'),
    );
    expect(await c.query('notes', getNote, { owner: addressOf(alice.publicKey) })).toBe(
      'solar panels cleaned',
    );
    expect((await c.check(await c.tx(alice, [txMessage(setNote, { text: ' ' })]))).codespace).toBe(
      'TX_INVALID_MESSAGE',
    );
  });

  it('answers queries on genesis right after init, before any block', async () => {
    const core = coreModules();
    const bob = generateKeyPair(new Uint8Array(32).fill(6));
    const owner = Buffer.from(addressOf(bob.publicKey)).toString('hex');
    const c = await TestChain.create({
      modules: [...core.modules, notesModule],
      accounts: core.accounts,
      genesis: {
        auth: { accounts: [{ address: formatAddress(addressOf(bob.publicKey), 'joule'), nonce: 3 }] },
        notes: { notes: [[owner, 'meter 7 installed']] },
      },
    });
    expect(c.height).toBe(0);
    expect(await c.query('notes', getNote, { owner: addressOf(bob.publicKey) })).toBe('meter 7 installed');
    expect(await c.nextNonce(bob.publicKey), "the kit signs with genesis's nonce").toBe(3);
    expect((await c.deliver(bob, txMessage(setNote, { text: 'meter 7 read' }))).code).toBe(0);
    expect(await c.query('notes', getNote, { owner: addressOf(bob.publicKey) })).toBe('meter 7 read');
  });
});
