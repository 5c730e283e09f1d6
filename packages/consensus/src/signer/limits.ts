/**
 * Limits of the double-sign guard's state, each named with its unit. They live here until the
 * lead moves them into the package's `constants.ts`.
 */

/**
 * Longest sign bytes the guard keeps. Vote and proposal sign bytes are about 150 bytes (a domain
 * tag, a chain id of at most 50 characters, the canonical vote or proposal with a block id, never
 * a block); the bound leaves room for growth and stops a damaged file from claiming megabytes.
 */
export const maxSignBytes = 1024;
/**
 * Largest signer state record (`[version, state, checksum]`) accepted by `FileSignerStore.load`,
 * and the size of each of the file's two copies (the record, its 4-byte length, zero padding).
 */
export const maxSignerStateFileBytes = 4096;
/** Size of a signer state file: two copies of `maxSignerStateFileBytes`. */
export const signerStateFileBytes = 2 * maxSignerStateFileBytes;
