/**
 * One validator's driver of a 4-validator genesis, alone on a fake transport that records what it
 * broadcasts, sends and reports: for feeding it hand-made (good and bad) messages. The test holds
 * every validator key, so it can sign as any of the other three.
 */
import type { Application } from '../app/application.js';
import type { Block } from '../block/block.js';
import { blockId } from '../block/block.js';
import { type Commit, CommitFlag, type CommitSig } from '../block/commit.js';
import type { ChainState } from '../chain/chain-state.js';
import { equalBytes } from '../codec/canonical.js';
import { addressOf } from '../crypto/address.js';
import type { KeyPair } from '../crypto/ed25519.js';
import { makeNextBlock } from '../driver/block-check.js';
import { ConsensusDriver } from '../driver/driver.js';
import type { ConsensusHaltError } from '../driver/halt.js';
import type { ConsensusMessage, DecisionMessage, ProposalMessage } from '../driver/messages.js';
import type { PeerFault, PeerFaultReport } from '../driver/peer-fault.js';
import type { TxPool } from '../driver/ports.js';
import type { PeerId, Transport } from '../driver/transport.js';
import { EvidencePool } from '../evidence/pool.js';
import { Mempool } from '../mempool/mempool.js';
import { DoubleSignGuard } from '../signer/guard.js';
import { MemorySignerStore } from '../signer/memory-signer-store.js';
import { SimulationError } from '../sim/errors.js';
import { KvApp, type KvDurable } from '../sim/kv-app.js';
import { MemoryChainStore } from '../sim/memory-chain-store.js';
import { VirtualTime } from '../sim/virtual-clock.js';
import { proposerForRound } from '../validators/proposer.js';
import { genesisValidatorSets } from '../validators/updates.js';
import { indexOfValidator } from '../validators/validator-set.js';
import { signProposal } from '../vote/proposal.js';
import { signVote, type Vote, VoteType } from '../vote/vote.js';
import { MemoryWal } from '../wal/memory-wal.js';
import { chainId, fastTimeouts, flush, genesisTime, testGenesis, testKeys } from './cluster.js';

/** A transport that records everything and lets the test play the network. */
export class FakeTransport implements Transport {
  readonly broadcasts: ConsensusMessage[] = [];
  readonly sends: [PeerId, ConsensusMessage][] = [];
  readonly reports: PeerFaultReport[] = [];
  handler: ((peer: PeerId, message: ConsensusMessage) => void) | null = null;

  broadcast(message: ConsensusMessage): void {
    this.broadcasts.push(message);
  }
  send(peer: PeerId, message: ConsensusMessage): void {
    this.sends.push([peer, message]);
  }
  onMessage(handler: (peer: PeerId, message: ConsensusMessage) => void): void {
    this.handler = handler;
  }
  reportPeer(peer: PeerId, fault: PeerFault): void {
    this.reports.push({ peer, fault });
  }
}

export interface Harness {
  readonly driver: ConsensusDriver;
  readonly transport: FakeTransport;
  readonly store: MemoryChainStore;
  readonly wal: MemoryWal;
  readonly time: VirtualTime;
  /** The chain state the driver started from (height 1). */
  readonly state: ChainState;
  readonly self: KeyPair;
  /** The other three validators' keys. */
  readonly others: readonly KeyPair[];
  readonly keys: readonly KeyPair[];
  /** The stores to restart from (`setupDriver({ disk: { ...h.disk, wal: h.disk.wal.crash() } })`). */
  readonly disk: DriverDisk;
  /** What the driver's `onHalt` listeners received. */
  readonly halts: readonly ConsensusHaltError[];
  /** Every warning the driver logged, in order. */
  readonly warnings: readonly string[];
  deliver(peer: PeerId, message: ConsensusMessage): void;
  /** Runs every event of the next `ms` of virtual time (time ends at now + ms). */
  run(ms: number): Promise<void>;
  /** Inputs that threw inside the driver (its "consensus input failed" warnings). */
  failures(): string[];
  /** A block that is valid at height 1. */
  goodBlock(): Block;
  /** `block` with a commit of precommits by the validators at `slots` (set order). */
  decision(block: Block, slots: readonly number[]): DecisionMessage;
}

/** What a lone driver keeps across a restart: its chain store, WAL, signer state and app state. */
export interface DriverDisk {
  readonly store: MemoryChainStore;
  readonly wal: MemoryWal;
  readonly signerStore: MemorySignerStore;
  readonly kv: KvDurable;
}

export interface SetupOptions {
  /** The validator whose driver runs: the proposer of this round of height 1 (default: one that does not propose round 0). */
  readonly proposerOf?: number;
  /** Or: a validator that proposes none of these rounds of height 1. */
  readonly notProposerOf?: readonly number[];
  /** The disk of an earlier run (a restart); default a fresh one. */
  readonly disk?: DriverDisk;
  /** The application over the durable app state; default a `KvApp`. */
  readonly app?: (kv: KvDurable) => Application;
  /** Wraps the driver's mempool (e.g. to watch its subscriptions); the default passes it as is. */
  readonly mempool?: (pool: Mempool) => TxPool;
}

