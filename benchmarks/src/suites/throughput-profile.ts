import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Row } from '../report.js';

/**
 * The components of a node's CPU on the transaction path, in the order a sample is matched: a
 * sample counts for the first component with a frame anywhere on its stack (so the native ed25519
 * verify inside `checkTx` counts as the verify, the rest of `checkTx` as the check).
 */
export const components: readonly (readonly [string, RegExp])[] = [
  ['ed25519 verify', /^verifyOneShot@/],
  ['checkTx (ante, simulation)', /^checkTx@.*state\/dist\/app\/executor/],
  ['tx gossip', /mempool-gossip|tx-batch/],
  ['block execution', /^finalizeBlock@/],
  ['app commit, state store', /^commit@.*state\/dist\/app|versioned-store|store\/tree/],
  ['Merkle root of txs', /merkleRoot/],
  ['WAL, signer state', /file-wal|write-queue|file-signer-store|durable-fs|wal\/replay/],
  ['block store', /level-chain-store/],
  ['HTTP API', /#handle@.*node\/dist\/api|node:_http|node:http/],
  [
    'consensus driver, gossip',
    /consensus-gossip|consensus\/dist\/driver|message-check|consensus\/dist\/engine/,
  ],
  ['p2p writes (sender, yamux, Noise, socket)', /#pump@|peer-sender/],
  ['p2p reads (yamux, Noise, framing)', /gossip-channel|yamux|noise|stream-utils|uint8arraylist|multistream/],
  ['libp2p other', /libp2p/],
  [
    'app state, codecs',
    /state\/dist\/app\/state|market-module|state\/dist\/modules|consensus\/dist\/codec|msgpackr/,
  ],
  ['garbage collection', /^\(garbage collector\)@/],
];
const otherComponent = 'other (Node internals, async continuations)';

/** A window of a step on the monotonic clock (`process.hrtime`), µs: the V8 profiles' time base on Linux. */
export interface StepWindow {
  readonly label: string;
  readonly fromUs: number;
  readonly toUs: number;
  /** The nodes' CPU per committed transaction per node in the window, µs (from /proc). */
  readonly cpuUsPerTx: number;
}

interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
    readonly children?: readonly number[];
  }[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Now on the clock of `StepWindow`, µs. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Reads every `.cpuprofile` in `dir` (one per node) and splits each window's samples over
 * `components`, scaled to the window's CPU µs per committed transaction per node: one row per
 * window, one column per component.
 */
export async function componentRows(dir: string, windows: readonly StepWindow[]): Promise<Row[]> {
  const names = [...components.map(([name]) => name), otherComponent];
  const totals = windows.map(() => new Map<string, number>(names.map((n) => [n, 0])));
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const componentOf = classify(profile);
    let at = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      const component = componentOf.get(profile.samples[i] as number);
      if (component === undefined) continue;
      for (const [w, window] of windows.entries())
        if (at >= window.fromUs && at <= window.toUs) {
          const m = totals[w] as Map<string, number>;
          m.set(component, (m.get(component) ?? 0) + delta);
        }
    }
  }
  return windows.map((window, w) => {
    const m = totals[w] as Map<string, number>;
    const sum = [...m.values()].reduce((a, b) => a + b, 0);
    const row: Row = { step: window.label, 'node CPU µs/tx': Math.round(window.cpuUsPerTx) };
    for (const name of names)
      row[name] = sum === 0 ? 0 : Math.round((window.cpuUsPerTx * (m.get(name) ?? 0)) / sum);
    return row;
  });
}

/** The component of every profile node that is a sample's leaf (idle samples have none). */
function classify(profile: CpuProfile): Map<number, string> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<number, string>();
  for (const n of profile.nodes) {
    if (n.callFrame.functionName === '(idle)') continue;
    const stack: string[] = [];
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)?.callFrame;
      if (f !== undefined) stack.push(`${f.functionName}@${f.url}`);
    }
    const hit = components.find(([, re]) => stack.some((s) => re.test(s)));
    out.set(n.id, hit?.[0] ?? otherComponent);
  }
  return out;
}
