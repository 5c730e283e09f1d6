import { describe, expect, it } from 'vitest';
import { profiles } from './constants.js';

/**
 * What wakes an idle board node: every timer of the board profile, with the period below which it
 * would cost a board more than its share of idle CPU (measured on an idle board network: each
 * network round per connection costs ~0.5-1 ms of CPU on a Node that idles in baseline code).
 */
describe('the board profile keeps an idle node asleep', () => {
  const t = profiles.board.timers;

  it("pings each connection no more often than CometBFT's MConnection (60 s)", () => {
    expect(t.pingIntervalMs).toBeGreaterThanOrEqual(60_000);
  });

  it('polls and re-gossips no more often than the server profile, and samples the event loop once a second', () => {
    const server = profiles.server.timers;
    expect(t.blockSyncPollMs).toBeGreaterThanOrEqual(30_000);
    expect(t.mempoolRegossipMs).toBeGreaterThanOrEqual(server.mempoolRegossipMs);
    expect(t.rebroadcastMs).toBeGreaterThanOrEqual(server.rebroadcastMs);
    expect(t.eventLoopSampleMs).toBeGreaterThanOrEqual(1_000);
  });
});
