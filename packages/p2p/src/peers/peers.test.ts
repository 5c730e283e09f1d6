import { describe, expect, it } from 'vitest';
import { P2pCounters } from './metrics.js';
import { PeerScores } from './peer-scores.js';
import { BoundedSeenSet } from './seen-cache.js';
import { FrameLimiter, TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    for (let i = 0; i < 5; i++) expect(bucket.take(), `burst token ${i}`).toBe(true);
    expect(bucket.take(), 'empty after the burst').toBe(false);
    now += 100; // 1 token
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 10_000;
    expect(bucket.tokens, 'refill is capped at the burst').toBeLessThanOrEqual(5);
  });

  it('limits frames and bytes together', () => {
    const limiter = new FrameLimiter(
      { framesPerSecond: 1, burstFrames: 100, bytesPerSecond: 1, burstBytes: 1_000 },
      () => 0,
    );
    expect(limiter.allow(900)).toBe(true);
    expect(limiter.allow(200), 'over the byte burst').toBe(false);
  });
});

describe('BoundedSeenSet', () => {
  it('reports duplicates and evicts the oldest key', () => {
    const seen = new BoundedSeenSet(2);
    const hash = (n: number): Uint8Array => new Uint8Array(32).fill(n);
    expect(seen.add(hash(1))).toBe(true);
    expect(seen.add(hash(1)), 'a duplicate').toBe(false);
    seen.add(hash(2));
    seen.add(hash(3));
    expect(seen.size).toBe(2);
    expect(seen.has(hash(1)), 'oldest evicted').toBe(false);
    expect(seen.has(hash(3))).toBe(true);
    expect(seen.stats().evictions, 'one eviction').toBe(1);
  });
});

describe('PeerScores', () => {
  it('bans at the threshold for the ban period, and scores recover', () => {
    let now = 0;
    const banned: string[] = [];
    const counters = new P2pCounters();
    const scores = new PeerScores(
      { banScore: -100, banDurationMs: 1_000, recoveryPerSecond: 10 },
      { now: () => now, counters, onBan: (p) => banned.push(p) },
    );
    scores.penalize('p', 60, 'malformed');
    expect(scores.score('p')).toBe(-60);
    now += 1_000;
    expect(scores.score('p'), '10 points recovered per second').toBe(-50);
    scores.penalize('p', 50, 'malformed');
    expect(banned).toEqual(['p']);
    expect(scores.isBanned('p')).toBe(true);
    expect(counters.bans).toBe(1);
    expect(counters.penalties.get('malformed')).toBe(2);
    now += 1_001;
    expect(scores.isBanned('p'), 'the ban ends').toBe(false);
  });
});
