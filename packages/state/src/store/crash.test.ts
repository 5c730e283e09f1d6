import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ClassicKvStore } from '../kv/level-kv-store.js';
import { randomVersionOps, SeededRandom } from '../testkit/seeded-random.js';
import { tempDir } from '../testkit/temp-dir.js';
import { crashWorkload } from './crash-workload.js';
import { verifyProof } from './proof.js';
import { referenceRoot } from './reference-root.js';
import { VersionedStore } from './versioned-store.js';

const child = fileURLToPath(new URL('../../dist/store/crash-child.test.child.js', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The model: a plain Map after versions 1..n of the workload. */
function modelAt(seed: number, version: number): Map<string, Uint8Array> {
  const model = new Map<string, Uint8Array>();
  for (let v = 1; v <= version; v++) {
    for (const [key, value] of randomVersionOps(seed, v, crashWorkload)) {
      if (value === null) model.delete(hex(key));
      else model.set(hex(key), value);
    }
  }
  return model;
}

/** Runs the child until it has reported at least one more version, then SIGKILLs it after `delayMs`. */
function runAndKill(dir: string, seed: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn(process.execPath, [child, dir, String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let last = 0;
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) last = Number(line);
      timer ??= setTimeout(() => proc.kill('SIGKILL'), delayMs);
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    proc.on('exit', (_code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`child exited by itself: ${err}`));
    });
  });
}

describe('crash safety on real LevelDB', () => {
  it('after SIGKILL at random points, reopens at the last committed version with the model app hash', async () => {
    expect(existsSync(child), `${child} missing: run \`npx tsc -b\` first`).toBe(true);
    const dir = tempDir('crash');
    cleanups.push(dir.remove);
    const seed = 20_261_127;
    const timing = new SeededRandom(seed);
    let reported = 0;
    for (let round = 0; round < 5; round++) {
      const last = await runAndKill(dir.path, seed, 5 + timing.below(200));
      reported = Math.max(reported, last);
      const kv = new ClassicKvStore({ location: dir.path });
      await kv.start();
      const store = new VersionedStore({}, { kv });
      await store.start();
      const version = store.version() ?? 0;
      // The kill may land after a batch is durable and before its version is printed: one more is fine.
      expect(
        [reported, reported + 1],
        `round ${round}: reported ${reported}, reopened at ${version}`,
      ).toContain(version);
      reported = version;
      const model = modelAt(seed, version);
      const expected = referenceRoot([...model].map(([k, v]) => [Buffer.from(k, 'hex'), v] as const));
      expect(hex(store.rootHash()), `round ${round}: app hash at version ${version}`).toBe(hex(expected));
      const listed = await store.entries(new TextEncoder().encode('k/'));
      expect(listed.length, `round ${round}: latest-state table size`).toBe(model.size);
      for (const i of [0, 1, 2, 500, 2999]) {
        const key = new TextEncoder().encode(`k/${i}`);
        const { value, proof } = await store.prove(key, version);
        expect(value === null ? undefined : hex(value)).toBe(
          model.has(hex(key)) ? hex(model.get(hex(key)) as Uint8Array) : undefined,
        );
        expect(verifyProof(store.rootHash(), key, value, proof)).toBe(true);
      }
      await kv.stop();
    }
    expect(reported).toBeGreaterThan(5);
  });
});
