import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, toHex } from '@joule/consensus';
import {
  consensusSeenCacheEntries,
  consensusVerdictCacheEntries,
  invalidSignatureCacheBytes,
} from '@joule/p2p/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesPerSeenHash, bytesPerVerdict, profiles } from '../constants.js';
import { NodeInputError } from '../errors.js';
import { applyOverrides, defaultConfig, parseConfig, renderConfig } from './config.js';
import { sections as configSections } from './config-schema.js';
import { parseGenesis } from './genesis-file.js';
import { homePaths, loadHome, replacePrivateFile } from './home.js';
import { initHome } from './init.js';
import { loadKeyFile, peerIdOf } from './key-files.js';
import { HomeLock, holderAlive } from './lock.js';
import { budgetOf, profileConfig } from './profile.js';
import { topologyPeers } from './testnet.js';

const F = '/h/config.toml';

describe('config.toml', () => {
  it('round-trips the defaults through the rendered file', () => {
    expect(parseConfig(renderConfig(defaultConfig()), F)).toEqual(defaultConfig());
  });

  it('bounds [testing] clock_offset_ms to an hour either way: minutes of skew, not a typo of hours', () => {
    expect(parseConfig('[testing]\nclock_offset_ms = -300000\n', F).testing.clock_offset_ms).toBe(-300_000);
    expect(parseConfig('[testing]\nclock_offset_ms = 3600000\n', F).testing.clock_offset_ms).toBe(3_600_000);
    expect(() => parseConfig('[testing]\nclock_offset_ms = 18000000\n', F)).toThrow(/clock_offset_ms/);
    expect(() => parseConfig('[testing]\nclock_offset_ms = -3600001\n', F)).toThrow(/clock_offset_ms/);
  });

  it('derives the server profile from the schema defaults, so that a file without a profile is unchanged', () => {
    const schema = defaultConfig();
    for (const [section, values] of Object.entries(profileConfig('server')))
      for (const [key, value] of Object.entries(values as Record<string, unknown>))
        expect(value, `${section}.${key}`).toEqual(
          (configSections as Record<string, Record<string, { default: unknown }>>)[section]?.[key]?.default,
        );
    expect(schema.node.profile).toBe('server');
  });

  it('sizes a board from its memory budget and keeps the keys a file sets', () => {
    const board = parseConfig('[node]\nprofile = "board"\n[mempool]\nmax_txs = 700\n', F);
    const budget = profiles.board.memory;
    expect(board.db.cache_bytes).toBe(budget.leveldbCacheBytes);
    expect(2 * board.db.write_buffer_bytes).toBe(budget.leveldbMemtablesBytes);
    expect(board.mempool.max_bytes).toBe(budget.mempoolBytes);
    expect(board.state.node_cache_bytes).toBe(budget.stateNodeCacheBytes);
    expect(board.state.value_cache_bytes).toBe(budget.stateValueCacheBytes);
    expect(board.state.verified_tx_cache_bytes).toBe(budget.verifiedTxCacheBytes);
    expect(board.p2p.verdict_cache_bytes).toBe(budget.p2pVerdictCacheBytes);
    expect(board.p2p.invalid_signature_cache_bytes).toBe(budget.p2pInvalidSignatureCacheBytes);
    expect(board.p2p.verdict_cache_bytes, 'a board keeps fewer verdicts').toBeLessThan(
      defaultConfig().p2p.verdict_cache_bytes,
    );
    expect(board.state.retain_blocks, 'a board prunes').toBeGreaterThan(0);
    expect(board.mempool.max_txs, 'the file wins over the profile').toBe(700);
    expect(parseConfig(renderConfig(board), F), 'a rendered board config round-trips').toEqual(board);
  });

  it('reports the budget its settings enforce: the profile budget at its defaults, a key the file sets in its place', () => {
    for (const name of ['server', 'board', 'fast'] as const)
      expect(budgetOf(defaultConfig(name), profiles[name]), name).toEqual(profiles[name].memory);
    const tuned = parseConfig(
      '[node]\nprofile = "board"\n[state]\nvalue_cache_bytes = 1048576\nnode_cache_bytes = 0\n[mempool]\ncache_size = 10000\n[p2p]\nmax_connections = 4\nverdict_cache_bytes = 0\ninvalid_signature_cache_bytes = 2097152\n',
      F,
    );
    const budget = budgetOf(tuned, profiles.board);
    expect(budget.stateValueCacheBytes, 'a cache made larger than the profile sets').toBe(1024 * 1024);
    expect(budget.stateNodeCacheBytes, 'a cache turned off').toBe(0);
    expect(budget.mempoolCacheBytes).toBe(10_000 * bytesPerSeenHash);
    expect(budget.p2pVerdictCacheBytes, 'the verdict cache turned off').toBe(0);
    expect(budget.p2pInvalidSignatureCacheBytes).toBe(2 * 1024 * 1024);
    expect(budget.p2pStreamBuffersBytes).toBe(profiles.board.memory.p2pStreamBuffersBytes / 2);
    expect(budget.v8OldSpaceBytes, 'what no key sets stays as the profile sets it').toBe(
      profiles.board.memory.v8OldSpaceBytes,
    );
  });

  it('keeps the entries each cache had: the server at the gossip defaults, the board at 1 000 seen hashes a set', () => {
    const server = profiles.server.memory;
    expect(server.p2pSeenCacheBytes / 2 / bytesPerSeenHash).toBe(consensusSeenCacheEntries);
    expect(server.p2pVerdictCacheBytes / bytesPerVerdict).toBe(consensusVerdictCacheEntries);
    expect(server.p2pInvalidSignatureCacheBytes).toBe(invalidSignatureCacheBytes);
    expect(server.mempoolCacheBytes / bytesPerSeenHash).toBe(defaultConfig().mempool.cache_size);
    const board = profiles.board.memory;
    expect(board.p2pSeenCacheBytes / 2 / bytesPerSeenHash).toBe(1_000);
    expect(board.mempoolCacheBytes / bytesPerSeenHash).toBe(defaultConfig('board').mempool.cache_size);
    expect(defaultConfig('board').mempool.cache_size).toBe(1_000);
  });

  it('gives the fast profile short consensus timeouts and the skipped commit wait, the others none', () => {
    const fast = parseConfig('[node]\nprofile = "fast"\n[consensus]\ntimeout_prevote_ms = 70\n', F);
    const c = profiles.fast.consensus;
    if (c === undefined) throw new Error('the fast profile sets no consensus timeouts');
    expect(fast.consensus.timeout_propose_ms).toBe(c.proposeMs);
    expect(fast.consensus.timeout_commit_ms).toBe(c.commitMs);
    expect(fast.consensus.timeout_commit_ms, 'a near-zero commit wait').toBeLessThanOrEqual(10);
    expect(fast.consensus.skip_timeout_commit).toBe(true);
    expect(fast.consensus.proof_block_delay_ms, 'a proof block waits for a transaction').toBe(
      c.proofBlockDelayMs,
    );
    expect(c.proofBlockDelayMs).toBeGreaterThan(0);
    expect(fast.consensus.timeout_prevote_ms, 'the file wins over the profile').toBe(70);
    expect(fast.db.cache_bytes, "the server's memory budget").toBe(defaultConfig().db.cache_bytes);
    expect(parseConfig(renderConfig(fast), F), 'a rendered fast config round-trips').toEqual(fast);
    for (const name of ['server', 'board'] as const) {
      const other = defaultConfig(name);
      expect(other.consensus.skip_timeout_commit, `${name}: the commit wait is kept`).toBe(false);
      expect(other.consensus.proof_block_delay_ms, `${name}: the proof block at once`).toBe(0);
      expect(other.consensus.timeout_propose_ms, `${name}: the schema's propose timeout`).toBe(3_000);
    }
    const back = applyOverrides(fast, { node: { profile: 'server' } }, F);
    expect(back.consensus.timeout_commit_ms, 'moving to server moves the timeouts back').toBe(1_000);
    expect(back.consensus.proof_block_delay_ms, 'and the proof block delay').toBe(0);
    expect(back.consensus.timeout_prevote_ms, 'set on purpose: kept').toBe(70);
  });

  it('moves the keys left at their profile default when another profile is laid over', () => {
    const server = applyOverrides(defaultConfig(), { db: { cache_bytes: 3 * 1024 * 1024 } }, F);
    const board = applyOverrides(server, { node: { profile: 'board' } }, F);
    expect(board.node.profile).toBe('board');
    expect(board.db.cache_bytes, 'set on purpose: kept').toBe(3 * 1024 * 1024);
    expect(board.mempool.max_bytes, 'at the server default: moved').toBe(profiles.board.memory.mempoolBytes);
    expect(renderConfig(board)).toMatch(/^# max_bytes = /m);
    expect(renderConfig(board)).toMatch(/^cache_bytes = 3145728$/m);
  });

  it('has 1 GB-board defaults', () => {
    const c = defaultConfig();
    expect(c.api.listen).toBe('127.0.0.1:26657');
    expect(c.consensus.create_empty_blocks).toBe(false);
    expect(c.consensus.create_empty_blocks_interval_ms).toBeGreaterThan(0);
    expect(c.db.cache_bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  const cases: [string, string, RegExp][] = [
    [
      'an unknown top-level key',
      'colour = "red"',
      /unknown key "colour" \(allowed: moniker, \[node\], \[db\]/,
    ],
    [
      'an unknown key in a section',
      '[mempool]\nmax_tx = 5',
      /unknown key "mempool.max_tx" \(allowed in \[mempool\]: max_txs/,
    ],
    [
      'a value out of range',
      '[mempool]\nmax_txs = 0',
      /"mempool.max_txs" is 0; allowed: an integer from 1 to/,
    ],
    [
      'a wrong type',
      '[consensus]\ncreate_empty_blocks = "no"',
      /"consensus.create_empty_blocks" is "no"; allowed: true or false/,
    ],
    [
      'a negative cache size',
      '[p2p]\nverdict_cache_bytes = -1',
      /"p2p.verdict_cache_bytes" is -1; allowed: an integer from 0 to/,
    ],
    [
      'a cache size with a unit',
      '[p2p]\ninvalid_signature_cache_bytes = "1 MiB"',
      /"p2p.invalid_signature_cache_bytes" is "1 MiB"; allowed: an integer from 0 to/,
    ],
    [
      'a cache size above its bound',
      '[p2p]\nverdict_cache_bytes = 2147483648',
      /"p2p.verdict_cache_bytes" is 2147483648; allowed: an integer from 0 to 1073741824/,
    ],
    ['an unknown profile', '[node]\nprofile = "pi"', /"node.profile" is "pi"; allowed: "server", "board"/],
    ['a bad enum', '[log]\nformat = "xml"', /"log.format" is "xml"; allowed: "auto", "json", "pretty"/],
    ['an unknown log module', '[log]\nmodules = { cpu = "info" }', /unknown module "log.modules.cpu"/],
    ['broken TOML', '[api\nlisten = 1', /not valid TOML at line 1/],
    ['a section as a value', 'api = 3', /"api" must be a \[api\] section/],
  ];
  for (const [name, text, message] of cases) {
    it(`refuses ${name} with a one-line error naming the file`, () => {
      let error: unknown;
      try {
        parseConfig(text, F);
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(NodeInputError);
      const line = (error as NodeInputError).oneLine();
      expect(line, name).toMatch(message);
      expect(line.startsWith(`${F}: `), name).toBe(true);
      expect(line, name).toContain(' — ');
      expect(line.includes('\n'), name).toBe(false);
    });
  }
});

const validatorKey = toHex(generateKeyPair(new Uint8Array(32).fill(7)).publicKey);
const goodGenesis = {
  chain_id: 'lic-1',
  genesis_time: '2025-01-01T00:00:00.000Z',
  initial_height: 1,
  validators: [{ name: 'a', pub_key: validatorKey, power: '10' }],
  app_state: {},
};

describe('genesis.json', () => {
  it('parses a valid genesis', () => {
    const { genesis } = parseGenesis(JSON.stringify(goodGenesis), 'g.json');
    expect(genesis.chainId).toBe('lic-1');
    expect(genesis.validators[0]?.power).toBe(10n);
  });
  const bad: [string, unknown, RegExp][] = [
    ['not JSON', '{', /g\.json: not valid JSON/],
    ['a bad chain id', { ...goodGenesis, chain_id: 'no spaces' }, /chain_id: expected/],
    ['a bad time', { ...goodGenesis, genesis_time: 'yesterday' }, /genesis_time: expected an RFC 3339 time/],
    ['no validators', { ...goodGenesis, validators: [] }, /validators: expected a list of 1/],
    [
      'a short key',
      { ...goodGenesis, validators: [{ pub_key: 'ab', power: '1' }] },
      /validators\[0\]\.pub_key: expected 64/,
    ],
    [
      'a numeric power',
      { ...goodGenesis, validators: [{ pub_key: validatorKey, power: 10 }] },
      /validators\[0\]\.power: expected a positive decimal string/,
    ],
    [
      'a small-order validator key (anyone can sign for it)',
      { ...goodGenesis, validators: [{ pub_key: `01${'00'.repeat(31)}`, power: '10' }] },
      /validators\[0\]\.pub_key: not a safe ed25519 public key \(small-order/,
    ],
    [
      'a validator key that is no curve point',
      { ...goodGenesis, validators: [{ pub_key: `02${'00'.repeat(31)}`, power: '10' }] },
      /validators\[0\]\.pub_key: not a safe ed25519 public key \(not-a-point/,
    ],
    ['an unknown field', { ...goodGenesis, extra: 1 }, /extra: unknown field/],
    [
      'a bad consensus param',
      { ...goodGenesis, consensus_params: { max_block_bytes: 1 } },
      /consensus_params\.max_block_bytes: expected an integer from 1024/,
    ],
  ];
  for (const [name, doc, message] of bad) {
    it(`refuses ${name}`, () => {
      const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
      expect(() => parseGenesis(text, 'g.json'), name).toThrow(message);
    });
  }
});

describe('home, keys and lock', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-home-'));
    await initHome({
      home: join(dir, 'a'),
      chainId: 'home-1',
      moniker: 'a',
      addressPrefix: 'joule',
      denom: 'ujoule',
      operatorKey: 'operator',
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads what init wrote, with key files of mode 0600', async () => {
    const home = await loadHome(join(dir, 'a'));
    expect(home.genesis.chainId).toBe('home-1');
    expect(home.validatorKey.publicKey).toEqual(home.genesis.validators[0]?.pubKey);
  });

  it('refuses a key file readable by others, with the chmod fix', async () => {
    const path = homePaths(join(dir, 'a')).nodeKey;
    await chmod(path, 0o644);
    await expect(loadKeyFile(path, 'node key')).rejects.toThrow(`run chmod 600 ${path}`);
    await chmod(path, 0o600);
  });

  it('refuses a key file whose public key does not match', async () => {
    const path = join(dir, 'wrong.json');
    const good = JSON.parse(await readFile(homePaths(join(dir, 'a')).nodeKey, 'utf8'));
    await writeFile(path, JSON.stringify({ ...good, public_key: 'cd'.repeat(32) }), { mode: 0o600 });
    await expect(loadKeyFile(path, 'node key')).rejects.toThrow(
      /"public_key" does not belong to "secret_key"/,
    );
  });

  it('names the missing home and the init fix', async () => {
    await expect(loadHome(join(dir, 'nothing'))).rejects.toThrow(
      /config\.toml: file not found — run `joule init --home/,
    );
  });

  it('locks a home against a second process, naming the home and the pid', async () => {
    const path = join(dir, 'data', 'LOCK');
    await mkdir(join(dir, 'data'), { recursive: true });
    await writeFile(path, `${process.ppid}\n`);
    await expect(new HomeLock(path).acquire()).rejects.toThrow(
      `the home ${dir} is in use by process ${process.ppid}`,
    );
    await writeFile(path, '999999999\n');
    const lock = new HomeLock(path);
    await lock.acquire();
    expect((await readFile(path, 'utf8')).split('\n')[0], 'a dead owner’s lock is taken over').toBe(
      `${process.pid}`,
    );
    await expect(new HomeLock(path).acquire(), 'a second holder in the same process').rejects.toThrow(
      `in use by process ${process.pid}`,
    );
    await lock.release();
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('takes over a lock whose pid is alive but another process instance (a reboot reused it)', async () => {
    const path = join(dir, 'data', 'LOCK');
    await mkdir(join(dir, 'data'), { recursive: true });
    const first = new HomeLock(path);
    await first.acquire();
    const mine = await readFile(path, 'utf8');
    await first.release();
    // This platform names the instance: a live pid with a foreign instance is a dead owner's.
    expect(mine.split('\n').length, JSON.stringify(mine)).toBe(3);
    await writeFile(path, `${process.ppid}\n00000000-0000-0000-0000-000000000000:1\n`);
    expect(holderAlive({ pid: process.ppid, instance: '00000000-0000-0000-0000-000000000000:1' })).toBe(
      false,
    );
    const lock = new HomeLock(path);
    await lock.acquire();
    expect(await readFile(path, 'utf8')).toBe(mine);
    await lock.release();
    // The same pid with its own instance (or none, a lock of an earlier version) is in use.
    const parent = `${process.ppid}\n`;
    await writeFile(path, parent);
    await expect(new HomeLock(path).acquire()).rejects.toThrow(`in use by process ${process.ppid}`);
    await unlink(path);
  });

  it('never deletes a lock that holds no pid: it may be a live one being written', async () => {
    const path = join(dir, 'data', 'LOCK');
    await mkdir(join(dir, 'data'), { recursive: true });
    for (const text of ['', '12ab\n', '0\n']) {
      await writeFile(path, text);
      await expect(new HomeLock(path).acquire(), JSON.stringify(text)).rejects.toThrow(
        `holds no process id — if no node runs on this home, delete ${path}`,
      );
      expect(await readFile(path, 'utf8'), `${JSON.stringify(text)} left in place`).toBe(text);
    }
    await unlink(path);
  });

  it('leaves only the lock in the data directory while held, and nothing after', async () => {
    const data = join(dir, 'data2');
    await mkdir(data);
    const lock = new HomeLock(join(data, 'LOCK'));
    await lock.acquire();
    expect(await readdir(data)).toEqual(['LOCK']);
    await lock.release();
    expect(await readdir(data)).toEqual([]);
  });

  it('replaces an export readable by others with a 0600 file, atomically', async () => {
    const out = join(dir, 'exports');
    await mkdir(out);
    const path = join(out, 'MEASURES.json');
    await writeFile(path, 'old\n', { mode: 0o644 });
    await chmod(path, 0o644);
    await replacePrivateFile(path, 'new\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('new\n');
    await replacePrivateFile(join(out, 'PARAMS.json'), '{}\n');
    expect((await stat(join(out, 'PARAMS.json'))).mode & 0o777).toBe(0o600);
    expect((await readdir(out)).sort(), 'no temporary file left').toEqual(['MEASURES.json', 'PARAMS.json']);
  });

  it('computes libp2p peer ids of ed25519 keys', () => {
    expect(peerIdOf(new Uint8Array(32))).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/);
  });
});

describe('testnet topologies', () => {
  it('gives every node of the lic grid 2 or 3 peers, symmetric and connected', () => {
    for (const n of [2, 3, 7, 8, 20]) {
      const peers = [...Array(n).keys()].map((i) => topologyPeers('lic', n, i));
      for (const [i, list] of peers.entries()) {
        expect(list.length, `n=${n} node ${i}`).toBeGreaterThanOrEqual(n === 2 ? 1 : 2);
        expect(list.length, `n=${n} node ${i}`).toBeLessThanOrEqual(3);
        for (const j of list) expect(peers[j], `n=${n} ${i}->${j}`).toContain(i);
      }
      const seen = new Set([0]);
      const queue = [0];
      while (queue.length > 0)
        for (const j of peers[queue.pop() as number] ?? []) {
          if (seen.has(j)) continue;
          seen.add(j);
          queue.push(j);
        }
      expect(seen.size, `n=${n} connected`).toBe(n);
    }
  });
});
