import type { ConsensusDriver } from '@joule/consensus';
import {
  BlockSync,
  BlockSyncServer,
  ConsensusGossip,
  createP2pHost,
  MempoolGossip,
  StoreBlockApplier,
} from '@joule/p2p';
import { bytesPerSeenHash, bytesPerVerdict } from '../constants.js';
import { ConfigError, NodeInputError } from '../errors.js';
import type { NetworkFactory, NetworkService, PeerInfo } from './network.js';

/**
 * The network of a node on @joule/p2p: a libp2p host (the node key is its identity), consensus
 * gossip as the driver's `Transport`, mempool gossip, a block-sync server and client. This file is
 * the only place the node touches @joule/p2p.
 */
export const p2pNetwork: NetworkFactory = async (context) => {
  const c = context.config;
  const p = context.profile;
  const host = await createP2pHost(
    {
      listen: c.listen,
      ...(c.announce.length > 0 ? { announce: c.announce } : {}),
      persistentPeers: c.persistent_peers,
      // An empty list lets anyone connect; a grid that knows its peers names them.
      allowList: c.allow_peers.length > 0 ? c.allow_peers : null,
      maxConnections: c.max_connections,
      pingIntervalMs: p.timers.pingIntervalMs,
      // libp2p's debug logs only when asked for, as its `debug` logger is: DEBUG=libp2p*.
      debugLogs: /libp2p/.test(process.env.DEBUG ?? ''),
      ...(p.streamWindowBytes === undefined ? {} : { maxStreamWindowBytes: p.streamWindowBytes }),
    },
    {
      nodeKey: context.nodeKey,
      // Every failed dial of a persistent peer, with the address and why: an operator reading the
      // log sees a wrong node id, a node that is down, or a host that cannot be reached.
      onDialError: (f) =>
        context.logger.warn(
          {
            peer: f.peer,
            address: f.address,
            reason: f.reason,
            failures: f.failures,
            retryInS: Math.round(f.retryInMs / 1000),
            error: f.message,
          },
          `dial of persistent peer failed: ${f.reason}`,
        ),
    },
  ).catch((error: unknown) => {
    if (error instanceof RangeError && /allow-list/.test(error.message))
      throw new ConfigError(context.configFile, `[p2p] allow_peers: ${error.message}`);
    throw error;
  });
  // The profile's gossip budget, split between the consensus and the mempool de-duplication sets.
  const seenCacheEntries = Math.floor(p.memory.p2pSeenCacheBytes / 2 / bytesPerSeenHash);
  const consensus = new ConsensusGossip(
    {
      seenCacheEntries,
      verdictCacheEntries: Math.floor(c.verdict_cache_bytes / bytesPerVerdict),
      invalidSignatureCacheBytes: c.invalid_signature_cache_bytes,
    },
    { host },
  );
  const mempoolGossip = new MempoolGossip(
    { seenCacheEntries, regossipMs: p.timers.mempoolRegossipMs },
    { host, mempool: context.mempool, neighbours: consensus.neighbours },
  );
  const server = new BlockSyncServer({ host, store: context.store });
  const log = context.logger;
  /** What the node reads of a libp2p connection event. */
  type Connection = {
    readonly remotePeer: { toString(): string };
    readonly remoteAddr: { toString(): string };
    readonly direction: 'inbound' | 'outbound';
  };
  const onOpen = (event: CustomEvent<Connection>): void => {
    const c = event.detail;
    log.info(
      { peer: c.remotePeer.toString(), address: c.remoteAddr.toString(), direction: c.direction },
      'peer connected',
    );
  };
  const onClose = (event: CustomEvent<Connection>): void => {
    const c = event.detail;
    log.info(
      { peer: c.remotePeer.toString(), address: c.remoteAddr.toString(), direction: c.direction },
      'peer disconnected',
    );
  };
  let blockSync: BlockSync | null = null;
  let running = false;
  const service: NetworkService = {
    transport: consensus,
    nodeId: host.peerId,
    attach(driver: ConsensusDriver) {
      consensus.bind(driver);
      blockSync = new BlockSync(
        { pollMs: p.timers.blockSyncPollMs },
        {
          host,
          store: context.store,
          applier: new StoreBlockApplier({
            app: context.app,
            store: context.store,
            mempool: context.mempool,
            evidence: context.evidence,
          }),
          consensus: driver,
          logger: context.logger,
        },
      );
      const sync = blockSync;
      consensus.onPeerAhead(() => sync.trigger());
    },
    async start() {
      if (running) return;
      running = true;
      host.libp2p.addEventListener('connection:open', onOpen);
      host.libp2p.addEventListener('connection:close', onClose);
      try {
        await host.start();
      } catch (error) {
        running = false;
        host.libp2p.removeEventListener('connection:open', onOpen);
        host.libp2p.removeEventListener('connection:close', onClose);
        const text = String((error as Error)?.message ?? error);
        if (
          /EADDRINUSE|address already in use/i.test(text) ||
          (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE'
        )
          throw new NodeInputError(
            'PORT_IN_USE',
            context.configFile,
            `[p2p] listen ${c.listen.join(', ')} is in use`,
            'stop what uses the port, or set another [p2p] listen port',
          );
        if (
          /EADDRNOTAVAIL|EACCES/.test(text) ||
          /EADDRNOTAVAIL|EACCES/.test(String((error as NodeJS.ErrnoException)?.code))
        )
          throw new ConfigError(
            context.configFile,
            `[p2p] listen ${c.listen.join(', ')}: ${/EACCES/.test(text) ? 'EACCES' : 'EADDRNOTAVAIL'}`,
            'listen on an address of this machine (or /ip4/0.0.0.0) and a port above 1023',
          );
        throw error;
      }
      await Promise.all([consensus.start(), mempoolGossip.start(), server.start()]);
      blockSync?.start();
    },
    async stop() {
      if (!running) return;
      running = false;
      await blockSync?.stop();
      await Promise.all([consensus.stop(), mempoolGossip.stop(), server.stop()]);
      await host.stop();
      host.libp2p.removeEventListener('connection:open', onOpen);
      host.libp2p.removeEventListener('connection:close', onClose);
    },
    peers: () => {
      // One entry per peer (two nodes dialling each other at once may hold two connections).
      const out = new Map<string, PeerInfo>();
      for (const c of host.libp2p.getConnections()) {
        const id = c.remotePeer.toString();
        if (!out.has(id))
          out.set(id, {
            id,
            address: c.remoteAddr.toString(),
            direction: c.direction,
            score: host.scores.score(id),
          });
      }
      return [...out.values()];
    },
    listenAddresses: () => host.addresses(),
    catchingUp: () => blockSync?.syncing ?? false,
    bytes: () => host.counters.totalBytes(),
    seenEntries: () => consensus.seenEntries + mempoolGossip.seenEntries,
    verdictEntries: () => consensus.verdictEntries,
    invalidSignatureBytes: () => consensus.signatures.invalidBytes,
    submitTx: (tx) => mempoolGossip.submit(tx),
  };
  return service;
};

/** The network the `joule` CLI and `createNode` use by default. */
export const defaultNetwork: NetworkFactory = p2pNetwork;
