#!/usr/bin/env node
import { exitCodes } from '../constants.js';
import { nodeVersionProblem } from './node-version.js';

// The rest of the CLI is imported only once Node is known to be recent enough to load it.
const problem = nodeVersionProblem(process.versions.node, process.execPath);
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = exitCodes.badInput;
} else {
  const [{ jouleCliApp }, { runCli }] = await Promise.all([import('../market/app.js'), import('./run.js')]);
  process.exitCode = await runCli(process.argv.slice(2), jouleCliApp);
}
