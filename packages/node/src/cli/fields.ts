import type { Codec } from '@joule/consensus';
import type { MessageType, Module, QueryType } from '@joule/state';
import { snakeCase } from '../client/values.js';
import type { CliApp } from './app.js';
import type { TxBuilder } from './extension.js';

/** One field of a message or a query request, as help lists it. */
export interface FieldRow {
  /** The field's name in `--args` JSON and `field=value` pairs (snake_case). */
  readonly name: string;
  readonly type: string;
  /** `false` for a nullable field: left out, it is null. */
  readonly required: boolean;
}

/** The fields of a struct codec; `[]` for a codec that does not describe them. */
export function fieldRows(codec: Codec<unknown>): FieldRow[] {
  return Object.entries(codec.fields ?? {}).map(([name, field]) => ({
    name: snakeCase(name),
    type: typeText(field),
    required: field.kind !== 'nullable',
  }));
}

function typeText(codec: Codec<unknown>): string {
  const inner = codec.kind === 'nullable' && codec.inner !== undefined ? codec.inner : codec;
  // 20-byte values are addresses: bech32 of the chain, or a key name of the home's keyring.
  if (inner.kind === 'bytes' && inner.describe === '20 bytes') return 'address (bech32 or key name)';
  if (inner.kind === 'bytes') return `hex, ${inner.describe ?? 'bytes'}`;
  return inner.describe ?? inner.kind;
}

/** The lines of a field table, aligned. */
export function fieldTable(rows: readonly FieldRow[]): string {
  if (rows.length === 0) return '  (no fields)';
  const width = Math.max(...rows.map((r) => r.name.length));
  return rows
    .map((r) => `  ${r.name.padEnd(width)}  ${r.required ? 'required' : 'optional'}  ${r.type}`)
    .join('\n');
}

/** The field table of a codec, or what it takes when it is not a struct that lists its fields. */
function fieldsOf(codec: Codec<unknown>): string {
  if (codec.fields !== undefined) return fieldTable(fieldRows(codec));
  return `  (not a struct with named fields: ${codec.describe ?? codec.kind})`;
}

/**
 * A module's `tx` builder for `name`, by its name or one of its former names (aliases); a builder
 * of that exact name wins over another's former name, and a former name that is now a message of
 * the module (`messages`, its names after `<module>/`) belongs to that message, not to the builder.
 */
export function findBuilder(
  app: CliApp,
  module: string | undefined,
  name: string | undefined,
  messages: readonly string[] = [],
): { readonly name: string; readonly builder: TxBuilder } | undefined {
  const builders = app.extensions?.find((e) => e.name === module)?.tx ?? {};
  const exact = name === undefined ? undefined : Object.entries(builders).find(([key]) => key === name);
  if (exact !== undefined) return { name: exact[0], builder: exact[1] };
  if (name === undefined || messages.includes(name)) return undefined;
  for (const [key, builder] of Object.entries(builders))
    if ((builder.aliases ?? []).includes(name)) return { name: key, builder };
  return undefined;
}

/** A module's query by its path or a former spelling; `former` when named by the latter. */
export function findQuery(
  modules: readonly Module[],
  module: string,
  name: string,
): { readonly type: QueryType<unknown, unknown>; readonly former: boolean } | undefined {
  for (const q of modules.find((m) => m.name === module)?.queries ?? []) {
    if (q.path === name) return { type: q, former: false };
    if ((q.aliases ?? []).includes(name)) return { type: q, former: true };
  }
  return undefined;
}

/** `{bin} tx <module> <msg> --help`: both forms of the command and the message's fields. */
export function messageHelp(
  module: string,
  name: string,
  type: MessageType<unknown>,
  builder?: TxBuilder,
): string {
  const lines = [
    `Usage: {bin} tx ${module} ${name} --from KEY --args JSON [--home DIR] [--node URL] [--memo TEXT] [--sync]`,
  ];
  if (builder !== undefined) lines.push(`       {bin} tx ${module} ${name} --from KEY ${builder.usage}`);
  lines.push(
    '',
    `Signs and sends one ${type.type} message (--home DIR, --node URL, --memo TEXT, --sync as for`,
    'every tx). --args gives its fields as a JSON object: the names below, addresses in bech32 or as',
    'key names, 64-bit amounts as decimal strings; a field it does not list is refused.',
  );
  if (builder !== undefined) lines.push('The second form builds the same message from its own flags.');
  lines.push('', 'Fields:', fieldsOf(type.codec));
  return lines.join('\n');
}

/** `{bin} query <module> <query> --help`: the query's fields. */
export function queryHelp(module: string, type: QueryType<unknown, unknown>): string {
  const rows = fieldRows(type.request);
  const example = rows.map((r) => `${r.name}=…`).join(' ');
  const lines = [
    `Usage: {bin} query ${module} ${type.path}${example === '' ? '' : ` ${example}`} [--node URL | --home DIR]${type.authenticated === true ? ' --from KEY' : ''} [--verify HEIGHT:HASH]`,
    '',
    `Runs the query /${module}/${type.path} and prints its answer as JSON (snake_case fields).`,
  ];
  if (type.authenticated === true)
    lines.push('Authenticated: signed with keyring key KEY of the home, which the query checks.');
  lines.push('', 'Fields (field=value):', fieldsOf(type.request));
  return lines.join('\n');
}
