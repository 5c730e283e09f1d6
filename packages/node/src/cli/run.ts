import { parseArgs } from 'node:util';
import {
  chainIdPattern,
  decode,
  diskFullOf,
  encode,
  InvalidValueError,
  JouleError,
  maxChainIdLength,
  parseAddress,
} from '@joule/consensus';
import { type Module, type TxMessage, txMessage } from '@joule/state';
import { moduleJson } from '../api/json.js';
import { ClientError, valueFromParams } from '../client/index.js';
import { codecFieldNames, snakeCase } from '../client/values.js';
import { exitCodes, keyNamePattern, type ProfileName, profileNames } from '../constants.js';
import { NodeInputError } from '../errors.js';
import { exportHome } from '../home/export.js';
import { renderGenesis } from '../home/genesis-file.js';
import { loadKey, replacePrivateFile } from '../home/home.js';
import { type GenesisAuthorities, initHome, uniqueChainId } from '../home/init.js';
import { peerIdOf } from '../home/key-files.js';
import { createTestnet, type Topology } from '../home/testnet.js';
import { createNode } from '../node/node.js';
import { handleSignals } from '../node/signals.js';
import { type CliApp, type Command, coreCliApp } from './app.js';
import {
  type CliIo,
  clientOf,
  type FlagSpec,
  homeOf,
  integer,
  json,
  parse,
  required,
  stdio,
  UsageError,
} from './common.js';
import { configFlags } from './config-flags.js';
import type { CliContext } from './extension.js';
import { fieldRows, findBuilder, findQuery, messageHelp, queryHelp } from './fields.js';
import { help } from './help.js';
import { homeCommands } from './home-commands.js';
import { keys } from './keys.js';
import { closest, didYouMean } from './suggest.js';
import { verifiedQuery } from './verify.js';

export { type CliApp, coreCliApp };

/**
 * Runs the CLI on `argv` (without node and script) for `app`; resolves with the exit code. `start`
 * resolves only when the node has stopped. Modules' extensions (`app.extensions`) add `tx`
 * builders and top-level commands.
 */
export async function runCli(
  argv: readonly string[],
  app: CliApp = coreCliApp,
  io: CliIo = stdio,
): Promise<number> {
  const [command, rest] = commandOf(argv, app);
  const extension = app.extensions?.find((e) => e.name === command && e.command !== undefined)?.command;
  const text = (name: string): string =>
    (extension !== undefined && name === command ? extension.help : helpText(name, app))
      .replaceAll('{bin}', app.name)
      .replaceAll('{prefix}', app.addressPrefix);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(text('main'));
    return command === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (command === '--version' || command === '-v') return runCli(['version', ...rest], app, io);
  if ((help[command] === undefined || command === 'main') && extension === undefined) {
    const known = [...Object.keys(commands), ...(app.extensions ?? []).map((e) => e.name)];
    io.err(
      `error: unknown ${command.startsWith('-') ? 'flag' : 'command'} "${command}"${didYouMean(command, known)} — ${app.name} --help lists the commands`,
    );
    return exitCodes.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const own = extension === undefined ? fieldHelp(command, rest, app) : undefined;
    io.out((own ?? text(command)).replaceAll('{bin}', app.name).replaceAll('{prefix}', app.addressPrefix));
    return exitCodes.ok;
  }
  try {
    if (extension !== undefined) return await extension.run(rest, contextOf(app, io));
    return await (commands[command] as Command)(rest, app, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`error: ${(error as Error).message}\n\n${text(command)}`);
      return exitCodes.usage;
    }
    if (error instanceof NodeInputError) {
      io.err(`error: ${error.oneLine()}`);
      return exitCodes.badInput;
    }
    if (error instanceof ClientError) {
      io.err(`error: ${error.code}: ${error.message}`);
      return error.code === 'UNREACHABLE' ? exitCodes.unreachable : exitCodes.rejected;
    }
    if (error instanceof JouleError && (error.code === 'INVALID_VALUE' || error.code === 'BAD_ADDRESS')) {
      io.err(`error: ${error.message}`);
      return exitCodes.usage;
    }
    const full = diskFullOf(error);
    if (full !== null) {
      io.err(`error: ${full.code}: ${full.message}`);
      return exitCodes.diskFull;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodes.failure;
  }
}

