import { minNodeMajor } from '../constants.js';

/**
 * Why this Node cannot run the node (`undefined` when it can): one line naming the version found,
 * the version needed and where to get it. Checked before anything else is loaded, so an old Node
 * (Debian's and Raspberry Pi OS's 20) gets this line and exit 3, not a stack trace.
 */
export function nodeVersionProblem(version: string, execPath = ''): string | undefined {
  const major = Number(/^v?([0-9]+)\./.exec(version)?.[1]);
  if (Number.isInteger(major) && major >= minNodeMajor) return undefined;
  const where = execPath === '' ? '' : ` (${execPath})`;
  return `error: Node ${version}${where} is too old: joule needs Node >= ${minNodeMajor} — install Node ${minNodeMajor} or later (https://nodejs.org/dist/, e.g. into /opt/node) and run joule with it`;
}
