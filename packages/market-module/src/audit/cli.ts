#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { settleCommand } from './command.js';

/** `node dist/audit/cli.js settle --params PARAMS.json --measures MEASURES.json [--json]`. */
const [command, ...rest] = process.argv.slice(2);
if (command !== 'settle') {
  console.error('usage: joule-market settle --params PARAMS.json --measures MEASURES.json [--json]');
  process.exit(2);
}
process.exitCode = await settleCommand(rest, {
  readFile: (path) => readFile(path, 'utf8'),
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});
