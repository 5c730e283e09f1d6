import { type Application, decode, encode } from '@joule/consensus';
import { coreModules } from '@joule/state';
import { describe, expect, it } from 'vitest';
import { marketModules } from '../market/app.js';
import { ApiError } from './errors.js';
import { answerModuleQuery, compileModuleRoutes, matchModuleRoute } from './module-routes.js';

describe('module route matching', () => {
  const routes = compileModuleRoutes(coreModules({ addressPrefix: 'joule' }).modules);

  it('decodes %-escaped path parameters', () => {
    const match = matchModuleRoute(routes, 'GET', ['bank', 'balances', 'a%2Fb']);
    expect(match !== null && match !== 'method' && match.params.address, 'the decoded parameter').toBe('a/b');
  });

  it('answers a malformed %-escape with a 400, not an internal error', () => {
    for (const bad of ['%zz', '%', '%E0%A4%A', '%ff%fe']) {
      let caught: unknown;
      try {
        matchModuleRoute(routes, 'GET', ['bank', 'balances', bad]);
      } catch (error) {
        caught = error;
      }
      expect(caught, `escape ${bad}`).toBeInstanceOf(ApiError);
      expect((caught as ApiError).status, `status of ${bad}`).toBe(400);
      expect((caught as ApiError).code, `code of ${bad}`).toBe('BAD_ESCAPE');
    }
  });
});

describe('module routes: snake_case names and answers, former spellings as aliases', () => {
  const built = marketModules('joule');
  const routes = compileModuleRoutes(built.modules);
  const status = built.market.query.getSolveStatus;
  /** An application that answers every query with a FAILED period, and notes what it was asked. */
  const asked: { path: string; tsStart: number }[] = [];
  const app = {
    query: async (r: { path: string; data: Uint8Array }) => {
      asked.push({ path: r.path, tsStart: decode(status.request, r.data).tsStart });
      return {
        code: 0,
        codespace: '',
        log: '',
        height: 7,
        value: encode(status.response, { state: 'FAILED', failedHeight: 12, reason: 'budget' }),
      };
    },
  } as unknown as Application;

  it('answers the snake_case route in snake_case JSON and the former route in camelCase JSON', async () => {
    const answer = async (segments: string[]) => {
      const match = matchModuleRoute(routes, 'GET', segments);
      if (match === null || match === 'method') throw new Error(`no route ${segments.join('/')}`);
      return answerModuleQuery(app, match.route, match.params, 'joule', () => new Uint8Array(0));
    };
    expect(await answer(['market', 'get_solve_status', '900'])).toEqual({
      height: '7',
      result: { state: 'FAILED', failed_height: 12, reason: 'budget' },
    });
    expect(await answer(['market', 'getSolveStatus', '900'])).toEqual({
      height: '7',
      result: { state: 'FAILED', failedHeight: 12, reason: 'budget' },
    });
    // Each asks the application by its own spelling of the query path (what a signer signs).
    expect(asked).toEqual([
      { path: '/market/get_solve_status', tsStart: 900 },
      { path: '/market/getSolveStatus', tsStart: 900 },
    ]);
  });

  it('refuses a parameter the query does not take, naming it', async () => {
    const match = matchModuleRoute(routes, 'GET', ['market', 'get_solve_status', '900']);
    if (match === null || match === 'method') throw new Error('no route');
    const answer = answerModuleQuery(app, match.route, { ...match.params, tsEnd: '1800' }, 'joule', () => {
      throw new Error('not authenticated');
    });
    await expect(answer).rejects.toMatchObject({ status: 400, code: 'BAD_PARAMETER' });
    await expect(answer).rejects.toThrow('unknown parameter "tsEnd" (parameters: ts_start)');
  });

  it('names every route after its message or query, and lists each former spelling once as an alias', () => {
    const market = routes.filter((r) => r.module === 'market');
    const current = market.filter((r) => !r.alias);
    expect(current.map((r) => r.segments[1])).toEqual(
      current.map((r) => r.messageType?.slice('market/'.length) ?? r.query?.path.slice('/market/'.length)),
    );
    expect(current.every((r) => /^[a-z_/:]+$/.test(r.path))).toBe(true);
    expect(market.filter((r) => r.alias).map((r) => r.path)).toContain('/market/addMeterFromList');
    // Every route but set_energy_measures (added after the rename) has its former spelling.
    expect(market.filter((r) => r.alias)).toHaveLength(current.length - 1);
    expect(market.filter((r) => r.path.startsWith('/market/set_energy_measure')).map((r) => r.path)).toEqual([
      '/market/set_energy_measure',
      '/market/set_energy_measures',
    ]);
  });
});
