import {
  addressOf,
  type Commit,
  CommitFlag,
  generateKeyPair,
  type Header,
  headerHash,
  type KeyPair,
  makeValidator,
  makeValidatorSet,
  type ValidatorSet,
  VoteType,
  validatorSetHash,
} from '@joule/consensus';
import { signVote } from '@joule/consensus/core';
import { describe, expect, it } from 'vitest';
import type { LightClientError } from '../errors.js';
import type { Provider } from '../provider/http-provider.js';
import type { LightBlock } from '../verify/light-block.js';
import { LightClient } from './light-client.js';

/**
 * A chain built in memory with real keys and real signatures: 16 validators of which 4 sign at a
 * time, one replaced every 4 heights, so that height 60's signers share no one with height 1's and
 * skipping verification has to bisect.
 */
const chainId = 'synthetic-1';
const keys: KeyPair[] = Array.from({ length: 20 }, (_, i) => generateKeyPair(new Uint8Array(32).fill(i + 1)));
const t0 = 1_700_000_000_000;
const setAt = (h: number): { set: ValidatorSet; signers: KeyPair[] } => {
  const first = Math.floor(h / 4);
  const signers = keys.slice(first, first + 4);
  return { set: makeValidatorSet(signers.map((k) => makeValidator(k.publicKey, 10n))), signers };
};

function blockAt(
  h: number,
  sign: (set: ValidatorSet, signers: KeyPair[]) => KeyPair[] = (_s, k) => k,
): LightBlock {
  const { set, signers } = setAt(h);
  const z = new Uint8Array(32);
  const header: Header = {
    chainId,
    height: h,
    time: t0 + h * 1_000,
    lastBlockId: null,
    lastCommitHash: z,
    dataHash: z,
    validatorsHash: validatorSetHash(set),
    nextValidatorsHash: validatorSetHash(setAt(h + 1).set),
    appHash: z,
    lastResultsHash: z,
    evidenceHash: z,
    proposerAddress: set.validators[0]?.address as Uint8Array,
  };
  const hash = headerHash(header);
  const chosen = sign(set, signers);
  const commit: Commit = {
    height: h,
    round: 0,
    blockId: { hash },
    signatures: set.validators.map((v, i) => {
      const key = chosen.find((k) => addressOf(k.publicKey).every((b, j) => b === v.address[j]));
      if (key === undefined)
        return {
          flag: CommitFlag.Absent,
          validatorAddress: new Uint8Array(0),
          timestamp: 0,
          signature: new Uint8Array(0),
        };
      const vote = signVote(
        chainId,
        {
          type: VoteType.Precommit,
          height: h,
          round: 0,
          blockId: { hash },
          timestamp: header.time + 500,
          validatorAddress: v.address,
          validatorIndex: i,
        },
        key.secretKey,
      );
      return {
        flag: CommitFlag.Commit,
        validatorAddress: v.address,
        timestamp: vote.timestamp,
        signature: vote.signature,
      };
    }),
  };
  return { header, commit, validators: set, hash };
}

class ChainProvider implements Provider {
  readonly id = 'memory://chain';
  fetched: number[] = [];
  constructor(
    private readonly latest: number,
    private readonly override: (h: number) => LightBlock | undefined = () => undefined,
  ) {}
  async lightBlock(height?: number): Promise<LightBlock> {
    const h = height ?? this.latest;
    this.fetched.push(h);
    return this.override(h) ?? blockAt(h);
  }
  async provenQuery(): Promise<never> {
    throw new Error('no state in this chain');
  }
}

const trust = { height: 1, hash: blockAt(1).hash, periodMs: 3_600_000 };
const now = () => t0 + 120_000;
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: LightClientError) => e.code,
  );

