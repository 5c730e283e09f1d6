// The one Node version rule of every Joule command: Node >= 22.12 (`Promise.withResolvers`,
// `Array.fromAsync`, `require` of ES modules, …), as every package's `engines` says. Plain JavaScript
// outside dist/, so the bins load it before anything is built, and written for any Node that parses
// ES modules, so an old Node (Debian's and Raspberry Pi OS's 20) gets one line and exit 3 instead of
// a failure inside the program.

/** The oldest Node Joule runs on, [major, minor]. */
export const minimumNode = [22, 12];

/** The exit code of a command refused for its Node: 3, the CLI's "bad input" (see the node README). */
export const nodeTooOldExitCode = 3;

/**
 * Why Node `version` cannot run Joule (`undefined` when it can): one line naming the version found
 * (and the binary, when `execPath` is given), the version needed and where to get it.
 */
export function nodeVersionProblem(version, execPath = '') {
  const [major, minor] = String(version).replace(/^v/, '').split('.').map(Number);
  const [needMajor, needMinor] = minimumNode;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  const needed = `${needMajor}.${needMinor}`;
  const where = execPath === '' ? '' : ` (${execPath})`;
  return `error: Node ${String(version).replace(/^v/, '')}${where} is too old: Joule needs Node >= ${needed} — install Node ${needed} or later (https://nodejs.org/dist/, e.g. into /opt/node) and run Joule with it`;
}

/**
 * Checks the running Node: `true` when it can run Joule; otherwise writes the problem to stderr, sets
 * exit code 3 and returns `false` (the caller then loads nothing more and returns).
 */
export function checkNode() {
  const problem = nodeVersionProblem(process.versions.node, process.execPath);
  if (problem === undefined) return true;
  process.stderr.write(`${problem}\n`);
  process.exitCode = nodeTooOldExitCode;
  return false;
}
