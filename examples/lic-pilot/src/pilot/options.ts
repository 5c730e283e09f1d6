import { parseArgs } from 'node:util';

/** What `npm start -- …` accepts. */
export interface PilotOptions {
  /** Days of the month to run, from its first (default: the whole month). */
  readonly days: number | null;
  /** The month, `YYYY-MM` (default: the last whole month before today, UTC). */
  readonly month: string | null;
  readonly nodes: number;
  readonly validators: number;
  readonly seed: number;
  /** A CSV of real 15-minute meter data instead of the generator. */
  readonly data: string | null;
  /** Where report.json, report.html and the audit files go. */
  readonly out: string;
  /** Leave the network running (and its homes in place) for exploring with the CLI. */
  readonly keep: boolean;
  readonly basePort: number;
  /** Run the nodes from the compiled packages (`dist/`) instead of the board bundle. */
  readonly dist: boolean;
}

export class PilotUsageError extends Error {
  override readonly name = 'PilotUsageError';
  readonly code = 'PILOT_USAGE';
}

export const pilotUsage = `usage: npm start -- [options]

Runs the Lugaggia Innovation Community on a local Joule network: every node its own process,
19 meters posting a month of 15-minute measures, the month settled on chain and audited.

  --days N         days of the month to run, from its first (default: the whole month)
  --month YYYY-MM  the month (default: the last whole month, UTC)
  --nodes N        nodes in the LIC grid (default 8; 20 is the pilot's full deployment)
  --validators V   validators among them (default 4)
  --seed S         seed of the community generator (default 1)
  --data FILE.csv  real meter data instead of the generator (format: examples/lic-pilot/README.md)
  --out DIR        where the reports go (default ./lic-pilot-out)
  --keep           leave the network running for the joule CLI; stop it with Ctrl-C
  --base-port P    node i uses ports P+2i (libp2p) and P+2i+1 (API) on 127.0.0.1 (default 27600)
  --dist           nodes run packages/node/dist instead of the board bundle (same flags and profile)
`;

function integer(
  value: string | undefined,
  flag: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]{1,9}$/.test(value) || Number(value) < min || Number(value) > max)
    throw new PilotUsageError(`--${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  return Number(value);
}

/** Parses the command line; throws PilotUsageError naming the flag. `null` means --help. */
export function parsePilotOptions(argv: readonly string[]): PilotOptions | null {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new PilotUsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help === true) return null;
  if (parsed.positionals.length > 0)
    throw new PilotUsageError(`unexpected argument "${parsed.positionals[0]}"`);
  if (v.month !== undefined && !/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(v.month))
    throw new PilotUsageError(`--month must look like 2026-10, not "${v.month}"`);
  const nodes = integer(v.nodes, 'nodes', 1, 50, 8);
  const validators = integer(v.validators, 'validators', 1, nodes, Math.min(4, nodes));
  return {
    days: v.days === undefined ? null : integer(v.days, 'days', 1, 31, 31),
    month: v.month ?? null,
    nodes,
    validators,
    seed: integer(v.seed, 'seed', 0, 2 ** 31 - 1, 1),
    data: v.data ?? null,
    out: v.out ?? 'lic-pilot-out',
    keep: v.keep === true,
    basePort: integer(v['base-port'], 'base-port', 1024, 65_535 - 2 * nodes, 27_600),
    dist: v.dist === true,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      days: { type: 'string' },
      month: { type: 'string' },
      nodes: { type: 'string' },
      validators: { type: 'string' },
      seed: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean' },
      'base-port': { type: 'string' },
      dist: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
