import { JouleError } from '@joule/consensus';

/** Why the node refused to start or a command refused its input. Stable: scripts match on it. */
export type NodeErrorCode =
  | 'CONFIG_INVALID'
  | 'GENESIS_INVALID'
  | 'KEY_INVALID'
  | 'HOME_LOCKED'
  | 'HOME_MISSING'
  | 'HOME_EXISTS'
  | 'CHAIN_MISMATCH'
  | 'GENESIS_CHANGED'
  | 'PORT_IN_USE'
  | 'KEY_EXISTS'
  | 'KEY_NOT_FOUND';

/**
 * An input of the node is wrong. `file` names the file (or setting) at fault and `fix` says what to
 * do; `oneLine()` is what the CLI prints: `<file>: <problem> — <fix>`.
 */
export class NodeInputError extends JouleError {
  declare readonly code: NodeErrorCode;
  readonly file: string;
  readonly fix: string;

  constructor(code: NodeErrorCode, file: string, problem: string, fix: string) {
    super(code, `${file}: ${problem} — ${fix}`, { file, fix });
    this.file = file;
    this.fix = fix;
  }

  oneLine(): string {
    return this.message.replaceAll('\n', ' ');
  }
}

export class ConfigError extends NodeInputError {
  constructor(file: string, problem: string, fix = 'correct it, or delete the line to use the default') {
    super('CONFIG_INVALID', file, problem, fix);
  }
}

export class GenesisFileError extends NodeInputError {
  constructor(
    file: string,
    problem: string,
    fix = 'correct genesis.json (every node of a chain needs the same file)',
  ) {
    super('GENESIS_INVALID', file, problem, fix);
  }
}

export class KeyFileError extends NodeInputError {
  constructor(file: string, problem: string, fix: string) {
    super('KEY_INVALID', file, problem, fix);
  }
}
