import { CommitFlag, equalBytes, toHex } from '@joule/consensus/core';
import { type ProvedRead, verifyProof } from '@joule/state/proof';
import {
  defaultMaxClockDriftMs,
  defaultProofHeaderWaitMs,
  defaultTrustLevel,
  maxBisectionFetches,
  maxTrustedBlocks,
  proofHeaderPollMs,
} from '../constants.js';
import { fail, LightClientError } from '../errors.js';
import type { Provider } from '../provider/http-provider.js';
import type { LightBlock } from '../verify/light-block.js';
import {
  assertNotExpired,
  type VerifyOptions,
  verifyAdjacent,
  verifyNonAdjacent,
  verifySelfConsistent,
} from '../verify/verifier.js';

export interface TrustOptions {
  /** A height and its header hash that the user trusts (from a friend, the operator, a printed QR code). */
  readonly height: number;
  readonly hash: Uint8Array;
  /** How long a verified header stays a root of trust, ms (keep it below the chain's unbonding or key-rotation time). */
  readonly periodMs: number;
}

export interface LightClientOptions {
  readonly chainId: string;
  readonly trust: TrustOptions;
  /** `skipping` (default: bisection with the trust level) or `sequential` (every header in turn). */
  readonly mode?: 'skipping' | 'sequential';
  readonly trustLevel?: { readonly numerator: bigint; readonly denominator: bigint };
  readonly maxClockDriftMs?: number;
  /** How long a proven query waits for the header of its app hash, ms. */
  readonly proofHeaderWaitMs?: number;
}

export interface LightClientDependencies {
  readonly primary: Provider;
  /** Nodes whose headers are compared with the primary's at every verified height. */
  readonly witnesses?: readonly Provider[];
  /** The local time, Unix ms (default `Date.now`). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Who signed a verified header: `signed` of `total` validators, with their voting power. */
export interface Signers {
  readonly signed: number;
  readonly total: number;
  readonly signedPower: bigint;
  readonly totalPower: bigint;
}

/** A state read proven against a verified header: the value of each key the answer read. */
export interface VerifiedState {
  /** The state's height; its app hash is in `header`, the header of `height + 1`. */
  readonly height: number;
  readonly header: LightBlock;
  readonly signers: Signers;
  /** The handler's answer as the node encoded it (check it against `get`). */
  readonly value: Uint8Array;
  /** The proven value of `key` (`null`: proven absent); `LIGHT_PROOF_MISSING` if the node sent no proof of it. */
  get(key: Uint8Array): Uint8Array | null;
  /** Every key the node proved, in its read order. */
  provenKeys(): Uint8Array[];
}

/** Work done since the client started: what the light client costs. */
export interface LightStats {
  lightBlocksFetched: number;
  provenQueries: number;
  signaturesChecked: number;
}

/**
 * A light client in the shape of CometBFT's: starts from a trusted height and hash, verifies newer
 * headers sequentially or by skipping (bisection with a 1/3 trust level), follows validator-set
 * changes through the headers' `nextValidatorsHash`, refuses a root of trust older than the trust
 * period, compares every verified header with the witnesses' (a conflict is an error, never
 * accepted), and checks state proofs against the app hash of the next verified header.
 */
export class LightClient {
  readonly #o: Required<Omit<LightClientOptions, 'trust'>> & { readonly trust: TrustOptions };
  readonly #primary: Provider;
  readonly #witnesses: readonly Provider[];
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** Verified light blocks by height, at most `maxTrustedBlocks`. */
  readonly #trusted = new Map<number, LightBlock>();
  readonly stats: LightStats = { lightBlocksFetched: 0, provenQueries: 0, signaturesChecked: 0 };

