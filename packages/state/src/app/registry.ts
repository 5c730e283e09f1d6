import { JouleError } from '@joule/consensus';
import { maxMessageTypeLength, maxModuleNameLength, maxModules, maxQueryPathLength } from '../constants.js';
import { appSectionName } from './limits.js';
import type { MessageType, Module, QueryType } from './module.js';
import { StoreKey } from './state.js';

import { messageTypePattern } from './tx.js';

/** A module set that `App` cannot serve: a bad or duplicate name, path or route. */
export class ModuleDefinitionError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('APP_BAD_MODULE', message, context);
  }
}

/** Module names: what the tx codec accepts before the `/` of a message type (`bank`, `market`). */
export const moduleNamePattern = /^[a-z][a-z0-9_]*$/;
/** Query paths after `/<module>/` (`balance`, `get_meters_list`). */
export const queryPathPattern = /^[A-Za-z][A-Za-z0-9_]*$/;

/** What `App` routes: message types by name, queries by `/<module>/<path>`. */
export interface ModuleRegistry {
  readonly messageTypes: ReadonlyMap<string, MessageType<unknown>>;
  readonly queries: ReadonlyMap<string, QueryType<unknown, unknown>>;
  /** Each module's store key: the one it declared, or one made here that no module holds. */
  readonly storeKeys: ReadonlyMap<string, StoreKey>;
}

/**
 * Checks a module set once, when the application is built, and indexes its messages and queries.
 * Refused with `ModuleDefinitionError`: more than `maxModules` modules; a name the tx codec could
 * not carry, a duplicate, or `app` (the framework's genesis section); a message type that is not
 * `<module>/<name>` within the codec's pattern, or a duplicate; a query path that is malformed,
 * too long or a duplicate; a route whose target is neither a query nor a message type of its module;
 * a store key that is not a `StoreKey` of the module's own name.
 */
export function registerModules(modules: readonly Module[]): ModuleRegistry {
  if (modules.length > maxModules) throw new ModuleDefinitionError(`more than ${maxModules} modules`);
  const messageTypes = new Map<string, MessageType<unknown>>();
  const queries = new Map<string, QueryType<unknown, unknown>>();
  const names = new Set<string>();
  const storeKeys = new Map<string, StoreKey>();
  for (const module of modules) {
    const name = module.name;
    const fail = (problem: string): never => {
      throw new ModuleDefinitionError(`module "${name}": ${problem}`, { module: name });
    };
    if (typeof name !== 'string' || !moduleNamePattern.test(name) || name.length > maxModuleNameLength)
      fail(`a module name is 1..${maxModuleNameLength} of [a-z0-9_], starting with a letter`);
    if (name === appSectionName) fail(`"${appSectionName}" is the framework's genesis section`);
    if (names.has(name)) fail('two modules have this name');
    names.add(name);
    const key = module.storeKey ?? new StoreKey(name);
    if (!(key instanceof StoreKey) || key.module !== name)
      fail(`its store key must be a StoreKey of "${name}"`);
    storeKeys.set(name, key);
    const own = new Set<string>();
    for (const type of module.messages ?? []) {
      const t = type.type;
      if (!t.startsWith(`${name}/`) || !messageTypePattern.test(t) || t.length > maxMessageTypeLength)
        fail(
          `message type "${t}" must be "${name}/<name>" of [a-z0-9_], at most ${maxMessageTypeLength} characters`,
        );
      if (messageTypes.has(t)) fail(`message type "${t}" is defined twice`);
      messageTypes.set(t, type);
      own.add(t);
    }
    for (const query of module.queries ?? []) {
      for (const spelling of [query.path, ...(query.aliases ?? [])]) {
        const path = `/${name}/${spelling}`;
        if (!queryPathPattern.test(spelling) || path.length > maxQueryPathLength)
          fail(
            `query path "${spelling}" must be [A-Za-z0-9_] and "${path}" at most ${maxQueryPathLength} characters`,
          );
        if (queries.has(path)) fail(`two queries at "${path}"`);
        queries.set(path, query);
      }
      own.add(query.path);
    }
    for (const route of module.routes ?? []) {
      if (!own.has(route.target))
        fail(
          `route ${route.method} ${route.path} targets "${route.target}", neither a query nor a message of the module`,
        );
    }
  }
  return { messageTypes, queries, storeKeys };
}
