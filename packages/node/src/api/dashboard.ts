import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { NodeInputError } from '../errors.js';

/**
 * The dashboard page that `npm run build` writes (`@joule/light/dashboard.html`), for `[api] ui =
 * true`; in the board bundle, the copy next to `joule.js`.
 */
export async function loadDashboard(configFile = '[api] ui'): Promise<string> {
  let path: string;
  try {
    path = fileURLToPath(import.meta.resolve('@joule/light/dashboard.html'));
  } catch {
    path = fileURLToPath(new URL('dashboard.html', import.meta.url));
  }
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new NodeInputError(
      'CONFIG_INVALID',
      configFile,
      `[api] ui is on but the dashboard page ${path} is missing`,
      'run `npm run build` (it builds the page), or set [api] ui = false',
    );
  }
}