  constructor(options: LightClientOptions, dependencies: LightClientDependencies) {
    this.#o = {
      mode: 'skipping',
      trustLevel: defaultTrustLevel,
      maxClockDriftMs: defaultMaxClockDriftMs,
      proofHeaderWaitMs: defaultProofHeaderWaitMs,
      ...options,
    };
    this.#primary = dependencies.primary;
    this.#witnesses = dependencies.witnesses ?? [];
    this.#now = dependencies.now ?? Date.now;
    this.#sleep = dependencies.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Fetches the trusted height, checks its hash, its commit and that trust has not expired. */
  async start(): Promise<LightBlock> {
    const { height, hash } = this.#o.trust;
    const root = this.#trusted.get(height) ?? (await this.#fetch(this.#primary, height));
    if (!equalBytes(root.hash, hash))
      fail('LIGHT_TRUST_MISMATCH', `${this.#primary.id}'s header at ${height} is not the trusted one`, {
        height,
        node: this.#primary.id,
        trusted: toHex(hash),
        got: toHex(root.hash),
      });
    assertNotExpired(root, this.#options());
    this.stats.signaturesChecked += root.commit.signatures.filter((s) => s.flag !== CommitFlag.Absent).length;
    verifySelfConsistent(root, this.#o);
    this.#trusted.set(height, root);
    return root;
  }

  /** The newest verified light block. */
  latestTrusted(): LightBlock {
    let best: LightBlock | undefined;
    for (const b of this.#trusted.values())
      if (best === undefined || b.header.height > best.header.height) best = b;
    if (best === undefined) return fail('LIGHT_BAD_REQUEST', 'the light client has not started');
    return best;
  }

  /** Verifies the primary's latest header. */
  async update(): Promise<LightBlock> {
    return this.verifyTo(await this.#fetch(this.#primary));
  }

  /**
   * Verifies the header at `target` (a height, or a block already fetched from the primary), from
   * the nearest verified block below it, then checks it against every witness.
   */
  async verifyTo(target: number | LightBlock): Promise<LightBlock> {
    const height = typeof target === 'number' ? target : target.header.height;
    const known = this.#trusted.get(height);
    if (known !== undefined) return known;
    const below = this.#nearestBelow(height);
    if (below === undefined)
      return fail(
        'LIGHT_BAD_REQUEST',
        `height ${height} is below the root of trust ${this.#o.trust.height}`,
        {
          height,
        },
      );
    // An expired root is refused before anything is fetched for it.
    assertNotExpired(below, this.#options());
    const block = typeof target === 'number' ? await this.#fetch(this.#primary, height) : target;
    const verified =
      this.#o.mode === 'sequential'
        ? await this.#sequential(below, block)
        : await this.#skipping(below, block);
    await this.#checkWitnesses(verified);
    this.#keep(verified);
    return verified;
  }

  /**
   * Runs a module query with proofs at the height below the newest verified header, and verifies
   * every read against that header's app hash.
   */
  async provenState(path: string, data: Uint8Array, signed?: Uint8Array): Promise<VerifiedState> {
    this.stats.provenQueries++;
    // The newest verified header carries the app hash of the state one height below it.
    let latest = await this.update();
    if (latest.header.height < 2) latest = await this.verifyTo(await this.#waitFor(2));
    const asked = latest.header.height - 1;
    const answer = await this.#primary.provenQuery(path, data, asked, signed);
    // A proof of an older state is genuine but stale: only the height asked for is taken.
    if (answer.height !== asked)
      fail('LIGHT_WRONG_ANSWER', `${this.#primary.id} answered at height ${answer.height}, not ${asked}`, {
        node: this.#primary.id,
        height: answer.height,
        asked,
      });
    const header = await this.verifyTo(await this.#waitFor(answer.height + 1));
    const reads = new Map<string, ProvedRead>();
    for (const read of answer.reads) {
      if (!verifyProof(header.header.appHash, read.key, read.value, read.proof))
        fail(
          'LIGHT_INVALID_PROOF',
          `${this.#primary.id}'s proof of key ${toHex(read.key)} does not verify against the app hash of height ${header.header.height}`,
          { node: this.#primary.id, height: answer.height, key: toHex(read.key) },
        );
      reads.set(toHex(read.key), read);
    }
    const node = this.#primary.id;
    return {
      height: answer.height,
      header,
      signers: signersOf(header),
      value: answer.value,
      get(key: Uint8Array): Uint8Array | null {
        const read = reads.get(toHex(key));
        if (read === undefined)
          return fail('LIGHT_PROOF_MISSING', `${node} sent no proof of key ${toHex(key)}`, {
            node,
            height: answer.height,
            key: toHex(key),
          });
        return read.value;
      },
      provenKeys: () => answer.reads.map((r) => r.key),
    };
  }

  async #sequential(trusted: LightBlock, target: LightBlock): Promise<LightBlock> {
    let verified = trusted;
    for (let h = trusted.header.height + 1; h <= target.header.height; h++) {
      const next = h === target.header.height ? target : await this.#fetch(this.#primary, h);
      this.#verify(verified, next);
      verified = next;
      // The target is kept by `verifyTo`, once the witnesses agree.
      if (h < target.header.height) this.#keep(verified);
    }
    return verified;
  }

  /** CometBFT's bisection: skip to the target; when the trusted set cannot vouch for it, try halfway. */
  async #skipping(trusted: LightBlock, target: LightBlock): Promise<LightBlock> {
    let verified = trusted;
    const pending: LightBlock[] = [target];
    let fetches = 0;
    for (;;) {
      const candidate = pending[pending.length - 1] as LightBlock;
      try {
        this.#verify(verified, candidate);
      } catch (error) {
        if (!(error instanceof LightClientError) || error.code !== 'LIGHT_CANNOT_TRUST') throw error;
        const pivot = Math.floor((verified.header.height + candidate.header.height) / 2);
        if (++fetches > maxBisectionFetches) throw error;
        pending.push(await this.#fetch(this.#primary, pivot));
        continue;
      }
      verified = candidate;
      pending.pop();
      if (pending.length === 0) return verified;
      this.#keep(verified);
    }
  }

  #verify(trusted: LightBlock, untrusted: LightBlock): void {
    this.stats.signaturesChecked += untrusted.commit.signatures.filter(
      (s) => s.flag !== CommitFlag.Absent,
    ).length;
    if (untrusted.header.height === trusted.header.height + 1)
      verifyAdjacent(trusted, untrusted, this.#options());
    else verifyNonAdjacent(trusted, untrusted, this.#options());
  }

  /**
   * CometBFT's detector, reduced: each witness's header at the verified height must be the same.
   * A different one is reported (`LIGHT_CONFLICTING_HEADERS`, with whether the witness's header
   * verifies from the same root: if it does, the validators signed two chains) and nothing at that
   * height is trusted. A witness that cannot be reached is passed over.
   */
  async #checkWitnesses(verified: LightBlock): Promise<void> {
    const height = verified.header.height;
    for (const witness of this.#witnesses) {
      let theirs: LightBlock;
      try {
        theirs = await this.#fetch(witness, height);
      } catch (error) {
        if (error instanceof LightClientError && error.code === 'LIGHT_PROVIDER_ERROR') continue;
        throw error;
      }
      if (equalBytes(theirs.hash, verified.hash)) continue;
      let witnessVerifies = false;
      try {
        const root = this.#nearestBelow(height);
        if (root !== undefined) {
          this.#verify(root, theirs);
          witnessVerifies = true;
        }
      } catch {
        witnessVerifies = false;
      }
      fail(
        'LIGHT_CONFLICTING_HEADERS',
        `${witness.id} shows another header at height ${height} than ${this.#primary.id}${witnessVerifies ? ': both verify, the validators signed two chains' : ''}`,
        {
          height,
          primary: this.#primary.id,
          witness: witness.id,
          primaryHash: toHex(verified.hash),
          witnessHash: toHex(theirs.hash),
          witnessVerifies,
        },
      );
    }
  }

  /** Polls the primary for `height` until it exists or `proofHeaderWaitMs` pass. */
  async #waitFor(height: number): Promise<LightBlock> {
    const deadline = this.#now() + this.#o.proofHeaderWaitMs;
    for (;;) {
      try {
        return this.#trusted.get(height) ?? (await this.#fetch(this.#primary, height));
      } catch (error) {
        const missing =
          error instanceof LightClientError &&
          error.code === 'LIGHT_PROVIDER_ERROR' &&
          error.context.status === 404;
        if (!missing) throw error;
        if (this.#now() >= deadline)
          fail(
            'LIGHT_HEADER_UNAVAILABLE',
            `height ${height} did not appear within ${this.#o.proofHeaderWaitMs} ms`,
            {
              height,
            },
          );
        await this.#sleep(proofHeaderPollMs);
      }
    }
  }

  async #fetch(provider: Provider, height?: number): Promise<LightBlock> {
    this.stats.lightBlocksFetched++;
    return provider.lightBlock(height);
  }

  #nearestBelow(height: number): LightBlock | undefined {
    let best: LightBlock | undefined;
    for (const b of this.#trusted.values())
      if (b.header.height < height && (best === undefined || b.header.height > best.header.height)) best = b;
    return best;
  }

  #keep(block: LightBlock): void {
    this.#trusted.set(block.header.height, block);
    if (this.#trusted.size <= maxTrustedBlocks) return;
    const latest = this.latestTrusted().header.height;
    const oldest = Math.min(...[...this.#trusted.keys()].filter((h) => h !== latest));
    this.#trusted.delete(oldest);
  }

  #options(): VerifyOptions {
    return {
      chainId: this.#o.chainId,
      trustPeriodMs: this.#o.trust.periodMs,
      trustLevel: this.#o.trustLevel,
      maxClockDriftMs: this.#o.maxClockDriftMs,
      now: this.#now(),
    };
  }
}

/** How many validators (and how much power) signed a verified header. */
export function signersOf(block: LightBlock): Signers {
  let signed = 0;
  let signedPower = 0n;
  let totalPower = 0n;
  block.validators.validators.forEach((v, i) => {
    totalPower += v.votingPower;
    if (block.commit.signatures[i]?.flag === CommitFlag.Commit) {
      signed++;
      signedPower += v.votingPower;
    }
  });
  return { signed, total: block.validators.validators.length, signedPower, totalPower };
}
