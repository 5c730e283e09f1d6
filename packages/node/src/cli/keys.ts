import { mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exitCodes } from '../constants.js';
import { addKey, importKey, listKeys, loadKey, replacePrivateFile } from '../home/home.js';
import { loadKeyFile } from '../home/key-files.js';
import type { Command } from './app.js';
import { homeOf, json, parse, required, UsageError } from './common.js';
import { didYouMean } from './suggest.js';

const actions = ['add', 'list', 'show', 'delete', 'export', 'import'] as const;

/** `keys add|list|show|delete|export|import`: the home's keyring of client keys. */
export const keys: Command = async (args, app, io) => {
  const { values, positionals } = parse(args, {
    home: { type: 'string' },
    out: { type: 'string' },
    yes: { type: 'boolean' },
  });
  const [action, name, file, ...extra] = positionals;
  const home = homeOf(values);
  if (action === undefined) throw new UsageError(`expected keys ${actions.join('|')}`);
  if (!(actions as readonly string[]).includes(action))
    throw new UsageError(`unknown keys action "${action}"${didYouMean(action, actions)}`);
  const takes = action === 'import' ? 2 : action === 'list' ? 0 : 1;
  const unexpected = [name, file, ...extra].slice(takes).find((x) => x !== undefined);
  if (unexpected !== undefined) throw new UsageError(`unexpected argument "${unexpected}"`);
  if (action === 'list') {
    io.out(json(await listKeys(home)));
    return exitCodes.ok;
  }
  if (name === undefined) throw new UsageError(`keys ${action} needs a NAME`);
  switch (action) {
    case 'add':
    case 'show': {
      const { key: _secret, ...info } =
        action === 'add' ? await addKey(home, name, app.addressPrefix) : await loadKey(home, name);
      delete (info as { path?: string }).path;
      io.out(json(info));
      return exitCodes.ok;
    }
    case 'delete': {
      const { key: _secret, path, ...info } = await loadKey(home, name);
      if (values.yes !== true)
        throw new UsageError(
          `keys delete removes ${path}, maybe the only copy of the key: \`keys export ${name} --out FILE\` first, then pass --yes`,
        );
      await unlink(path);
      io.out(json({ deleted: info }));
      return exitCodes.ok;
    }
    case 'export': {
      const out = required(values.out, 'out');
      const { key: _secret, path, ...info } = await loadKey(home, name);
      // The key file as it is (0600 at the target): `keys import` reads it back.
      const { file: body } = await loadKeyFile(path, `key "${name}"`);
      await mkdir(dirname(out), { recursive: true, mode: 0o700 });
      await replacePrivateFile(out, `${JSON.stringify(body, null, 2)}\n`);
      io.out(json({ ...info, exported: out }));
      return exitCodes.ok;
    }
    case 'import': {
      if (file === undefined) throw new UsageError('keys import needs NAME and FILE (a file of keys export)');
      const { key: _secret, path: _path, ...info } = await importKey(home, name, file, app.addressPrefix);
      io.out(json(info));
      return exitCodes.ok;
    }
  }
  return exitCodes.usage;
};
