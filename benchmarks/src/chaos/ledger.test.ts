import { describe, expect, it } from 'vitest';
import { type BlockView, type CommitView, Ledger } from './ledger.js';
import { classRows, percentile } from './result.js';
import type { Injection } from './run.js';

const block = (height: number, hash: string, extra: Partial<BlockView> = {}): BlockView => ({
  height,
  hash,
  appHash: `app${height}`,
  time: height * 1000,
  txs: [],
  evidence: 0,
  lastCommit: null,
  ...extra,
});
const commit = (height: number, round: number, blockHash: string, flags: readonly number[]): CommitView => ({
  height,
  round,
  blockHash,
  signatures: flags.map((flag, i) => ({ flag, validator: `v${i}` })),
});

describe('chaos ledger', () => {
  it('accepts the same chain from every node', () => {
    const l = new Ledger();
    for (const node of ['node0', 'node1']) for (let h = 1; h <= 3; h++) l.addBlock(node, block(h, `h${h}`));
    expect(l.forks).toEqual([]);
    expect(l.appHashMismatches).toEqual([]);
    expect(l.top).toBe(3);
  });

  it('counts a different block hash or app hash at one height, once per node and height', () => {
    const l = new Ledger();
    l.addBlock('node0', block(2, 'a'));
    l.addBlock('node1', block(2, 'b'));
    l.addBlock('node1', block(2, 'b'));
    l.addBlock('node2', block(2, 'a', { appHash: 'other' }));
    expect(l.forks).toEqual([
      { height: 2, node: 'node1', hash: 'b', canonical: 'a', canonicalNode: 'node0' },
    ]);
    expect(l.appHashMismatches).toEqual([{ height: 2, node: 'node2' }]);
  });

  it('finds a validator that precommitted two different things at one height and round', () => {
    const l = new Ledger();
    l.addCommit(commit(5, 0, 'x', [2, 2, 3, 1]));
    l.addCommit(commit(5, 1, 'y', [2, 2, 2, 2])); // another round: not a double sign
    expect(l.doubleSigns).toEqual([]);
    l.addCommit(commit(5, 0, 'y', [1, 1, 2, 1]));
    expect(l.doubleSigns).toEqual([{ validator: 'v2', height: 5, round: 0, votes: ['nil', 'y'] }]);
  });

  it('reads the commits in a block and counts its evidence', () => {
    const l = new Ledger();
    l.addBlock('node0', block(6, 'b6', { evidence: 1, lastCommit: commit(5, 0, 'b5', [2]) }));
    l.addCommit(commit(5, 0, 'other', [2]));
    expect(l.evidence.get(6)).toBe(1);
    expect(l.doubleSigns).toHaveLength(1);
  });

  it('flags a block time that does not increase with the height', () => {
    const l = new Ledger();
    l.addBlock('node0', block(1, 'a'));
    l.addBlock('node0', block(2, 'b', { time: 500 }));
    expect(l.nonMonotonicTimes).toEqual([{ height: 2, node: 'node0' }]);
  });
});

describe('chaos table', () => {
  it('takes the nearest-rank percentile', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([4, 1, 3, 2], 100)).toBe(4);
  });

  it('sums a fault class and leaves a node that never rejoined out of the rejoin times', () => {
    const inj = (rejoinS: number | null, survived: boolean): Injection => ({
      cycle: 0,
      kind: 'pause',
      node: 'node1',
      validator: true,
      t: 0,
      healT: 1,
      rejoinS,
      lostBlocks: 0,
      manualRepair: null,
      forks: 0,
      doubleSigns: 0,
      lostAcked: 0,
      stalled: false,
      failure: null,
      detail: '',
      survived,
    });
    const [row] = classRows([inj(1, true), inj(3, true), inj(null, false)]);
    expect(row).toMatchObject({
      fault: 'pause',
      injections: 3,
      survived: 2,
      noRejoin: 1,
      maxRejoinS: 3,
      p50RejoinS: 1,
    });
  });
});