/**
 * The command and its arguments: flags may come before the command (`joule --home H status`), as
 * they may anywhere after it.
 */
function commandOf(argv: readonly string[], app: CliApp): [string | undefined, string[]] {
  const [first, ...rest] = argv;
  if (first === undefined || !first.startsWith('-') || ['--help', '-h', '--version', '-v'].includes(first))
    return [first, rest];
  const known = new Set([...Object.keys(commands), ...(app.extensions ?? []).map((e) => e.name)]);
  const at = argv.findIndex((a) => known.has(a));
  if (at < 0) return [first, rest];
  return [argv[at], [...argv.slice(0, at), ...argv.slice(at + 1)]];
}

/**
 * `tx <module> <msg> --help` and `query <module> <query> --help`: the message's or the query's
 * fields from its codec; `undefined` when the line names none (the command's own help then).
 */
function fieldHelp(command: string, args: readonly string[], app: CliApp): string | undefined {
  if (command !== 'tx' && command !== 'query') return undefined;
  const flags: FlagSpec = { home: { type: 'string' }, node: { type: 'string' }, from: { type: 'string' } };
  for (const e of app.extensions ?? [])
    for (const b of Object.values(e.tx ?? {})) Object.assign(flags, b.flags);
  const [module, name] = parseArgs({
    args: [...args],
    options: flags,
    allowPositionals: true,
    strict: false,
  }).positionals;
  if (module === undefined || name === undefined) return undefined;
  const { modules } = app.build();
  if (command === 'query') {
    const found = findQuery(modules, module, name);
    return found === undefined ? undefined : queryHelp(module, found.type);
  }
  const built = findBuilder(app, module, name, messageNames(modules, module));
  const msg = built?.name ?? name;
  const type = modules.find((m) => m.name === module)?.messages?.find((t) => t.type === `${module}/${msg}`);
  return type === undefined ? undefined : messageHelp(module, msg, type, built?.builder);
}

/** The help of a built-in command, with the lines the app's extensions add. */
function helpText(name: string, app: CliApp): string {
  const extensions = app.extensions ?? [];
  const base = help[name] ?? '';
  if (name === 'main') {
    const lines = extensions.flatMap((e) =>
      e.command === undefined ? [] : [`  ${e.name.padEnd(16)}  ${e.command.summary}`],
    );
    return base.replace('{extensions}\n', lines.map((l) => `${l}\n`).join(''));
  }
  if (name === 'tx') {
    const messages = app
      .build()
      .modules.flatMap((m) => (m.messages ?? []).map((t) => `  ${t.type.replace('/', ' ')}`));
    const lines = extensions.flatMap((e) =>
      Object.entries(e.tx ?? {}).map(([sub, b]) => `  {bin} tx ${e.name} ${sub} ${b.usage}`),
    );
    const listed = `${base}\n\nMessages (tx <module> <msg> --help lists a message's fields):\n${messages.join('\n')}`;
    return lines.length === 0
      ? listed
      : `${listed}\n\nMessages that also take their own flags instead of --args (and --from KEY --home DIR):\n${lines.join('\n')}`;
  }
  if (name === 'query') {
    const queries = app
      .build()
      .modules.flatMap((m) =>
        (m.queries ?? []).map(
          (q) => `  ${m.name} ${q.path}${q.authenticated === true ? '  (--from KEY)' : ''}`,
        ),
      );
    return `${base}\n\nQueries (query <module> <query> --help lists a query's fields):\n${queries.join('\n')}`;
  }
  return base;
}

function contextOf(app: CliApp, io: CliIo): CliContext {
  return {
    bin: app.name,
    addressPrefix: app.addressPrefix,
    io,
    address: (text, home) => resolveAddress(text, home, app.addressPrefix),
  };
}

/** A bech32 address of the chain, or a key name of the home's keyring. */
async function resolveAddress(text: string, home: string | undefined, prefix: string): Promise<Uint8Array> {
  if (text.startsWith(`${prefix}1`)) return parseAddress(text, prefix);
  return parseAddress((await loadKey(home ?? homeOf({}), text)).address, prefix);
}

