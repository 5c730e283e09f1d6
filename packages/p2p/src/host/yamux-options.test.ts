import { describe, expect, it } from 'vitest';
import { yamuxInitialStreamWindowBytes } from '../constants.js';
import { yamuxOptions } from './host.js';

describe('yamux options', () => {
  it("a window that cannot grow (a board's) goes without yamux's keep-alive ping", () => {
    const board = yamuxOptions(yamuxInitialStreamWindowBytes);
    expect(board.enableKeepAlive, 'no round trip is needed').toBe(false);
    expect(board.streamOptions?.maxStreamWindowSize).toBe(yamuxInitialStreamWindowBytes);
    // A smaller cap is raised to the protocol's initial window: still no growth, still no ping.
    expect(yamuxOptions(64 * 1024).enableKeepAlive).toBe(false);
  });

  it('a window that may grow keeps the ping whose round trip grows it', () => {
    const grows = yamuxOptions(4 * yamuxInitialStreamWindowBytes);
    expect(grows.enableKeepAlive, "yamux's default (on)").toBeUndefined();
    expect(grows.streamOptions?.maxStreamWindowSize).toBe(4 * yamuxInitialStreamWindowBytes);
    expect(yamuxOptions(undefined), "yamux's defaults").toEqual({});
  });
});
