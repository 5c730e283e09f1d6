import { readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { addressOf, toHex } from '@joule/consensus';
import { exitCodes, nodePackageVersion, stopPollMs, stopWaitMs } from '../constants.js';
import { homePaths, requireHome } from '../home/home.js';
import { loadKeyFile, peerIdOf } from '../home/key-files.js';
import { HomeLock, holderAlive, lockHolder, lockOwner, processAlive } from '../home/lock.js';
import type { Command } from './app.js';
import { clientOf, homeOf, integer, json, parse, UsageError } from './common.js';

function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}

/** Commands on a home that need no running node (and `stop`, which ends one). */
export const homeCommands: Record<string, Command> = {
  async stop(args, _app, io) {
    const { values, positionals } = parse(args, { home: { type: 'string' }, timeout: { type: 'string' } });
    noPositionals(positionals);
    const home = homeOf(values);
    const waitMs = integer(values.timeout, 'timeout', stopWaitMs / 1000) * 1000;
    await requireHome(home);
    const paths = homePaths(home);
    // A pid that outlived its node (a power cut, then a reboot) may be another process's now.
    const holder = await lockHolder(paths.lock);
    if (holder === undefined || !holderAlive(holder)) {
      io.out(json({ home, running: false, ...(holder === undefined ? {} : { stale_lock_pid: holder.pid }) }));
      return exitCodes.ok;
    }
    const { pid } = holder;
    const started = performance.now();
    try {
      process.kill(pid, 'SIGTERM');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
      io.err(
        `error: the node of ${home} (process ${pid}) belongs to another user — run stop as that user (sudo -u joule …), or systemctl stop joule`,
      );
      return exitCodes.failure;
    }
    while (processAlive(pid) && (await lockOwner(paths.lock)) === pid) {
      if (performance.now() - started > waitMs) {
        io.err(
          `error: the node of ${home} (process ${pid}) did not stop within ${waitMs / 1000} s — wait, or \`kill -9 ${pid}\` (the WAL recovers it at the next start)`,
        );
        return exitCodes.failure;
      }
      await sleep(stopPollMs);
    }
    // The lock goes before the process ends: wait for the process too, within the same bound.
    while (processAlive(pid) && performance.now() - started <= waitMs) await sleep(stopPollMs);
    io.out(json({ home, stopped: pid, seconds: Number(((performance.now() - started) / 1000).toFixed(1)) }));
    return exitCodes.ok;
  },

  async version(args, app, io) {
    const { values, positionals } = parse(args, { long: { type: 'boolean' } });
    noPositionals(positionals);
    const version = app.version ?? nodePackageVersion;
    if (values.long !== true) {
      io.out(version);
      return exitCodes.ok;
    }
    io.out(
      json({
        name: app.name,
        version,
        node_package: nodePackageVersion,
        node: process.versions.node,
        platform: `${process.platform}-${process.arch}`,
      }),
    );
    return exitCodes.ok;
  },

  async 'show-node-id'(args, _app, io) {
    const { values, positionals } = parse(args, { home: { type: 'string' } });
    noPositionals(positionals);
    const home = homeOf(values);
    await requireHome(home);
    const key = await loadKeyFile(homePaths(home).nodeKey, 'node key');
    io.out(peerIdOf(key.publicKey));
    return exitCodes.ok;
  },

  async 'show-validator'(args, _app, io) {
    const { values, positionals } = parse(args, { home: { type: 'string' } });
    noPositionals(positionals);
    const home = homeOf(values);
    await requireHome(home);
    const key = await loadKeyFile(homePaths(home).validatorKey, 'validator key');
    io.out(json({ address: toHex(addressOf(key.publicKey)), pub_key: toHex(key.publicKey) }));
    return exitCodes.ok;
  },

  async 'unsafe-reset-all'(args, _app, io) {
    const { values, positionals } = parse(args, { home: { type: 'string' }, yes: { type: 'boolean' } });
    noPositionals(positionals);
    const home = homeOf(values);
    await requireHome(home);
    if (values.yes !== true)
      throw new UsageError(
        'unsafe-reset-all deletes the blocks, the state, the WAL and the signer state of the home: pass --yes',
      );
    const paths = homePaths(home);
    // Held while deleting: never under a running node.
    const lock = new HomeLock(paths.lock, home);
    await lock.acquire();
    const removed: string[] = [];
    try {
      for (const path of [paths.db, paths.wal, paths.signerState, paths.genesisHash]) {
        const existed = await readFile(path).then(
          () => true,
          (e: NodeJS.ErrnoException) => e.code !== 'ENOENT',
        );
        await rm(path, { recursive: true, force: true });
        if (existed) removed.push(path);
      }
    } finally {
      await lock.release();
    }
    io.out(json({ home, removed, kept: [paths.config, paths.genesis, paths.nodeKey, paths.validatorKey] }));
    return exitCodes.ok;
  },

  async peers(args, _app, io) {
    const { values, positionals } = parse(args, { home: { type: 'string' }, node: { type: 'string' } });
    noPositionals(positionals);
    io.out(json(await (await clientOf(values)).netInfo()));
    return exitCodes.ok;
  },
};
