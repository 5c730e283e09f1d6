import {
  type ConsensusMessage,
  defaultConsensusParams,
  generateKeyPair,
  genesisState,
  signVote,
  type Vote,
  VoteType,
} from '@joule/consensus';
import { decodeConsensusMessage, encodeConsensusMessage } from '@joule/consensus/internal';
import { P2pCounters } from '@joule/p2p';
import {
  checkConsensusMessage,
  decodeTxBatch,
  encodeTxBatch,
  PeerSender,
  SignatureVerdicts,
} from '@joule/p2p/internal';
import { Bench } from 'tinybench';
import type { Row } from '../report.js';
import { benchRow } from './bench-row.js';

type Stream = ConstructorParameters<typeof PeerSender>[0];

/** The part of a libp2p stream `PeerSender` writes through, counting writes (no Noise, yamux or socket). */
class CountingStream extends EventTarget {
  status = 'open';
  writeStatus = 'writable';
  writes = 0;
  readonly log = Object.assign(() => {}, { error: () => {}, trace: () => {} });
  send(): boolean {
    this.writes++;
    return true;
  }
  push(): void {}
  abort(): void {
    this.status = 'aborted';
  }
  closeRead(): void {}
}

const frames = 1_000;
const frameBytes = 200;

/**
 * The gossip path's own costs: 1 000 frames of 200 bytes queued in one turn to one peer, written
 * one per write (`maxWriteBytes` 1: as before batching) and batched (the default); and a 200-tx
 * mempool batch encoded and decoded. Each write of the real stack adds a yamux frame, a Noise seal
 * and a socket write (see the throughput suite's components), so `writes` is the figure that counts.
 */
export async function gossipPrimitives(timeMs: number): Promise<Row[]> {
  const payload = Array.from({ length: frames }, (_, i) => new Uint8Array(frameBytes).fill(i & 0xff));
  const writes = new Map<string, number>();
  const sendAll = async (name: string, maxWriteBytes?: number) => {
    const stream = new CountingStream();
    const sender = new PeerSender(
      stream as unknown as Stream,
      'bench',
      {
        maxFrames: frames,
        maxBytes: frames * frameBytes,
        ...(maxWriteBytes === undefined ? {} : { maxWriteBytes }),
      },
      new P2pCounters(),
    );
    for (const f of payload) sender.enqueue(f);
    while (sender.queued > 0 || stream.writes === 0) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    writes.set(name, stream.writes);
    sender.close();
  };
  const txs = Array.from({ length: 200 }, (_, i) => new Uint8Array(180).fill(i & 0xff));
  const batch = encodeTxBatch(txs);
  const perFrame = `peer sender: ${frames} frames of ${frameBytes} B, one write each`;
  const batched = `peer sender: ${frames} frames of ${frameBytes} B, batched writes`;
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
  bench
    .add(perFrame, () => sendAll(perFrame, 1))
    .add(batched, () => sendAll(batched))
    .add(`encode tx batch (200 txs, ${batch.length} B)`, () => void encodeTxBatch(txs))
    .add('decode tx batch (200 txs)', () => void decodeTxBatch(batch));
  addVoteChecks(bench);
  await bench.run();
  return bench.tasks.map((task): Row => {
    const row = benchRow(task);
    const w = writes.get(task.name);
    return 'error' in row || w === undefined ? row : { ...row, writes: w };
  });
}

/**
 * The consensus gossip's check of vote batches from a 4-validator set: a hostile batch at height
 * next + 1 with a fresh bad signature each time (at the cap of 64 votes: it ends at its first vote),
 * the 2 000-vote batch the codec allows (refused by the cap, decoding included), and an honest
 * 16-vote batch already verified (the warm path every relayed vote takes again at the driver).
 */
function addVoteChecks(bench: Bench): void {
  const chainId = 'bench';
  const keys = [1, 2, 3, 4].map((i) => generateKeyPair(new Uint8Array(32).fill(i)));
  const vals = keys.map((k) => ({ pubKey: k.publicKey, power: 10n }));
  const state = genesisState(
    {
      chainId,
      genesisTime: 1_767_225_600_000,
      initialHeight: 1,
      validators: vals,
      consensusParams: defaultConsensusParams,
      appState: new Uint8Array(0),
    },
    vals,
    new Uint8Array(32),
  );
  const view = { chainState: state, height: 1, round: 0 };
  const vote = (height: number, i: number): Vote => {
    const v = state.validators.validators[i % 4];
    const key = keys.find((k) => v !== undefined && Buffer.from(k.publicKey).equals(Buffer.from(v.pubKey)));
    if (v === undefined || key === undefined) throw new Error('no validator');
    return signVote(
      chainId,
      {
        type: VoteType.Prevote,
        height,
        round: 0,
        blockId: null,
        timestamp: 1_767_225_601_000 + i,
        validatorAddress: v.address,
        validatorIndex: i % 4,
      },
      key.secretKey,
    );
  };
  const signatures = new SignatureVerdicts();
  const hostile = Array.from({ length: 64 }, (_, i) => vote(2, i));
  let n = 0;
  const fresh = (): ConsensusMessage => {
    const signature = new Uint8Array(64);
    new DataView(signature.buffer).setUint32(0, ++n);
    const [first, ...rest] = hostile;
    if (first === undefined) throw new Error('empty');
    return { kind: 'votes', votes: [{ ...first, signature }, ...rest] };
  };
  const huge = encodeConsensusMessage({
    kind: 'votes',
    votes: Array.from({ length: 2_000 }, (_, i) => ({ ...vote(2, i % 4), timestamp: i })),
  });
  const honest: ConsensusMessage = { kind: 'votes', votes: Array.from({ length: 16 }, (_, i) => vote(1, i)) };
  checkConsensusMessage(view, honest, signatures);
  bench
    .add('check a hostile 64-vote batch (fresh bad signature)', () => {
      if (checkConsensusMessage(view, fresh(), signatures).action !== 'invalid')
        throw new Error('not refused');
    })
    .add('decode and check a 2 000-vote batch (over the cap)', () => {
      const message = decodeConsensusMessage(huge);
      if (checkConsensusMessage(view, message, signatures).action !== 'malformed')
        throw new Error('not refused');
    })
    .add('check an honest 16-vote batch (verified before)', () => {
      if (checkConsensusMessage(view, honest, signatures).action !== 'relay') throw new Error('not relayed');
    });
}