const commands: Record<string, Command> = {
  ...homeCommands,
  async init(args, app, io) {
    const { values, positionals } = parse(args, {
      home: { type: 'string' },
      'chain-id': { type: 'string' },
      moniker: { type: 'string' },
      authority: { type: 'string', multiple: true },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const home = homeOf(values);
    // A chain id of its own: a transaction signed for one chain is never valid on another.
    const chainId = values['chain-id'] ?? uniqueChainId(app.addressPrefix);
    if (chainId.length > maxChainIdLength || !chainIdPattern.test(chainId))
      throw new UsageError(
        `--chain-id "${chainId}": expected 1–${maxChainIdLength} characters of A–Z, a–z, 0–9, ".", "_", "-" (e.g. lic-1)`,
      );
    const result = await initHome({
      home,
      chainId,
      moniker: values.moniker ?? 'joule-node',
      addressPrefix: app.addressPrefix,
      denom: app.denom,
      operatorKey: 'operator',
      authorities: authorities(values.authority, app),
      ...(app.appState === undefined ? {} : { appState: app.appState }),
    });
    io.out(
      json({
        home,
        chain_id: chainId,
        node_id: peerIdOf(result.nodeKey.publicKey),
        operator: result.operator.address,
        denom: app.denom,
      }),
    );
    return exitCodes.ok;
  },

  async testnet(args, app, io) {
    const { values, positionals } = parse(args, {
      validators: { type: 'string' },
      nodes: { type: 'string' },
      out: { type: 'string' },
      topology: { type: 'string' },
      'base-port': { type: 'string' },
      'chain-id': { type: 'string' },
      authority: { type: 'string', multiple: true },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const topology = values.topology ?? 'mesh';
    if (topology !== 'mesh' && topology !== 'lic') throw new UsageError('--topology is mesh or lic');
    const nodes = await createTestnet({
      validators: integer(values.validators, 'validators'),
      nodes: integer(values.nodes, 'nodes'),
      out: required(values.out, 'out'),
      topology: topology as Topology,
      basePort: integer(values['base-port'], 'base-port', 26656),
      chainId: values['chain-id'] ?? `${app.addressPrefix}-testnet`,
      addressPrefix: app.addressPrefix,
      denom: app.denom,
      authorities: authorities(values.authority, app),
      ...(app.appState === undefined ? {} : { appState: app.appState }),
    });
    io.out(
      json(
        nodes.map((n) => ({
          name: n.name,
          home: n.home,
          validator: n.validator,
          node_id: n.peerId,
          p2p: n.p2p,
          api: n.api,
          peers: n.peers.map((i) => `node${i}`),
          account: n.account.address,
        })),
      ),
    );
    return exitCodes.ok;
  },

  async start(args, app, _io) {
    const { rest, overrides } = configFlags(args);
    const { values, positionals } = parse(rest, { home: { type: 'string' }, profile: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const profile = values.profile;
    if (profile !== undefined && !(profileNames as readonly string[]).includes(profile))
      throw new UsageError(`--profile must be one of ${profileNames.join(', ')}, not "${profile}"`);
    const built = app.build();
    const node = await createNode(
      {
        home: homeOf(values),
        config: {
          ...overrides,
          ...(profile === undefined ? {} : { node: { ...overrides.node, profile: profile as ProfileName } }),
        },
      },
      {
        app: {
          addressPrefix: app.addressPrefix,
          accounts: built.accounts,
          ...(app.version === undefined ? {} : { version: app.version }),
        },
        modules: built.modules,
      },
    );
    await node.start();
    handleSignals(node);
    await node.stopped();
    if (node.halted === null) return exitCodes.ok;
    return node.halted.code === 'DISK_FULL' ? exitCodes.diskFull : exitCodes.failure;
  },

  async status(args, _app, io) {
    const { values, positionals } = parse(args, { node: { type: 'string' }, home: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    io.out(json(await (await clientOf(values)).status()));
    return exitCodes.ok;
  },

  keys,

  async tx(args, app, io) {
    const common = {
      home: { type: 'string' },
      node: { type: 'string' },
      from: { type: 'string' },
      memo: { type: 'string' },
      sync: { type: 'boolean' },
    } as const;
    // Module and message are the first two positionals wherever the flags are.
    const every: FlagSpec = { ...common, args: { type: 'string' } };
    for (const e of app.extensions ?? [])
      for (const b of Object.values(e.tx ?? {})) Object.assign(every, b.flags);
    const [module, msg] = parseArgs({
      args,
      options: every,
      allowPositionals: true,
      strict: false,
    }).positionals;
    const built = findBuilder(app, module, msg, messageNames(app.build().modules, module));
    // `--args` is the generic form of every message; a builder's flags are the other form of its own.
    const builder = args.some((a) => a === '--args' || a.startsWith('--args=')) ? undefined : built?.builder;
    let from: string;
    let messages: TxMessage[];
    let values: {
      home?: string | boolean | undefined;
      node?: string | boolean | undefined;
      memo?: unknown;
      sync?: unknown;
    };
    if (builder !== undefined) {
      const parsed = parse(args, { ...builder.flags, ...common });
      const extra = parsed.positionals.slice(2);
      if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
      values = parsed.values;
      from = required(parsed.values.from, 'from');
      messages = await builder.build(parsed.values, contextOf(app, io));
    } else {
      const parsed = parse(args, { ...common, args: { type: 'string' } });
      values = parsed.values;
      const home = homeOf(parsed.values);
      const [, , ...rest] = parsed.positionals;
      if (module === undefined || msg === undefined) throw new UsageError('expected tx <module> <msg> …');
      const { modules } = app.build();
      const type = findMessage(modules, module, built?.name ?? msg);
      let fields: Record<string, unknown>;
      if (module === 'bank' && msg === 'send' && parsed.values.args === undefined) {
        const send = bankSend(rest, parsed.values.from);
        from = send.from;
        const recipient = (await resolveAddressText(send.to, home, app.addressPrefix)).text;
        fields = { to: recipient, denom: send.denom, amount: send.amount };
      } else {
        if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
        from = required(parsed.values.from, 'from');
        const noFields = type.codec.fields !== undefined && Object.keys(type.codec.fields).length === 0;
        const text =
          noFields && parsed.values.args === undefined ? '{}' : required(parsed.values.args, 'args');
        try {
          fields = JSON.parse(text) as Record<string, unknown>;
        } catch {
          throw new UsageError('--args must be a JSON object');
        }
        if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
          throw new UsageError('--args must be a JSON object');
      }
      messages = [txMessage(type, await requestOf(type.codec, fields, app.addressPrefix, home))];
    }
    const key = await loadKey(homeOf(values), from);
    const client = await clientOf(values);
    const sent = await client.signAndSend(key.key.secretKey, messages, {
      commit: values.sync !== true,
      ...(typeof values.memo === 'string' ? { memo: values.memo } : {}),
    });
    io.out(json(sent.committed ?? { hash: sent.hash }));
    const code = sent.committed?.tx_result?.code ?? 0;
    return code === 0 ? exitCodes.ok : exitCodes.rejected;
  },

  async query(args, app, io) {
    const { values, positionals } = parse(args, {
      node: { type: 'string' },
      home: { type: 'string' },
      from: { type: 'string' },
      verify: { type: 'string' },
    });
    const [module, name, ...pairs] = positionals;
    if (module === 'tx' || module === 'block') return queryChain(module, name, pairs, values, io);
    if (module === undefined || name === undefined)
      throw new UsageError(
        'expected query <module> <query> [field=value …], query tx HASH or query block [HEIGHT]',
      );
    const { modules } = app.build();
    const found = findQuery(modules, module, name);
    const type = found?.type;
    if (type === undefined) {
      const known = modules.flatMap((x) => (x.queries ?? []).map((q) => `${x.name} ${q.path}`));
      throw new UsageError(
        `no query "${module} ${name}"${didYouMean(`${module} ${name}`, known)} (known: ${known.join(', ')}, tx, block)`,
      );
    }
    const params: Record<string, string> = {};
    for (const pair of pairs) {
      const i = pair.indexOf('=');
      if (i <= 0) throw new UsageError(`expected field=value, got "${pair}"`);
      const field = pair.slice(0, i);
      if (Object.hasOwn(params, field)) throw new UsageError(`field "${field}" is given twice`);
      Object.defineProperty(params, field, { value: pair.slice(i + 1), enumerable: true, writable: true });
    }
    const request = await requestOf(type.request, params, app.addressPrefix, homeOf(values));
    const client = await clientOf(values);
    let result: unknown;
    const key =
      type.authenticated !== true
        ? undefined
        : values.from === undefined
          ? undefined
          : await loadKey(homeOf(values), values.from);
    if (type.authenticated === true && key === undefined)
      throw new UsageError(`query ${module} ${name} is authenticated: pass --from KEY (and --home DIR)`);
    if (typeof values.verify === 'string') {
      const secretKey = key === undefined ? {} : { secretKey: key.key.secretKey };
      result = await verifiedQuery({
        client,
        trust: values.verify,
        module,
        type,
        request,
        ...secretKey,
        modules,
        addressPrefix: app.addressPrefix,
      });
    } else if (key !== undefined) result = await client.queryAs(key.key.secretKey, module, type, request);
    else result = await client.query(module, type, request);
    // Named by a former spelling, the query answers in the former (camelCase) JSON.
    io.out(json(moduleJson(result, app.addressPrefix, found?.former === true)));
    return exitCodes.ok;
  },

  async export(args, app, io) {
    const { values, positionals } = parse(args, { home: { type: 'string' }, out: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const doc = await exportHome(homeOf(values), { ...app.build(), addressPrefix: app.addressPrefix });
    if (values.out === undefined) io.out(renderGenesis(doc).trimEnd());
    else await replacePrivateFile(values.out, renderGenesis(doc));
    return exitCodes.ok;
  },
};

/** `query tx HASH` and `query block [HEIGHT]`: the API's /tx and /block. */
async function queryChain(
  what: 'tx' | 'block',
  arg: string | undefined,
  extra: readonly string[],
  values: { node?: string | boolean | undefined; home?: string | boolean | undefined },
  io: CliIo,
): Promise<number> {
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const client = await clientOf(values);
  if (what === 'tx') {
    if (arg === undefined || !/^(0x)?[0-9A-Fa-f]{64}$/.test(arg))
      throw new UsageError('query tx needs the transaction hash (64 hex digits)');
    io.out(json(await client.tx(arg.replace(/^0x/, '').toLowerCase())));
  } else {
    if (arg !== undefined && !/^[1-9][0-9]{0,15}$/.test(arg))
      throw new UsageError('query block takes a height (a positive whole number), or none for the latest');
    io.out(json(await client.block(arg === undefined ? undefined : Number(arg))));
  }
  return exitCodes.ok;
}

/**
 * A query's request or a message from its fields (`field=value` pairs, `--args` JSON): a field the
 * codec does not have is refused, and a key name of the home's keyring is read as its address where
 * the field takes one.
 */
async function requestOf<T>(
  codec: Parameters<typeof valueFromParams<T>>[0],
  params: Readonly<Record<string, unknown>>,
  prefix: string,
  home: string,
): Promise<T> {
  const given = codecFieldNames(codec, params);
  const listed = fieldRows(codec as Parameters<typeof fieldRows>[0]).map((f) => f.name);
  if (listed.length > 0 || codec.fields !== undefined) {
    // The codec lists its fields: anything else is refused before the value is built.
    const own = new Set(Object.keys(codec.fields ?? {}));
    const unknown = Object.keys(params).find((k) => !own.has(k) && !listed.includes(k));
    if (unknown !== undefined)
      throw new UsageError(
        `unknown field "${unknown}"${didYouMean(unknown, listed)} (fields: ${listed.join(', ') || 'none'})`,
      );
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const value = valueFromParams(codec, given, prefix);
      const fields = Object.keys(decode(codec, encode(codec, value)) as object);
      const unknown = Object.keys(given).find((k) => !fields.includes(k));
      if (unknown !== undefined)
        throw new UsageError(
          `unknown field "${snakeCase(unknown)}"${didYouMean(snakeCase(unknown), fields.map(snakeCase))} (fields: ${fields.map(snakeCase).join(', ')})`,
        );
      return value;
    } catch (error) {
      const key = error instanceof InvalidValueError ? String(error.context.path ?? '') : '';
      if (error instanceof InvalidValueError && given[key] === undefined) {
        // A field the request needs is missing: a given field of another name is likely its typo.
        const typo = Object.keys(given).find((k) => closest(k, [key]) !== undefined);
        if (typo !== undefined)
          throw new UsageError(`unknown field "${snakeCase(typo)}" (did you mean "${snakeCase(key)}"?)`);
        throw new UsageError(`missing field "${snakeCase(key)}"`);
      }
      const text = given[key];
      if (attempt >= Object.keys(params).length || typeof text !== 'string' || !keyNamePattern.test(text))
        throw error;
      const resolved = await resolveAddressText(text, home, prefix).catch(() => undefined);
      if (resolved === undefined || resolved.text === text) throw error;
      given[key] = resolved.text;
    }
  }
}

/** `tx bank send`'s positionals: `[FROM] TO AMOUNT[DENOM] [DENOM]`, FROM unless `--from`. */
function bankSend(
  rest: readonly string[],
  fromFlag: string | undefined,
): { from: string; to: string; amount: string; denom: string } {
  const usage = 'expected tx bank send FROM TO AMOUNT (e.g. 5ujoule), or tx bank send TO AMOUNT --from KEY';
  const args = fromFlag === undefined ? rest : [fromFlag, ...rest];
  const [from, to, amount, denom, ...more] = args;
  if (from === undefined || to === undefined || amount === undefined || more.length > 0)
    throw new UsageError(usage);
  if (denom !== undefined) {
    if (!/^[0-9]+$/.test(amount))
      throw new UsageError(`amount "${amount}" must be a whole number before its denom`);
    return { from, to, amount, denom };
  }
  const coin = /^([0-9]+)([A-Za-z][A-Za-z0-9/:._-]{1,127})$/.exec(amount);
  if (coin === null)
    throw new UsageError(`amount "${amount}": expected a whole number and a denom, e.g. 5ujoule`);
  return { from, to, amount: coin[1] as string, denom: coin[2] as string };
}

/** A bech32 address of the chain as it is, or the address of a key of the home's keyring. */
async function resolveAddressText(text: string, home: string, prefix: string): Promise<{ text: string }> {
  if (text.startsWith(`${prefix}1`)) {
    parseAddress(text, prefix);
    return { text };
  }
  return { text: (await loadKey(home, text)).address };
}

/** `--authority MODULE=ADDRESS` flags: a module of the app, a bech32 address of the chain, each once. */
function authorities(flags: readonly string[] | undefined, app: CliApp): GenesisAuthorities {
  const names = new Set(app.build().modules.map((m) => m.name));
  const out: Record<string, string> = {};
  for (const flag of flags ?? []) {
    const [module, address, ...rest] = flag.split('=');
    if (module === undefined || address === undefined || rest.length > 0 || !names.has(module))
      throw new UsageError(
        `--authority ${flag}: expected MODULE=ADDRESS with MODULE one of ${[...names].join(', ')}`,
      );
    if (out[module] !== undefined) throw new UsageError(`--authority ${module}= is given twice`);
    try {
      parseAddress(address, app.addressPrefix);
    } catch {
      throw new UsageError(`--authority ${flag}: "${address}" is not a ${app.addressPrefix}1… address`);
    }
    out[module] = address;
  }
  return out;
}

/** The names of `module`'s messages (what follows `<module>/` in their types). */
function messageNames(modules: readonly Module[], module: string | undefined): string[] {
  const types = modules.find((m) => m.name === module)?.messages ?? [];
  return types.map((t) => t.type.slice(t.type.indexOf('/') + 1));
}

function findMessage(modules: readonly Module[], module: string, msg: string) {
  const type = modules.find((m) => m.name === module)?.messages?.find((t) => t.type === `${module}/${msg}`);
  if (type === undefined) {
    const known = modules.flatMap((m) => (m.messages ?? []).map((t) => t.type.replace('/', ' ')));
    throw new UsageError(
      `no message "${module} ${msg}"${didYouMean(`${module} ${msg}`, known)} (known: ${known.join(', ')})`,
    );
  }
  return type;
}
