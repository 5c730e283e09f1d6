import { describe, expect, it } from 'vitest';
import type { Application } from '../app/application.js';
import { KvApp, type KvDurable } from './kv-app.js';
import { runScenario } from './scenario.js';

/**
 * Nothing of a seed survives it: one process runs thousands of seeds, so a seed's nodes, drivers,
 * stores and applications must be garbage once `runScenario` returns. Each application instance
 * the run creates (one per node and incarnation) is watched through a WeakRef; after the seeds and
 * a full collection none may be left. Seeds with crashes matter most: a crashed incarnation's
 * driver is left waiting forever, and what it waits on must not be shared between seeds.
 * (The consensus project runs with `--expose-gc`, see the root vitest config.)
 */
describe('simulator, memory across seeds', () => {
  it('keeps no node or application of a finished seed', { timeout: 120_000 }, async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'run with --expose-gc').toBeTypeOf('function');
    const watched: WeakRef<Application>[] = [];
    let crashes = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const durable = new Map<string, KvDurable>();
      const r = await runScenario({
        seed,
        validators: 4,
        byzantine: 1,
        app: (node) => {
          const kv = durable.get(node) ?? KvApp.empty();
          durable.set(node, kv);
          const app = new KvApp(kv);
          watched.push(new WeakRef(app));
          return app;
        },
      });
      crashes += r.crashes;
      expect(r.safetyViolations).toEqual([]);
    }
    // The seeds crashed nodes (the case that kept whole seeds alive) and built many applications.
    expect(crashes).toBeGreaterThan(0);
    expect(watched.length).toBeGreaterThan(12 * 4);
    // WeakRef targets stay alive until the current job ends: collect from a later macrotask.
    await new Promise<void>((resolve) => setImmediate(resolve));
    (gc as () => void)();
    await new Promise<void>((resolve) => setImmediate(resolve));
    (gc as () => void)();
    const alive = watched.filter((ref) => ref.deref() !== undefined).length;
    expect(alive, `${alive} of ${watched.length} applications outlived their seed`).toBe(0);
  });
});
