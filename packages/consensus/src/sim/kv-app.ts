import type {
  AppInfo,
  Application,
  CheckTxResponse,
  CommitResponse,
  ExecTxResult,
  FinalizeBlockRequest,
  FinalizeBlockResponse,
  InitChainRequest,
  InitChainResponse,
  PrepareProposalRequest,
  PrepareProposalResponse,
  ProcessProposalRequest,
  QueryRequest,
  QueryResponse,
} from '../app/application.js';
import { sha256 } from '../crypto/hash.js';
import { SimulationError } from './errors.js';

const text = new TextDecoder();
const bytes = new TextEncoder();

/** A transaction the simulator's application accepts: `set <key> <value>`. */
export function kvTx(key: string, value: string): Uint8Array {
  return bytes.encode(`set ${key} ${value}`);
}

/** A transaction that sets a validator's power: its change takes effect two heights later. */
export function validatorTx(pubKey: Uint8Array, power: bigint): Uint8Array {
  return bytes.encode(`val ${Buffer.from(pubKey).toString('hex')} ${power}`);
}

/** A transaction that no correct node may ever decide (Byzantine proposers slip it in). */
export function poisonTx(tag: string): Uint8Array {
  return bytes.encode(`bad ${tag}`);
}

export function isPoison(tx: Uint8Array): boolean {
  return text.decode(tx).startsWith('bad ');
}

/** What survives a crash of the simulator's application: its last committed state. */
export interface KvDurable {
  height: number;
  appHash: Uint8Array;
  entries: Map<string, string>;
}

/**
 * The simulator's application: a key-value store. `processProposal` rejects any block holding a
 * poison transaction (which is what validity means in the simulation); the app hash chains the
 * previous hash with each block's writes, so any divergence shows at once. Committed state lives
 * in a `KvDurable` the simulation keeps across crashes.
 */
export class KvApp implements Application {
  readonly #durable: KvDurable;
  readonly #retainBlocks: number;
  #pending: { height: number; appHash: Uint8Array; writes: [string, string][] } | null = null;

  /** `retainBlocks`: how many recent blocks the node keeps (`commit` asks to prune older ones; 0 keeps all). */
  constructor(durable: KvDurable, options: { readonly retainBlocks?: number } = {}) {
    this.#durable = durable;
    this.#retainBlocks = options.retainBlocks ?? 0;
  }

  static empty(): KvDurable {
    return { height: 0, appHash: sha256(new Uint8Array(0)), entries: new Map() };
  }

  async info(): Promise<AppInfo> {
    return { lastBlockHeight: this.#durable.height, lastBlockAppHash: this.#durable.appHash };
  }
  async initChain(_request: InitChainRequest): Promise<InitChainResponse> {
    return { validators: [], appHash: this.#durable.appHash };
  }
  async checkTx(request: { tx: Uint8Array }): Promise<CheckTxResponse> {
    const ok = parse(request.tx) !== null;
    return {
      code: ok ? 0 : 1,
      codespace: ok ? '' : 'TX_MALFORMED',
      log: ok ? '' : 'not a set tx',
      gasWanted: 1,
    };
  }
  async prepareProposal(request: PrepareProposalRequest): Promise<PrepareProposalResponse> {
    return { txs: request.txs.filter((tx) => parse(tx) !== null) };
  }
  async processProposal(request: ProcessProposalRequest): Promise<'accept' | 'reject'> {
    return request.txs.every((tx) => parse(tx) !== null) ? 'accept' : 'reject';
  }
  async finalizeBlock(request: FinalizeBlockRequest): Promise<FinalizeBlockResponse> {
    const writes: [string, string][] = [];
    const updates = new Map<string, bigint>();
    const txResults: ExecTxResult[] = request.block.txs.map((tx) => {
      const kv = parse(tx);
      if (kv !== null) {
        writes.push(kv);
        if (kv[0].startsWith('val:')) updates.set(kv[0].slice(4), BigInt(kv[1]));
      }
      const code = kv === null ? 1 : 0;
      return { code, codespace: '', log: '', data: new Uint8Array(0), gasWanted: 1, gasUsed: 1, events: [] };
    });
    const appHash = sha256(this.#durable.appHash, bytes.encode(JSON.stringify(writes)));
    this.#pending = { height: request.block.header.height, appHash, writes };
    // Sorted by key, so every node returns the same list.
    const validatorUpdates = [...updates.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([hex, power]) => ({ pubKey: new Uint8Array(Buffer.from(hex, 'hex')), power }));
    return { txResults, events: [], validatorUpdates, appHash };
  }

  async commit(): Promise<CommitResponse> {
    const p = this.#pending;
    if (p === null) throw new SimulationError('SIM_APP_PROTOCOL', 'commit without finalizeBlock');
    for (const [k, v] of p.writes) this.#durable.entries.set(k, v);
    this.#durable.height = p.height;
    this.#durable.appHash = p.appHash;
    this.#pending = null;
    const retainHeight = this.#retainBlocks > 0 ? Math.max(0, p.height - this.#retainBlocks + 1) : 0;
    return { retainHeight };
  }
  async query(request: QueryRequest): Promise<QueryResponse> {
    const value = this.#durable.entries.get(text.decode(request.data));
    return {
      code: value === undefined ? 1 : 0,
      codespace: '',
      log: '',
      value: bytes.encode(value ?? ''),
      height: this.#durable.height,
    };
  }
}

/** `set k v` → [k, v]; `val <pubkey hex> <power>` → [`val:<hex>`, power]; anything else → null. */
function parse(tx: Uint8Array): [string, string] | null {
  const parts = text.decode(tx).split(' ');
  if (parts.length !== 3) return null;
  const [op, a, b] = parts as [string, string, string];
  if (op === 'set') return [a, b];
  if (op === 'val' && /^[0-9a-f]{64}$/.test(a) && /^[1-9][0-9]{0,3}$/.test(b)) return [`val:${a}`, b];
  return null;
}
