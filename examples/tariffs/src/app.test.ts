import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatAddress } from '@joule/consensus';
import { parseGenesis, runCli } from '@joule/node';
import { parseAppState } from '@joule/state';
import { tempDir } from '@joule/state/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { addressPrefix, tariffsApp, tariffsModules } from './app.js';

/** Runs the tariffs bin in-process; resolves with its exit code and what it printed. */
async function tariffsCli(...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await runCli(argv, tariffsApp, { out: (t) => out.push(t), err: (t) => out.push(t) });
  return { code, out: out.join('\n') };
}

/** The tariffs section of a home's genesis, as the tariffs chain parses it at start. */
async function tariffsSection(home: string): Promise<{ authority: Uint8Array | null; tariffs: unknown[] }> {
  const path = join(home, 'config/genesis.json');
  const { genesis } = parseGenesis(await readFile(path, 'utf8'), path);
  return parseAppState(genesis.appState, tariffsModules().modules, addressPrefix).get('tariffs') as {
    authority: Uint8Array | null;
    tariffs: unknown[];
  };
}

describe('the tariffs bin', () => {
  const dir = tempDir('tariffs-app');
  afterAll(() => dir.remove());

  it('inits a home whose genesis the tariffs chain starts from, with the operator as authority', async () => {
    const home = join(dir.path, 'home');
    const made = await tariffsCli('init', '--home', home, '--chain-id', 'tariffs-1');
    expect(made.code, made.out).toBe(0);
    const { operator } = JSON.parse(made.out) as { operator: string };
    expect(operator).toMatch(/^tariff1/);
    const section = await tariffsSection(home);
    expect(section.tariffs).toEqual([]);
    expect(section.authority && formatAddress(section.authority, addressPrefix)).toBe(operator);
  });

  it('makes a testnet whose every node has the tariffs genesis, node0 the authority', async () => {
    const out = join(dir.path, 'net');
    const made = await tariffsCli('testnet', '--validators', '2', '--nodes', '3', '--out', out);
    expect(made.code, made.out).toBe(0);
    const nodes = JSON.parse(made.out) as { name: string; account: string }[];
    expect(nodes).toHaveLength(3);
    for (const n of nodes) {
      const section = await tariffsSection(join(out, n.name));
      expect(section.authority && formatAddress(section.authority, addressPrefix), n.name).toBe(
        nodes[0]?.account,
      );
    }
  });
});