/** Starts the driver of a validator that does not propose round 0 of height 1 (or as `options` say). */
export async function setupDriver(options: SetupOptions = {}): Promise<Harness> {
  const keys = testKeys(4);
  const genesis = testGenesis(keys);
  const validators = genesisValidatorSets(genesis.validators).validators;
  const proposes = (k: KeyPair, round: number) =>
    equalBytes(addressOf(k.publicKey), proposerForRound(validators, round).address);
  const self = keys.find((k) =>
    options.proposerOf !== undefined
      ? proposes(k, options.proposerOf)
      : (options.notProposerOf ?? [0]).every((round) => !proposes(k, round)),
  ) as KeyPair;
  const time = new VirtualTime(genesisTime);
  const transport = new FakeTransport();
  const disk: DriverDisk = options.disk ?? {
    store: new MemoryChainStore(),
    wal: new MemoryWal(),
    signerStore: new MemorySignerStore(),
    kv: KvApp.empty(),
  };
  const { store, wal } = disk;
  const app = options.app?.(disk.kv) ?? new KvApp(disk.kv);
  const guard = new DoubleSignGuard({ chainId }, { store: disk.signerStore, secretKey: self.secretKey });
  const warnings: string[] = [];
  const halts: ConsensusHaltError[] = [];
  const driver = new ConsensusDriver(
    { timeouts: fastTimeouts },
    {
      genesis,
      app,
      store,
      wal,
      transport,
      clock: time.clockFor(0, () => true),
      signer: {
        address: addressOf(self.publicKey),
        signVote: (v) => guard.signVote(v),
        signProposal: (p) => guard.signProposal(p),
        lastSigned: () => guard.lastSigned(),
      },
      mempool: (options.mempool ?? ((pool) => pool))(new Mempool({}, { app })),
      evidence: new EvidencePool(
        {},
        {
          chainId,
          chain: store,
        },
      ),
      logger: { debug() {}, info() {}, warn: (_fields, message) => warnings.push(message) },
    },
  );
  driver.onHalt((error) => halts.push(error));
  await guard.init();
  await driver.start();
  const settle = async () => {
    for (let i = 0; i < 5; i++) await flush();
  };
  await settle();
  const state = driver.chainState;
  return {
    driver,
    transport,
    store,
    wal,
    time,
    state,
    self,
    others: keys.filter((k) => k !== self),
    keys,
    disk,
    halts,
    warnings,
    deliver(peer, message) {
      if (transport.handler === null)
        throw new SimulationError('SIM_HARNESS', 'the driver installed no handler');
      transport.handler(peer, message);
    },
    async run(ms) {
      const deadline = time.now + ms;
      time.schedule(ms, () => {});
      await settle();
      while (time.runNext(deadline)) await settle();
    },
    failures: () => warnings.filter((w) => w === 'consensus input failed'),
    goodBlock: () =>
      makeNextBlock(state, proposerForRound(state.validators, 0).address, [], [], null, genesisTime),
    decision: (block, slots) => ({ kind: 'decision', block, commit: commitOf(state, keys, block, slots) }),
  };
}

function keyOf(keys: readonly KeyPair[], address: Uint8Array): KeyPair {
  const key = keys.find((k) => equalBytes(addressOf(k.publicKey), address));
  if (key === undefined) throw new SimulationError('SIM_HARNESS', 'no key for that address');
  return key;
}

function commitOf(
  state: ChainState,
  keys: readonly KeyPair[],
  block: Block,
  slots: readonly number[],
): Commit {
  const id = blockId(block);
  const height = block.header.height;
  const signatures = state.validators.validators.map((v, i): CommitSig => {
    if (!slots.includes(i)) {
      return {
        flag: CommitFlag.Absent,
        validatorAddress: new Uint8Array(0),
        timestamp: 0,
        signature: new Uint8Array(0),
      };
    }
    const vote = signVote(
      chainId,
      {
        type: VoteType.Precommit,
        height,
        round: 0,
        blockId: id,
        timestamp: genesisTime + 100 + i,
        validatorAddress: v.address,
        validatorIndex: i,
      },
      keyOf(keys, v.address).secretKey,
    );
    return {
      flag: CommitFlag.Commit,
      validatorAddress: v.address,
      timestamp: vote.timestamp,
      signature: vote.signature,
    };
  });
  return { height, round: 0, blockId: id, signatures };
}

/** A vote signed by `key` at the driver's height unless `height` is given. */
export function voteOf(
  h: Harness,
  key: KeyPair | undefined,
  fields: Pick<Vote, 'type' | 'round' | 'blockId'> &
    Partial<Pick<Vote, 'height' | 'timestamp' | 'validatorIndex'>>,
): Vote {
  if (key === undefined) throw new SimulationError('SIM_HARNESS', 'no such key');
  const address = addressOf(key.publicKey);
  return signVote(
    chainId,
    {
      type: fields.type,
      height: fields.height ?? h.driver.height,
      round: fields.round,
      blockId: fields.blockId,
      timestamp: fields.timestamp ?? genesisTime + 1,
      validatorAddress: address,
      validatorIndex: fields.validatorIndex ?? Math.max(0, indexOfValidator(h.state.validators, address)),
    },
    key.secretKey,
  );
}

/** A proposal of `block` for height 1, signed by the round's proposer (or by someone else). */
export function proposalOf(
  h: Harness,
  block: Block,
  options: { round: number; polRound?: number; signer?: 'proposer' | 'not-proposer' },
): ProposalMessage {
  const proposer = proposerForRound(h.state.validators, Math.min(options.round, 100));
  const key =
    options.signer === 'not-proposer'
      ? (h.keys.find((k) => !equalBytes(addressOf(k.publicKey), proposer.address)) as KeyPair)
      : keyOf(h.keys, proposer.address);
  const proposal = signProposal(
    chainId,
    {
      height: block.header.height,
      round: options.round,
      polRound: options.polRound ?? -1,
      blockId: blockId(block),
      timestamp: genesisTime + 1,
    },
    key.secretKey,
  );
  return { kind: 'proposal', proposal, block };
}
