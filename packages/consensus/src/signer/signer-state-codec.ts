import { decode, encode, equalBytes } from '../codec/canonical.js';
import { hash, height, round, signature } from '../codec/fields.js';
import { bytes, type Codec, oneOf, struct } from '../codec/schema.js';
import { sha256 } from '../crypto/hash.js';
import { DecodeError } from '../errors.js';
import { SignerStateCorruptError } from './errors.js';
import { maxSignBytes, maxSignerStateFileBytes } from './limits.js';
import { type SignerState, SignStep } from './signer-store.js';

/** The canonical encoding of a `SignerState`: `[height, round, step, signBytes, signature]`. */
export const signerStateCodec: Codec<SignerState> = struct<SignerState>('SignerState', {
  height,
  round,
  step: oneOf([SignStep.Propose, SignStep.Prevote, SignStep.Precommit]),
  signBytes: bytes({ min: 1, max: maxSignBytes }),
  signature,
});

/** Version of the signer state file format. */
export const signerStateFileVersion = 1;

interface SignerStateFile {
  readonly version: typeof signerStateFileVersion;
  readonly state: SignerState;
  readonly checksum: Uint8Array;
}

/**
 * The file: `[version, state, sha256(encode(state))]`. The strict decoder catches a truncated or
 * malformed file, but a flipped bit inside the height or the sign bytes would still decode, and a
 * lower height is exactly what lets a validator sign twice: the checksum catches that.
 */
const signerStateFileCodec: Codec<SignerStateFile> = struct<SignerStateFile>('SignerStateFile', {
  version: oneOf([signerStateFileVersion]),
  state: signerStateCodec,
  checksum: hash,
});

/** The bytes of a signer state file. Throws `InvalidValueError` for a state that breaks its type. */
export function encodeSignerStateFile(state: SignerState): Uint8Array {
  const checksum = sha256(encode(signerStateCodec, state));
  return encode(signerStateFileCodec, { version: signerStateFileVersion, state, checksum });
}

/** The state in a signer state file; any problem is a `SignerStateCorruptError` naming `source`. */
export function decodeSignerStateFile(bytes: Uint8Array, source: string): SignerState {
  let file: SignerStateFile;
  try {
    file = decode(signerStateFileCodec, bytes, { maxBytes: maxSignerStateFileBytes });
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    throw new SignerStateCorruptError(`signer state ${source} does not decode: ${error.message}`, {
      source,
      reason: error.code,
    });
  }
  if (!equalBytes(sha256(encode(signerStateCodec, file.state)), file.checksum)) {
    throw new SignerStateCorruptError(`signer state ${source} fails its checksum`, {
      source,
      reason: 'checksum',
    });
  }
  return file.state;
}
