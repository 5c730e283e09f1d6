import {
  address,
  addressOf,
  type Block,
  blockId,
  type Codec,
  decode,
  encode,
  type KeyPair,
  nullable,
  struct,
} from '@joule/consensus';
import type * as abci from '../app/abci.js';
import type { AccountKeeper } from '../app/ante.js';
import { App, type AppOptions } from '../app/app.js';
import { type AppLimits, appSectionName, defaultAppLimits } from '../app/limits.js';
import type { Module, QueryType } from '../app/module.js';
import { signQuery } from '../app/queries.js';
import { signTx, type TxMessage, txMessage } from '../app/tx.js';
import { TxError } from '../app/tx-errors.js';
import type { KvStore } from '../kv/kv-store.js';
import { MemoryKvStore } from '../kv/level-kv-store.js';
import { accountCodec } from '../modules/auth/auth.js';
import { testBlock, testGenesisTimeMs, testValidatorSet } from './chain-fixtures.js';

export interface TestChainOptions {
  readonly modules: readonly Module[];
  readonly accounts: AccountKeeper;
  readonly chainId?: string;
  /** Bech32 prefix of the chain's addresses (default `joule`): contexts, events, genesis parsing. */
  readonly addressPrefix?: string;
  /** The genesis `app_state`, by module name (JSON-able). */
  readonly genesis?: Record<string, unknown>;
  /** Genesis validators handed to initChain (default: one test validator of power 10). */
  readonly validators?: readonly abci.ValidatorUpdate[];
  /** Defaults to a fresh memory-level store; pass a started `ClassicKvStore` for LevelDB. */
  readonly kv?: KvStore;
  /**
   * The App's node options, and — a shortcut of the kit — chain limits (`hookWorkBudget`,
   * `maxTxGas`, …), which it writes into the genesis `app` section, where a real chain has them.
   */
  readonly app?: AppOptions & Partial<AppLimits>;
}

export { txMessage };

/**
 * A chain in a test: an `App` with the chosen modules, blocks built and committed one call at a
 * time, transactions signed with the right nonce, queries typed. For module authors' tests.
 */
export class TestChain {
  private last: Block | null = null;
  private finalized: Block | null = null;

  private constructor(
    readonly app: App,
    readonly chainId: string,
    readonly kv: KvStore,
    private readonly options: TestChainOptions,
  ) {}

  /** Starts an app on `options.kv` (or memory-level) and runs initChain, or resumes a committed one. */
  static async create(options: TestChainOptions): Promise<TestChain> {
    const kv = options.kv ?? new MemoryKvStore();
    await kv.start();
    const chainId = options.chainId ?? 'test-chain';
    const { appOptions, genesis } = splitOptions(options);
    const app = new App(appOptions, {
      kv,
      modules: options.modules,
      accounts: options.accounts,
      ...(options.addressPrefix === undefined ? {} : { addressPrefix: options.addressPrefix }),
    });
    await app.start();
    const chain = new TestChain(app, chainId, kv, options);
    if ((await app.info()).lastBlockHeight === 0) {
      await app.initChain({
        chainId,
        time: testGenesisTimeMs,
        initialHeight: 1,
        validators: options.validators ?? [{ pubKey: testValidatorSet(1).validators[0]!.pubKey, power: 10n }],
        appStateBytes: new TextEncoder().encode(JSON.stringify(genesis)),
      });
    }
    return chain;
  }

  get height(): number {
    return this.app.store.version() ?? 0;
  }

  get appHash(): Uint8Array {
    return this.app.store.rootHash();
  }

  /** Finalizes and commits a block of `txs`; returns consensus's view of it. */
  async block(txs: readonly Uint8Array[] = []): Promise<abci.FinalizeBlockResponse> {
    const response = await this.finalize(txs);
    await this.commitFinalized();
    return response;
  }

  /** Finalizes a block of `txs` without committing it (`commitFinalized` does): to time the two apart. */
  async finalize(txs: readonly Uint8Array[]): Promise<abci.FinalizeBlockResponse> {
    const block = testBlock(this.chainId, this.height + 1, this.last, txs, this.appHash, testValidatorSet(1));
    const response = await this.app.finalizeBlock({ block, hash: blockId(block).hash, misbehavior: [] });
    this.finalized = block;
    return response;
  }

