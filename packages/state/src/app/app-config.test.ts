import { struct, uint } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { MemoryKvStore } from '../kv/level-kv-store.js';
import { coreModules } from '../modules/core.js';
import { App } from './app.js';
import { defineMessage, defineQuery, type Module } from './module.js';

const query = (path: string) =>
  defineQuery({
    path,
    request: struct<Record<string, never>>('Empty', {}),
    response: uint(),
    handle: async () => 0,
  });
const message = (type: string) =>
  defineMessage({ type, codec: uint(), handle: async () => {} }) as unknown as NonNullable<
    Module['messages']
  >[number];

function build(extra: Module): () => App {
  const core = coreModules();
  return () =>
    new App({}, { kv: new MemoryKvStore(), modules: [...core.modules, extra], accounts: core.accounts });
}

describe('App refuses a malformed module set with a typed error', () => {
  it('accepts well-formed modules and routes', () => {
    const ok: Module = {
      name: 'meter_2',
      messages: [message('meter_2/read')],
      queries: [query('reading'), query('readings')],
      routes: [
        { method: 'GET', path: '/meter/:id', target: 'reading', description: 'a reading' },
        { method: 'POST', path: '/meter', target: 'meter_2/read', description: 'submit' },
      ],
    };
    expect(build(ok)).not.toThrow();
  });

  it.each([
    ['Meter', 'upper case'],
    ['2meter', 'a leading digit'],
    ['me/ter', 'a slash'],
    ['', 'empty'],
    ['m'.repeat(64), 'too long for a message type'],
    ['app', 'the reserved genesis section'],
  ])('refuses the module name %j (%s)', (name) => {
    expect(build({ name }), name).toThrow(expect.objectContaining({ code: 'APP_BAD_MODULE' }));
  });

  it('refuses duplicate query paths, bad message types and unknown route targets', () => {
    const cases: [string, Module][] = [
      ['two queries at one path', { name: 'meter', queries: [query('reading'), query('reading')] }],
      [
        'a former spelling that is the path of another query',
        { name: 'meter', queries: [query('reading'), { ...query('get_reading'), aliases: ['reading'] }] },
      ],
      [
        'a malformed former spelling',
        { name: 'meter', queries: [{ ...query('reading'), aliases: ['a/b'] }] },
      ],
      ['a query path with a slash', { name: 'meter', queries: [query('a/b')] }],
      ['a message of another module', { name: 'meter', messages: [message('bank/read')] }],
      ['a message type the tx codec refuses', { name: 'meter', messages: [message('meter/Read')] }],
      [
        'a route to no query',
        {
          name: 'meter',
          queries: [query('reading')],
          routes: [{ method: 'GET', path: '/m', target: 'nothing', description: '' }],
        },
      ],
      [
        'a route to a message of another module',
        { name: 'meter', routes: [{ method: 'POST', path: '/m', target: 'bank/send', description: '' }] },
      ],
    ];
    for (const [what, module] of cases)
      expect(build(module), what).toThrow(expect.objectContaining({ code: 'APP_BAD_MODULE' }));
    expect(build({ name: 'bank' }), 'two modules named bank').toThrow(
      expect.objectContaining({ code: 'APP_BAD_MODULE' }),
    );
  });
});
