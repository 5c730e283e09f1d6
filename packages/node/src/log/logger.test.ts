import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLoggers } from './logger.js';

describe('createLoggers', () => {
  it('writes JSON lines with the level name, the module and an ISO 8601 UTC time', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write: (chunk, _e, cb) => {
        lines.push(String(chunk));
        cb();
      },
    });
    const loggers = await createLoggers({ level: 'info', format: 'json', modules: {} }, destination);
    const before = Date.now();
    loggers.for('api').info({ url: '/status' }, 'served');
    const after = Date.now();
    loggers.for('api').debug('below the level');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', module: 'api', url: '/status', msg: 'served' });
    const time = String(line.time);
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(new Date(Date.parse(time)).toISOString()).toBe(time);
    expect(Date.parse(time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(time)).toBeLessThanOrEqual(after);
  });
});
