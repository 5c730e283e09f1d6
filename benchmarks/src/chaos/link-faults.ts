import { type Harness, type Outcome, outcome, sleep } from './harness.js';
import type { ProxiedTestnet } from './links.js';

/** Link faults: through the proxy on every link of the grid (`proxyTestnet`). */
export const linkFaults = ['partition', 'delay', 'throttle', 'flap'] as const;
export type LinkFault = (typeof linkFaults)[number];

/** How long a link fault lasts, ms (drawn from the range). */
const holdMs: readonly [number, number] = [10_000, 20_000];
/** After a split, the block that was being decided may still commit: heights are read after this, ms. */
const splitSettleMs = 3_000;
/** A healed split must commit again within this, ms. */
export const healCommitMs = 20_000;
/** 4G-like latency of every link under `delay`, ms. */
const delayMs = { minMs: 50, maxMs: 300 } as const;
/** 1 Mbit/s. */
const throttleBytesPerSecond = 125_000;

/** Waits until the network's height passes `above`; seconds since `fromT`, or null after `timeoutMs`. */
async function nextCommit(
  h: Harness,
  above: number,
  fromT: number,
  timeoutMs: number,
): Promise<number | null> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    await h.sampleHeights();
    if (h.networkHeight() > above) return h.now() - fromT;
    await sleep(200);
  }
  return null;
}

/** The peers of node `i` in the grid (the nodes it has a proxied link with). */
function peersOf(p: ProxiedTestnet, i: number): number[] {
  return [...new Set(p.links.filter((l) => l.from === i).map((l) => l.to))];
}

/** Puts node `i`'s every link back to pass and waits for its rejoin (seconds, or null: not in time). */
async function healNode(
  h: Harness,
  p: ProxiedTestnet,
  i: number,
): Promise<{ healT: number; rejoinS: number | null }> {
  for (const peer of peersOf(p, i)) p.setPairMode(i, peer, { kind: 'pass' });
  const healT = h.now();
  return { healT, rejoinS: await h.rejoin(i, healT) };
}

export function linkRunners(p: ProxiedTestnet): Record<LinkFault, (h: Harness) => Promise<Outcome>> {
  return {
    /**
     * A 2 | 2 split of the validators (the full nodes dealt to either side), every link across cut
     * (dropped or black-holed): nothing may commit while it lasts, and the network must commit
     * again within `healCommitMs` of the heal.
     */
    async partition(h) {
      const validators = h.net.nodes.filter((n) => n.validator).map((n) => n.index);
      const pool = [...validators];
      const left: number[] = [];
      while (left.length < Math.floor(validators.length / 2)) {
        const v = h.rng.pick(pool);
        pool.splice(pool.indexOf(v), 1);
        left.push(v);
      }
      const right = [...pool];
      for (const n of h.net.nodes) if (!n.validator) (h.rng.int(0, 1) === 0 ? left : right).push(n.index);
      const mode = h.rng.int(0, 1) === 0 ? ({ kind: 'drop' } as const) : ({ kind: 'blackhole' } as const);
      const hold = h.rng.int(holdMs[0], holdMs[1]);
      const t = h.now();
      p.setSplitMode(left, right, mode);
      await sleep(splitSettleMs);
      await h.sampleHeights();
      const atSplit = h.networkHeight();
      await sleep(hold);
      await h.sampleHeights();
      const atHeal = h.networkHeight();
      p.setSplitMode(left, right, { kind: 'pass' });
      const healT = h.now();
      const commitS = await nextCommit(h, atHeal, healT, h.rejoinTimeoutMs);
      const rejoinS = await h.rejoinAll(healT);
      const failures: string[] = [];
      if (atHeal > atSplit) failures.push(`${atHeal - atSplit} blocks committed while split`);
      if (commitS === null || commitS > healCommitMs / 1000)
        failures.push(
          `first commit ${commitS === null ? 'never came' : `${commitS.toFixed(1)} s`} after the heal`,
        );
      return outcome({
        node: `${left.join(',')} | ${right.join(',')}`,
        validator: true,
        t,
        healT,
        rejoinS,
        failure: failures.length === 0 ? null : failures.join('; '),
        detail: `${mode.kind} ${(hold / 1000).toFixed(1)} s at height ${atSplit}; first commit ${commitS === null ? 'none' : `${commitS.toFixed(1)} s`} after the heal`,
      });
    },

    /** Every link 50–300 ms late (4G, jitter from the seed): the network must keep committing. */
    async delay(h) {
      const hold = h.rng.int(holdMs[0], holdMs[1]);
      await h.sampleHeights();
      const before = h.networkHeight();
      const t = h.now();
      p.setAllModes({ kind: 'delay', ...delayMs });
      await sleep(hold);
      await h.sampleHeights();
      const during = h.networkHeight() - before;
      p.setAllModes({ kind: 'pass' });
      const healT = h.now();
      const rejoinS = await h.rejoinAll(healT);
      return outcome({
        node: 'every link',
        validator: true,
        t,
        healT,
        rejoinS,
        failure: during > 0 ? null : `no block in ${(hold / 1000).toFixed(1)} s of delay`,
        detail: `${delayMs.minMs}–${delayMs.maxMs} ms for ${(hold / 1000).toFixed(1)} s: ${during} blocks`,
      });
    },

    /** One node's every link at 1 Mbit/s: it must keep up, and the network keep committing. */
    async throttle(h) {
      const node = h.rng.pick(h.net.nodes);
      const hold = h.rng.int(holdMs[0], holdMs[1]);
      await h.sampleHeights();
      const before = h.networkHeight();
      const t = h.now();
      for (const peer of peersOf(p, node.index))
        p.setPairMode(node.index, peer, { kind: 'throttle', bytesPerSecond: throttleBytesPerSecond });
      await sleep(hold);
      await h.sampleHeights();
      const during = h.networkHeight() - before;
      const lag = h.networkHeight() - (h.latest[node.index] as number);
      const { healT, rejoinS } = await healNode(h, p, node.index);
      return outcome({
        node: node.name,
        validator: node.validator,
        t,
        healT,
        rejoinS,
        failure: during > 0 ? null : `no block in ${(hold / 1000).toFixed(1)} s of throttle`,
        detail: `1 Mbit/s for ${(hold / 1000).toFixed(1)} s: ${during} blocks, ${lag} behind at the end`,
      });
    },

    /** One node's every link up and down (1–3 s each): it must rejoin once the link holds. */
    async flap(h) {
      const node = h.rng.pick(h.net.nodes);
      const hold = h.rng.int(holdMs[0], holdMs[1]);
      const upMs = h.rng.int(1_000, 3_000);
      const downMs = h.rng.int(1_000, 3_000);
      const t = h.now();
      for (const peer of peersOf(p, node.index))
        p.setPairMode(node.index, peer, { kind: 'flap', upMs, downMs });
      await sleep(hold);
      const { healT, rejoinS } = await healNode(h, p, node.index);
      return outcome({
        node: node.name,
        validator: node.validator,
        t,
        healT,
        rejoinS,
        detail: `up ${upMs} ms / down ${downMs} ms for ${(hold / 1000).toFixed(1)} s`,
      });
    },
  };
}
