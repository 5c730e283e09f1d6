import { DecodeError } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { fuzz } from './fuzz.js';
import { check, corpusOf, inputAt, runDecodeTarget } from './run-decode.js';
import { type DecodeTarget, decodeTargets } from './targets.js';

describe('npm run fuzz, smoke (20 000 inputs)', () => {
  it('finds no crash, hang, non-canonical decode or unexpected 5xx, and runs every target', async () => {
    const report = await fuzz({
      seed: 7,
      inputs: 20_000,
      seconds: 60,
      // Generous on a loaded test machine: a real hang is slow on its retry too.
      hangMs: 2_000,
      httpHangMs: 20_000,
      only: null,
      outDir: null,
      log: () => {},
    });
    const findings = report.targets.flatMap((t) =>
      t.findings.map((f) => `${f.target}#${f.index} ${f.kind}: ${f.detail}`),
    );
    expect(findings, 'findings').toEqual([]);
    expect(
      report.crashes + report.hangs + report.nonCanonical + report.unexpected5xx,
      'counted findings',
    ).toBe(0);
    const names = report.targets.map((t) => t.target);
    for (const name of [
      'block',
      'vote',
      'proposal',
      'commit',
      'consensus-message',
      'tx',
      'wal-record',
      'wal-file',
      'store-proof',
      'http-api',
      'peer:consensus-frame',
      'message:market/set_energy_measure',
      'message:market/set_energy_measures',
    ]) {
      expect(names, `target ${name}`).toContain(name);
    }
    for (const t of report.targets) {
      expect(t.inputs, `inputs of ${t.target}`).toBeGreaterThan(0);
      expect(t.accepted, `valid inputs accepted by ${t.target}`).toBeGreaterThan(0);
      expect(t.refused, `bad inputs refused by ${t.target}`).toBeGreaterThan(0);
    }
  });
});

describe('the oracle', () => {
  const vote = decodeTargets().find((t) => t.name === 'vote') as DecodeTarget;

  it('reproduces an input from its seed, target and index', () => {
    const corpus = corpusOf(vote, 11);
    expect(corpusOf(vote, 11), 'the seed corpus').toEqual(corpus);
    for (const index of [0, 1, 999]) {
      expect(inputAt('vote', 11, index, corpus), `input ${index}`).toEqual(
        inputAt('vote', 11, index, corpus),
      );
    }
    expect(inputAt('vote', 11, 5, corpus), 'another seed').not.toEqual(inputAt('vote', 12, 5, corpus));
  });

  it('counts an untyped exception as a crash, a typed one as a refusal', () => {
    const fragile: DecodeTarget = {
      ...vote,
      name: 'fragile',
      decode: (bytes) => {
        if (bytes.length > 40) throw new RangeError('offset out of range');
        return vote.decode(bytes);
      },
    };
    const report = runDecodeTarget(fragile, {
      seed: 1,
      inputs: 2_000,
      seconds: 60,
      hangMs: 10_000,
      outDir: null,
      quiet: true,
    });
    expect(report.crashes, 'crashes of a decoder that throws RangeError').toBeGreaterThan(0);
    expect(report.findings[0]?.detail, 'the crash names the error').toContain('RangeError');
    expect(check(vote, new Uint8Array([0xc1]), 10_000), 'a refused input').toMatchObject({
      outcome: 'refused',
    });
    expect(vote.isTypedError(new DecodeError('DECODE_MALFORMED', 'x')), 'DecodeError is typed').toBe(true);
  });

  it('flags a decoder whose value does not re-encode to the input', () => {
    const lax: DecodeTarget = {
      ...vote,
      name: 'lax',
      encode: (value) => new Uint8Array([...(vote.encode?.(value) ?? []), 0]),
    };
    const seed = corpusOf(vote, 1)[0] as Uint8Array;
    expect(check(lax, seed, 10_000), 'a non-canonical decode').toMatchObject({ kind: 'non-canonical' });
    expect(check(vote, seed, 10_000), 'a valid vote').toMatchObject({ outcome: 'accepted' });
  });
});
