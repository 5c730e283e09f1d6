import type { Module } from '../app/module.js';
import { type AuthKeeper, type AuthModule, auth } from './auth/auth.js';
import { type BankModule, bank } from './bank/bank.js';
import { type PoaModule, poa } from './poa/poa.js';

export interface CoreModules {
  readonly auth: AuthModule;
  readonly bank: BankModule;
  readonly poa: PoaModule;
  /** The three, in registration order: auth, bank, poa. */
  readonly modules: readonly Module[];
  /** What `App` needs for the nonce check. */
  readonly accounts: AuthKeeper;
}

/** auth, bank and poa wired together (bank creates accounts through auth). */
export function coreModules(options: { readonly addressPrefix?: string } = {}): CoreModules {
  const a = auth(options);
  const b = bank(options, { auth: a.keeper });
  const p = poa(options);
  return { auth: a, bank: b, poa: p, modules: [a, b, p] as Module[], accounts: a.keeper };
}
