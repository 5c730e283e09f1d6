import type { Application, ValidatorUpdate } from '../app/application.js';
import { defaultConsensusParams, type Genesis } from '../chain/update-state.js';
import { addressOf } from '../crypto/address.js';
import { generateKeyPair, type KeyPair } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hash.js';
import type { Logger } from '../driver/ports.js';
import type { Transport } from '../driver/transport.js';
import type { Timeouts } from '../engine/types.js';
import { type ByzantineKind, equivocatingTransport } from './byzantine.js';
import {
  agreement,
  ConflictWatcher,
  evidenceProblems,
  SigningChecker,
  tightLiveness,
  validity,
} from './checks.js';
import { Coalition } from './coalition.js';
import { DoublePolka } from './coalition-double.js';
import { LockSplit } from './coalition-split.js';
import { SimulationError } from './errors.js';
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
  /** The validators' voting powers (then `validators` is their number); default: drawn 1..4. */
  readonly powers?: readonly bigint[];
  /** The kind of scenario (default: drawn from the seed, see `ScenarioMode`). */
  readonly mode?: ScenarioMode;
  /** Whether standard seeds may prune (default true); false leaves every node's blocks in place. */
  readonly pruning?: boolean;
  /** Whether every standard seed with room for it in the faulty budget loses a WAL (default: a share). */
  readonly walLoss?: boolean;
  /** Collect a readable trace of the run. */
  readonly trace?: boolean;
  /** Run your own application instead of the key-value one (see `SimNodeOptions.app`). */
  readonly app?: (node: string, incarnation: number) => Application;
  /** The i-th transaction of the load (default: key-value writes for the default app). */
  readonly tx?: (i: number) => Uint8Array;
}

/**
 * - `standard`: random faults (Byzantine kinds drawn per validator, crashes, WAL loss, pruning,
 *   a lossy network until GST);
 * - `attack`: every Byzantine validator joins the lock attack (coalition.ts), with an adaptive network;
 * - `tight`: tight timeouts on a calm network, `nil-voter`s, one correct laggard whose vote the
 *   others need; liveness is "decided within K rounds, and within the network delay of the first
 *   correct node" (checks.ts, `tightLiveness`);
 * - `double-polka`: the Byzantine validators try to make two quorums in their rounds (coalition-double.ts);
 * - `lock-split`: the Byzantine validators and a network that loses chosen prevotes of rounds 0 and
 *   1 leave the correct validators locked on different values, then vote nil (coalition-split.ts);
 * - `exact-third`: the same with powers where the Byzantine validators hold exactly 1/3 of the power
 *   and the correct ones split in two halves of 1/3: safety must hold (quorums of more than 2/3 still
 *   intersect in a correct validator), liveness is not required (the correct hold only 2/3).
 */
export type ScenarioMode = 'standard' | 'attack' | 'tight' | 'double-polka' | 'exact-third' | 'lock-split';
export const scenarioModes: readonly ScenarioMode[] = [
  'standard',
  'attack',
  'tight',
  'double-polka',
  'exact-third',
  'lock-split',
];

