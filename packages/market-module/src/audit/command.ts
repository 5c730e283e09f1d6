import { parseArgs } from 'node:util';
import { JouleError } from '@joule/consensus';
import { AuditInputError } from '../errors.js';
import { type AuditReport, settleFiles } from './settle.js';

/** What the command reads and writes, injected so that `joule` and tests can run it. */
export interface CommandIo {
  readFile(path: string): Promise<string>;
  stdout(line: string): void;
  stderr(line: string): void;
}

export const settleUsage = 'usage: settle --params PARAMS.json --measures MEASURES.json [--json]';

async function readJson(io: CommandIo, path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (cause) {
    throw new AuditInputError(what, `cannot read ${path}: ${(cause as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new AuditInputError(what, `${path} is not JSON: ${(cause as Error).message}`);
  }
}

function printHuman(io: CommandIo, report: AuditReport): void {
  const ect = (uect: string) => {
    const n = BigInt(uect);
    const abs = n < 0n ? -n : n;
    return `${n < 0n ? '-' : ''}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')} ECT`;
  };
  io.stdout(`slots: ${report.slots.length}`);
  for (const [account, delta] of Object.entries(report.deltas)) io.stdout(`  ${account}: ${ect(delta)}`);
  io.stdout(`admin: ${ect(report.admin)}`);
  io.stdout(`grid flow (paid to the DSO): ${ect(report.gridFlow)}`);
}

/**
 * `settle --params PARAMS.json --measures MEASURES.json [--json]`: recomputes a period offline.
 * Returns the exit code: 0, 1 for bad files (one line naming the field), 2 for bad usage.
 */
export async function settleCommand(args: readonly string[], io: CommandIo): Promise<number> {
  let values: { params?: string; measures?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { params: { type: 'string' }, measures: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (cause) {
    io.stderr(`${(cause as Error).message}\n${settleUsage}`);
    return 2;
  }
  if (values.params === undefined || values.measures === undefined) {
    io.stderr(settleUsage);
    return 2;
  }
  try {
    const params = await readJson(io, values.params, 'params');
    const measures = await readJson(io, values.measures, 'measures');
    const report = settleFiles(params, measures);
    if (values.json === true) io.stdout(JSON.stringify(report, null, 2));
    else printHuman(io, report);
    return 0;
  } catch (error) {
    if (!(error instanceof JouleError)) throw error;
    io.stderr(`error: ${error.message.replace(/\s+/g, ' ')}`);
    return 1;
  }
}
