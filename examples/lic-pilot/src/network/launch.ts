import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { jouleCliPath, type NodeLaunch } from './local-network.js';
import { type RunnableUnit, runnableUnit, unitLaunch, unitWrap } from './unit.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
/** The board bundle of `npm run bundle`. */
export const bundlePath = `${root}bundle/joule.js`;

/** What a node process runs: the bundle (as on a board) or the compiled packages (`dist/`). */
export type Build = 'bundle' | 'dist';

/** Builds the bundle from the compiled packages (about a second), so that it is never stale. */
export function buildBundle(): void {
  execFileSync(process.execPath, [`${root}scripts/bundle.mjs`], { stdio: 'ignore' });
}

/**
 * How a node runs as the systemd unit runs it: the unit's environment, Node flags and arguments
 * after `start --home DIR`; `nodeArgs` replaces the unit's Node flags (a heap limit of a test),
 * `wrap` goes first (`taskset -c 0`).
 */
export function unitNodeLaunch(
  build: Build,
  options: {
    readonly unit?: RunnableUnit;
    readonly nodeArgs?: readonly string[];
    readonly wrap?: readonly string[];
  } = {},
): NodeLaunch {
  const { unit } = options.unit ?? runnableUnit(unitLaunch());
  return {
    wrap: [...(options.wrap ?? []), ...unitWrap(unit)],
    nodeArgs: options.nodeArgs ?? unit.nodeArgs,
    cliPath: build === 'bundle' ? bundlePath : jouleCliPath(),
  };
}

/** How a run was launched, for the report (and what of the unit this machine could not load). */
export function describeLaunch(build: Build, runnable: RunnableUnit = runnableUnit(unitLaunch())): string {
  const { unit, missing } = runnable;
  const what = build === 'bundle' ? 'bundle/joule.js' : 'packages/node/dist (--dist)';
  const left =
    missing.length === 0 ? '' : ` (without LD_PRELOAD=${missing.join(':')}: not installed on this machine)`;
  return `${what} as joule.service runs it: ${[...unit.env, 'node', ...unit.nodeArgs, '…', 'start', ...unit.startArgs].join(' ')}${left}`;
}
