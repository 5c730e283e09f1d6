import { addressOf, formatAddress, generateKeyPair, type KeyPair } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { type TxMessage, txMessage } from '../../app/tx.js';
import { TestChain } from '../../testkit/test-chain.js';
import { type CoreModules, coreModules } from '../core.js';

/**
 * Every message of bank and poa, signed by every role: each cell is the exact result (0 or the
 * error code). The chain of each cell went through a handover — `former` proposed `current`, who
 * accepted and now proposes `pending` — so the former authority is a real one that lost its power.
 */
const key = (seed: number): KeyPair => generateKeyPair(new Uint8Array(32).fill(seed));
const roles = {
  current: key(111),
  pending: key(112),
  former: key(113),
  ordinary: key(114),
  noFunds: key(115),
} as const;
type Role = keyof typeof roles;
const roleNames = Object.keys(roles) as Role[];
const v1 = key(121);
const v2 = key(122);
const v3 = key(123);
const addr = (k: KeyPair): Uint8Array => addressOf(k.publicKey);
const bech = (k: KeyPair): string => formatAddress(addr(k), 'joule');

type Expected = 'ok' | string;
interface Row {
  readonly message: (core: CoreModules) => TxMessage;
  /** The result per role: `ok` or the codespace of the refusal. */
  readonly cells: Record<Role, Expected>;
}

const onlyCurrent = (refusal: string): Record<Role, Expected> => ({
  current: 'ok',
  pending: refusal,
  former: refusal,
  ordinary: refusal,
  noFunds: refusal,
});
const anyoneFunded: Record<Role, Expected> = {
  current: 'ok',
  pending: 'ok',
  former: 'ok',
  ordinary: 'ok',
  noFunds: 'BANK_INSUFFICIENT_FUNDS',
};
const onlyPending: Record<Role, Expected> = {
  current: 'AUTHORITY_NOT_PENDING',
  pending: 'ok',
  former: 'AUTHORITY_NOT_PENDING',
  ordinary: 'AUTHORITY_NOT_PENDING',
  noFunds: 'AUTHORITY_NOT_PENDING',
};

const bankRows: Record<string, Row> = {
  'bank/send': {
    message: (c) => txMessage(c.bank.msg.send, { to: addr(v3), denom: 'kwh', amount: 1n }),
    cells: anyoneFunded,
  },
  'bank/multi_send': {
    message: (c) =>
      txMessage(c.bank.msg.multiSend, { outputs: [{ to: addr(v3), denom: 'kwh', amount: 1n }] }),
    cells: anyoneFunded,
  },
  'bank/mint': {
    message: (c) => txMessage(c.bank.msg.mint, { to: addr(v3), denom: 'kwh', amount: 1n }),
    cells: onlyCurrent('UNAUTHORIZED'),
  },
  'bank/burn': {
    message: (c) => txMessage(c.bank.msg.burn, { denom: 'kwh', amount: 1n }),
    cells: onlyCurrent('UNAUTHORIZED'),
  },
  'bank/transfer_authority': {
    message: (c) => txMessage(c.bank.msg.transferAuthority, { authority: addr(roles.ordinary) }),
    cells: onlyCurrent('UNAUTHORIZED'),
  },
  'bank/accept_authority': {
    message: (c) => txMessage(c.bank.msg.acceptAuthority, {}),
    cells: onlyPending,
  },
  'bank/cancel_authority_transfer': {
    message: (c) => txMessage(c.bank.msg.cancelAuthorityTransfer, {}),
    cells: onlyCurrent('UNAUTHORIZED'),
  },
};

const poaRows: Record<string, Row> = {
  'poa/add_validator': {
    message: (c) => txMessage(c.poa.msg.addValidator, { pubKey: v3.publicKey, power: 5n }),
    cells: onlyCurrent('UNAUTHORIZED'),
  },
  'poa/set_power': {
    message: (c) => txMessage(c.poa.msg.setPower, { pubKey: v1.publicKey, power: 20n }),
    cells: onlyCurrent('UNAUTHORIZED'),
  },
  'poa/remove_validator': {
    message: (c) => txMessage(c.poa.msg.removeValidator, { pubKey: v2.publicKey }),
    cells: onlyCurrent('UNAUTHORIZED'),
  },
  'poa/transfer_authority': {
    message: (c) => txMessage(c.poa.msg.transferAuthority, { authority: addr(roles.ordinary) }),
    cells: onlyCurrent('UNAUTHORIZED'),
  },
  'poa/accept_authority': {
    message: (c) => txMessage(c.poa.msg.acceptAuthority, {}),
    cells: onlyPending,
  },
  'poa/cancel_authority_transfer': {
    message: (c) => txMessage(c.poa.msg.cancelAuthorityTransfer, {}),
    cells: onlyCurrent('UNAUTHORIZED'),
  },
};

/** A chain whose bank and poa authorities went former → current, with `pending` proposed. */
async function handedOver(): Promise<{ c: TestChain; core: CoreModules }> {
  const core = coreModules();
  const funded = [roles.current, roles.pending, roles.former, roles.ordinary];
  const c = await TestChain.create({
    modules: core.modules,
    accounts: core.accounts,
    validators: [{ pubKey: v1.publicKey, power: 10n }],
    genesis: {
      auth: { accounts: [{ address: bech(roles.noFunds) }] },
      bank: {
        authority: bech(roles.former),
        balances: funded.map((k) => ({ address: bech(k), denom: 'kwh', amount: '100' })),
      },
      poa: {
        authority: bech(roles.former),
        validators: [
          { pubKey: Buffer.from(v1.publicKey).toString('hex'), power: '10' },
          { pubKey: Buffer.from(v2.publicKey).toString('hex'), power: '10' },
        ],
      },
    },
  });
  const steps: [KeyPair, TxMessage][] = [
    [roles.former, txMessage(core.bank.msg.transferAuthority, { authority: addr(roles.current) })],
    [roles.current, txMessage(core.bank.msg.acceptAuthority, {})],
    [roles.current, txMessage(core.bank.msg.transferAuthority, { authority: addr(roles.pending) })],
    [roles.former, txMessage(core.poa.msg.transferAuthority, { authority: addr(roles.current) })],
    [roles.current, txMessage(core.poa.msg.acceptAuthority, {})],
    [roles.current, txMessage(core.poa.msg.transferAuthority, { authority: addr(roles.pending) })],
  ];
  for (const [signer, m] of steps) {
    const result = await c.deliver(signer, m);
    expect(result.code, `handover step ${m.type}: ${result.log}`).toBe(0);
  }
  return { c, core };
}

describe('authority matrix', () => {
  it('has a row for every message of bank and poa', () => {
    const core = coreModules();
    const types = [...(core.bank.messages ?? []), ...(core.poa.messages ?? [])].map((m) => m.type).sort();
    expect(Object.keys({ ...bankRows, ...poaRows }).sort()).toEqual(types);
  });

  for (const [type, row] of Object.entries({ ...bankRows, ...poaRows })) {
    it(`${type}: each role gets exactly its cell`, async () => {
      for (const role of roleNames) {
        const { c, core } = await handedOver();
        const result = await c.deliver(roles[role], row.message(core));
        const got = result.code === 0 ? 'ok' : result.codespace;
        expect(got, `${type} signed by the ${role} authority/account (${result.log})`).toBe(row.cells[role]);
      }
    });
  }
});
