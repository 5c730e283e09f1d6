import { addressOf, encode, fromHex, publicKeyOf } from '@joule/consensus';
import { HttpProvider, LightClient, signersOf } from '@joule/light';
import { replayQuery } from '@joule/light/replay';
import { type Module, type QueryType, signQuery } from '@joule/state';
import type { JouleClient } from '../client/index.js';
import { defaultVerifyTrustPeriodMs } from '../constants.js';
import { UsageError } from './common.js';

/**
 * `joule query … --verify HEIGHT:HASH`: the query answered with proofs, each checked against a
 * header that the light client verified from the trusted height and hash, and the answer computed
 * again by the module's own handler from the proven state alone.
 */
export async function verifiedQuery<Req, Res>(o: {
  readonly client: JouleClient;
  readonly trust: string;
  readonly module: string;
  readonly type: QueryType<Req, Res>;
  readonly request: Req;
  readonly secretKey?: Uint8Array;
  /** The application's modules and address prefix, which the replayed handler's context needs. */
  readonly modules: readonly Module[];
  readonly addressPrefix: string;
}): Promise<{ height: number; verified: Record<string, unknown>; result: Res }> {
  const match = /^([1-9][0-9]*):([0-9a-fA-F]{64})$/.exec(o.trust);
  if (match === null)
    throw new UsageError('--verify takes HEIGHT:HASH, a trusted height and its header hash (hex)');
  const chainId = await o.client.chainId();
  const light = new LightClient(
    {
      chainId,
      trust: {
        height: Number(match[1]),
        hash: fromHex(match[2] as string),
        periodMs: defaultVerifyTrustPeriodMs,
      },
    },
    { primary: new HttpProvider({ url: o.client.url }) },
  );
  await light.start();
  const path = `/${o.module}/${o.type.path}`;
  const body = encode(o.type.request, o.request);
  const signed =
    o.secretKey === undefined
      ? undefined
      : signQuery(o.secretKey, { chainId, path, body, timestamp: await o.client.lastBlockTime() });
  const state = await light.provenState(path, body, signed);
  const caller = o.secretKey === undefined ? null : addressOf(publicKeyOf(o.secretKey));
  const result = await replayQuery(state, o.type, o.request, caller, chainId, {
    module: o.module,
    modules: o.modules,
    addressPrefix: o.addressPrefix,
  });
  const s = signersOf(state.header);
  return {
    height: state.height,
    verified: { header_height: state.header.header.height, signed: s.signed, validators: s.total },
    result,
  };
}
