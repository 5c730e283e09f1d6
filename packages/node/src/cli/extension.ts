import type { TxMessage } from '@joule/state';
import type { CliIo, FlagSpec } from './common.js';

/**
 * What a module adds to the CLI, so that the generic `tx`, `query` and the top-level command list
 * need no special case per module: flag-based message builders (`tx market add_meter_from_list
 * --meter m1 …`, next to the generic `--args JSON` form of every message) and a command of its own (`joule market settle …`). The module's package stays free of the node:
 * the extension lives with the app that assembles both (see `market/cli.ts`).
 */
export interface CliExtension {
  /** The module's name: `tx <name> <sub>` and the top-level command `<name>`. */
  readonly name: string;
  /** `tx <name> <sub> --flag …`: builders of messages from readable flags. */
  readonly tx?: Readonly<Record<string, TxBuilder>>;
  /** `{bin} <name> …`: a command of the module's own (one line in the main help). */
  readonly command?: ExtensionCommand;
}

/**
 * Flags for one message: keyed in `tx` by the message's name (what follows `<module>/` in its type),
 * so that `tx <module> <name> --flags …` and `tx <module> <name> --args JSON` send the same message.
 */
export interface TxBuilder {
  /** Former names still accepted on the command line (`add-meter`); not listed in help. */
  readonly aliases?: readonly string[];
  /** One line for `tx --help`: the flags, e.g. `--meter ID --account ADDRESS|KEY`. */
  readonly usage: string;
  /** Flags of this message (the common `--home --node --from --memo --sync` are added). */
  readonly flags: FlagSpec;
  build(
    values: Readonly<Record<string, string | boolean | undefined>>,
    ctx: CliContext,
  ): Promise<TxMessage[]>;
}

export interface ExtensionCommand {
  /** One line in the main help. */
  readonly summary: string;
  /** `{bin} <name> --help`; `{bin}` is replaced by the CLI's name. */
  readonly help: string;
  /** Resolves with the exit code; throws `UsageError` for a bad command line. */
  run(args: readonly string[], ctx: CliContext): Promise<number>;
}

/** What an extension may use of the running CLI. */
export interface CliContext {
  readonly bin: string;
  readonly addressPrefix: string;
  readonly io: CliIo;
  /** A bech32 address of this chain, or the name of a key in `home`'s keyring. */
  address(text: string, home: string | undefined): Promise<Uint8Array>;
}
