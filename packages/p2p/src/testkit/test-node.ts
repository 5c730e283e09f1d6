import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  addressOf,
  ConsensusDriver,
  DoubleSignGuard,
  type DriverOptions,
  EvidencePool,
  type Genesis,
  type KeyPair,
  MemorySignerStore,
  MemoryWal,
  Mempool,
  type MempoolOptions,
  type Signer,
  systemClock,
  toHex,
} from '@joule/consensus';
import { KvApp, type KvDurable, MemoryChainStore } from '@joule/consensus/sim';
import { StoreBlockApplier } from '../blocksync/block-applier.js';
import { BlockSync, type BlockSyncOptions } from '../blocksync/block-sync.js';
import { BlockSyncServer } from '../blocksync/server.js';
import { ConsensusGossip, type ConsensusGossipOptions } from '../consensus/consensus-gossip.js';
import { createP2pHost, type P2pHost, type P2pHostOptions } from '../host/host.js';
import { peerIdOfNodeKey } from '../host/node-key.js';
import { MempoolGossip } from '../mempool/mempool-gossip.js';

export interface TestNodeOptions {
  readonly name: string;
  /** The node key; also the validator key when `validator` is set. */
  readonly key: KeyPair;
  readonly validator: boolean;
  readonly genesis: Genesis;
  /** 127.0.0.1 port to listen on (fixed, so that a restarted node keeps its address). */
  readonly port: number;
  readonly persistentPeers?: readonly string[];
  readonly driver?: Partial<DriverOptions>;
  readonly host?: Partial<P2pHostOptions>;
  readonly blockSync?: BlockSyncOptions;
  readonly consensus?: ConsensusGossipOptions;
  /** The node's mempool bounds (default: the mempool's). */
  readonly mempool?: MempoolOptions;
}

/** The parts of a running node; rebuilt by every `start()`. */
export interface TestNodeParts {
  readonly host: P2pHost;
  readonly consensus: ConsensusGossip;
  readonly mempoolGossip: MempoolGossip;
  readonly mempool: Mempool;
  readonly driver: ConsensusDriver;
  readonly blockSync: BlockSync;
  readonly server: BlockSyncServer;
}

/**
 * A whole node for tests and benchmarks, assembled as `@joule/consensus/sim`'s `SimNode` but on the
 * real network: the consensus driver, the mempool, the simulator's key-value application and
 * in-memory chain store, and this package's host, gossip channels and block sync, on 127.0.0.1.
 * The durable parts (chain store, application state, WAL, signer state) survive `stop()`, so
 * `stop()` then `start()` is a reboot.
 */
export class TestNode {
  readonly name: string;
  readonly options: TestNodeOptions;
  readonly store = new MemoryChainStore();
  readonly kv: KvDurable = KvApp.empty();
  readonly signerStore = new MemorySignerStore();
  readonly wal = new MemoryWal();
  /** App hash after each height, as this node's application computed it. */
  readonly appHashes = new Map<number, string>();
  parts: TestNodeParts | null = null;
  readonly peerId: string;

  /** Use `TestNode.create`. */
  constructor(options: TestNodeOptions, peerId: string) {
    this.name = options.name;
    this.options = options;
    this.peerId = peerId;
  }

  static async create(options: TestNodeOptions): Promise<TestNode> {
    return new TestNode(options, await peerIdOfNodeKey(options.key));
  }

  /** This node's dialable address (known before it starts: fixed port and key). */
  address(): string {
    return `/ip4/127.0.0.1/tcp/${this.options.port}/p2p/${this.peerId}`;
  }

  height(): number {
    return this.store.height();
  }

  get running(): boolean {
    return this.parts !== null;
  }

  async start(): Promise<void> {
    if (this.parts !== null) return;
    const o = this.options;
    const host = await createP2pHost(
      {
        listen: [`/ip4/127.0.0.1/tcp/${o.port}`],
        persistentPeers: o.persistentPeers ?? [],
        inboundConnectionsPerSecond: 1_000,
        reconnectMinMs: 100,
        reconnectMaxMs: 1_000,
        ...o.host,
      },
      { nodeKey: o.key },
    );
    const app = recordingApp(new KvApp(this.kv), this.appHashes);
    // As the node: the mempool's lane gives the event loop back every few checks.
    const mempool = new Mempool(o.mempool ?? {}, { app, yieldToHost: () => nextTurn() });
    const chainId = o.genesis.chainId;
    const evidence = new EvidencePool(
      {},
      {
        chainId,
        chain: this.store,
      },
    );
    let signer: Signer | null = null;
    if (o.validator) {
      const guard = new DoubleSignGuard({ chainId }, { store: this.signerStore, secretKey: o.key.secretKey });
      await guard.init();
      signer = {
        address: addressOf(o.key.publicKey),
        signVote: (v) => guard.signVote(v),
        signProposal: (p) => guard.signProposal(p),
        lastSigned: () => guard.lastSigned(),
      };
    }
    const consensus = new ConsensusGossip(o.consensus ?? {}, { host });
    const driver = new ConsensusDriver(o.driver ?? {}, {
      genesis: o.genesis,
      app,
      store: this.store,
      wal: this.wal,
      transport: consensus,
      clock: systemClock,
      signer,
      mempool,
      evidence,
    });
    consensus.bind(driver);
    const mempoolGossip = new MempoolGossip({}, { host, mempool, neighbours: consensus.neighbours });
    const server = new BlockSyncServer({ host, store: this.store });
    const blockSync = new BlockSync(o.blockSync ?? {}, {
      host,
      store: this.store,
      applier: new StoreBlockApplier({ app, store: this.store, mempool, evidence }),
      consensus: driver,
    });
    consensus.onPeerAhead(() => blockSync.trigger());
    await host.start();
    await Promise.all([consensus.start(), mempoolGossip.start(), server.start()]);
    await driver.start();
    blockSync.start();
    this.parts = { host, consensus, mempoolGossip, mempool, driver, blockSync, server };
  }

  async stop(): Promise<void> {
    const p = this.parts;
    if (p === null) return;
    this.parts = null;
    await p.blockSync.stop();
    await p.driver.stop();
    await Promise.all([p.consensus.stop(), p.mempoolGossip.stop(), p.server.stop()]);
    await p.host.stop();
  }
}

/** Wraps the application to record the app hash it computes at each height. */
function recordingApp(app: KvApp, hashes: Map<number, string>): KvApp {
  const finalize = app.finalizeBlock.bind(app);
  app.finalizeBlock = async (request) => {
    const response = await finalize(request);
    hashes.set(request.block.header.height, toHex(response.appHash));
    return response;
  };
  return app;
}
