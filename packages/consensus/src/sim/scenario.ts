import type { Application, ValidatorUpdate } from '../app/application.js';
import { defaultConsensusParams, type Genesis } from '../chain/update-state.js';
import { addressOf } from '../crypto/address.js';
import { generateKeyPair, type KeyPair } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hash.js';
import type { Logger } from '../driver/ports.js';
import type { Transport } from '../driver/transport.js';
import type { Timeouts } from '../engine/types.js';
import { type ByzantineKind, equivocatingTransport } from './byzantine.js';
import { agreement, ConflictWatcher, evidenceProblems, SigningChecker, validity } from './checks.js';
import { Coalition } from './coalition.js';
import { kvTx, validatorTx } from './kv-app.js';
import { type NetworkConfig, SimNetwork } from './network.js';
import { SimNode } from './node.js';
import { SeededRng } from './rng.js';
import { VirtualTime } from './virtual-clock.js';

export interface ScenarioOptions {
  readonly seed: number;
  readonly validators: number;
  /** Byzantine validators (their total power is kept below 1/3). */
  readonly byzantine: number;
  /** Heights every correct node must decide after the network stabilises. */
  readonly targetHeights?: number;
  /** Every Byzantine validator behaves so (the seed still draws everything else as without it). */
  readonly byzantineKind?: ByzantineKind;
  /** Collect a readable trace of the run. */
  readonly trace?: boolean;
  /** Run your own application instead of the key-value one (see `SimNodeOptions.app`). */
  readonly app?: (node: string, incarnation: number) => Application;
  /** The i-th transaction of the load (default: key-value writes for the default app). */
  readonly tx?: (i: number) => Uint8Array;
}

export interface ScenarioResult {
  readonly seed: number;
  readonly validators: number;
  readonly byzantine: number;
  readonly byzantineKinds: readonly ByzantineKind[];
  readonly safetyViolations: readonly string[];
  readonly livenessFailure: string | null;
  readonly validityViolations: readonly string[];
  readonly evidenceProblems: readonly string[];
  /** Lowest height decided by every correct node. */
  readonly heightsDecided: number;
  readonly crashes: number;
  readonly virtualMs: number;
  readonly messages: number;
  readonly trace: readonly string[];
}

const GENESIS_TIME = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const timeouts: Timeouts = {
  proposeMs: 1000,
  proposeDeltaMs: 500,
  prevoteMs: 500,
  prevoteDeltaMs: 250,
  precommitMs: 500,
  precommitDeltaMs: 250,
  commitMs: 1000,
};
/** After stabilization every correct node must decide each height within this much simulated time. */
export const livenessBoundPerHeightMs = 30_000;
/** Share of the seeds in which the coalition attacks the locks (`lock-attack`, coalition.ts). */
const attackShare = 0.4;

