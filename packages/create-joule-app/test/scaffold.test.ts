import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The author's path, end to end, outside the repository: `create-joule-app` makes a project in a
 * temporary folder, npm installs @joule/* from `npm pack` tarballs of the built packages (and the
 * rest from the npm cache or the registry), the project's own tests pass, and its own bin inits a
 * home, starts a node on 127.0.0.1, sends the module's message and reads its query.
 */
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const packScript = join(repo, 'scripts/pack-packages.mjs');
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A clean environment: nothing of the outer `npm test` or vitest leaks into the project's npm and
// vitest; this Node (>= 22.12) comes first on PATH, so npm and the bins run on it.
// The machine's certificate and proxy settings pass, for npm's registry requests.
const passed = [
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
];
const env: Record<string, string> = {
  PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
  HOME: process.env.HOME ?? tmpdir(),
  NO_COLOR: '1',
  CI: '1',
};
for (const name of [...passed, ...passed.map((n) => n.toLowerCase())]) {
  const value = process.env[name];
  if (value !== undefined) env[name] = value;
}
const exec = (cmd: string, args: string[], cwd: string, timeoutMs: number) =>
  run(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('create-joule-app, installed from tarballs', () => {
  let dir = '';
  let node: ChildProcess | undefined;
  afterAll(async () => {
    if (node !== undefined && node.exitCode === null) {
      node.kill('SIGKILL');
      await once(node, 'exit');
    }
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('makes a project whose tests pass and whose node takes its tx and answers its query', {
    timeout: 180_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-app-'));
    const tarballs = join(dir, 'packages');
    await mkdir(tarballs);
    const packed = await exec(process.execPath, [packScript, '--out', tarballs], repo, 60_000);
    expect((await readdir(tarballs)).sort(), packed.stdout).toEqual([
      'create-joule-app-0.1.0.tgz',
      ...['consensus', 'light', 'market', 'node', 'p2p', 'state'].map((p) => `joule-${p}-0.1.0.tgz`),
    ]);

    // As an author runs it: `npm exec` (what `npm create joule-app` does) of the packed scaffold.
    const app = join(dir, 'solar');
    const scaffold = join(tarballs, 'create-joule-app-0.1.0.tgz');
    const made = await exec(
      'npm',
      [
        'exec',
        '--yes',
        `--package=${scaffold}`,
        '--',
        'create-joule-app',
        app,
        '--module',
        'meter_log',
        '--packages',
        tarballs,
      ],
      dir,
      30_000,
    );
    expect(made.stdout).toContain('the appchain "solar" with the module "meter_log"');
    await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app, 120_000);
    // Each package arrives as published: its compiled dist, no sources, no symlink into this repository.
    for (const pkg of ['consensus', 'state', 'p2p', 'market', 'light', 'node']) {
      const installed = join(app, 'node_modules/@joule', pkg);
      expect((await lstat(installed)).isSymbolicLink(), pkg).toBe(false);
      expect(existsSync(join(installed, 'dist/index.js')), pkg).toBe(true);
      expect(existsSync(join(installed, 'src')), pkg).toBe(false);
    }
    const tests = await exec('npm', ['test'], app, 90_000);
    expect(tests.stdout, 'the project’s own tests').toMatch(/Tests\s+4 passed/);

    const bin = join(app, 'bin/cli.js');
    const home = join(app, '.solar');
    const cli = async (...args: string[]) => {
      const r = await exec(process.execPath, [bin, ...args, '--home', home], app, 30_000);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    expect((await cli('init', '--chain-id', 'solar-1')).operator).toMatch(/^solar1/);

    const api = await freePort();
    const started = spawn(
      process.execPath,
      [
        bin,
        'start',
        '--home',
        home,
        '--p2p.listen',
        '/ip4/127.0.0.1/tcp/0',
        '--api.listen',
        `127.0.0.1:${api}`,
      ],
      { cwd: app, env, stdio: 'ignore' },
    );
    node = started;
    const nodeFlag = ['--node', `127.0.0.1:${api}`];
    let height = 0;
    for (let i = 0; i < 120 && height < 1; i++) {
      const status = await fetch(`http://127.0.0.1:${api}/status`)
        .then((r) => r.json() as Promise<{ sync_info?: { latest_block_height?: string } }>)
        .catch(() => undefined);
      height = Number(status?.sync_info?.latest_block_height ?? 0);
      if (height < 1) await sleep(250);
    }
    expect(height, 'the node commits its first block').toBeGreaterThanOrEqual(1);

    const sent = (await cli(
      'tx',
      'meter_log',
      'record',
      '--args',
      '{"wh":"1500"}',
      '--from',
      'operator',
      ...nodeFlag,
    )) as { tx_result: { code: number; events: { type: string }[] } };
    expect(sent.tx_result.code).toBe(0);
    expect(sent.tx_result.events.map((e) => e.type)).toContain('meter_log.recorded');
    expect(JSON.stringify(sent.tx_result.events), 'the event names the account in the app’s bech32').toMatch(
      /"solar1[02-9ac-hj-np-z]{38}"/,
    );
    expect(await cli('query', 'meter_log', 'reading', 'account=operator', ...nodeFlag)).toMatchObject({
      wh: '1500',
    });
    expect(await cli('query', 'meter_log', 'summary', ...nodeFlag)).toEqual({
      accounts: 1,
      total_wh: '1500',
    });

    expect((await cli('stop')).stopped).toBe(started.pid);
    if (started.exitCode === null) await once(started, 'exit');
    expect(started.exitCode, 'a graceful stop').toBe(0);
  });
});
