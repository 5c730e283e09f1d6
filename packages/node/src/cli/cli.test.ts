import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defaultMaxBlockGas } from '@joule/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);
/** The default home of these runs (never the user's ~/.joule). */
const defaultHome = join(tmpdir(), `joule-cli-default-${process.pid}`);

async function joule(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      timeout: 30_000,
      env: { ...process.env, JOULE_HOME: defaultHome },
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

describe('the joule CLI (compiled dist, child processes)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(defaultHome, { recursive: true, force: true });
  });

  it('prints help for every command and exits 2 on a wrong command line', async () => {
    const commands = [
      'init',
      'testnet',
      'start',
      'stop',
      'status',
      'peers',
      'keys',
      'tx',
      'query',
      'export',
      'show-node-id',
      'show-validator',
      'unsafe-reset-all',
      'version',
    ];
    const main = await joule('--help');
    for (const command of commands) {
      const r = await joule(command, '--help');
      expect(r.code, command).toBe(0);
      expect(r.out, command).toContain(`Usage: joule ${command}`);
      expect(main.out, `the main help lists ${command}`).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    expect((await joule('frobnicate')).code).toBe(2);
    const colour = await joule('init', '--home', dir, '--colour', 'red');
    expect(colour.code).toBe(2);
    expect(colour.err).toContain('unknown flag --colour');
  });

  it('init writes a home with 0600 key files, and refuses to overwrite it', async () => {
    const home = join(dir, 'a');
    const r = await joule('init', '--home', home, '--chain-id', 'cli-1');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).chain_id).toBe('cli-1');
    for (const f of ['config/node_key.json', 'config/validator_key.json', 'keyring/operator.json'])
      expect((await stat(join(home, f))).mode & 0o777, f).toBe(0o600);
    const again = await joule('init', '--home', home);
    expect(again.code).toBe(3);
    expect(again.err).toMatch(/already initialized — use another --home/);
  });

  it('init names a new chain id unless given one, and takes distinct module authorities', async () => {
    const made = await Promise.all(
      ['b', 'c'].map(async (name) => JSON.parse((await joule('init', '--home', join(dir, name))).out)),
    );
    for (const m of made) expect(m.chain_id).toMatch(/^joule-[0-9a-f]{8}$/);
    expect(made[0].chain_id, 'two inits, two chains').not.toBe(made[1].chain_id);
    const genesisOf = async (home: string) =>
      JSON.parse(await readFile(join(home, 'config/genesis.json'), 'utf8'));
    expect((await genesisOf(join(dir, 'b'))).chain_id).toBe(made[0].chain_id);

    const treasurer = made[0].operator as string;
    const admin = made[1].operator as string;
    const home = join(dir, 'd');
    const r = await joule(
      'init',
      '--home',
      home,
      '--authority',
      `bank=${treasurer}`,
      '--authority',
      `market=${admin}`,
    );
    expect(r.code, r.err).toBe(0);
    const operator = JSON.parse(r.out).operator as string;
    const state = (await genesisOf(home)).app_state;
    expect([state.bank.authority, state.poa.authority, state.market.admin]).toEqual([
      treasurer,
      operator,
      admin,
    ]);
    for (const bad of ['bank', 'nosuch=joule1x', `bank=${treasurer.replace('joule1', 'lic1')}`]) {
      const refused = await joule('init', '--home', join(dir, 'e'), '--authority', bad);
      expect(refused.code, bad).toBe(2);
      expect(refused.err, bad).toContain('--authority');
    }
  });

  it('keys add, list and show', async () => {
    const home = join(dir, 'a');
    const added = JSON.parse((await joule('keys', 'add', 'alice', '--home', home)).out);
    expect(added.address).toMatch(/^joule1/);
    const list = JSON.parse((await joule('keys', 'list', '--home', home)).out) as { name: string }[];
    expect(list.map((k) => k.name)).toEqual(['alice', 'operator']);
    expect(JSON.parse((await joule('keys', 'show', 'alice', '--home', home)).out).address).toBe(
      added.address,
    );
    expect((await joule('keys', 'add', 'alice', '--home', home)).code).toBe(3);
    expect((await joule('keys', 'show', 'bob', '--home', home)).code).toBe(3);
  });

  it('testnet writes consistent homes wired as the lic grid', async () => {
    const out = join(dir, 'net');
    const r = await joule(
      'testnet',
      '--validators',
      '4',
      '--nodes',
      '8',
      '--out',
      out,
      '--topology',
      'lic',
      '--base-port',
      '40000',
      '--chain-id',
      'lic-test',
    );
    expect(r.code, r.err).toBe(0);
    const nodes = JSON.parse(r.out) as { name: string; validator: boolean; peers: string[] }[];
    expect(nodes.filter((n) => n.validator)).toHaveLength(4);
    for (const n of nodes) expect(n.peers.length, n.name).toBeGreaterThanOrEqual(2);
    const genesis = await Promise.all(
      nodes.map((n) => readFile(join(out, n.name, 'config/genesis.json'), 'utf8')),
    );
    expect(new Set(genesis).size).toBe(1);
    const doc = JSON.parse(genesis[0] as string) as { consensus_params: { max_block_gas: number } };
    expect(doc.consensus_params.max_block_gas, 'the proposer reaps by the gas the app enforces').toBe(
      defaultMaxBlockGas,
    );
    const config = await readFile(join(out, 'node3', 'config/config.toml'), 'utf8');
    expect(config).toContain('listen = "127.0.0.1:40007"');
    expect((config.match(/\/p2p\/12D3KooW/g) ?? []).length).toBe(3);
    expect((await joule('testnet', '--validators', '9', '--nodes', '8', '--out', join(dir, 'x'))).code).toBe(
      3,
    );
  });

  it('refuses a second start on a home in use, naming the home and the running node’s pid', async () => {
    const out = join(dir, 'locked');
    const basePort = 42_000 + (process.pid % 1000) * 2;
    const made = await joule(
      'testnet',
      '--validators',
      '1',
      '--nodes',
      '1',
      '--out',
      out,
      '--base-port',
      String(basePort),
    );
    expect(made.code, made.err).toBe(0);
    const home = join(out, 'node0');
    const first = spawn(process.execPath, [bin, 'start', '--home', home], { stdio: 'ignore' });
    try {
      let lock = '';
      // The lock's first line is the owner's pid (a second names its process instance).
      const owner = (text: string) => text.split('\n')[0];
      for (let i = 0; i < 300 && owner(lock) !== `${first.pid}`; i++) {
        lock = await readFile(join(home, 'data/LOCK'), 'utf8').catch(() => '');
        if (owner(lock) !== `${first.pid}`) await sleep(100);
      }
      expect(owner(lock), 'the first node holds the lock').toBe(`${first.pid}`);
      const second = await joule('start', '--home', home);
      expect(second.code, second.err).toBe(3);
      expect(second.err.trim().split('\n')).toHaveLength(1);
      expect(second.err).toContain(`the home ${home} is in use by process ${first.pid}`);
      expect(await readFile(join(home, 'data/LOCK'), 'utf8'), 'the running node keeps its lock').toBe(lock);
    } finally {
      first.kill('SIGTERM');
      if (first.exitCode === null) await once(first, 'exit');
    }
  });

  it('start refuses bad input with a one-line error and exit code 3', async () => {
    const home = join(dir, 'a');
    const { writeFile } = await import('node:fs/promises');
    const path = join(home, 'config/config.toml');
    const good = await readFile(path, 'utf8');
    await writeFile(path, `${good}\n[p2p]\nseeds = []\n`);
    const r = await joule('start', '--home', home);
    expect(r.code).toBe(3);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/config\.toml: .*"p2p"|config\.toml: not valid TOML/);
    await writeFile(path, good);
    const bad = await joule('start', '--home', home, '--profile', 'pi');
    expect(bad.code, 'an unknown --profile is a usage error').toBe(2);
    expect(bad.err).toMatch(/--profile must be one of server, board, fast, not "pi"/);
  });
});
