/**
 * Every option of `config.toml`: its type, bounds, default and documentation, in one table. The
 * parser validates against it, `renderConfig` writes a commented file from it and the README's
 * reference is copied from it. The defaults here are the `server` profile's; `[node] profile`
 * picks another profile's defaults for the keys the file leaves out (`home/profile.ts`).
 */
import { bytesPerVerdict, defaultProfile, profileNames } from '../constants.js';
import type { AddressFormat } from './addresses.js';

export type OptionSpec =
  | {
      readonly type: 'string';
      readonly default: string;
      readonly doc: string;
      readonly pattern?: RegExp;
      /** An address, checked by `home/addresses.ts`. */
      readonly format?: AddressFormat;
    }
  | {
      readonly type: 'enum';
      readonly default: string;
      readonly doc: string;
      readonly values: readonly string[];
    }
  | {
      readonly type: 'int';
      readonly default: number;
      readonly doc: string;
      readonly min: number;
      readonly max: number;
    }
  | { readonly type: 'bool'; readonly default: boolean; readonly doc: string }
  | {
      readonly type: 'strings';
      readonly default: readonly string[];
      readonly doc: string;
      readonly maxItems: number;
      /** Each item an address, checked by `home/addresses.ts`. */
      readonly format?: AddressFormat;
    }
  | {
      readonly type: 'levels';
      readonly default: Readonly<Record<string, string>>;
      readonly doc: string;
      readonly keys: readonly string[];
    };

export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const logModules = ['node', 'consensus', 'mempool', 'p2p', 'api', 'state'] as const;

const KiB = 1024;
const MiB = 1024 * KiB;

/** Top-level keys (no section). */
export const topLevel = {
  moniker: {
    type: 'string',
    default: 'joule-node',
    doc: 'A human name for this node, shown by /status.',
    pattern: /^[^\n]{1,64}$/,
  },
} as const satisfies Record<string, OptionSpec>;

