import { type Application, decode, encode } from '@joule/consensus';
import { decodeTx, type Module, type QueryType } from '@joule/state';
import { snakeCase, valueFromParams } from '../client/values.js';
import { maxParamLength, signedQueryHeader } from '../constants.js';
import { ApiError, badRequest } from './errors.js';
import { moduleJson } from './json.js';

/** A module route ready to match: `/bank/balances/:address` split into segments. */
export interface ModuleRoute {
  readonly method: 'GET' | 'POST';
  readonly module: string;
  readonly path: string;
  readonly segments: readonly string[];
  readonly description: string;
  readonly query?: { readonly path: string; readonly type: QueryType<unknown, unknown> };
  readonly messageType?: string;
  /** A former spelling: answers in the former (camelCase) JSON, not listed. */
  readonly alias: boolean;
}

/** Compiles the modules' route descriptions; a route naming no query or message is refused. */
export function compileModuleRoutes(modules: readonly Module[]): ModuleRoute[] {
  const out: ModuleRoute[] = [];
  for (const module of modules) {
    for (const route of module.routes ?? []) {
      if (!route.path.startsWith(`/${module.name}/`) && route.path !== `/${module.name}`)
        throw new Error(`route ${route.path} of module ${module.name} must start with /${module.name}/`);
      const base = {
        method: route.method,
        module: module.name,
        path: route.path,
        segments: route.path.split('/').slice(1),
        description: route.description,
        alias: route.alias === true,
      };
      if (route.method === 'GET') {
        const type = module.queries?.find((q) => q.path === route.target);
        if (type === undefined) throw new Error(`route ${route.path} names unknown query "${route.target}"`);
        // A former route asks by the former query path: what its clients sign in their envelopes.
        const path = route.alias === true ? (type.aliases?.[0] ?? type.path) : type.path;
        out.push({ ...base, query: { path: `/${module.name}/${path}`, type } });
      } else {
        if (!module.messages?.some((m) => m.type === route.target))
          throw new Error(`route ${route.path} names unknown message type "${route.target}"`);
        out.push({ ...base, messageType: route.target });
      }
    }
  }
  return out;
}

/** The route matching `method` and `segments`, with its `:params`. */
export function matchModuleRoute(
  routes: readonly ModuleRoute[],
  method: string,
  segments: readonly string[],
): { route: ModuleRoute; params: Record<string, string> } | 'method' | null {
  let wrongMethod = false;
  for (const route of routes) {
    if (route.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const want = route.segments[i] as string;
      const got = segments[i] as string;
      if (want.startsWith(':')) {
        if (got === '' || got.length > maxParamLength) ok = false;
        else params[want.slice(1)] = decodeSegment(got);
      } else ok = want === got;
    }
    if (!ok) continue;
    if (route.method !== method) {
      wrongMethod = true;
      continue;
    }
    return { route, params };
  }
  return wrongMethod ? 'method' : null;
}

/** A path segment, `%`-decoded; a bad escape is a 400 `BAD_ESCAPE`. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('BAD_ESCAPE', `the path segment "${segment.slice(0, 64)}" has a bad %-escape`);
  }
}

/** The paths (`/<module>/<query>`, former spellings too) of the modules' authenticated queries. */
export function authenticatedQueryPaths(modules: readonly Module[]): Set<string> {
  const out = new Set<string>();
  for (const module of modules)
    for (const query of module.queries ?? [])
      if (query.authenticated === true)
        for (const path of [query.path, ...(query.aliases ?? [])]) out.add(`/${module.name}/${path}`);
  return out;
}

/** Answers a GET module route: builds the request from path and query parameters, runs the query. */
export async function answerModuleQuery(
  app: Application,
  route: ModuleRoute,
  params: Record<string, string>,
  addressPrefix: string,
  signed: () => Uint8Array,
): Promise<unknown> {
  const query = route.query;
  if (query === undefined) throw new ApiError(405, 'METHOD_NOT_ALLOWED', 'not a query route');
  if (params.signed !== undefined)
    throw badRequest(
      'SIGNED_QUERY_IN_URL',
      `an authenticated query's envelope goes in the ${signedQueryHeader} header, not in the URL`,
    );
  let data: Uint8Array;
  if (query.type.authenticated === true) data = signed();
  else {
    const fields = Object.keys(query.type.request.fields ?? {});
    if (query.type.request.fields !== undefined) {
      // A parameter the query does not take is refused, not dropped.
      const unknown = Object.keys(params).find(
        (k) => !fields.includes(k) && !fields.some((f) => snakeCase(f) === k),
      );
      if (unknown !== undefined)
        throw badRequest(
          'BAD_PARAMETER',
          `unknown parameter "${unknown.slice(0, 64)}" (parameters: ${fields.map(snakeCase).join(', ') || 'none'})`,
        );
    }
    let request: unknown;
    try {
      request = valueFromParams(query.type.request, params, addressPrefix);
    } catch (error) {
      throw badRequest('BAD_PARAMETER', error instanceof Error ? error.message : String(error));
    }
    data = encode(query.type.request, request);
  }
  const response = await app.query({ path: query.path, data });
  if (response.code !== 0) {
    const status =
      response.codespace === 'QUERY_UNKNOWN_PATH'
        ? 404
        : response.codespace.startsWith('QUERY_') && response.codespace !== 'QUERY_FAILED'
          ? 400
          : 422;
    throw new ApiError(status, response.codespace || 'QUERY_FAILED', response.log);
  }
  const value = decode(query.type.response, response.value);
  return { height: String(response.height), result: moduleJson(value, addressPrefix, route.alias) };
}

/** Checks that a tx posted to a message route carries only that route's message type. */
export function checkRouteTx(route: ModuleRoute, tx: Uint8Array, maxTxBytes: number): void {
  let types: string[];
  try {
    types = decodeTx(tx, maxTxBytes).body.messages.map((m) => m.type);
  } catch (error) {
    throw badRequest(
      'TX_MALFORMED',
      `the tx does not decode: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (types.some((t) => t !== route.messageType))
    throw badRequest(
      'TX_WRONG_ROUTE',
      `this route takes ${route.messageType} messages only (got ${types.join(', ')})`,
    );
}
