/**
 * `npm start` — the Lugaggia Innovation Community pilot on a local Joule network. See the README
 * and `npm start -- --help`.
 */

import { PilotUsageError, parsePilotOptions, pilotUsage } from './pilot/options.js';
import { dashboardUrl, runPilot } from './pilot/run.js';
import { printSummary } from './pilot/summary.js';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  let options: ReturnType<typeof parsePilotOptions>;
  try {
    options = parsePilotOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof PilotUsageError) {
      process.stderr.write(`${error.message}\n\n${pilotUsage}`);
      return 2;
    }
    throw error;
  }
  if (options === null) {
    process.stdout.write(pilotUsage);
    return 0;
  }
  const run = await runPilot(options, log);
  printSummary(run.report, log);
  log(`\nreports: ${run.files.json}\n         ${run.files.html}`);
  if (run.network !== null) {
    const net = run.network;
    const n0 = net.nodes[0];
    log(`\nThe network keeps running (--keep). The community dashboard (light client in the page):`);
    log(`  ${await dashboardUrl(n0?.api ?? '')}`);
    log('Try, from the repository:');
    log(`  npx joule status --node ${n0?.api}`);
    log(`  npx joule query market get_meters_list --node ${n0?.api}`);
    log('Ctrl-C stops every node.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await net.stop();
  }
  return run.report.audit.matches && run.report.chain.appHashesEqual ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`\njoule pilot: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