describe('LightClient on a chain whose validators all change', () => {
  it('skips to height 60 by bisection, fetching far fewer headers than sequential', async () => {
    const primary = new ChainProvider(60);
    const client = new LightClient({ chainId, trust }, { primary, now });
    await client.start();
    const latest = await client.update();
    expect(latest.header.height).toBe(60);
    expect(primary.fetched.length, `fetched ${primary.fetched.join(',')}`).toBeGreaterThan(3);
    expect(primary.fetched.length).toBeLessThan(30);
    const sequential = new ChainProvider(60);
    const seq = new LightClient({ chainId, trust, mode: 'sequential' }, { primary: sequential, now });
    await seq.start();
    expect((await seq.update()).hash).toEqual(latest.hash);
    expect(sequential.fetched.length, 'the root, the latest, and 2 to 59').toBe(60);
  });

  it('refuses a header signed by a third of its set or less, even when the trusted set vouches for it', async () => {
    const primary = new ChainProvider(3, (h) => (h === 3 ? blockAt(3, (_s, k) => k.slice(0, 2)) : undefined));
    const client = new LightClient({ chainId, trust }, { primary, now });
    await client.start();
    expect(await codeOf(client.verifyTo(3))).toBe('LIGHT_NOT_ENOUGH_POWER');
  });

  it('refuses a forged signature, validators the header does not name', async () => {
    const forged = blockAt(2);
    const bad = forged.commit.signatures.map((s, i) =>
      i === 0 ? { ...s, signature: new Uint8Array(64).fill(7) } : s,
    );
    const cases: [string, LightBlock, string][] = [
      [
        'forged signature',
        { ...forged, commit: { ...forged.commit, signatures: bad } },
        'LIGHT_INVALID_SIGNATURE',
      ],
      ['other validators', { ...forged, validators: setAt(40).set }, 'LIGHT_INVALID_HEADER'],
      ['the real block', blockAt(2), 'accepted'],
    ];
    for (const [what, block, code] of cases) {
      const client = new LightClient(
        { chainId, trust },
        { primary: new ChainProvider(2, (h) => (h === 2 ? block : undefined)), now },
      );
      await client.start();
      expect(await codeOf(client.verifyTo(2)), what).toBe(code);
    }
    const other = new LightClient({ chainId: 'other-1', trust }, { primary: new ChainProvider(2), now });
    expect(await codeOf(other.start()), 'a root of another chain').toBe('LIGHT_INVALID_HEADER');
  });

  it('refuses a root of trust with another hash, and an expired one', async () => {
    const wrong = new LightClient(
      { chainId, trust: { ...trust, hash: blockAt(2).hash } },
      { primary: new ChainProvider(5), now },
    );
    expect(await codeOf(wrong.start())).toBe('LIGHT_TRUST_MISMATCH');
    const late = new LightClient(
      { chainId, trust },
      { primary: new ChainProvider(5), now: () => t0 + 1_000 + trust.periodMs },
    );
    expect(await codeOf(late.start())).toBe('LIGHT_TRUST_EXPIRED');
  });

  it('refuses a header from the future', async () => {
    const behind = new LightClient(
      { chainId, trust },
      { primary: new ChainProvider(2), now: () => t0 - 20_000 },
    );
    await behind.start();
    expect(await codeOf(behind.verifyTo(2)), 'header 2 is 22 s ahead of the local clock').toBe(
      'LIGHT_INVALID_HEADER',
    );
  });
});

describe('LightClient facing a node that answers at another height', () => {
  it('refuses a proven answer for a height it did not ask for (a stale state)', async () => {
    const asked: number[] = [];
    const chain = new ChainProvider(60);
    const stale: Provider = {
      id: chain.id,
      lightBlock: (height) => chain.lightBlock(height),
      async provenQuery(_path, _data, height) {
        asked.push(height);
        // An old state, genuinely proven (no reads to check), in place of the one asked for.
        return { value: new Uint8Array(0), height: 5, reads: [] };
      },
    };
    const client = new LightClient({ chainId, trust }, { primary: stale, now });
    await client.start();
    expect(await codeOf(client.provenState('/bank/balance', new Uint8Array(0)))).toBe('LIGHT_WRONG_ANSWER');
    expect(asked).toEqual([59]);
  });
});
