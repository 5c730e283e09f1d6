import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultProfile, profiles } from '@joule/node';

/** The sample systemd unit of a board (packages/node/deploy/joule.service). */
export const unitPath = fileURLToPath(
  new URL('../../../../packages/node/deploy/joule.service', import.meta.url),
);

/** How the unit runs the node: `Environment=`, Node's flags, and the CLI's arguments after `start`. */
export interface UnitLaunch {
  /** `NAME=value` pairs of every `Environment=` line, in order. */
  readonly env: readonly string[];
  /** Node's own flags: the words of `ExecStart=` between the Node binary and the script. */
  readonly nodeArgs: readonly string[];
  /** The CLI's arguments after `start --home DIR` (e.g. `--profile board`). */
  readonly startArgs: readonly string[];
}

/**
 * Reads the unit's `ExecStart=` and `Environment=` lines, so that a benchmark runs the node exactly
 * as the unit does. The unit's lines are plain words (no quoting): anything else is refused.
 */
export function parseUnit(text: string, file = unitPath): UnitLaunch {
  const env: string[] = [];
  let exec: string[] | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('Environment=')) {
      for (const pair of line.slice('Environment='.length).split(/\s+/)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*=[^"'\s]*$/.test(pair))
          throw new Error(`${file}: Environment= holds "${pair}", not NAME=value`);
        env.push(pair);
      }
    } else if (line.startsWith('ExecStart=')) {
      if (exec !== null) throw new Error(`${file}: more than one ExecStart=`);
      exec = line.slice('ExecStart='.length).split(/\s+/);
    }
  }
  if (exec === null) throw new Error(`${file}: no ExecStart=`);
  if (exec.some((w) => /["'\\$]/.test(w))) throw new Error(`${file}: ExecStart= must be plain words`);
  const script = exec.findIndex((w, i) => i > 0 && !w.startsWith('-'));
  const start = exec.indexOf('start');
  const home = exec.indexOf('--home');
  if (script < 1 || start !== script + 1 || home !== start + 1 || exec[home + 1] === undefined)
    throw new Error(`${file}: ExecStart= must be "NODE [FLAGS] SCRIPT start --home DIR [ARGS]"`);
  return { env, nodeArgs: exec.slice(1, script), startArgs: exec.slice(home + 2) };
}

/** The unit's launch, read from packages/node/deploy/joule.service. */
export function unitLaunch(): UnitLaunch {
  return parseUnit(readFileSync(unitPath, 'utf8'));
}

/** A unit with what this machine cannot load taken out (`runnableUnit`). */
export interface RunnableUnit {
  readonly unit: UnitLaunch;
  /** The `LD_PRELOAD` libraries left out: the dynamic loader finds none of them here. */
  readonly missing: readonly string[];
}

/**
 * The unit as this machine can run it. A library of `LD_PRELOAD` that the dynamic loader cannot
 * find (jemalloc where the `libjemalloc2` package is not installed) is left out: the loader itself
 * would ignore it, with an error line from every process. The node then runs on glibc's malloc,
 * which the unit's glibc settings tune; `missing` names what was left out, for the report.
 */
export function runnableUnit(
  unit: UnitLaunch,
  loadable: (library: string) => boolean = canPreload,
): RunnableUnit {
  const missing: string[] = [];
  const env: string[] = [];
  for (const pair of unit.env) {
    if (!pair.startsWith('LD_PRELOAD=')) {
      env.push(pair);
      continue;
    }
    const libraries = pair
      .slice('LD_PRELOAD='.length)
      .split(':')
      .filter((l) => l !== '');
    const kept = libraries.filter((l) => loadable(l));
    missing.push(...libraries.filter((l) => !kept.includes(l)));
    if (kept.length > 0) env.push(`LD_PRELOAD=${kept.join(':')}`);
  }
  return { unit: { ...unit, env }, missing };
}

const preloadable = new Map<string, boolean>();

/** Whether the dynamic loader preloads `library` into a process here (Linux; asked once a library). */
export function canPreload(library: string): boolean {
  let ok = preloadable.get(library);
  if (ok === undefined) {
    const r =
      process.platform === 'linux'
        ? spawnSync(process.execPath, ['--version'], {
            env: { ...process.env, LD_PRELOAD: library },
            encoding: 'utf8',
            timeout: 10_000,
          })
        : undefined;
    ok = r !== undefined && r.status === 0 && !/cannot be preloaded/.test(r.stderr);
    preloadable.set(library, ok);
  }
  return ok;
}

/**
 * The programs that run Node as the unit does, before its binary: `env` for the unit's environment
 * and a shell that `exec`s Node with the unit's arguments after `start --home DIR` appended. Both
 * `exec`, so the node keeps the process id that is sampled.
 */
export function unitWrap(unit: UnitLaunch): string[] {
  const env = unit.env.length > 0 ? ['env', ...unit.env] : [];
  if (unit.startArgs.length === 0) return env;
  return [...env, 'sh', '-c', `exec "$0" "$@" ${unit.startArgs.join(' ')}`];
}

/** `[state] retain_blocks` of the profile the unit runs (`--profile`, else the default profile). */
export function unitRetainBlocks(unit: UnitLaunch = unitLaunch()): number {
  const i = unit.startArgs.indexOf('--profile');
  const name = i < 0 ? defaultProfile : unit.startArgs[i + 1];
  const profile = (profiles as Readonly<Record<string, (typeof profiles)[keyof typeof profiles]>>)[
    name ?? ''
  ];
  if (profile === undefined) throw new Error(`${unitPath}: no profile "${name}"`);
  return profile.disk.retainBlocks;
}