export interface ScenarioResult {
  readonly seed: number;
  readonly validators: number;
  readonly byzantine: number;
  readonly mode: ScenarioMode;
  readonly byzantineKinds: readonly ByzantineKind[];
  /** What the seed exercised: its mode, its Byzantine kinds, `wal-loss`, `pruning`, `unequal-powers`. */
  readonly behaviours: readonly string[];
  /** False where liveness is not required (exact-third seeds). */
  readonly livenessChecked: boolean;
  readonly safetyViolations: readonly string[];
  readonly livenessFailure: string | null;
  readonly validityViolations: readonly string[];
  readonly evidenceProblems: readonly string[];
  /** Lowest height decided by every correct node. */
  readonly heightsDecided: number;
  readonly crashes: number;
  /** Restarts that found the WAL gone while the signer state survived. */
  readonly walLosses: number;
  /** Correct nodes whose driver refused to start again (it stopped loudly: left out of liveness). */
  readonly halted: number;
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
/** Timeouts of the tight-timing mode: round 0's are below the network's delay, later ones catch up. */
const tightTimeouts: Timeouts = {
  proposeMs: 100,
  proposeDeltaMs: 100,
  prevoteMs: 50,
  prevoteDeltaMs: 50,
  precommitMs: 50,
  precommitDeltaMs: 50,
  commitMs: 1000,
};
/** After stabilization every correct node must decide each height within this much simulated time. */
export const livenessBoundPerHeightMs = 30_000;
/** Tight-timing mode: the rounds a height may take after stabilization (see `tightLiveness`). */
export const tightMaxRounds = 6;
/** Share of the seeds in which the coalition attacks the locks (`lock-attack`, coalition.ts). */
const attackShare = 0.4;
/** Shares of the seeds in tight-timing, double-polka and exact-third mode (drawn before the rest). */
const tightShare = 0.12;
const doublePolkaShare = 0.08;
const exactThirdShare = 0.06;
const lockSplitShare = 0.08;
/** Shares of the standard seeds with a WAL loss and with pruning nodes. */
const walLossShare = 0.25;
const pruningShare = 0.3;

/**
 * One seeded scenario: validators with random powers, some Byzantine (equivocating voters or
 * proposers, twins, or a coalition attacking the locks), correct nodes that crash (at a time or
 * right after a chosen durable operation) and restart with amnesia of unsynced data, and a network
 * that drops, duplicates, delays, reorders and partitions until GST — at random, and adaptively
 * (coalition.ts). Then it checks safety, liveness, validity and evidence.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const rng = new SeededRng(options.seed);
  // The mode and its extra draws come from their own stream, so that a standard seed draws the
  // rest as it would without them.
  const extra = new SeededRng((options.seed ^ 0x6d2b79f5) >>> 0);
  const n = options.powers?.length ?? options.validators;
  const trace: string[] = [];
  const time = new VirtualTime(GENESIS_TIME);
  const log = (line: string) => {
    if (options.trace && trace.length < 20_000)
      trace.push(`${String(time.now - GENESIS_TIME).padStart(7)}ms ${line}`);
  };

  // Validators: random powers 1..4 (or the given ones); Byzantine ones are chosen, smallest first,
  // while their power stays below 1/3.
  const keys: KeyPair[] = Array.from({ length: n }, () => generateKeyPair(rng.bytes(32)));
  let powers = keys.map(() => BigInt(rng.int(1, 4)));
  if (options.powers !== undefined) powers = [...options.powers];
  const byzantine = pickByzantine(powers, options.byzantine);
  const drawnMode = drawMode(
    extra,
    options.byzantine > 0 && options.powers === undefined && n - options.byzantine >= 2,
  );
  const mode: ScenarioMode =
    options.mode ?? (drawnMode === 'standard' && rng.chance(attackShare) ? 'attack' : drawnMode);
  if (mode === 'exact-third') {
    const exact = exactThirdPowers(n, options.byzantine, extra);
    powers = exact.powers;
    byzantine.clear();
    for (const i of exact.byzantine) byzantine.add(i);
  }
  const total = powers.reduce((a, b) => a + b, 0n);
  let byzPower = 0n;
  for (const i of byzantine) byzPower += powers[i] as bigint;
  const kinds: ByzantineKind[] = [
    'equivocate-votes',
    'equivocate-proposals',
    'equivocate-both',
    'equivocate-many',
    'amnesiac',
    'forge-pol',
    'nil-voter',
    'twin',
    'lock-attack',
  ];
  // In a share of the seeds (`attack`) every Byzantine validator joins one coalition attacking
  // the locks, helped by an adaptive network with a late GST (coalition.ts).
  const attack = mode === 'attack';
  const tight = mode === 'tight';
  const doubling = mode === 'double-polka' || mode === 'exact-third';
  const splitting = mode === 'lock-split';
  const kindOf = new Map<number, ByzantineKind>(
    [...byzantine].map((i) => {
      const drawn: ByzantineKind = attack
        ? 'lock-attack'
        : tight
          ? 'nil-voter'
          : doubling
            ? 'double-polka'
            : splitting
              ? 'lock-split'
              : rng.pick(kinds);
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

  const drawnGstMs = attack ? rng.int(15_000, 30_000) : rng.int(0, 20_000);
  // The tight mode's network is calm from the start; the double polka's, nearly so.
  const gstMs = tight ? 0 : doubling || splitting ? Math.floor(drawnGstMs / 4) : drawnGstMs;
  // The adaptive network adversary, before GST: it cuts off the first correct node to decide a
  // height, and keeps each round's prevotes from a few correct validators (coalition.ts). In
  // attack seeds the network is otherwise calm: the adversary, not chance, decides what is lost.
  const adaptive = !tight && !doubling && !splitting;
  const drawnIsolateMs = attack || rng.chance(0.2) ? rng.int(2000, 12_000) : 0;
  const isolateMs = adaptive ? drawnIsolateMs : 0;
  const shield = (attack || rng.chance(0.2)) && adaptive;
  const createEmptyBlocks = !rng.chance(0.25) || tight;
  const names = keys.map((_, i) => `v${i}`);
  const calm = attack || doubling || splitting;
  const network: NetworkConfig = {
    minDelayMs: rng.int(1, 20),
    maxDelayMs: calm ? rng.int(50, 500) : rng.int(50, 1500),
    maxDelayAfterGstMs: tight ? rng.int(100, 300) : rng.int(50, 300),
    dropRate: calm ? rng.int(0, 5) / 100 : rng.int(0, 30) / 100,
    duplicateRate: rng.int(0, 10) / 100,
    gstMs,
    partitions: Array.from({ length: calm || tight ? 0 : rng.int(0, 3) }, () => {
      const fromMs = rng.int(0, gstMs);
      return { fromMs, toMs: rng.int(fromMs, gstMs), groups: splitInTwo(names, rng) };
    }),
  };
  const net = new SimNetwork(time, rng.fork(), network);
  const membersOf = (which: ByzantineKind) =>
    [...kindOf].flatMap(([i, kind]) => {
      const key = keys[i] as KeyPair;
      return kind === which ? [{ name: `v${i}`, key, address: addressOf(key.publicKey) }] : [];
    });
  const validatorsAt = (h: number) =>
    correct.map((node) => node.store.validatorsAt(h)).find((set) => set !== null) ?? null;
  const namesOf = (hex: string) =>
    nodes.filter((node) => node.address !== null && toHex(node.address) === hex).map((n) => n.name);
  const doublePolka = new DoublePolka(membersOf('double-polka'), {
    chainId: genesis.chainId,
    network: net,
    rng: extra.fork(),
    validatorsAt,
    namesOf,
    now: () => time.now,
    log,
  });
  const lockSplit = new LockSplit(membersOf('lock-split'), {
    chainId: genesis.chainId,
    network: net,
    validatorsAt,
    namesOf,
    now: () => time.now,
    log,
  });
  if (splitting) net.setFilter((from, to, message) => lockSplit.drop(from, to, message));
  const coalition = new Coalition(membersOf('lock-attack'), {
    chainId: genesis.chainId,
    network: net,
    rng: rng.fork(),
    // The chain's validator sets are public: read from any correct node that has the height's.
    validatorsAt,
    namesOf,
    now: () => time.now,
    schedule: (delayMs, run) => time.schedule(delayMs, run),
    log,
    isolateMs,
    shield,
    forge: true,
    // In half of the attack seeds it withholds from GST on (see `CoalitionDeps.withholdFrom`).
    ...(attack && extra.chance(0.5) ? { withholdFrom: GENESIS_TIME + gstMs } : {}),
  });
  if (isolateMs > 0 || shield) net.setAdversary((from, to, message) => coalition.drop(from, to, message));
  log(
    `mode=${mode} gst=${gstMs}ms net=${JSON.stringify({ ...network, partitions: network.partitions.length })}`,
  );
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

  // Pruning histories: in a share of the standard seeds each node keeps all blocks or only the
  // last few (its application's retain height), so nodes differ in what their stores still hold.
  const pruning = mode === 'standard' && extra.chance(pruningShare) && options.pruning !== false;
  const nodes: SimNode[] = [];
  const correct: SimNode[] = [];
  const makeNode = (name: string, key: KeyPair, index: number, twin: boolean): SimNode => {
    const kind = kindOf.get(index);
    const isCorrect = kind === undefined;
    const address = addressOf(key.publicKey);
    const skew = rng.int(-200, 200);
    const retainBlocks = pruning ? extra.pick([0, 2, 3, 5]) : 0;
    const nodeLogger = logger(name);
    const node: SimNode = new SimNode({
      name,
      key,
      genesis,
      driver: {
        timeouts: tight ? tightTimeouts : timeouts,
        rebroadcastMs: 2000,
        createEmptyBlocks,
        createEmptyBlocksIntervalMs: 3000,
      },
      clock: (alive) => time.clockFor(skew, alive),
      now: () => time.now - GENESIS_TIME,
      ...(retainBlocks > 0 ? { retainBlocks } : {}),
      transport: (alive): Transport => {
        const tap = isCorrect ? signing.tap(name, address, () => node.rejected) : undefined;
        const attached = net.attach(name, alive, tap);
        const inner: Transport = isCorrect ? conflicts.watch(attached, () => node) : attached;
        if (kind === 'lock-attack') return coalition.transport(inner);
        if (kind === 'double-polka') return doublePolka.transport(inner);
        if (kind === 'lock-split') return lockSplit.transport(inner);
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
  const restartLater = (node: SimNode, delayMs?: number) => {
    const delay = delayMs ?? rng.int(100, 5000);
    lastRestart = Math.max(lastRestart, time.now - GENESIS_TIME + delay);
    log(`${node.name} crashed (restart in ${delay}ms)`);
    time.schedule(delay, () => {
      log(`${node.name} restarts${node.walLosses > 0 ? ' (WAL lost)' : ''}`);
      void node
        .start(null, () => restartLater(node))
        .then(() => {
          if (node.halted !== null) log(`${node.name} halted: ${node.halted}`);
        });
    });
  };
  const crashPlans = correct.map(() => ({ chance: rng.chance(0.35), atTime: rng.chance(0.5) }));
  correct.forEach((node, i) => {
    const plan = crashPlans[i] as { chance: boolean; atTime: boolean };
    if (tight || !plan.chance) return;
    if (plan.atTime) {
      const at = rng.int(0, gstMs + 5000);
      time.schedule(at, () => {
        if (node.running) node.crash();
      });
    } else {
      (node as SimNode & { plannedOps?: number }).plannedOps = rng.int(1, 150);
    }
  });
  // WAL loss: a correct validator loses its whole WAL while its signer state survives. It forgets
  // its lock, so it is one only where the Byzantine power plus its own stays below 1/3 (it then
  // counts as faulty for safety); the guard must keep it from signing anything twice.
  const walLoser =
    mode === 'standard' && (extra.chance(walLossShare) || options.walLoss === true)
      ? pickWithin(
          correct.filter((c) => !c.name.endsWith('-twin')),
          (c) => ((byzPower + (powers[indexOf(c)] as bigint)) * 3n < total ? 1 : 0),
          extra,
        )
      : null;
  if (walLoser !== null) {
    // At a time, or right after a durable operation (such as the signer's save before a vote);
    // back soon, while its peers may still be in the round it signed in.
    walLoser.loseWalOnNextCrash();
    const planned = walLoser as SimNode & { plannedOps?: number; downMs?: number };
    planned.downMs = extra.int(100, 1500);
    if (extra.chance(0.5)) planned.plannedOps = extra.int(1, 60);
    else {
      const at = extra.int(500, gstMs + 5000);
      time.schedule(at, () => {
        if (walLoser.running) walLoser.crash();
      });
    }
  }
  // Tight mode: one correct laggard whose vote the others need (without it they hold at most 2/3,
  // with the nil-voters more) goes down early and comes back once they are rounds ahead.
  const laggard = tight
    ? pickWithin(
        correct,
        (c) => {
          const rest = correctPower(correct, powers, indexOf) - (powers[indexOf(c)] as bigint);
          return rest * 3n <= total * 2n && (rest + byzPower) * 3n > total * 2n ? 1 : 0;
        },
        extra,
      )
    : null;
  if (laggard !== null) {
    const at = extra.int(300, 3000);
    const downMs = extra.int(3000, 10_000);
    time.schedule(at, () => {
      if (!laggard.running) return;
      laggard.crash();
    });
    (laggard as SimNode & { downMs?: number }).downMs = downMs;
    lastRestart = at + downMs;
  }
  for (const node of nodes) {
    const planned = (node as SimNode & { plannedOps?: number }).plannedOps ?? null;
    const downMs = (node as SimNode & { downMs?: number }).downMs;
    await node.start(planned, () => restartLater(node, downMs));
  }

  // Load: a transaction every 500 ms, to every running node's mempool (standing in for gossip).
  let txCount = 0;
  const powersNow = new Map(keys.map((_, i) => [i, powers[i] as bigint]));
  const walLoserIndex = walLoser === null ? null : indexOf(walLoser);
  const raisePower = (): Uint8Array | null => {
    // Not the WAL loser (its power must stay within the faulty budget), nor in exact-third seeds.
    // By validator index: `nodes` also holds the twins, so its indices are not the validators'.
    const candidates = keys
      .map((_, i) => i)
      .filter((i) => !kindOf.has(i) && (powersNow.get(i) ?? 0n) < 20n && i !== walLoserIndex);
    if (candidates.length === 0 || mode === 'exact-third') return null;
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

  // Run until every correct node has decided targetHeights heights after stabilisation. A node
  // that stopped loudly (its driver refused to start) is left out of the goal.
  const target = options.targetHeights ?? 5;
  const up = () => correct.filter((c) => c.halted === null);
  const minHeight = () => Math.min(...up().map((c) => c.decisions.size));
  let windowStart: number | null = null;
  let goal = Number.POSITIVE_INFINITY;
  let deadline = GENESIS_TIME + gstMs + 60_000 + target * livenessBoundPerHeightMs;
  let livenessFailure: string | null = null;
  let heightAtStart = 0;
  let roundAtStart = 0;
  for (;;) {
    const elapsed = time.now - GENESIS_TIME;
    if (windowStart === null && elapsed >= Math.max(gstMs, lastRestart) && up().every((c) => c.running)) {
      windowStart = elapsed;
      goal = Math.max(...up().map((c) => c.decisions.size)) + target;
      deadline = time.now + target * livenessBoundPerHeightMs;
      heightAtStart = Math.max(...up().map((c) => c.driver?.height ?? 0));
      roundAtStart = Math.max(...up().map((c) => (c.driver?.height === heightAtStart ? c.driver.round : 0)));
      log(`stabilised at h${heightAtStart} r${roundAtStart}; every correct node must reach height ${goal}`);
    }
    if (windowStart !== null && minHeight() >= goal) break;
    if (signing.problems.length > 0) break;
    if (!time.runNext(deadline)) {
      livenessFailure =
        windowStart === null
          ? 'the network never stabilised (a correct node did not restart)'
          : `correct nodes stuck at heights ${up()
              .map((c) => c.decisions.size)
              .join(',')}, goal ${goal}`;
      break;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  for (const node of nodes) await node.driver?.stop();
  // A WAL loser that halted counts as faulty for good: the scenario owes the driver a faulty power
  // (its own and the Byzantine validators') still below 1/3, or no quorum is left to be live with.
  if (walLoserIndex !== null && walLoser?.halted != null) {
    let faulty = powersNow.get(walLoserIndex) ?? 0n;
    for (const i of kindOf.keys()) faulty += powersNow.get(i) ?? 0n;
    const totalNow = [...powersNow.values()].reduce((a, b) => a + b, 0n);
    if (faulty * 3n >= totalNow)
      throw new SimulationError('SIM_HARNESS', 'the halted WAL loser took the faulty power to 1/3', {
        seed: options.seed,
        faulty: String(faulty),
        total: String(totalNow),
      });
  }
  if (tight && livenessFailure === null && windowStart !== null) {
    const late = tightLiveness(up(), {
      fromMs: windowStart,
      heightAtStart,
      roundAtStart,
      maxRounds: tightMaxRounds,
      maxDelayMs: network.maxDelayAfterGstMs,
    });
    livenessFailure = late[0] ?? null;
  }
  // With exactly 1/3 Byzantine the correct validators hold only 2/3: no liveness is owed.
  const livenessChecked = mode !== 'exact-third';
  const walLosses = correct.reduce((a, c) => a + c.walLosses, 0);
  const behaviours = [
    ...new Set([
      mode,
      ...new Set(kindOf.values()),
      ...(walLosses > 0 ? ['wal-loss'] : []),
      ...(pruning ? ['pruning'] : []),
      ...(options.powers !== undefined ? ['unequal-powers'] : []),
    ]),
  ];
  return {
    seed: options.seed,
    validators: n,
    byzantine: byzantine.size,
    mode,
    byzantineKinds: [...kindOf.values()],
    behaviours,
    livenessChecked,
    safetyViolations: [...signing.problems, ...agreement(correct)],
    livenessFailure: signing.problems.length > 0 || !livenessChecked ? null : livenessFailure,
    validityViolations: [...signing.invalidVotes, ...validity(correct)],
    evidenceProblems: evidenceProblems(correct, kindOf.keys(), keys, conflicts.seen),
    heightsDecided: minHeight(),
    crashes: correct.reduce((a, c) => a + c.crashes, 0),
    walLosses,
    halted: correct.filter((c) => c.halted !== null).length,
    virtualMs: time.now - GENESIS_TIME,
    messages: net.delivered,
    trace,
  };

  function indexOf(node: SimNode): number {
    return Number(node.name.replace(/^v/, '').replace(/-twin$/, ''));
  }
}

/** The Byzantine validators: the smallest powers first, while their total stays below 1/3. */
function pickByzantine(powers: readonly bigint[], count: number): Set<number> {
  const total = powers.reduce((a, b) => a + b, 0n);
  const order = powers.map((_, i) => i).sort((a, b) => Number((powers[a] as bigint) - (powers[b] as bigint)));
  const byzantine = new Set<number>();
  let byzPower = 0n;
  for (const i of order) {
    if (byzantine.size >= count) break;
    const p = powers[i] as bigint;
    if ((byzPower + p) * 3n < total) {
      byzantine.add(i);
      byzPower += p;
    }
  }
  return byzantine;
}

function drawMode(rng: SeededRng, exactThirdPossible: boolean): ScenarioMode {
  const x = rng.int(0, 9_999) / 10_000;
  if (x < tightShare) return 'tight';
  if (x < tightShare + doublePolkaShare) return 'double-polka';
  if (x < tightShare + doublePolkaShare + exactThirdShare)
    return exactThirdPossible ? 'exact-third' : 'double-polka';
  if (x < tightShare + doublePolkaShare + exactThirdShare + lockSplitShare) return 'lock-split';
  return 'standard';
}

/**
 * Powers where the `byzantine` validators (the last ones) hold exactly 1/3 of the total and the
 * correct ones split into two groups of exactly 1/3 each (the first half, the second half).
 */
export function exactThirdPowers(
  n: number,
  byzantine: number,
  rng: SeededRng,
): { powers: bigint[]; byzantine: number[] } {
  const c = n - byzantine;
  const half = Math.ceil(c / 2);
  const powers = Array.from({ length: c }, () => BigInt(rng.int(1, 4)));
  const sum = (from: number, to: number) => powers.slice(from, to).reduce((a, b) => a + b, 0n);
  let a = sum(0, half);
  const b = sum(half, c);
  if (a < b) powers[half - 1] = (powers[half - 1] as bigint) + (b - a);
  else if (b < a) powers[c - 1] = (powers[c - 1] as bigint) + (a - b);
  a = sum(0, half);
  if (a < BigInt(byzantine)) {
    const more = BigInt(byzantine) - a;
    powers[half - 1] = (powers[half - 1] as bigint) + more;
    powers[c - 1] = (powers[c - 1] as bigint) + more;
    a += more;
  }
  // The coalition's power a, spread over its members.
  const each = a / BigInt(byzantine);
  for (let i = 0; i < byzantine; i++) powers.push(i === 0 ? each + (a - each * BigInt(byzantine)) : each);
  return { powers, byzantine: Array.from({ length: byzantine }, (_, i) => c + i) };
}

function correctPower(
  correct: readonly SimNode[],
  powers: readonly bigint[],
  indexOf: (node: SimNode) => number,
): bigint {
  return correct.reduce((sum, c) => sum + (powers[indexOf(c)] as bigint), 0n);
}

/** A random one of the items that `fits` (1) — or null. */
function pickWithin<T>(items: readonly T[], fits: (item: T) => number, rng: SeededRng): T | null {
  const fitting = items.filter((item) => fits(item) === 1);
  return fitting.length === 0 ? null : rng.pick(fitting);
}

function splitInTwo(names: readonly string[], rng: SeededRng): string[][] {
  const a: string[] = [];
  const b: string[] = [];
  for (const name of names) (rng.chance(0.5) ? a : b).push(name, `${name}-twin`);
  return [a, b];
}
