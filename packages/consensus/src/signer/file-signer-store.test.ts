import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../crypto/ed25519.js';
import { VoteType } from '../vote/vote.js';
import { FileSignerStore } from './file-signer-store.js';
import { DoubleSignGuard } from './guard.js';
import { maxSignBytes, maxSignerStateFileBytes, signerStateFileBytes } from './limits.js';
import { encodeSignerStateFile } from './signer-state-codec.js';
import { type SignerState, SignStep } from './signer-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'joule-signer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const state = (height = 12): SignerState => ({
  height,
  round: 3,
  step: SignStep.Precommit,
  signBytes: new Uint8Array(120).fill(5),
  signature: new Uint8Array(64).fill(9),
});

describe('FileSignerStore', () => {
  it('loads null when nothing was ever saved', async () => {
    expect(await new FileSignerStore({ path: join(dir, 'signer.state') }).load()).toBeNull();
  });

  it('saves atomically to a 0600 file, in a directory it creates, and loads it back', async () => {
    const path = join(dir, 'data', 'signer.state');
    const store = new FileSignerStore({ path });
    await store.save(state(12));
    await store.save(state(13));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'data')), 'no temp file is left behind').toEqual(['signer.state']);
    expect(await new FileSignerStore({ path }).load()).toEqual(state(13));
  });

  it('round-trips any valid state', async () => {
    const path = join(dir, 'signer.state');
    const store = new FileSignerStore({ path });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          height: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          round: fc.integer({ min: 0, max: 0x7fff_ffff }),
          step: fc.constantFrom(SignStep.Propose, SignStep.Prevote, SignStep.Precommit),
          signBytes: fc.uint8Array({ minLength: 1, maxLength: maxSignBytes }),
          signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
        }),
        async (s) => {
          await store.save(s);
          expect(await store.load()).toEqual(s);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a flipped bit in one copy loads the other; in both copies, a truncation, an empty or an oversized file is SIGNER_STATE_CORRUPT, never a reset', async () => {
    const path = join(dir, 'signer.state');
    await new FileSignerStore({ path }).save(state());
    const good = new Uint8Array(await readFile(path));
    expect(good.length, 'two copies').toBe(signerStateFileBytes);
    const loadOf = async (bytes: Uint8Array): Promise<unknown> => {
      await writeFile(path, bytes);
      return new FileSignerStore({ path }).load().then(
        (s) => s,
        (e: unknown) => e,
      );
    };
    const used = 4 + encodeSignerStateFile(state()).length; // the length prefix and the record
    for (let i = 0; i < used; i++) {
      for (const bit of [0x01, 0x80]) {
        for (const copy of [0, 1]) {
          const one = new Uint8Array(good);
          const at = copy * maxSignerStateFileBytes + i;
          one[at] = (one[at] as number) ^ bit;
          expect(await loadOf(one), `byte ${i} ^ ${bit} of copy ${copy}`).toEqual(state());
        }
        const both = new Uint8Array(good);
        for (const at of [i, maxSignerStateFileBytes + i]) both[at] = (both[at] as number) ^ bit;
        expect(await loadOf(both), `byte ${i} ^ ${bit} of both copies`).toMatchObject({
          code: 'SIGNER_STATE_CORRUPT',
        });
      }
    }
    const damaged: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['truncated', good.subarray(0, good.length - 1)],
      ['one copy only', good.subarray(0, maxSignerStateFileBytes)],
      ['extended', new Uint8Array([...good, 0])],
      ['oversized', new Uint8Array(64 * 1024)],
      ['zeros', new Uint8Array(signerStateFileBytes)],
    ];
    for (const [name, bytes] of damaged) {
      expect(await loadOf(bytes), name).toMatchObject({ code: 'SIGNER_STATE_CORRUPT' });
    }
  });

  it('a power cut in a save leaves the old state or the new one: a torn first copy gives the second', async () => {
    const { path, old, next } = await savedTwice();
    const first = (bytes: Uint8Array) => [...bytes.subarray(0, maxSignerStateFileBytes)];
    const second = (bytes: Uint8Array) => [...bytes.subarray(maxSignerStateFileBytes)];
    const torn = (a: number[], b: number[]) => [...a.slice(0, 40), ...b.slice(40)];
    const zeros = [...new Uint8Array(maxSignerStateFileBytes)];
    const cuts: [string, number[], SignerState][] = [
      [
        'first copy torn (new, then old bytes)',
        [...torn(first(next), first(old)), ...second(old)],
        state(12),
      ],
      ['first copy zeroed', [...zeros, ...second(old)], state(12)],
      ['first copy written, second not', [...first(next), ...second(old)], state(13)],
      ['second copy torn', [...first(next), ...torn(second(next), second(old))], state(13)],
    ];
    for (const [name, bytes, expected] of cuts) {
      await writeFile(path, new Uint8Array(bytes));
      expect(await new FileSignerStore({ path }).load(), name).toEqual(expected);
    }
  });

  it('after a save torn in one copy, the next save replaces the file whole: a second torn save cannot leave no copy', async () => {
    const path = join(dir, 'signer.state');
    await new FileSignerStore({ path }).save(state(12));
    const good = new Uint8Array(await readFile(path));
    for (const copy of [0, 1]) {
      const torn = new Uint8Array(good);
      torn.fill(0, copy * maxSignerStateFileBytes + 2, copy * maxSignerStateFileBytes + 40);
      await writeFile(path, torn);
      const before = (await stat(path)).ino;
      const store = new FileSignerStore({ path });
      expect(await store.load(), `copy ${copy} torn: the other loads`).toEqual(state(12));
      await store.save(state(13));
      expect((await stat(path)).ino, `copy ${copy} torn: replaced, not overwritten in place`).not.toBe(
        before,
      );
      // A power cut in the save after this one may tear either copy: the other must hold state 13.
      await expectEitherCopyTornLoads(path, state(13));
    }
  });

  it('after a save cut between its copies (both whole, different), the next save replaces the file: the loaded state is never lost to a torn first copy', async () => {
    const { path, old, next } = await savedTwice();
    // A power cut after the first copy of state 13 was flushed, before the second was written.
    const cut = new Uint8Array(signerStateFileBytes);
    cut.set(next.subarray(0, maxSignerStateFileBytes), 0);
    cut.set(old.subarray(maxSignerStateFileBytes), maxSignerStateFileBytes);
    await writeFile(path, cut);
    const before = (await stat(path)).ino;
    const restarted = new FileSignerStore({ path });
    // The guard restarts at 13 and may hand that signature out again (replay re-sends it).
    expect(await restarted.load()).toEqual(state(13));
    await restarted.save(state(14));
    // Overwritten in place, a power cut tearing the first copy would load the second: state 12.
    expect((await stat(path)).ino, 'replaced, not overwritten in place').not.toBe(before);
    await expectEitherCopyTornLoads(path, state(14));
  });

  it('overwrites the file in place once it holds two copies, and replaces a one-record file atomically', async () => {
    const path = join(dir, 'signer.state');
    await writeFile(path, encodeSignerStateFile(state(12)), { mode: 0o600 });
    const store = new FileSignerStore({ path });
    expect(await store.load(), 'the one-record format loads').toEqual(state(12));
    await store.save(state(13));
    const replaced = await stat(path);
    expect(replaced.size, 'two copies now').toBe(signerStateFileBytes);
    await store.save(state(14));
    const overwritten = await stat(path);
    expect(overwritten.ino, 'the same file: written in place').toBe(replaced.ino);
    expect(await readdir(dir), 'no temp file').toEqual(['signer.state']);
    expect(await new FileSignerStore({ path }).load()).toEqual(state(14));
    const legacy = encodeSignerStateFile(state(12));
    legacy[5] = (legacy[5] as number) ^ 0x01;
    await writeFile(path, legacy);
    await expect(new FileSignerStore({ path }).load(), 'a damaged one-record file').rejects.toMatchObject({
      code: 'SIGNER_STATE_CORRUPT',
    });
  });

  it('ignores a temp file left by a crash, and replaces it with a 0600 one', async () => {
    const path = join(dir, 'signer.state');
    await writeFile(`${path}.tmp`, 'half written');
    await chmod(`${path}.tmp`, 0o644);
    const store = new FileSignerStore({ path });
    expect(await store.load(), 'the temp file is not the state').toBeNull();
    await store.save(state(13));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir), 'the temp file was used up').toEqual(['signer.state']);
    expect(await store.load()).toEqual(state(13));
  });

  it('refuses an invalid state before touching the file', async () => {
    const path = join(dir, 'signer.state');
    const store = new FileSignerStore({ path });
    await store.save(state(12));
    await expect(store.save({ ...state(13), signature: new Uint8Array(3) })).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    });
    await expect(store.save({ ...state(13), height: 0 })).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    expect(await store.load()).toEqual(state(12));
  });

  it('reports file-system failures as SIGNER_STORE_IO', async () => {
    await writeFile(join(dir, 'file'), 'x');
    const store = new FileSignerStore({ path: join(dir, 'file', 'signer.state') });
    await expect(store.save(state())).rejects.toMatchObject({ code: 'SIGNER_STORE_IO' });
    await expect(store.load()).rejects.toMatchObject({ code: 'SIGNER_STORE_IO' });
  });

  it('a guard restarted over the file refuses to sign a conflicting vote', async () => {
    const path = join(dir, 'signer.state');
    const key = generateKeyPair(new Uint8Array(32).fill(1));
    const guardOn = () =>
      new DoubleSignGuard(
        { chainId: 'c' },
        { store: new FileSignerStore({ path }), secretKey: key.secretKey },
      );
    const vote = {
      type: VoteType.Precommit,
      height: 8,
      round: 0,
      blockId: { hash: new Uint8Array(32).fill(1) },
      timestamp: 10,
      validatorAddress: new Uint8Array(20),
      validatorIndex: 0,
    };
    const signed = await guardOn().signVote(vote);
    const restarted = guardOn();
    await expect(restarted.signVote({ ...vote, blockId: null })).rejects.toMatchObject({
      code: 'DOUBLE_SIGN_REFUSED',
    });
    expect(await restarted.signVote({ ...vote, timestamp: 99 })).toEqual(signed);
  });
});

/** Tears each copy of the file at `path` in turn (a power cut in the next save): the other must load `expected`. */
/** A signer-state file saved at height 12, then 13: its path and the file's bytes after each save. */
async function savedTwice(): Promise<{ path: string; old: Uint8Array; next: Uint8Array }> {
  const path = join(dir, 'signer.state');
  const store = new FileSignerStore({ path });
  await store.save(state(12));
  const old = new Uint8Array(await readFile(path));
  await store.save(state(13));
  return { path, old, next: new Uint8Array(await readFile(path)) };
}

async function expectEitherCopyTornLoads(path: string, expected: SignerState): Promise<void> {
  const both = new Uint8Array(await readFile(path));
  for (const at of [0, 1]) {
    const torn = new Uint8Array(both);
    torn.fill(0, at * maxSignerStateFileBytes + 2, at * maxSignerStateFileBytes + 40);
    await writeFile(path, torn);
    expect(await new FileSignerStore({ path }).load(), `then copy ${at} torn`).toEqual(expected);
  }
}
