#!/usr/bin/env node
import { checkNode } from '@joule/consensus/node-check';

// The rest of the CLI is imported only once Node is known to be recent enough to load it (the bin
// checked already; this is the bundle's entry, run without the bin).
if (checkNode()) {
  const [{ jouleCliApp }, { runCli }] = await Promise.all([import('../market/app.js'), import('./run.js')]);
  process.exitCode = await runCli(process.argv.slice(2), jouleCliApp);
}
