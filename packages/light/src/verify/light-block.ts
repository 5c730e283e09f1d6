import {
  type Commit,
  commitCodec,
  decode,
  fromHex,
  type Header,
  headerCodec,
  headerHash,
  type ValidatorSet,
  validatorSetCodec,
} from '@joule/consensus/core';
import { fail } from '../errors.js';

/** What a light client verifies at one height: the header, the commit that decided it, and the height's validators. */
export interface LightBlock {
  readonly header: Header;
  readonly commit: Commit;
  readonly validators: ValidatorSet;
  /** SHA-256 of the header's canonical encoding: the block's id. */
  readonly hash: Uint8Array;
}

/** The node's `/light_block` answer: the canonical encodings, hex. */
export interface LightBlockJson {
  readonly height: string;
  readonly header: string;
  readonly commit: string;
  readonly validators: string;
}

/** Decodes a `/light_block` answer strictly; anything malformed is `LIGHT_PROVIDER_ERROR`. */
export function lightBlockFromJson(json: unknown, node: string): LightBlock {
  const j = json as Partial<LightBlockJson> | null;
  try {
    if (typeof j?.header !== 'string' || typeof j.commit !== 'string' || typeof j.validators !== 'string')
      throw new TypeError('expected { header, commit, validators } as hex');
    const header = decode(headerCodec, fromHex(j.header));
    const commit = decode(commitCodec, fromHex(j.commit));
    const validators = decode(validatorSetCodec, fromHex(j.validators));
    return { header, commit, validators, hash: headerHash(header) };
  } catch (error) {
    return fail('LIGHT_PROVIDER_ERROR', `${node} sent a light block that does not decode: ${String(error)}`, {
      node,
    });
  }
}
