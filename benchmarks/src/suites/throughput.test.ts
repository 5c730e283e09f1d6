import { generateKeyPair } from '@joule/consensus';
import { marketModules } from '@joule/node';
import { signTx, txMessage } from '@joule/state';
import { describe, expect, it } from 'vitest';
import { percentile } from '../lic/stats.js';
import { UsageError } from '../report.js';
import {
  measureSlot,
  measuresNeeded,
  pollNow,
  signWithKey,
  stepSize,
  throughputFlags,
  warmUpStep,
} from './throughput.js';

describe('throughput suite helpers', () => {
  it('gives each of a sender’s measures its own (slot, signal)', () => {
    const seen = new Set<string>();
    for (let m = 0; m < 1_000; m++) {
      const { slot, signal } = measureSlot(m);
      const key = `${slot}/${signal}`;
      expect(seen.has(key), `measure ${m} repeats ${key}`).toBe(false);
      seen.add(key);
    }
    expect(measureSlot(0)).toEqual({ slot: 0, signal: 'consumption' });
    expect(measureSlot(1)).toEqual({ slot: 0, signal: 'production' });
    expect(measureSlot(191).slot, 'a day of 15-minute slots holds 192 measures').toBe(95);
  });

  it('takes percentiles by nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5), 'p50 of 1..100').toBe(50);
    expect(percentile(sorted, 0.99), 'p99 of 1..100').toBe(99);
    expect(percentile([7], 0.99), 'one sample').toBe(7);
    expect(percentile([], 0.5), 'no sample').toBeNaN();
  });

  it('signs exactly the bytes signTx signs', () => {
    const key = generateKeyPair(new Uint8Array(32).fill(3));
    const { core } = marketModules('joule');
    const messages = [txMessage(core.bank.msg.send, { to: new Uint8Array(20), denom: 'ujoule', amount: 1n })];
    for (const nonce of [0, 1, 41]) {
      const fields = { chainId: 'joule-throughput', nonce, messages };
      expect(signWithKey(key, fields), `nonce ${nonce}`).toEqual(signTx(key.secretKey, fields));
    }
  });

  it('passes --node-args to the nodes as Node flags, none by default', () => {
    expect(throughputFlags([]).nodeArgs, 'no flag').toEqual([]);
    expect(throughputFlags(['--node-args=']).nodeArgs, 'empty').toEqual([]);
    expect(throughputFlags(['--node-args=--max-semi-space-size=64  --single-threaded-gc ']).nodeArgs).toEqual(
      ['--max-semi-space-size=64', '--single-threaded-gc'],
    );
    expect(() => throughputFlags(['--node-args=--max-old-space-size=64 script.js'])).toThrow(UsageError);
  });

  it('keeps the logs of the nodes only when --logs names a directory', () => {
    expect(throughputFlags([]).logsDir, 'no flag').toBeUndefined();
    expect(throughputFlags(['--logs', '/var/tmp/tp-logs']).logsDir).toBe('/var/tmp/tp-logs');
    expect(() => throughputFlags(['--logs='])).toThrow(UsageError);
  });

  it('warms up once, at the first rate, for half a step but at most 5 s', () => {
    expect(warmUpStep([25, 50], 10_000), 'default 10 s steps').toEqual({ rate: 25, ms: 5_000 });
    expect(warmUpStep([300, 25], 4_000), 'short steps: half a step').toEqual({ rate: 300, ms: 2_000 });
    expect(warmUpStep([50], 15_000), 'long steps: capped').toEqual({ rate: 50, ms: 5_000 });
    expect(warmUpStep([50], 1_000)?.ms, 'never under a second').toBe(1_000);
    expect(warmUpStep([], 10_000), 'no rate, no warm-up').toBeNull();
  });

  it('funds the warm-up’s measures on top of the series’', () => {
    const warm = warmUpStep([3_200], 15_000);
    if (warm === null) throw new Error('no warm-up');
    const extra = stepSize(warm.rate, warm.ms);
    expect(extra, '5 s at 3 200 tx/s').toBe(16_000);
    // Half of a sender's transactions are measures: 16 000 txs over 64 senders add 125 each.
    expect(measuresNeeded(15_000, extra) - measuresNeeded(15_000)).toBe(125);
  });

  it('polls for blocks as soon as a transaction is due, every 50 ms while none is', () => {
    expect(pollNow(true, 10), 'a transaction due: at the next 10 ms tick').toBe(true);
    expect(pollNow(false, 10), 'idle: not yet').toBe(false);
    expect(pollNow(false, 40), 'idle: not yet').toBe(false);
    expect(pollNow(false, 50), 'idle: every 50 ms').toBe(true);
  });
});
