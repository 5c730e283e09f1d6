import {
  addressOf,
  type Commit,
  CommitFlag,
  commitCodec,
  decode,
  encode,
  formatAddress,
  fromHex,
  type Header,
  headerCodec,
  headerHash,
  type KeyPair,
  sha256,
  signVote,
  toHex,
  type ValidatorSet,
  VoteType,
  validatorSetCodec,
} from '@joule/consensus';
import { JouleLight, type JouleLightOptions, keys, type LightClientError } from '@joule/light';
import { amountCodec, provedReadsCodec } from '@joule/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.js';
import { verifiedQuery } from '../cli/verify.js';
import type { JouleClient } from '../client/index.js';
import { jouleCliApp, marketModules } from '../market/app.js';
import type { JouleNode } from '../node/node.js';
import { type LightChain, slotSeconds as slot, startLightChain } from '../testkit/light-chain.js';
import type { TamperingProxy } from '../testkit/tampering-proxy.js';

/**
 * The light client against a real node (LevelDB, its HTTP API on 127.0.0.1) and a tampering proxy
 * in front of it: the chain's validator set changes three times, a household has measures and a
 * solved period; every lie the proxy tells is refused with its own code.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const chainId = 'light-1';
const hourMs = 3_600_000;

describe('light client against a real node and a tampering proxy', () => {
  let chain: LightChain;
  let node: JouleNode;
  let client: JouleClient;
  let proxy: TamperingProxy;
  let validatorA: KeyPair;
  let validatorB: KeyPair;
  let house: KeyPair;
  let houseAddress: Uint8Array;
  let rootHash: Uint8Array;
  let tsStart = 0;
  const { core, market: m } = marketModules('joule');

  const rawBlock = async (url: string, height: number) =>
    (await (await fetch(`${url}/light_block?height=${height}`)).json()) as {
      header: string;
      commit: string;
      validators: string;
    };
  const height = () => chain.height();
  const light = (options: Partial<JouleLightOptions> = {}) =>
    new JouleLight({
      url: node.apiUrl,
      chainId,
      trust: { height: 1, hash: rootHash, periodMs: hourMs },
      addressPrefix: 'joule',
      denom: 'ujoule',
      ...options,
    });
  const codeOf = async (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: LightClientError) => e.code,
    );
  const changeHeight = (what: string) =>
    chain.changes.find((c: { what: string }) => c.what === what)?.height as number;

  beforeAll(async () => {
    chain = await startLightChain({ chainId });
    ({ node, client, proxy, validatorA, validatorB, house, houseAddress, rootHash, tsStart } = chain);
  }, 120_000);

  afterAll(async () => {
    await chain?.stop();
  });

  it('verifies sequentially across the validator-set changes, each effective two heights later', async () => {
    const l = light({ mode: 'sequential' });
    await l.start();
    const withC = await l.client.verifyTo(changeHeight('add C') + 2);
    expect(withC.validators.validators.length, 'A, B and C at add C + 2').toBe(3);
    const before = await l.client.verifyTo(changeHeight('add C') + 1);
    expect(before.validators.validators.length, 'A and B at add C + 1').toBe(2);
    const latest = await l.client.update();
    expect(latest.validators.validators.length, 'C removed again').toBe(2);
    expect(l.client.stats.lightBlocksFetched, 'every height fetched once').toBeGreaterThanOrEqual(
      latest.header.height - 1,
    );
  });

  it('verifies by skipping across the same changes with far fewer headers', async () => {
    const l = light();
    await l.start();
    const latest = await l.client.update();
    expect(latest.header.height).toBeGreaterThan(changeHeight('remove C') + 2);
    expect(latest.validators.validators.map((v) => toHex(v.address)).sort()).toEqual(
      [validatorA, validatorB].map((k) => toHex(addressOf(k.publicKey))).sort(),
    );
    expect(
      l.client.stats.lightBlocksFetched,
      'the root and the target (A alone holds > 1/3)',
    ).toBeLessThanOrEqual(3);
  });

  it('refuses an expired root of trust, and a trusted header that expired since', async () => {
    const root = decode(headerCodec, fromHex((await rawBlock(node.apiUrl, 1)).header));
    expect(await codeOf(light({ now: () => root.time + hourMs + 1 }).start())).toBe('LIGHT_TRUST_EXPIRED');
    let now = Date.now();
    const l = light({ now: () => now });
    await l.start();
    const latest = await l.client.update();
    now = latest.header.time + hourMs;
    while ((await height()) < latest.header.height + 1) await sleep(50);
    expect(await codeOf(l.client.verifyTo(latest.header.height + 1))).toBe('LIGHT_TRUST_EXPIRED');
  });

  it('proves a balance, the period parameters, the settlement line and the measures, equal to the node answers', async () => {
    const l = light({ witnesses: [node.apiUrl] });
    await l.start();
    const balance = await l.balance(houseAddress);
    expect(balance.value).toBe(
      await client.query('bank', core.bank.query.balance, { address: houseAddress, denom: 'ujoule' }),
    );
    expect(balance.headerHeight).toBe(balance.height + 1);
    expect(balance.signers).toMatchObject({ signed: 1, total: 2 });
    const params = await l.marketParameters(tsStart + 5 * slot);
    expect(params.value).toEqual(
      await client.query('market', m.query.getMarketParameters, { ts: tsStart + 5 * slot }),
    );
    const line = await l.settlement(houseAddress, tsStart);
    const deltas = await client.query('market', m.query.getReceiptDeltas, { tsStart, start: 0, limit: 100 });
    const own = deltas.deltas.find((d) => toHex(d.account) === toHex(houseAddress));
    expect(line.value?.state).toBe('SOLVED');
    expect(line.value?.delta, 'the household paid for its consumption').toBe(own?.delta);
    expect(line.value?.delta).toBeLessThan(0n);
    expect(line.value?.receipt?.accounts).toBeGreaterThan(0);
    const measures = await l.meterMeasures('m1', tsStart, 16, house.secretKey);
    expect(measures.value).toEqual(
      await client.queryAs(house.secretKey, 'market', m.query.getMeterMeasures, {
        meterId: 'm1',
        tsStart,
        count: 16,
      }),
    );
    expect(measures.value.length).toBe(8);
  });

  it('`joule query … --verify` proves any module query, and refuses a lying node', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const trust = `1:${toHex(rootHash)}`;
    const house1 = formatAddress(houseAddress, 'joule');
    const args = (url: string) => [
      'query',
      'bank',
      'balance',
      `address=${house1}`,
      'denom=ujoule',
      '--node',
      url,
      '--verify',
      trust,
    ];
    expect(await runCli(args(node.apiUrl), jouleCliApp, io)).toBe(0);
    const verified = JSON.parse(out.at(-1) as string) as {
      height: number;
      verified: { signed: number };
      result: string;
    };
    const balance = await client.query('bank', core.bank.query.balance, {
      address: houseAddress,
      denom: 'ujoule',
    });
    expect(verified.result).toBe(balance.toString());
    expect(verified.verified.signed).toBe(1);
    expect(
      await runCli(
        [
          'query',
          'market',
          'getReceiptDeltas',
          `tsStart=${tsStart}`,
          'start=0',
          'limit=10',
          '--node',
          node.apiUrl,
          '--verify',
          trust,
        ],
        jouleCliApp,
        io,
      ),
      'a range query, replayed over its proven entries',
    ).toBe(0);
    proxy.tamper = (path, q, body) => {
      if (path !== '/abci_query' || q.get('path') !== '/bank/balance') return undefined;
      const r = (body as { response: { value: string } }).response;
      return { response: { ...r, value: toHex(encode(amountCodec, 1n)) } };
    };
    expect(await runCli(args(proxy.url), jouleCliApp, io)).not.toBe(0);
    expect(out.at(-1)).toContain("the node's answer differs from what its proofs show");
    proxy.tamper = null;
  });

  it('replays a query only with the module instances it belongs to', async () => {
    const other = marketModules('joule');
    const refused = verifiedQuery({
      client,
      trust: `1:${toHex(rootHash)}`,
      module: 'bank',
      type: core.bank.query.balance,
      request: { address: houseAddress, denom: 'ujoule' },
      modules: other.modules,
      addressPrefix: 'joule',
    });
    await expect(refused).rejects.toMatchObject({ code: 'LIGHT_BAD_REQUEST' });
  });

  it('catches a node that lies about a balance', async () => {
    proxy.tamper = (path, q, body) => {
      if (path !== '/abci_query' || q.get('path') !== '/bank/balance') return undefined;
      const r = (body as { response: { value: string } }).response;
      const real = decode(amountCodec, fromHex(r.value));
      return { response: { ...r, value: toHex(encode(amountCodec, real + 1_000_000n)) } };
    };
    const l = light({ url: proxy.url });
    await l.start();
    expect(await codeOf(l.balance(houseAddress))).toBe('LIGHT_WRONG_ANSWER');
  });

  it('catches a node that forges the proof of a balance, or leaves it out', async () => {
    const forgeRead = (drop: boolean) => (path: string, q: URLSearchParams, body: unknown) => {
      if (path !== '/abci_query' || q.get('path') !== '/bank/balance') return undefined;
      const r = (body as { response: { value: string; proof: string } }).response;
      const key = toHex(keys.balance(houseAddress, 'ujoule'));
      const lie = encode(amountCodec, 10n ** 15n);
      const reads = decode(provedReadsCodec, fromHex(r.proof))
        .filter((read) => !drop || toHex(read.key) !== key)
        .map((read) => (toHex(read.key) === key ? { ...read, value: lie } : read));
      return { response: { ...r, value: toHex(lie), proof: toHex(encode(provedReadsCodec, reads)) } };
    };
    const l = light({ url: proxy.url });
    await l.start();
    proxy.tamper = forgeRead(false);
    expect(await codeOf(l.balance(houseAddress))).toBe('LIGHT_INVALID_PROOF');
    proxy.tamper = forgeRead(true);
    expect(await codeOf(l.balance(houseAddress))).toBe('LIGHT_PROOF_MISSING');
  });

  /** A light block at `target` whose header says another app hash, signed by `signers` (none: the real commit). */
  const forgeAt =
    (target: number, signers: KeyPair[] | null) => (path: string, q: URLSearchParams, body: unknown) => {
      if (path !== '/light_block' || q.get('height') !== String(target)) return undefined;
      const b = body as { header: string; commit: string; validators: string };
      const header: Header = {
        ...decode(headerCodec, fromHex(b.header)),
        appHash: sha256(new TextEncoder().encode('forged')),
      };
      let commit = decode(commitCodec, fromHex(b.commit));
      if (signers !== null) {
        const set: ValidatorSet = decode(validatorSetCodec, fromHex(b.validators));
        const blockId = { hash: headerHash(header) };
        commit = {
          ...commit,
          blockId,
          signatures: set.validators.map((v, i) => {
            const key = signers.find((k) => toHex(addressOf(k.publicKey)) === toHex(v.address));
            if (key === undefined)
              return {
                flag: CommitFlag.Absent,
                validatorAddress: new Uint8Array(0),
                timestamp: 0,
                signature: new Uint8Array(0),
              };
            const vote = signVote(
              chainId,
              {
                type: VoteType.Precommit,
                height: target,
                round: commit.round,
                blockId,
                timestamp: header.time + 1,
                validatorAddress: v.address,
                validatorIndex: i,
              },
              key.secretKey,
            );
            return {
              flag: CommitFlag.Commit,
              validatorAddress: v.address,
              timestamp: vote.timestamp,
              signature: vote.signature,
            };
          }),
        } satisfies Commit;
      }
      return { ...b, header: toHex(encode(headerCodec, header)), commit: toHex(encode(commitCodec, commit)) };
    };

  it('catches a forged header and a header signed by a minority', async () => {
    const l = light({ url: proxy.url });
    await l.start();
    const trusted = await l.client.update();
    const target = trusted.header.height + 1;
    while ((await height()) < target + 1) await sleep(50);
    proxy.tamper = forgeAt(target, null);
    expect(await codeOf(l.client.verifyTo(target)), 'the commit is for the real header').toBe(
      'LIGHT_INVALID_HEADER',
    );
    proxy.tamper = forgeAt(target, [validatorB]);
    expect(await codeOf(l.client.verifyTo(target)), 'B alone: 1 of 11').toBe('LIGHT_NOT_ENOUGH_POWER');
    const skipping = light({ url: proxy.url });
    await skipping.start();
    expect(await codeOf(skipping.client.verifyTo(target)), 'skipping, then bisecting down to it').toBe(
      'LIGHT_NOT_ENOUGH_POWER',
    );
    proxy.tamper = null;
    expect((await l.client.verifyTo(target)).header.height, 'the real header still verifies').toBe(target);
  });

  it('reports a witness whose header conflicts, whether it verifies or not', async () => {
    const l = light({ witnesses: [proxy.url] });
    await l.start();
    const trusted = await l.client.update();
    const target = trusted.header.height + 2;
    while ((await height()) < target + 1) await sleep(50);
    proxy.tamper = forgeAt(target, null);
    const bad = await l.client.verifyTo(target).catch((e: LightClientError) => e);
    expect(bad).toMatchObject({
      code: 'LIGHT_CONFLICTING_HEADERS',
      context: { witnessVerifies: false, height: target },
    });
    proxy.tamper = forgeAt(target, [validatorA, validatorB]);
    const fork = await l.client.verifyTo(target).catch((e: LightClientError) => e);
    expect(fork, 'the validators signed two headers at one height').toMatchObject({
      code: 'LIGHT_CONFLICTING_HEADERS',
      context: { witnessVerifies: true },
    });
    proxy.tamper = null;
    expect((await l.client.verifyTo(target)).header.height).toBe(target);
  });
});
