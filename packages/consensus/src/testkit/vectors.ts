import { readFileSync } from 'node:fs';

/** Reads a JSON vector file from the package's `test/vectors/` folder. */
export function readVectors<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../test/vectors/${name}`, import.meta.url), 'utf8')) as T;
}
