import { coreModules } from '@joule/state';
import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { compileModuleRoutes, matchModuleRoute } from './module-routes.js';

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
