#!/usr/bin/env node
// The live heap one entry of a node's bounded caches costs, measured: each cache is filled to its
// cap with entries of the shape the node stores (and past it, evicting, as a node's caches are once
// full), between two full collections, and the growth of `process.memoryUsage().heapUsed` is divided
// by the entries. Several caps, because a `Map` and the cache's slot arrays grow by doubling: an
// entry costs more just after a doubling than before the next. The figures set `bytesPerSeenHash`
// and `bytesPerVerdict` in packages/node/src/constants.ts. Run after `npm run build`:
//
//   node --expose-gc scripts/cache-heap.mjs
//
// Rows: the gossip seen-sets (`BoundedSeenSet`: SHA-256 hashes as 32-character keys; the mempool's
// seen-cache is the same `BoundedCache<string, true>` of the same keys), the consensus gossip's
// verdicts (the same keys, a small verdict object each), and the invalid-signature cache (key ‖
// signature ‖ a vote's sign bytes, one character a byte), with the bytes it counts itself at.
import { randomBytes } from 'node:crypto';
import { BoundedCache, bytesKey, sha256, VoteType } from '@joule/consensus';
import { voteSignBytes } from '@joule/consensus/core';
import { BoundedSeenSet } from '@joule/p2p/internal';

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}

const heap = () => {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
};

/**
 * Heap bytes per entry of a cache of `n` entries (`make(n)`), filled by `fill.run` with `turns` × `n`
 * entries: 1 fills it to its cap, more evict, as a node's caches do once full (a `Map` keeps the
 * holes of deleted entries until it rehashes).
 */
function measure(n, make, fill, turns = 1) {
  // The inputs (hashes, ids) are made before the first reading: only what the cache keeps counts.
  const inputs = fill.prepare(n * turns);
  const before = heap();
  const cache = make(n);
  fill.run(cache, inputs);
  const after = heap();
  const perEntry = (after - before) / n;
  return { perEntry, cache, inputs };
}

const hashes = {
  prepare: (n) =>
    Array.from({ length: n }, (_, i) => sha256(new TextEncoder().encode(`tx ${i} ${Math.random()}`))),
};

const rows = [];
/** Inserts made, in caps: 1 fills a cache; 8 turns its `Map` over to the size it keeps when evicting. */
const turnsMeasured = [1, 2, 4, 8];
const caps = [512, 1_000, 2_000, 4_096, 5_000, 10_000, 20_000, 40_000];

const seenFill = {
  ...hashes,
  run: (set, inputs) => {
    for (const h of inputs) set.add(h);
  },
};
const verdictFill = {
  ...hashes,
  run: (cache, inputs) => {
    // As `ConsensusGossip` stores them: `bytesKey(sha256(body))` → a verdict object of its own.
    for (const h of inputs) cache.set(bytesKey(h), { action: 'relay' });
  },
};
for (const n of caps) {
  const row = { cap: n };
  for (const turns of turnsMeasured) {
    const seen = measure(n, (cap) => new BoundedSeenSet(cap), seenFill, turns);
    if (seen.cache.size !== n) throw new Error('seen-set not full');
    const verdicts = measure(n, (cap) => new BoundedCache({ maxEntries: cap }), verdictFill, turns);
    if (verdicts.cache.size !== n) throw new Error('verdict cache not full');
    row[`seen${turns}`] = seen.perEntry;
    row[`verdict${turns}`] = verdicts.perEntry;
  }
  rows.push(row);
}

const publicKey = randomBytes(32);
const blockHash = randomBytes(32);
const ids = {
  prepare: (n) =>
    Array.from({ length: n }, (_, i) => {
      const vote = {
        type: VoteType.Precommit,
        height: 1_000 + i,
        round: 0,
        blockId: { hash: blockHash },
        timestamp: Date.now() + i,
      };
      return [publicKey, randomBytes(64), voteSignBytes('lic-pilot-1', vote)];
    }),
};
const invalid = [];
for (const n of [1_000, 2_000, 4_096]) {
  const held = measure(
    n,
    (cap) =>
      new BoundedCache({ maxEntries: cap, maxBytes: Number.POSITIVE_INFINITY, sizeOf: (id) => id.length }),
    {
      ...ids,
      run: (cache, inputs) => {
        // As `SignatureVerdicts` stores them (the id is made at the check, so it is the cache's own).
        for (const [key, signature, signBytes] of inputs)
          cache.set(Buffer.concat([key, signature, signBytes]).toString('latin1'), true);
      },
    },
  );
  invalid.push({ cap: n, heapPerEntry: held.perEntry, countedPerEntry: held.cache.bytes / n });
}

const fmt = (x) => x.toFixed(1).padStart(7);
console.log(`node ${process.version}, ${process.arch}`);
console.log(
  `heap bytes an entry, after ${turnsMeasured.join(' / ')} × the cap inserted (1: filled; more: evicting)`,
);
console.log(`entries  seen hash${' '.repeat(8 * turnsMeasured.length - 9)}  verdict`);
for (const r of rows) {
  const seen = turnsMeasured.map((t) => fmt(r[`seen${t}`])).join(' ');
  const verdict = turnsMeasured.map((t) => fmt(r[`verdict${t}`])).join(' ');
  console.log(`${String(r.cap).padStart(7)}  ${seen}  ${verdict}`);
}
console.log('entries  invalid signature: heap  counted (bytes an entry)');
for (const r of invalid)
  console.log(`${String(r.cap).padStart(7)}  ${fmt(r.heapPerEntry)}  ${fmt(r.countedPerEntry)}`);
