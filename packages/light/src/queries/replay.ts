import { compareBytes, encode, equalBytes } from '@joule/consensus/core';
import { type Module, type QueryType, queryContextOver, type StateReader } from '@joule/state';
import type { VerifiedState } from '../client/light-client.js';
import { fail } from '../errors.js';

/**
 * Any module query, verified by running its own handler again over the proven reads only: a key
 * the handler reads that the node did not prove is `LIGHT_PROOF_MISSING`, and an answer that
 * differs from the node's is `LIGHT_WRONG_ANSWER`. What the CLI's `--verify` does for every query
 * (it has the modules' code); the typed queries of `VerifiedQueries` need no module code at all.
 */
export async function replayQuery<Req, Res>(
  verified: VerifiedState,
  query: QueryType<Req, Res>,
  request: Req,
  caller: Uint8Array | null,
  chainId: string,
  app: {
    /** The module that serves the query. */
    readonly module: string;
    /**
     * The application's modules (their store keys, for the keepers a handler calls): the instances
     * `query` belongs to, not another build of them.
     */
    readonly modules: readonly Module[];
    readonly addressPrefix: string;
  },
): Promise<Res> {
  // Store keys belong to module instances: the handler must be one of these modules' own, or the
  // keepers it calls hold keys the replay did not register.
  const own = app.modules.find((m) => m.name === app.module)?.queries ?? [];
  if (!own.includes(query as QueryType<unknown, unknown>))
    fail(
      'LIGHT_BAD_REQUEST',
      `the query is not one of module "${app.module}"'s queries in the modules given`,
      {
        module: app.module,
      },
    );
  const reader: StateReader = {
    get: async (key) => verified.get(key) ?? undefined,
    entries: async (prefix, limit, after) => {
      const rows: [Uint8Array, Uint8Array][] = [];
      for (const key of verified.provenKeys()) {
        if (key.length < prefix.length || !equalBytes(key.subarray(0, prefix.length), prefix)) continue;
        if (after !== undefined && compareBytes(key, after) <= 0) continue;
        const value = verified.get(key);
        if (value !== null && !rows.some(([k]) => equalBytes(k, key))) rows.push([key, value]);
      }
      return rows.sort(([a], [b]) => compareBytes(a, b)).slice(0, limit);
    },
  };
  const result = await query.handle(
    queryContextOver(reader, {
      ...app,
      chainId,
      height: verified.height,
      lastBlockTime: verified.header.header.time,
    }),
    request,
    caller,
  );
  if (!equalBytes(encode(query.response, result), verified.value))
    fail(
      'LIGHT_WRONG_ANSWER',
      `the node's answer differs from what its proofs show at height ${verified.height}`,
      {
        height: verified.height,
      },
    );
  return result;
}
