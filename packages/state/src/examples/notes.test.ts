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
    expect(await c.query('notes', getNote, { owner: addressOf(alice.publicKey) })).toBe(
      'solar panels cleaned',
    );
    expect((await c.check(await c.tx(alice, [txMessage(setNote, { text: ' ' })]))).codespace).toBe(
      'TX_INVALID_MESSAGE',
    );
  });
});
