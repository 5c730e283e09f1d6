import { JouleError, parseAddress } from '@joule/consensus';
import { type Module, type TxMessage, txMessage } from '@joule/state';
import { toJson } from '../api/json.js';
import { ClientError, valueFromParams } from '../client/index.js';
import { exitCodes, type ProfileName, profileNames } from '../constants.js';
import { NodeInputError } from '../errors.js';
import { exportHome } from '../home/export.js';
import { renderGenesis } from '../home/genesis-file.js';
import { addKey, listKeys, loadKey, replacePrivateFile } from '../home/home.js';
import { type GenesisAuthorities, initHome, uniqueChainId } from '../home/init.js';
import { peerIdOf } from '../home/key-files.js';
import { createTestnet, type Topology } from '../home/testnet.js';
import { createNode } from '../node/node.js';
import { handleSignals } from '../node/signals.js';
import { type CliApp, coreCliApp } from './app.js';
import { type CliIo, clientOf, integer, json, parse, required, stdio, UsageError } from './common.js';
import type { CliContext } from './extension.js';
import { help } from './help.js';
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
  const [command, ...rest] = argv;
  const extension = app.extensions?.find((e) => e.name === command && e.command !== undefined)?.command;
  const text = (name: string): string =>
    (extension !== undefined && name === command ? extension.help : helpText(name, app))
      .replaceAll('{bin}', app.name)
      .replaceAll('{prefix}', app.addressPrefix);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(text('main'));
    return command === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if ((help[command] === undefined || command === 'main') && extension === undefined) {
    io.err(`error: unknown command "${command}" (${app.name} --help lists them)`);
    return exitCodes.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(text(command));
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
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodes.failure;
  }
}