  /** Commits the block `finalize` finalized. */
  async commitFinalized(): Promise<void> {
    if (this.finalized === null) throw new Error('commitFinalized without a finalized block');
    await this.app.commit();
    this.last = this.finalized;
    this.finalized = null;
  }

  /** A signed transaction from `signer` carrying `messages`, with its next nonce unless given. */
  async tx(
    signer: KeyPair,
    messages: readonly TxMessage[],
    options: { nonce?: number; memo?: string; chainId?: string } = {},
  ): Promise<Uint8Array> {
    const nonce = options.nonce ?? (await this.nextNonce(signer.publicKey));
    return signTx(signer.secretKey, {
      chainId: options.chainId ?? this.chainId,
      nonce,
      messages,
      ...(options.memo === undefined ? {} : { memo: options.memo }),
    });
  }

  /** Signs, then runs one transaction in a block of its own; returns its result. */
  async deliver(signer: KeyPair, ...messages: TxMessage[]): Promise<abci.ExecTxResult> {
    const response = await this.block([await this.tx(signer, messages)]);
    return response.txResults[0] as abci.ExecTxResult;
  }

  async check(tx: Uint8Array): Promise<abci.CheckTxResponse> {
    return this.app.checkTx({ tx, kind: 'new' });
  }

  /** Runs a module query; an authenticated one is signed by `caller` at the last block time. Throws `TxError` on failure. */
  async query<Req, Res>(
    module: string,
    query: QueryType<Req, Res>,
    request: Req,
    caller?: KeyPair,
    timestamp?: number,
  ): Promise<Res> {
    const path = `/${module}/${query.path}`;
    const body = encode(query.request, request);
    const data =
      caller === undefined
        ? body
        : signQuery(caller.secretKey, {
            chainId: this.chainId,
            path,
            body,
            timestamp: timestamp ?? (await this.lastBlockTime()),
          });
    const response = await this.app.query({ path, data });
    if (response.code !== 0) throw new TxError(response.codespace, response.log);
    return decode(query.response, response.value);
  }

  /** The next nonce of the account of `publicKey` (0 for an unknown account). */
  async nextNonce(publicKey: Uint8Array): Promise<number> {
    const response = await this.app.query({
      path: '/auth/account',
      data: encode(addressRequest, { address: addressOf(publicKey) }),
    });
    if (response.code !== 0) return 0;
    return decode(nullable(accountCodec), response.value)?.nonce ?? 0;
  }

  /** A fresh `TestChain` over the same store (a restart); the old app is stopped. */
  async restart(): Promise<TestChain> {
    await this.app.stop();
    const chain = await TestChain.create({ ...this.options, kv: this.kv });
    chain.last = this.last;
    return chain;
  }

  /** The last block's time (ms), which a signed query's timestamp is checked against. */
  async lastBlockTime(): Promise<number> {
    return this.height === 0 ? testGenesisTimeMs : (this.last?.header.time ?? testGenesisTimeMs);
  }
}

/** The App's options, and the genesis with the limits given among them merged into its `app` section. */
function splitOptions(options: TestChainOptions): {
  appOptions: AppOptions;
  genesis: Record<string, unknown>;
} {
  const appOptions: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.app ?? {}))
    (key in defaultAppLimits ? limits : appOptions)[key] = value;
  const genesis = { ...(options.genesis ?? {}) };
  if (Object.keys(limits).length > 0)
    genesis[appSectionName] = { ...(genesis[appSectionName] as object | undefined), ...limits };
  return { appOptions: appOptions as AppOptions, genesis };
}

const addressRequest: Codec<{ address: Uint8Array }> = struct<{ address: Uint8Array }>('AccountRequest', {
  address,
});

/** Events of `type` in a result, as plain objects of their attributes. */
export function eventsOf(
  result: { readonly events: readonly abci.AppEvent[] },
  type: string,
): Record<string, string>[] {
  return result.events
    .filter((e) => e.type === type)
    .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
}
