// `npm run check:unit`: `systemd-analyze verify` on packages/node/deploy/joule.service.
//
// verify checks that ExecStart's binary is executable, and /opt/node/bin/node exists only on a
// board: the unit is verified as a copy whose ExecStart runs the Node running this script, every
// other line unchanged. Where systemd-analyze is missing (a container, macOS) it says so and exits 0:
// the check is for the machines that have it (CI on a systemd distribution, a board).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const unit = new URL('../packages/node/deploy/joule.service', import.meta.url);
const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
if (probe.error !== undefined) {
  console.log('check:unit: systemd-analyze is not installed here; nothing verified');
  process.exit(0);
}
const text = readFileSync(unit, 'utf8');
if (!text.includes('ExecStart=/opt/node/bin/node '))
  throw new Error('check:unit: ExecStart no longer runs /opt/node/bin/node: update this script');
const dir = mkdtempSync(join(tmpdir(), 'joule-unit-'));
try {
  const copy = join(dir, 'joule.service');
  writeFileSync(copy, text.replace('ExecStart=/opt/node/bin/node ', `ExecStart=${process.execPath} `));
  execFileSync('systemd-analyze', ['verify', copy], { stdio: 'inherit' });
  console.log(`check:unit: systemd-analyze verify accepts joule.service (${probe.stdout.split('\n')[0]})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
