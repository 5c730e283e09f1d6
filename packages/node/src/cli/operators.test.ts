import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { nodeTooOldExitCode, nodeVersionProblem } from '@joule/consensus/node-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodes, nodePackageVersion } from '../constants.js';

/**
 * The commands and mistakes of a board operator, through child processes of the compiled CLI
 * (`dist/cli/main.js`; build first). The default home is a temporary `$JOULE_HOME`.
 */
const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);
let defaultHome = '';

async function joule(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      timeout: 60_000,
      env: { ...process.env, JOULE_HOME: defaultHome },
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('operators: flags, typos, config mistakes, offline commands', () => {
  let dir = '';
  let home = '';
  let init: { node_id: string; operator: string } = { node_id: '', operator: '' };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-ops-'));
    defaultHome = join(dir, 'default-home');
    home = join(dir, 'h');
    const r = await joule('init', '--home', home, '--chain-id', 'ops-1');
    expect(r.code, r.err).toBe(0);
    init = JSON.parse(r.out);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('takes flags before, between and after the arguments, as --flag value or --flag=value', async () => {
    const a = await joule('keys', 'list', '--home', home);
    const b = await joule('keys', '--home', home, 'list');
    const c = await joule('--home', home, 'keys', 'list');
    const d = await joule('keys', `--home=${home}`, 'list');
    for (const r of [a, b, c, d]) expect(r.code, r.err).toBe(0);
    expect(new Set([a.out, b.out, c.out, d.out]).size, 'one answer whatever the order').toBe(1);
    // tx parses its flags before taking module and message: it gets as far as the (absent) node.
    const tx = await joule(
      'tx',
      '--home',
      home,
      '--node',
      '127.0.0.1:9',
      'bank',
      'send',
      'operator',
      init.operator,
      '5ujoule',
    );
    expect(tx.err).not.toMatch(/no message/);
    expect(tx.code, tx.err).toBe(4);
  });

  it('answers typos with the closest command, flag, action, query and field', async () => {
    const cases: [string[], RegExp][] = [
      [['strat'], /unknown command "strat" \(did you mean "start"\?\)/],
      [['status', '--hom', home], /unknown flag --hom \(did you mean --home\?\)/],
      [['keys', 'lst', '--home', home], /unknown keys action "lst" \(did you mean "list"\?\)/],
      [['query', 'bank', 'balanse', 'address=x', '--home', home], /did you mean "bank balance"\?/],
      [['tx', 'bank', 'sen', 'a', 'b', '1ujoule', '--home', home], /no message "bank sen"/],
      [
        ['init', '--chain-id', 'lic 1', '--home', join(dir, 'x')],
        /--chain-id "lic 1": expected 1–50 characters/,
      ],
      [['status', '--node', 'localhost'], /--node localhost: expected host:port, tcp:\/\/host:port/],
      [['unsafe-reset-all', '--home', home], /pass --yes/],
    ];
    for (const [args, message] of cases) {
      const r = await joule(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    const field = await joule(
      'query',
      'bank',
      'balance',
      'address=operator',
      'denum=ujoule',
      '--home',
      home,
      '--node',
      '127.0.0.1:9',
    );
    expect(field.code, field.err).toBe(2);
    expect(field.err).toMatch(/unknown field "denum" \(did you mean "denom"\?\)/);
  });

  it('refuses each config mistake at load with exit 3, naming the file, the key and the fix', async () => {
    const path = join(home, 'config/config.toml');
    const good = await readFile(path, 'utf8');
    const id = init.node_id;
    const cases: [string, RegExp][] = [
      [
        '[p2p]\nlisten = ["tcp://0.0.0.0:26656"]',
        /"p2p\.listen" has "tcp:\/\/0\.0\.0\.0:26656", CometBFT's form.* — write "\/ip4\/0\.0\.0\.0\/tcp\/26656"/,
      ],
      [
        '[p2p]\npersistent_peers = ["f00dfeed00000000000000000000000000000000@10.0.0.2:26656"]',
        /"p2p\.persistent_peers" has "f00d.*@10\.0\.0\.2:26656", CometBFT's form.* — write "\/ip4\/10\.0\.0\.2\/tcp\/26656\/p2p\/<node id>".*show-node-id/,
      ],
      [
        `[p2p]\npersistent_peers = ["${id}@10.0.0.2:26656"]`,
        new RegExp(`write "/ip4/10\\.0\\.0\\.2/tcp/26656/p2p/${id}"`),
      ],
      [
        `[p2p]\npersistent_peers = ["/ip4/10.0.0.2/tcp/99999/p2p/${id}"]`,
        /"p2p\.persistent_peers" has .*: port 99999 is out of range/,
      ],
      [
        '[p2p]\npersistent_peers = ["/ip4/10.0.0.2/tcp/26656"]',
        /without \/p2p\/<node id> — append the peer's node id/,
      ],
      [
        '[api]\nlisten = "localhost"',
        /"api\.listen" is "localhost"; expected host:port — write "localhost:26657"/,
      ],
      [
        '[api]\nlisten = "tcp://127.0.0.1:26657"',
        /"api\.listen" is "tcp:\/\/127\.0\.0\.1:26657"; it takes host:port without a scheme — write "127\.0\.0\.1:26657"/,
      ],
      [
        '[p2p]\nlisten = "/ip4/0.0.0.0/tcp/26656"',
        /allowed: a list, e\.g\. listen = \["\/ip4\/0\.0\.0\.0\/tcp\/26656"\]/,
      ],
    ];
    try {
      for (const [text, message] of cases) {
        await writeFile(path, text);
        const r = await joule('start', '--home', home);
        expect(r.code, text).toBe(3);
        expect(r.err.trim().split('\n'), text).toHaveLength(1);
        expect(r.err, text).toContain(`error: ${path}: `);
        expect(r.err, text).toMatch(message);
      }
    } finally {
      await writeFile(path, good);
    }
  });

  it('prints the version, the node id and the validator offline; uses $JOULE_HOME without --home', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(nodePackageVersion, 'the constant follows package.json').toBe(pkg.version);
    expect((await joule('version')).out.trim()).toBe(pkg.version);
    expect((await joule('--version')).out.trim()).toBe(pkg.version);
    const long = JSON.parse((await joule('version', '--long')).out);
    expect(long.node).toBe(process.versions.node);
    expect((await joule('show-node-id', '--home', home)).out.trim()).toBe(init.node_id);
    const validator = JSON.parse((await joule('show-validator', '--home', home)).out);
    const genesis = JSON.parse(await readFile(join(home, 'config/genesis.json'), 'utf8'));
    expect(validator.pub_key).toBe(genesis.validators[0].pub_key);
    const missing = await joule('show-node-id', '--home', join(dir, 'nowhere'));
    expect(missing.code).toBe(3);
    expect(missing.err).toMatch(/is not a Joule home \(no config\/config\.toml\) — pass the right --home/);

    const made = await joule('init', '--chain-id', 'env-1');
    expect(made.code, made.err).toBe(0);
    expect(JSON.parse(made.out).home).toBe(defaultHome);
    expect((await joule('show-node-id')).out.trim()).toBe(JSON.parse(made.out).node_id);
  });

  it('checks the Node version before loading anything else: >= 22.12, exit 3 (bad input)', () => {
    expect(nodeVersionProblem('26.10.0')).toBeUndefined();
    expect(nodeVersionProblem('22.12.0')).toBeUndefined();
    expect(nodeVersionProblem('23.0.0')).toBeUndefined();
    expect(nodeVersionProblem('20.19.0', '/usr/bin/node')).toBe(
      'error: Node 20.19.0 (/usr/bin/node) is too old: Joule needs Node >= 22.12 — install Node 22.12 or later (https://nodejs.org/dist/, e.g. into /opt/node) and run Joule with it',
    );
    expect(nodeVersionProblem('22.11.0')).toMatch(/^error: Node 22\.11\.0 is too old/);
    expect(nodeVersionProblem('v18.0.0')).toMatch(/^error: Node 18\.0\.0 is too old/);
    expect(nodeVersionProblem('garbage')).toMatch(/too old/);
    expect(nodeTooOldExitCode).toBe(exitCodes.badInput);
  });

  it('keys export, delete and import', async () => {
    const added = JSON.parse((await joule('keys', 'add', 'carol', '--home', home)).out);
    const file = join(dir, 'carol.key.json');
    const exported = await joule('keys', 'export', 'carol', '--out', file, '--home', home);
    expect(exported.code, exported.err).toBe(0);
    const refused = await joule('keys', 'delete', 'carol', '--home', home);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/keys export carol --out FILE` first, then pass --yes/);
    expect((await joule('keys', 'delete', 'carol', '--yes', '--home', home)).code).toBe(0);
    expect((await joule('keys', 'show', 'carol', '--home', home)).code).toBe(3);
    const imported = JSON.parse((await joule('keys', 'import', 'carol2', file, '--home', home)).out);
    expect(imported.address).toBe(added.address);
    expect((await joule('keys', 'import', 'carol2', file, '--home', home)).code, 'no overwrite').toBe(3);
  });
});

describe('operators: a running node', () => {
  let dir = '';
  let home = '';
  let api = '';
  let node: ChildProcess | null = null;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-ops-run-'));
    defaultHome = join(dir, 'default-home');
    const made = await joule(
      'testnet',
      '--validators',
      '1',
      '--nodes',
      '1',
      '--out',
      dir,
      '--base-port',
      String(17_000 + (process.pid % 400) * 4), // below the ephemeral range (32768+)
    );
    expect(made.code, made.err).toBe(0);
    home = join(dir, 'node0');
    api = (JSON.parse(made.out) as { api: string }[])[0]?.api ?? '';
  });
  afterAll(async () => {
    if (node !== null && node.exitCode === null) node.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  const lockPid = async () =>
    Number((await readFile(join(home, 'data/LOCK'), 'utf8').catch(() => '0')).split('\n')[0]);

  it('binds the API before consensus: a port in use stops the start with exit 3 and no block', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(Number(new URL(api).port), '127.0.0.1', resolve));
    try {
      const r = await joule('start', '--home', home);
      expect(r.code, r.err).toBe(3);
      expect(r.err).toMatch(/config\.toml: .*in use/);
      expect(r.err).not.toMatch(/committed/);
    } finally {
      server.close();
    }
  });

  it('takes config keys as flags, checked as in the file, over the file', async () => {
    const bad = await joule('start', '--home', home, '--p2p.max_connections', '0');
    expect(bad.code, bad.err).toBe(2);
    expect(bad.err).toMatch(/"p2p\.max_connections" is 0; allowed: an integer from 1 to/);
    const typo = await joule('start', '--home', home, '--p2p.lisen=/ip4/127.0.0.1/tcp/0');
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/unknown config flag --p2p\.lisen \(did you mean "p2p\.listen"\?\)/);
    const comet = await joule('start', '--home', home, '--p2p.listen', 'tcp://0.0.0.0:26656');
    expect(comet.code).toBe(2);
    expect(comet.err).toMatch(/write "\/ip4\/0\.0\.0\.0\/tcp\/26656"/);
    // The flag's API address wins over the file's: it is the one found in use.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await joule('start', `--api.listen=127.0.0.1:${port}`, '--home', home);
      expect(r.code, r.err).toBe(3);
      expect(r.err).toContain(`[api] listen 127.0.0.1:${port} is in use`);
    } finally {
      server.close();
    }
  });

  it('runs behind a wrapper process (as npx does), and `stop` ends the node itself', {
    timeout: 120_000,
  }, async () => {
    // `; exit $?` keeps sh as the parent, as npm exec is: signalling the wrapper would orphan the node.
    node = spawn('/bin/sh', ['-c', `"${process.execPath}" "${bin}" start --home "${home}"; exit $?`], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 600 && (await lockPid()) === 0; i++) await sleep(100);
    const pid = await lockPid();
    expect(pid, 'the node holds the lock').toBeGreaterThan(0);
    expect(pid, 'the lock holds the node, not its wrapper').not.toBe(node.pid);
    for (let i = 0; i < 600 && (await joule('status', '--home', home)).code !== 0; i++) await sleep(200);

    // Offline commands refuse a running node's home.
    const reset = await joule('unsafe-reset-all', '--yes', '--home', home);
    expect(reset.code).toBe(3);
    expect(reset.err).toContain(`is in use by process ${pid}`);

    // bank send with key names and a coin amount, flags first; then query tx and block.
    expect((await joule('keys', 'add', 'alice', '--home', home)).code).toBe(0);
    const sent = await joule(
      'tx',
      '--home',
      home,
      'bank',
      'send',
      'alice',
      '2000000ujoule',
      '--from',
      'node0',
    );
    expect(sent.code, sent.err).toBe(0);
    const committed = JSON.parse(sent.out) as { hash: string; height: string };
    const balance = JSON.parse(
      (await joule('query', 'bank', 'balance', 'address=alice', 'denom=ujoule', '--home', home)).out,
    );
    expect(String(balance.amount ?? balance), 'a key name where an address goes').toContain('2000000');
    const viaArgs = await joule(
      'tx',
      'bank',
      'send',
      '--from',
      'node0',
      '--home',
      home,
      '--args',
      JSON.stringify({ to: 'alice', denom: 'ujoule', amount: '1000000' }),
    );
    expect(viaArgs.code, `a key name in --args: ${viaArgs.err}`).toBe(0);
    const after = await joule('query', 'bank', 'balance', 'address=alice', 'denom=ujoule', '--home', home);
    expect(after.out, 'both sends arrived').toContain('3000000');
    const tx = JSON.parse(
      (await joule('query', 'tx', committed.hash, '--node', `tcp://${new URL(api).host}`)).out,
    );
    expect(tx.height).toBe(committed.height);
    const block = JSON.parse(
      (await joule('query', 'block', String(committed.height), '--node', new URL(api).host)).out,
    );
    expect(JSON.stringify(block)).toContain(`"height":"${committed.height}"`);
    const peers = JSON.parse((await joule('peers', '--home', home)).out);
    expect(peers.listeners.length, 'peers shows the listen addresses').toBeGreaterThan(0);

    const stopped = await joule('stop', '--home', home);
    expect(stopped.code, stopped.err).toBe(0);
    expect(JSON.parse(stopped.out).stopped).toBe(pid);
    const [code] = node.exitCode !== null ? [node.exitCode] : await once(node, 'exit');
    expect(code, 'the node exited 0 and its wrapper with it').toBe(0);
    expect(await exists(join(home, 'data/LOCK')), 'the lock is released').toBe(false);
    expect(JSON.parse((await joule('stop', '--home', home)).out).running).toBe(false);
  });

  it("`stop` leaves alone a process that got a dead node's pid (a power cut, then a reboot)", async () => {
    await mkdir(join(home, 'data'), { recursive: true });
    const lockPath = join(home, 'data/LOCK');
    // A holder of the home's lock dies at once (kill -9, as a power cut), leaving its lock behind.
    const lockModule = new URL('../../dist/home/lock.js', import.meta.url).href;
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { HomeLock } = await import(${JSON.stringify(lockModule)}); await new HomeLock(${JSON.stringify(lockPath)}).acquire(); console.log('held'); setTimeout(() => {}, 60_000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(holder.stdout as NodeJS.ReadableStream, 'data');
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const left = await readFile(lockPath, 'utf8');
    expect(left.split('\n')[0]).toBe(String(holder.pid));
    // After the reboot, an unrelated process has that pid: the lock as the node left it, but its pid.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      await writeFile(lockPath, left.replace(`${holder.pid}`, `${other.pid}`));
      const r = await joule('stop', '--home', home, '--timeout', '2');
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ running: false, stale_lock_pid: other.pid });
      expect(other.exitCode, 'the unrelated process was not signalled').toBeNull();
      expect(other.signalCode).toBeNull();
    } finally {
      other.kill('SIGKILL');
      await rm(lockPath, { force: true });
    }
  });

  it('refuses a changed genesis on a home with data; unsafe-reset-all starts it over', async () => {
    const path = join(home, 'config/genesis.json');
    expect(await exists(join(home, 'data/genesis.sha256')), 'stored at the first start').toBe(true);
    const genesis = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(
      path,
      `${JSON.stringify({ ...genesis, genesis_time: '2030-01-01T00:00:00Z' }, null, 2)}\n`,
    );
    const r = await joule('start', '--home', home);
    expect(r.code, r.err).toBe(3);
    expect(r.err).toMatch(/genesis\.json: genesis\.json has changed since this home's data was made from it/);
    expect(r.err).toContain('unsafe-reset-all');
    const reset = await joule('unsafe-reset-all', '--yes', '--home', home);
    expect(reset.code, reset.err).toBe(0);
    expect(JSON.parse(reset.out).removed).toContain(join(home, 'data/db'));
    for (const f of ['data/db', 'data/wal', 'data/signer_state.bin', 'data/genesis.sha256'])
      expect(await exists(join(home, f)), f).toBe(false);
    for (const f of [
      'config/config.toml',
      'config/genesis.json',
      'config/node_key.json',
      'keyring/alice.json',
    ])
      expect(await exists(join(home, f)), f).toBe(true);
  });
});
