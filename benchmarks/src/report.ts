import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Row = Record<string, string | number>;

export interface SuiteResult {
  readonly suite: string;
  readonly rows: readonly Row[];
}

/** Context printed with every result, so numbers from two machines are never compared blind. */
export function environment(): Row {
  return {
    node: process.versions.node,
    arch: process.arch,
    platform: process.platform,
    date: new Date().toISOString(),
  };
}

export function printTable(result: SuiteResult): void {
  console.log(`\n${result.suite}`);
  console.table(result.rows);
}

export function writeJson(dir: string, result: SuiteResult): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.suite}.json`);
  writeFileSync(file, `${JSON.stringify({ ...result, environment: environment() }, null, 2)}\n`);
  return file;
}
