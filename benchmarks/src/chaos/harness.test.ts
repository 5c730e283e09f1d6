import { describe, expect, it } from 'vitest';
import { refusal } from './harness.js';

describe('refusal', () => {
  it('quotes the line of a refused start that names an error code', () => {
    const tail = [
      '{"level":"warn","msg":"dial of persistent peer failed"}',
      '{"level":"fatal","code":"WAL_CORRUPT","msg":"WAL segment /h/data/wal/wal-000001.log is corrupt at offset 12"}',
      '',
      'exit',
    ].join('\n');
    expect(refusal(tail)).toContain('WAL_CORRUPT');
  });

  it('falls back to the last line, and says when there is no log', () => {
    expect(refusal('starting\nkilled\n')).toBe('killed');
    expect(refusal('')).toBe('no log');
  });
});