/** The sections and their keys. */
export const sections = {
  node: {
    profile: {
      type: 'enum',
      default: defaultProfile,
      values: profileNames,
      doc: 'Sizes every cache, buffer, timer and the retention below: "server", "board" for a 1 GB ARM board, or "fast" (short consensus timeouts, for a LAN or a benchmark; never a board). A key set in this file wins over its profile.',
    },
  },
  db: {
    cache_bytes: {
      type: 'int',
      default: 2 * MiB,
      min: 0,
      max: 1024 * MiB,
      doc: 'LevelDB block cache, bytes.',
    },
    write_buffer_bytes: {
      type: 'int',
      default: 1 * MiB,
      min: 64 * KiB,
      max: 256 * MiB,
      doc: 'LevelDB memtable, bytes (up to two are held).',
    },
    max_open_files: {
      type: 'int',
      default: 128,
      min: 16,
      max: 10_000,
      doc: 'Most LevelDB table files open at once.',
    },
  },
  state: {
    retain_blocks: {
      type: 'int',
      default: 0,
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      doc: 'Heights of blocks and state kept; 0 keeps everything (an archive).',
    },
    prune_interval_blocks: {
      type: 'int',
      default: 100,
      min: 1,
      max: 1_000_000,
      doc: 'Heights between prunings when retain_blocks > 0.',
    },
    node_cache_bytes: {
      type: 'int',
      default: 8 * MiB,
      min: 0,
      max: 1024 * MiB,
      doc: 'Memory of the Merkle tree nodes cached for reads and writes (16-slot nodes, counted 0.5–1.4 KiB each); a smaller cache reads more nodes from LevelDB.',
    },
    node_cache_entries: {
      type: 'int',
      default: 10_000,
      min: 0,
      max: 10_000_000,
      doc: 'Most Merkle tree nodes cached, a bound next to node_cache_bytes.',
    },
    value_cache_bytes: {
      type: 'int',
      default: 4 * MiB,
      min: 0,
      max: 1024 * MiB,
      doc: 'Memory of the latest values of recently read and written state keys (counted with 160 bytes of overhead each); 0 caches none and reads each from LevelDB.',
    },
    verified_tx_cache_bytes: {
      type: 'int',
      default: 12 * MiB,
      min: 0,
      max: 1024 * MiB,
      doc: 'Transactions whose signature verified, remembered with their decoding so a proposal, a block or a recheck does not verify or decode them again; 0 remembers none.',
    },
  },
  mempool: {
    max_txs: { type: 'int', default: 2_000, min: 1, max: 1_000_000, doc: 'Most transactions held.' },
    max_bytes: {
      type: 'int',
      default: 4 * MiB,
      min: 64 * KiB,
      max: 1024 * MiB,
      doc: 'Most transaction bytes held.',
    },
    max_tx_bytes: {
      type: 'int',
      default: 64 * KiB,
      min: 1 * KiB,
      max: 64 * KiB,
      doc: 'Largest transaction, bytes.',
    },
    cache_size: {
      type: 'int',
      default: 10_000,
      min: 0,
      max: 1_000_000,
      doc: 'Hashes of recently seen transactions (refuses resubmission).',
    },
  },
  consensus: {
    timeout_propose_ms: {
      type: 'int',
      default: 3_000,
      min: 10,
      max: 600_000,
      doc: 'Wait for a proposal in round 0, ms.',
    },
    timeout_propose_delta_ms: {
      type: 'int',
      default: 500,
      min: 0,
      max: 600_000,
      doc: 'Added to the propose timeout per round, ms.',
    },
    timeout_prevote_ms: {
      type: 'int',
      default: 1_000,
      min: 10,
      max: 600_000,
      doc: 'Wait for more prevotes after +2/3 of any, ms.',
    },
    timeout_prevote_delta_ms: {
      type: 'int',
      default: 500,
      min: 0,
      max: 600_000,
      doc: 'Added per round, ms.',
    },
    timeout_precommit_ms: {
      type: 'int',
      default: 1_000,
      min: 10,
      max: 600_000,
      doc: 'Wait for more precommits after +2/3 of any, ms.',
    },
    timeout_precommit_delta_ms: {
      type: 'int',
      default: 500,
      min: 0,
      max: 600_000,
      doc: 'Added per round, ms.',
    },
    timeout_commit_ms: {
      type: 'int',
      default: 1_000,
      min: 0,
      max: 600_000,
      doc: 'Wait after a commit before the next height, ms.',
    },
    skip_timeout_commit: {
      type: 'bool',
      default: false,
      doc: 'Start the next height without waiting timeout_commit_ms once every validator precommitted the block.',
    },
    create_empty_blocks: {
      type: 'bool',
      default: false,
      doc: 'Make blocks without transactions (false spares the eMMC card).',
    },
    create_empty_blocks_interval_ms: {
      type: 'int',
      default: 300_000,
      min: 0,
      max: 86_400_000,
      doc: 'With create_empty_blocks = false, still make a block this often, ms (0: never).',
    },
    proof_block_delay_ms: {
      type: 'int',
      default: 0,
      min: 0,
      max: 600_000,
      doc: "With create_empty_blocks = false, how long the block that carries the last block's app hash waits for a transaction before it is made without one, ms (0: at once). Every validator should set the same value: the round's proposer's decides when the proof block comes.",
    },
    rebroadcast_ms: {
      type: 'int',
      default: 2_000,
      min: 100,
      max: 600_000,
      doc: 'Resend own votes and status when stuck this long, ms.',
    },
  },
  wal: {
    max_segment_bytes: {
      type: 'int',
      default: 4 * MiB,
      min: 64 * KiB,
      max: 1024 * MiB,
      doc: 'Rotate the consensus WAL at a height marker past this size, bytes.',
    },
    max_segments: { type: 'int', default: 4, min: 1, max: 1_000, doc: 'WAL segments kept.' },
  },
  p2p: {
    listen: {
      type: 'strings',
      default: ['/ip4/0.0.0.0/tcp/26656'],
      maxItems: 8,
      format: 'listen',
      doc: 'Multiaddrs to listen on.',
    },
    announce: {
      type: 'strings',
      default: [],
      maxItems: 8,
      format: 'listen',
      doc: 'Multiaddrs to announce instead (a board behind a 4G router).',
    },
    persistent_peers: {
      type: 'strings',
      default: [],
      maxItems: 64,
      format: 'peer',
      doc: 'Multiaddrs ending in /p2p/<peer id>, kept connected.',
    },
    allow_peers: {
      type: 'strings',
      default: [],
      maxItems: 10_000,
      format: 'peerId',
      doc: 'Peer ids allowed to connect or be dialled (include the persistent peers); empty: anyone.',
    },
    max_connections: { type: 'int', default: 16, min: 1, max: 1_000, doc: 'Most open connections.' },
    verdict_cache_bytes: {
      type: 'int',
      default: 4_096 * bytesPerVerdict,
      min: 0,
      max: 1024 * MiB,
      doc: `Memory of the consensus gossip's verdicts on received messages, by the hash of their bytes (${bytesPerVerdict} bytes each), so a message sent again is not checked again; 0 remembers none.`,
    },
    invalid_signature_cache_bytes: {
      type: 'int',
      default: 1 * MiB,
      min: 0,
      max: 1024 * MiB,
      doc: 'Memory of the signatures found invalid (counted as key, signature and signed bytes), so a bad signature sent again costs no check; 0 remembers none.',
    },
  },
  api: {
    enabled: { type: 'bool', default: true, doc: 'Serve the HTTP API (and /metrics).' },
    listen: {
      type: 'string',
      default: '127.0.0.1:26657',
      format: 'hostPort',
      doc: 'host:port of the HTTP API; keep 127.0.0.1 unless a proxy guards it.',
    },
    max_body_bytes: {
      type: 'int',
      default: 256 * KiB,
      min: 1 * KiB,
      max: 16 * MiB,
      doc: 'Largest request body, bytes.',
    },
    request_timeout_ms: {
      type: 'int',
      default: 10_000,
      min: 100,
      max: 600_000,
      doc: 'Time to receive a whole request, ms.',
    },
    broadcast_tx_commit_timeout_ms: {
      type: 'int',
      default: 15_000,
      min: 100,
      max: 600_000,
      doc: 'How long /broadcast_tx_commit waits for the block, ms.',
    },
    max_connections: { type: 'int', default: 64, min: 1, max: 10_000, doc: 'Most open HTTP connections.' },
    ui: {
      type: 'bool',
      default: false,
      doc: 'Serve the community dashboard at /ui (a static page; its light client checks the household figures).',
    },
  },
  metrics: {
    enabled: {
      type: 'bool',
      default: true,
      doc: 'Serve Prometheus metrics at /metrics on the API listener.',
    },
  },
  log: {
    level: {
      type: 'enum',
      default: 'info',
      values: logLevels,
      doc: 'Log level of every module without its own.',
    },
    format: {
      type: 'enum',
      default: 'auto',
      values: ['auto', 'json', 'pretty'],
      doc: 'auto: pretty on a terminal, JSON lines otherwise.',
    },
    modules: {
      type: 'levels',
      default: {},
      keys: logModules,
      doc: 'Levels per module, e.g. { consensus = "debug", p2p = "warn" }.',
    },
  },
  testing: {
    clock_offset_ms: {
      type: 'int',
      default: 0,
      // An hour either way: fault-injection tests skew by minutes; a day would be a typo (hours for
      // minutes) that pushes block times of a chain this node proposes for far ahead.
      min: -3_600_000,
      max: 3_600_000,
      doc: "For fault-injection tests only: added to the time consensus reads (votes, proposals), as if this machine's clock were that far off (at most an hour either way). Keep 0; the node warns at start when it is not.",
    },
  },
} as const satisfies Record<string, Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S extends { type: 'int' }
  ? number
  : S extends { type: 'bool' }
    ? boolean
    : S extends { type: 'strings' }
      ? readonly string[]
      : S extends { type: 'levels' }
        ? Readonly<Record<string, string>>
        : string;

type SectionValues<T extends Record<string, OptionSpec>> = { readonly [K in keyof T]: ValueOf<T[K]> };

/** A validated config: every key present, with its default where the file is silent. */
export type NodeConfig = SectionValues<typeof topLevel> & {
  readonly [S in keyof typeof sections]: SectionValues<(typeof sections)[S]>;
};

/** A partial config, as callers pass overrides (tests: `{ api: { listen: '127.0.0.1:0' } }`). */
export type ConfigOverrides = Partial<SectionValues<typeof topLevel>> & {
  readonly [S in keyof typeof sections]?: Partial<SectionValues<(typeof sections)[S]>>;
};
