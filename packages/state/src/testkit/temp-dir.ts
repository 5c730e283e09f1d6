import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory and the function that removes it (tests call it in `afterEach`). */
export function tempDir(label: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `joule-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