/**
 * One seeded scenario: validators with random powers, some Byzantine (equivocating voters or
 * proposers, twins, or a coalition attacking the locks), correct nodes that crash (at a time or
 * right after a chosen durable operation) and restart with amnesia of unsynced data, and a network
 * that drops, duplicates, delays, reorders and partitions until GST — at random, and adaptively
 * (coalition.ts). Then it checks safety, liveness, validity and evidence.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const rng = new SeededRng(options.seed);
  const n = options.validators;
  const trace: string[] = [];
  const time = new VirtualTime(GENESIS_TIME);
  const log = (line: string) => {
    if (options.trace && trace.length < 20_000)
      trace.push(`${String(time.now - GENESIS_TIME).padStart(7)}ms ${line}`);
  };

  // Validators: random powers 1..4; Byzantine ones are chosen while their power stays below 1/3.
  const keys: KeyPair[] = Array.from({ length: n }, () => generateKeyPair(rng.bytes(32)));
  const powers = keys.map(() => BigInt(rng.int(1, 4)));
  const total = powers.reduce((a, b) => a + b, 0n);
  const order = keys.map((_, i) => i).sort((a, b) => Number((powers[a] as bigint) - (powers[b] as bigint)));
  const byzantine = new Set<number>();
  let byzPower = 0n;
  for (const i of order) {
    if (byzantine.size >= options.byzantine) break;
    const p = powers[i] as bigint;
    if ((byzPower + p) * 3n < total) {
      byzantine.add(i);
      byzPower += p;
    }
  }
  const kinds: ByzantineKind[] = [
    'equivocate-votes',
    'equivocate-proposals',
    'equivocate-both',
    'equivocate-many',
    'amnesiac',
    'twin',
    'lock-attack',
  ];
  // In a share of the seeds (`attack`) every Byzantine validator joins one coalition attacking
  // the locks, helped by an adaptive network with a late GST (coalition.ts).
  const attack = rng.chance(attackShare);
  const kindOf = new Map<number, ByzantineKind>(
    [...byzantine].map((i) => {
      const drawn = attack ? 'lock-attack' : rng.pick(kinds);
      return [i, options.byzantineKind ?? drawn];
    }),
  );
  const validators: ValidatorUpdate[] = keys.map((k, i) => ({
    pubKey: k.publicKey,
    power: powers[i] as bigint,
  }));
  const genesis: Genesis = {
    chainId: 'sim',
    genesisTime: GENESIS_TIME,
    initialHeight: rng.chance(0.2) ? rng.int(2, 1000) : 1,
    validators,
    consensusParams: defaultConsensusParams,
    appState: new Uint8Array(0),
  };

  const gstMs = attack ? rng.int(15_000, 30_000) : rng.int(0, 20_000);
  // The adaptive network adversary, before GST: it cuts off the first correct node to decide a
  // height, and keeps each round's prevotes from a few correct validators (coalition.ts). In
  // attack seeds the network is otherwise calm: the adversary, not chance, decides what is lost.
  const isolateMs = attack || rng.chance(0.2) ? rng.int(2000, 12_000) : 0;
  const shield = attack || rng.chance(0.2);
  const createEmptyBlocks = !rng.chance(0.25);
  const names = keys.map((_, i) => `v${i}`);
  const network: NetworkConfig = {
    minDelayMs: rng.int(1, 20),
    maxDelayMs: attack ? rng.int(50, 500) : rng.int(50, 1500),
    maxDelayAfterGstMs: rng.int(50, 300),
    dropRate: attack ? rng.int(0, 5) / 100 : rng.int(0, 30) / 100,
    duplicateRate: rng.int(0, 10) / 100,
    gstMs,
    partitions: Array.from({ length: attack ? 0 : rng.int(0, 3) }, () => {
      const fromMs = rng.int(0, gstMs);
      return { fromMs, toMs: rng.int(fromMs, gstMs), groups: splitInTwo(names, rng) };
    }),
  };
  const net = new SimNetwork(time, rng.fork(), network);
  const members = [...kindOf].flatMap(([i, kind]) => {
    const key = keys[i] as KeyPair;
    return kind === 'lock-attack' ? [{ name: `v${i}`, key, address: addressOf(key.publicKey) }] : [];
  });
  const coalition = new Coalition(members, {
    chainId: genesis.chainId,
    network: net,
    rng: rng.fork(),
    // The chain's validator sets are public: read from any correct node that has the height's.
    validatorsAt: (h) =>
      correct.map((node) => node.store.validatorsAt(h)).find((set) => set !== null) ?? null,
    namesOf: (hex) =>
      nodes.filter((node) => node.address !== null && toHex(node.address) === hex).map((n) => n.name),
    now: () => time.now,
    schedule: (delayMs, run) => time.schedule(delayMs, run),
    log,
    isolateMs,
    shield,
  });
  if (isolateMs > 0 || shield) net.setAdversary((from, to, message) => coalition.drop(from, to, message));
  log(`gst=${gstMs}ms net=${JSON.stringify({ ...network, partitions: network.partitions.length })}`);
  log(
    `powers=${powers.join(',')} byzantine=${[...kindOf].map(([i, k]) => `v${i}:${k}`).join(' ') || 'none'} isolate=${isolateMs}ms shield=${shield}`,
  );

  // What every correct validator signs, and the conflicting votes every correct node receives.
  const signing = new SigningChecker();
  const conflicts = new ConflictWatcher();

  const logger = (name: string): Logger | undefined =>
    options.trace
      ? {
          debug: (fields, message) => log(`${name} ${message} ${JSON.stringify(fields)}`),
          info: (fields, message) => log(`${name} ${message} ${JSON.stringify(fields)}`),
          warn: (fields, message) => log(`${name} WARN ${message} ${JSON.stringify(fields)}`),
        }
      : undefined;

  const nodes: SimNode[] = [];
  const correct: SimNode[] = [];
  const makeNode = (name: string, key: KeyPair, index: number, twin: boolean): SimNode => {
    const kind = kindOf.get(index);
    const isCorrect = kind === undefined;
    const address = addressOf(key.publicKey);
    const skew = rng.int(-200, 200);
    const nodeLogger = logger(name);
    const node: SimNode = new SimNode({
      name,
      key,
      genesis,
      driver: { timeouts, rebroadcastMs: 2000, createEmptyBlocks, createEmptyBlocksIntervalMs: 3000 },
      clock: (alive) => time.clockFor(skew, alive),
      transport: (alive): Transport => {
        const attached = net.attach(name, alive, isCorrect ? signing.tap(name, address) : undefined);
        const inner: Transport = isCorrect ? conflicts.watch(attached, () => node) : attached;
        if (kind === 'lock-attack') return coalition.transport(inner);
        if (kind !== undefined && kind !== 'twin') {
          return equivocatingTransport(kind, name, inner, net, key, address, genesis.chainId, rng.fork());
        }
        return inner;
      },
      ...(nodeLogger ? { logger: nodeLogger } : {}),
      onDecide: (height) => {
        if (isCorrect && !twin && time.now - GENESIS_TIME < gstMs) coalition.onDecide(name, height);
      },
      ...(options.app
        ? {
            app: (incarnation: number) => (options.app as NonNullable<typeof options.app>)(name, incarnation),
          }
        : {}),
    });
    nodes.push(node);
    if (isCorrect && !twin) correct.push(node);
    return node;
  };
  keys.forEach((key, i) => {
    makeNode(`v${i}`, key, i, false);
    if (kindOf.get(i) === 'twin') makeNode(`v${i}-twin`, key, i, true);
  });

  // Crashes of correct nodes: at a time, or right after their k-th durable operation.
  let lastRestart = 0;
  const restartLater = (node: SimNode) => {
    const delay = rng.int(100, 5000);
    lastRestart = Math.max(lastRestart, time.now - GENESIS_TIME + delay);
    log(`${node.name} crashed (restart in ${delay}ms)`);
    time.schedule(delay, () => {
      log(`${node.name} restarts`);
      void node.start(null, () => restartLater(node));
    });
  };
  for (const node of correct) {
    if (!rng.chance(0.35)) continue;
    if (rng.chance(0.5)) {
      const at = rng.int(0, gstMs + 5000);
      time.schedule(at, () => {
        if (node.running) node.crash();
      });
    } else {
      (node as SimNode & { plannedOps?: number }).plannedOps = rng.int(1, 150);
    }
  }
  for (const node of nodes) {
    const planned = (node as SimNode & { plannedOps?: number }).plannedOps ?? null;
    await node.start(planned, () => restartLater(node));
  }

  // Load: a transaction every 500 ms, to every running node's mempool (standing in for gossip).
  let txCount = 0;
  const powersNow = new Map(keys.map((_, i) => [i, powers[i] as bigint]));
  const raisePower = (): Uint8Array | null => {
    const candidates = keys.map((_, i) => i).filter((i) => !kindOf.has(i) && (powersNow.get(i) ?? 0n) < 20n);
    if (candidates.length === 0) return null;
    const i = rng.pick(candidates);
    const power = (powersNow.get(i) ?? 0n) + 1n;
    powersNow.set(i, power);
    return validatorTx((keys[i] as KeyPair).publicKey, power);
  };
  const submit = () => {
    // Every 20th transaction of the default load raises a correct validator's power by one: the
    // validator set changes (at H+2) while the Byzantine share only shrinks.
    const raise = options.tx === undefined && txCount % 20 === 19 ? raisePower() : null;
    const tx = raise ?? options.tx?.(txCount) ?? kvTx(`k${txCount % 50}`, `v${txCount}`);
    txCount++;
    for (const node of nodes) void node.submit(tx);
    time.schedule(500, submit);
  };
  time.schedule(250, submit);

  // Run until every correct node has decided targetHeights heights after stabilisation.
  const target = options.targetHeights ?? 5;
  const minHeight = () => Math.min(...correct.map((c) => c.decisions.size));
  let windowStart: number | null = null;
  let goal = Number.POSITIVE_INFINITY;
  let deadline = GENESIS_TIME + gstMs + 60_000 + target * livenessBoundPerHeightMs;
  let livenessFailure: string | null = null;
  for (;;) {
    const elapsed = time.now - GENESIS_TIME;
    if (windowStart === null && elapsed >= Math.max(gstMs, lastRestart) && correct.every((c) => c.running)) {
      windowStart = elapsed;
      goal = Math.max(...correct.map((c) => c.decisions.size)) + target;
      deadline = time.now + target * livenessBoundPerHeightMs;
      log(`stabilised; every correct node must reach height ${goal}`);
    }
    if (windowStart !== null && minHeight() >= goal) break;
    if (signing.problems.length > 0) break;
    if (!time.runNext(deadline)) {
      livenessFailure =
        windowStart === null
          ? 'the network never stabilised (a correct node did not restart)'
          : `correct nodes stuck at heights ${correct.map((c) => c.decisions.size).join(',')}, goal ${goal}`;
      break;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  for (const node of nodes) await node.driver?.stop();
  return {
    seed: options.seed,
    validators: n,
    byzantine: byzantine.size,
    byzantineKinds: [...kindOf.values()],
    safetyViolations: [...signing.problems, ...agreement(correct)],
    livenessFailure: signing.problems.length > 0 ? null : livenessFailure,
    validityViolations: validity(correct),
    evidenceProblems: evidenceProblems(correct, kindOf.keys(), keys, conflicts.seen),
    heightsDecided: minHeight(),
    crashes: correct.reduce((a, c) => a + c.crashes, 0),
    virtualMs: time.now - GENESIS_TIME,
    messages: net.delivered,
    trace,
  };
}

function splitInTwo(names: readonly string[], rng: SeededRng): string[][] {
  const a: string[] = [];
  const b: string[] = [];
  for (const name of names) (rng.chance(0.5) ? a : b).push(name, `${name}-twin`);
  return [a, b];
}