/** The help of a built-in command, with the lines the app's extensions add. */
function helpText(name: string, app: CliApp): string {
  const extensions = app.extensions ?? [];
  const base = help[name] ?? '';
  if (name === 'main') {
    const lines = extensions.flatMap((e) =>
      e.command === undefined ? [] : [`  ${e.name.padEnd(8)}  ${e.command.summary}`],
    );
    return base.replace('{extensions}\n', lines.map((l) => `${l}\n`).join(''));
  }
  if (name === 'tx') {
    const lines = extensions.flatMap((e) =>
      Object.entries(e.tx ?? {}).map(([sub, b]) => `  {bin} tx ${e.name} ${sub} ${b.usage}`),
    );
    return lines.length === 0
      ? base
      : `${base}\n\nMessages with their own flags (and --from KEY --home DIR):\n${lines.join('\n')}`;
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
  if (text.startsWith(`${prefix}1`) || home === undefined) return parseAddress(text, prefix);
  return parseAddress((await loadKey(home, text)).address, prefix);
}

type Command = (args: string[], app: CliApp, io: CliIo) => Promise<number>;

const commands: Record<string, Command> = {
  async init(args, app, io) {
    const { values, positionals } = parse(args, {
      home: { type: 'string' },
      'chain-id': { type: 'string' },
      moniker: { type: 'string' },
      authority: { type: 'string', multiple: true },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const home = required(values.home, 'home');
    // A chain id of its own: a transaction signed for one chain is never valid on another.
    const chainId = values['chain-id'] ?? uniqueChainId(app.addressPrefix);
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
    const { values, positionals } = parse(args, { home: { type: 'string' }, profile: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const profile = values.profile;
    if (profile !== undefined && !(profileNames as readonly string[]).includes(profile))
      throw new UsageError(`--profile must be one of ${profileNames.join(', ')}, not "${profile}"`);
    const built = app.build();
    const node = await createNode(
      {
        home: required(values.home, 'home'),
        ...(profile === undefined ? {} : { config: { node: { profile: profile as ProfileName } } }),
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
    return exitCodes.ok;
  },

  async status(args, _app, io) {
    const { values } = parse(args, { node: { type: 'string' }, home: { type: 'string' } });
    io.out(json(await (await clientOf(values)).status()));
    return exitCodes.ok;
  },

  async keys(args, app, io) {
    const { values, positionals } = parse(args, { home: { type: 'string' } });
    const [action, name, ...extra] = positionals;
    const home = required(values.home, 'home');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (action === 'list') {
      io.out(json(await listKeys(home)));
      return exitCodes.ok;
    }
    if (action !== 'add' && action !== 'show') throw new UsageError('expected keys add|list|show');
    if (name === undefined) throw new UsageError(`keys ${action} needs a NAME`);
    const { key: _secret, ...info } =
      action === 'add' ? await addKey(home, name, app.addressPrefix) : await loadKey(home, name);
    io.out(json(info));
    return exitCodes.ok;
  },

  async tx(args, app, io) {
    const common = {
      home: { type: 'string' },
      node: { type: 'string' },
      from: { type: 'string' },
      memo: { type: 'string' },
      sync: { type: 'boolean' },
    } as const;
    const [module, msg] = args;
    const builder = app.extensions?.find((e) => e.name === module)?.tx?.[msg ?? ''];
    let from: string;
    let messages: TxMessage[];
    let values: {
      home?: string | boolean | undefined;
      node?: string | boolean | undefined;
      memo?: unknown;
      sync?: unknown;
    };
    if (builder !== undefined) {
      const parsed = parse(args.slice(2), { ...builder.flags, ...common });
      if (parsed.positionals.length > 0)
        throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
      values = parsed.values;
      from = required(parsed.values.from, 'from');
      messages = await builder.build(parsed.values, contextOf(app, io));
    } else {
      const parsed = parse(args, { ...common, args: { type: 'string' } });
      values = parsed.values;
      const home = required(parsed.values.home, 'home');
      const [, , ...rest] = parsed.positionals;
      if (module === undefined || msg === undefined) throw new UsageError('expected tx <module> <msg> …');
      const { modules } = app.build();
      const type = findMessage(modules, module, msg);
      let fields: Record<string, unknown>;
      if (module === 'bank' && msg === 'send' && parsed.values.args === undefined) {
        const [sender, to, amount, denom] = rest;
        if (sender === undefined || to === undefined || amount === undefined || denom === undefined)
          throw new UsageError('expected tx bank send FROM TO AMOUNT DENOM');
        from = sender;
        const recipient = to.startsWith(`${app.addressPrefix}1`) ? to : (await loadKey(home, to)).address;
        parseAddress(recipient, app.addressPrefix);
        fields = { to: recipient, denom, amount };
      } else {
        if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
        from = required(parsed.values.from, 'from');
        try {
          fields = JSON.parse(required(parsed.values.args, 'args')) as Record<string, unknown>;
        } catch (error) {
          if (error instanceof UsageError) throw error;
          throw new UsageError('--args must be a JSON object');
        }
        if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
          throw new UsageError('--args must be a JSON object');
      }
      messages = [txMessage(type, valueFromParams(type.codec, fields, app.addressPrefix))];
    }
    const key = await loadKey(required(values.home, 'home'), from);
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
    if (module === undefined || name === undefined)
      throw new UsageError('expected query <module> <query> [field=value …]');
    const { modules } = app.build();
    const m = modules.find((x) => x.name === module);
    const type = m?.queries?.find((q) => q.path === name);
    if (type === undefined) {
      const known = modules.flatMap((x) => (x.queries ?? []).map((q) => `${x.name} ${q.path}`));
      throw new UsageError(`no query "${module} ${name}" (known: ${known.join(', ')})`);
    }
    const params: Record<string, string> = {};
    for (const pair of pairs) {
      const i = pair.indexOf('=');
      if (i <= 0) throw new UsageError(`expected field=value, got "${pair}"`);
      params[pair.slice(0, i)] = pair.slice(i + 1);
    }
    const request = valueFromParams(type.request, params, app.addressPrefix);
    const client = await clientOf(values);
    let result: unknown;
    const key =
      type.authenticated !== true
        ? undefined
        : values.from === undefined
          ? undefined
          : await loadKey(required(values.home, 'home'), values.from);
    if (type.authenticated === true && key === undefined)
      throw new UsageError(`query ${module} ${name} is authenticated: pass --from KEY and --home DIR`);
    if (typeof values.verify === 'string') {
      const secretKey = key === undefined ? {} : { secretKey: key.key.secretKey };
      result = await verifiedQuery({ client, trust: values.verify, module, type, request, ...secretKey });
    } else if (key !== undefined) result = await client.queryAs(key.key.secretKey, module, type, request);
    else result = await client.query(module, type, request);
    io.out(json(toJson(result, app.addressPrefix)));
    return exitCodes.ok;
  },

  async export(args, app, io) {
    const { values, positionals } = parse(args, { home: { type: 'string' }, out: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const doc = await exportHome(required(values.home, 'home'), app.build());
    if (values.out === undefined) io.out(renderGenesis(doc).trimEnd());
    else await replacePrivateFile(values.out, renderGenesis(doc));
    return exitCodes.ok;
  },
};

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

function findMessage(modules: readonly Module[], module: string, msg: string) {
  const type = modules.find((m) => m.name === module)?.messages?.find((t) => t.type === `${module}/${msg}`);
  if (type === undefined) {
    const known = modules.flatMap((m) => (m.messages ?? []).map((t) => t.type.replace('/', ' ')));
    throw new UsageError(`no message "${module} ${msg}" (known: ${known.join(', ')})`);
  }
  return type;
}
