import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { JouleError, parseAddress } from '@joule/consensus';
import { type Module, txMessage } from '@joule/state';
import { toJson } from '../api/json.js';
import { ClientError, JouleClient, valueFromParams } from '../client/index.js';
import { exitCodes } from '../constants.js';
import { NodeInputError } from '../errors.js';
import { exportHome } from '../home/export.js';
import { renderGenesis } from '../home/genesis-file.js';
import { addKey, listKeys, loadHome, loadKey } from '../home/home.js';
import { initHome } from '../home/init.js';
import { peerIdOf } from '../home/key-files.js';
import { createTestnet, type Topology } from '../home/testnet.js';
import { createNode } from '../node/node.js';
import { handleSignals } from '../node/signals.js';
import { type CliApp, coreCliApp } from './app.js';
import { help } from './help.js';

export { type CliApp, coreCliApp };

/** A wrong command line: printed with the command's usage, exit code 2. */
class UsageError extends Error {}

interface Io {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

/**
 * Runs the CLI on `argv` (without node and script) for `app`; resolves with the exit code. `start`
 * resolves only when the node has stopped.
 */
export async function runCli(
  argv: readonly string[],
  app: CliApp = coreCliApp,
  io: Io = stdio,
): Promise<number> {
  const [command, ...rest] = argv;
  const text = (name: string): string => (help[name] ?? '').replaceAll('{bin}', app.name);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(text('main'));
    return command === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (help[command] === undefined || command === 'main') {
    io.err(`error: unknown command "${command}" (${app.name} --help lists them)`);
    return exitCodes.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(text(command));
    return exitCodes.ok;
  }
  try {
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

type Command = (args: string[], app: CliApp, io: Io) => Promise<number>;

function parse<const O extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], options: O) {
  return parseArgs({ args, options, allowPositionals: true, strict: true });
}

function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

function integer(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${flag} is required`);
    return fallback;
  }
  if (!/^[0-9]{1,9}$/.test(value)) throw new UsageError(`--${flag} must be a whole number`);
  return Number(value);
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** `--node URL`, else the API of `--home`, else the default API address. */
async function clientOf(values: { node?: string | boolean; home?: string | boolean }): Promise<JouleClient> {
  if (typeof values.node === 'string') return new JouleClient({ url: values.node });
  if (typeof values.home === 'string') {
    const { config } = await loadHome(values.home);
    return new JouleClient({ url: `http://${config.api.listen.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}` });
  }
  return new JouleClient({ url: 'http://127.0.0.1:26657' });
}

const commands: Record<string, Command> = {
  async init(args, app, io) {
    const { values, positionals } = parse(args, {
      home: { type: 'string' },
      'chain-id': { type: 'string' },
      moniker: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const home = required(values.home, 'home');
    const chainId = values['chain-id'] ?? `${app.addressPrefix}-1`;
    const result = await initHome({
      home,
      chainId,
      moniker: values.moniker ?? 'joule-node',
      addressPrefix: app.addressPrefix,
      denom: app.denom,
      operatorKey: 'operator',
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
    const { values, positionals } = parse(args, { home: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const built = app.build();
    const node = await createNode(
      { home: required(values.home, 'home') },
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
    const { values, positionals } = parse(args, {
      home: { type: 'string' },
      node: { type: 'string' },
      from: { type: 'string' },
      args: { type: 'string' },
      memo: { type: 'string' },
      sync: { type: 'boolean' },
    });
    const home = required(values.home, 'home');
    const [module, msg, ...rest] = positionals;
    if (module === undefined || msg === undefined) throw new UsageError('expected tx <module> <msg> …');
    const { modules } = app.build();
    const type = findMessage(modules, module, msg);
    let from: string;
    let fields: Record<string, unknown>;
    if (module === 'bank' && msg === 'send' && values.args === undefined) {
      const [sender, to, amount, denom] = rest;
      if (sender === undefined || to === undefined || amount === undefined || denom === undefined)
        throw new UsageError('expected tx bank send FROM TO AMOUNT DENOM');
      from = sender;
      const recipient = to.startsWith(`${app.addressPrefix}1`) ? to : (await loadKey(home, to)).address;
      parseAddress(recipient, app.addressPrefix);
      fields = { to: recipient, denom, amount };
    } else {
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      from = required(values.from, 'from');
      try {
        fields = JSON.parse(required(values.args, 'args')) as Record<string, unknown>;
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError('--args must be a JSON object');
      }
      if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
        throw new UsageError('--args must be a JSON object');
    }
    const message = valueFromParams(type.codec, fields, app.addressPrefix);
    const key = await loadKey(home, from);
    const client = await clientOf(values);
    const sent = await client.signAndSend(key.key.secretKey, [txMessage(type, message)], {
      commit: values.sync !== true,
      ...(values.memo === undefined ? {} : { memo: values.memo }),
    });
    io.out(json(sent.committed ?? { hash: sent.hash }));
    const code = sent.committed?.tx_result?.code ?? 0;
    return code === 0 ? exitCodes.ok : exitCodes.rejected;
  },

  async query(args, app, io) {
    const { values, positionals } = parse(args, { node: { type: 'string' }, home: { type: 'string' } });
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
    const result = await (await clientOf(values)).query(module, type, request);
    io.out(json(toJson(result, app.addressPrefix)));
    return exitCodes.ok;
  },

  async export(args, app, io) {
    const { values, positionals } = parse(args, { home: { type: 'string' }, out: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const doc = await exportHome(required(values.home, 'home'), app.build());
    if (values.out === undefined) io.out(renderGenesis(doc).trimEnd());
    else await writeFile(values.out, renderGenesis(doc), { mode: 0o600 });
    return exitCodes.ok;
  },
};

function findMessage(modules: readonly Module[], module: string, msg: string) {
  const type = modules.find((m) => m.name === module)?.messages?.find((t) => t.type === `${module}/${msg}`);
  if (type === undefined) {
    const known = modules.flatMap((m) => (m.messages ?? []).map((t) => t.type.replace('/', ' ')));
    throw new UsageError(`no message "${module} ${msg}" (known: ${known.join(', ')})`);
  }
  return type;
}
