import { describe, expect, it } from 'vitest';
import { parseNodeLog, traceRow } from './throughput-trace.js';

/** A line as the node writes it: level name, ISO time (ms since the epoch in the test's numbers). */
const line = (time: number, msg: string, fields: Record<string, unknown>) =>
  JSON.stringify({ level: 'debug', time: new Date(time).toISOString(), module: 'consensus', msg, ...fields });

/** Node i's log of height 7: it starts at 1000 + i, signs its prevote at 1010 + 2i, and so on. */
function nodeLog(i: number, extra: string[] = []): string {
  return [
    'not json',
    line(990, 'committed block', { height: 6, round: 0, txs: 1 }),
    line(1000 + i, 'new round', { height: 7, round: 0 }),
    ...(i === 0 ? [] : [line(1005 + i, 'proposal', { height: 7, round: 0, valid: true })]),
    line(1010 + 2 * i, 'voted', { height: 7, round: 0, type: 1 }),
    line(1020 + 3 * i, 'voted', { height: 7, round: 0, type: 2 }),
    line(1030 + i, 'committed block', { height: 7, round: 0, txs: 1 }),
    ...extra,
    '{"broken',
  ].join('\n');
}

describe('throughput trace', () => {
  it('reads the first time of each stage of each height from a node log', () => {
    const late = [line(1040, 'voted', { height: 7, round: 1, type: 1 })];
    const stages = parseNodeLog(nodeLog(1, late));
    expect(stages.get(7)).toEqual({
      start: 1001,
      proposal: 1006,
      prevote: 1012,
      precommit: 1023,
      commit: 1031,
      round: 1,
    });
    expect(stages.get(6)?.commit).toBe(990);
  });

  it('times each stage from the send, quorums at the third of four validators', () => {
    const nodes = [0, 1, 2, 3].map((i) => parseNodeLog(nodeLog(i)));
    const row = traceRow('25 tx/s', [{ sentMs: 995, ackedMs: 999, height: 7, seenMs: 1040 }], nodes);
    expect(row).toEqual({
      step: '25 tx/s',
      txs: 1,
      'API answer p50 ms': 4,
      'height start p50 ms': 5,
      // Node0 proposed: the first proposal received is node1's.
      'proposal p50 ms': 11,
      // Prevotes at 1010, 1012, 1014, 1016: the third makes the quorum.
      'prevote quorum p50 ms': 19,
      // Precommits at 1020, 1023, 1026, 1029.
      'precommit quorum p50 ms': 31,
      'node0 commit p50 ms': 35,
      'seen by load p50 ms': 45,
      'txs in a height past round 0': 0,
      heights: 1,
    });
  });
});
