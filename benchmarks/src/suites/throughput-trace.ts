import { readFile } from 'node:fs/promises';
import { percentile } from '../lic/stats.js';
import type { Row } from '../report.js';

/**
 * What one transaction went through, Unix ms: its scheduled send, the API's answer, and the block
 * it landed in (height, and when the load generator saw it served by node0).
 */
export interface TracedTx {
  readonly sentMs: number;
  readonly ackedMs: number;
  readonly height: number;
  readonly seenMs: number;
}

/** When each node reached each consensus stage of a height, Unix ms (from its debug log). */
export interface HeightStages {
  /** Round 0 began (a transaction, a proposal or 1/3 of the votes woke the height). */
  start?: number;
  /** A proposal arrived (a validator's own proposal is not logged as received). */
  proposal?: number;
  /** This node signed its first prevote and precommit of the height. */
  prevote?: number;
  precommit?: number;
  /** The block was applied and stored. */
  commit?: number;
  /** Highest round reached. */
  round: number;
}

/**
 * A node's log (pino JSON lines, `[log] modules = { consensus = "debug" }`) read into the stages of
 * each height. Lines that are not JSON, or not a consensus stage, are skipped.
 */
export function parseNodeLog(text: string): Map<number, HeightStages> {
  const out = new Map<number, HeightStages>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let e: { time?: unknown; height?: unknown; round?: unknown; msg?: unknown; type?: unknown };
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    // The node writes ISO 8601 times; epoch ms (pino's default) are read too.
    const time = typeof e.time === 'string' ? Date.parse(e.time) : e.time;
    if (typeof time !== 'number' || Number.isNaN(time) || typeof e.height !== 'number') continue;
    let s = out.get(e.height);
    if (s === undefined) {
      s = { round: 0 };
      out.set(e.height, s);
    }
    const round = typeof e.round === 'number' ? e.round : 0;
    s.round = Math.max(s.round, round);
    const first = (key: 'start' | 'proposal' | 'prevote' | 'precommit' | 'commit') => {
      if (s[key] === undefined) s[key] = time;
    };
    if (e.msg === 'new round' && round === 0) first('start');
    else if (e.msg === 'proposal') first('proposal');
    else if (e.msg === 'voted' && e.type === 1) first('prevote');
    else if (e.msg === 'voted' && e.type === 2) first('precommit');
    else if (e.msg === 'committed block') first('commit');
  }
  return out;
}

/** The `k`-th earliest (1-based) of the defined values, or NaN. */
function kth(values: readonly (number | undefined)[], k: number): number {
  const sorted = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  return sorted[k - 1] ?? Number.NaN;
}

/**
 * The median, across transactions, of the time from a transaction's scheduled send to each stage
 * of its height, ms: the API's answer; the first node to start the height; the first proposal
 * received; the prevote and precommit quorums (the moment the quorum-th validator of equal power
 * signed); node0's commit; and the load generator seeing the block. The gaps between columns are
 * where a transaction's latency goes.
 */
export function traceRow(
  label: string,
  txs: readonly TracedTx[],
  nodes: readonly Map<number, HeightStages>[],
): Row {
  const quorum = Math.floor((2 * nodes.length) / 3) + 1;
  const columns: Record<string, number[]> = {
    'API answer': [],
    'height start': [],
    proposal: [],
    'prevote quorum': [],
    'precommit quorum': [],
    'node0 commit': [],
    'seen by load': [],
  };
  let retried = 0;
  const heights = new Set<number>();
  for (const tx of txs) {
    const at = nodes.map((n) => n.get(tx.height));
    const add = (column: string, ms: number) => {
      if (Number.isFinite(ms)) columns[column]?.push(ms - tx.sentMs);
    };
    add('API answer', tx.ackedMs);
    add(
      'height start',
      kth(
        at.map((s) => s?.start),
        1,
      ),
    );
    add(
      'proposal',
      kth(
        at.map((s) => s?.proposal),
        1,
      ),
    );
    add(
      'prevote quorum',
      kth(
        at.map((s) => s?.prevote),
        quorum,
      ),
    );
    add(
      'precommit quorum',
      kth(
        at.map((s) => s?.precommit),
        quorum,
      ),
    );
    add('node0 commit', at[0]?.commit ?? Number.NaN);
    add('seen by load', tx.seenMs);
    if (at.some((s) => (s?.round ?? 0) > 0)) retried++;
    heights.add(tx.height);
  }
  const row: Row = { step: label, txs: txs.length };
  for (const [column, values] of Object.entries(columns)) {
    row[`${column} p50 ms`] = Math.round(
      percentile(
        [...values].sort((a, b) => a - b),
        0.5,
      ),
    );
  }
  row['txs in a height past round 0'] = retried;
  row.heights = heights.size;
  return row;
}

/** Reads every node's log and makes one `traceRow` per step. */
export async function traceRows(
  logs: readonly string[],
  steps: readonly { label: string; txs: readonly TracedTx[] }[],
): Promise<Row[]> {
  const nodes = await Promise.all(logs.map(async (path) => parseNodeLog(await readFile(path, 'utf8'))));
  return steps.map((s) => traceRow(s.label, s.txs, nodes));
}
