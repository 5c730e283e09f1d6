import { addressBytes, hashBytes, maxChainIdLength, publicKeyBytes, signatureBytes } from '../constants.js';
import { bytes, int, string } from './schema.js';

/** Field codecs shared by the consensus structures. */
export const hash = bytes(hashBytes);
export const address = bytes(addressBytes);
export const publicKey = bytes(publicKeyBytes);
export const signature = bytes(signatureBytes);
/** Heights start at 1. */
export const height = int(1);
/** Rounds are int32 as in CometBFT. */
export const maxRound = 0x7fff_ffff;
export const round = int(0, maxRound);
/** Unix time in milliseconds, UTC. */
export const timeMs = int(0);
/** Chain ids: 1–50 characters of letters, digits, `.`, `_` and `-`, starting with a letter or digit. */
export const chainIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const chainId = string(maxChainIdLength, chainIdPattern);
