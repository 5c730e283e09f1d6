import { parseAddress } from '@joule/consensus';
import type { SeededRng } from '@joule/consensus/sim';
import {
  type Community,
  type CommunityData,
  denom,
  type LocalNetwork,
  modules,
  type Signer,
  slotMeasures,
  submit,
} from '@joule/lic-pilot';
import { JouleClient } from '@joule/node/client';
import { signTx, txMessage } from '@joule/state';

/** One transaction whose commit a node acknowledged (`/broadcast_tx_commit` answered with its block). */
export interface AckedTx {
  readonly hash: string;
  readonly height: number;
  /** The node that acknowledged it. */
  readonly node: string;
  /** Seconds since the run's start. */
  readonly t: number;
}

/** Per request to a node for the load (a stopped node must not hold the meters for long), ms. */
const loadTimeoutMs = 10_000;
/** Wait between two acknowledged-commit probes, ms. */
const probeIntervalMs = 1_000;

/**
 * The pilot's load during faults: every meter posts its quarter hour's measures to its own node
 * every tick (one tick every `tickMs`, a meter skipping a tick while its previous post is still
 * pending — a node that is down must not stall the others), and a sample of transactions goes
 * through `/broadcast_tx_commit` to a random live node, each acknowledged commit remembered for the
 * invariant "nothing acknowledged is lost". The probe is the admin paying itself 1 ujoule, so its
 * nonce is independent of the meters'.
 */
export class ChaosLoad {
  readonly acked: AckedTx[] = [];
  txs = 0;
  refused = 0;
  probes = 0;
  readonly #net: LocalNetwork;
  readonly #community: Community;
  readonly #data: CommunityData;
  readonly #tickMs: number;
  readonly #up: (node: number) => boolean;
  readonly #now: () => number;
  readonly #rng: SeededRng;
  readonly #clients: JouleClient[];
  readonly #pending = new Set<number>();
  readonly #resync = new Set<number>();
  #stopped = false;
  #tick = 0;
  #tasks: Promise<void>[] = [];

  constructor(o: {
    net: LocalNetwork;
    community: Community;
    data: CommunityData;
    tickMs: number;
    up: (node: number) => boolean;
    now: () => number;
    rng: SeededRng;
  }) {
    this.#net = o.net;
    this.#community = o.community;
    this.#data = o.data;
    this.#tickMs = o.tickMs;
    this.#up = o.up;
    this.#now = o.now;
    this.#rng = o.rng;
    this.#clients = o.net.nodes.map((n) => new JouleClient({ url: n.api, timeoutMs: loadTimeoutMs }));
  }

  start(): void {
    this.#tasks = [this.#meters(), this.#probe()];
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#tasks);
  }

  async #meters(): Promise<void> {
    const nodeOf = new Map(this.#net.nodes.map((n) => [n.name, n.index]));
    while (!this.#stopped && this.#tick < this.#data.slots) {
      const k = this.#tick++;
      for (const [i, meter] of this.#community.meters.entries()) {
        const node = nodeOf.get(meter.node) ?? 0;
        if (this.#pending.has(i) || !this.#up(node)) continue;
        this.#pending.add(i);
        void this.#post(i, meter, k).finally(() => this.#pending.delete(i));
      }
      await sleep(this.#tickMs);
    }
    while (this.#pending.size > 0) await sleep(100);
  }

  async #post(i: number, meter: Signer & { meterId: string }, k: number): Promise<void> {
    try {
      if (this.#resync.has(i)) {
        const account = await meter.client.account(parseAddress(meter.address, 'joule'));
        meter.nonce = account?.nonce ?? 0;
        this.#resync.delete(i);
      }
      await submit(meter, slotMeasures(this.#data, i, meter.meterId, k), `${meter.meterId} slot ${k}`);
      this.txs++;
    } catch {
      // A node killed with the transaction in its mempool leaves the meter's nonce ahead of the
      // chain: the next post starts again from the committed nonce.
      this.refused++;
      this.#resync.add(i);
    }
  }

  async #probe(): Promise<void> {
    const admin = this.#community.admin;
    const address = parseAddress(admin.address, 'joule');
    const chainId = await admin.client.chainId();
    let nonce: number | null = null;
    while (!this.#stopped) {
      const live = this.#net.nodes.filter((n) => this.#up(n.index));
      if (live.length === 0) {
        await sleep(probeIntervalMs);
        continue;
      }
      const node = this.#rng.pick(live);
      const client = this.#clients[node.index] as JouleClient;
      try {
        nonce ??= (await client.account(address))?.nonce ?? 0;
        const tx = signTx(admin.secretKey, {
          chainId,
          nonce,
          messages: [txMessage(modules.core.bank.msg.send, { to: address, denom, amount: 1n })],
        });
        this.probes++;
        const committed = await client.broadcastTxCommit(tx);
        nonce++;
        if (committed.tx_result !== null && committed.tx_result.code === 0)
          this.acked.push({
            hash: committed.hash.toLowerCase(),
            height: Number(committed.height),
            node: node.name,
            t: this.#now(),
          });
      } catch {
        // Not acknowledged: it may or may not commit; the next probe asks for the nonce again.
        nonce = null;
      }
      await sleep(probeIntervalMs);
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
