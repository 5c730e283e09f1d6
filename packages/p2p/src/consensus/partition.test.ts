import { afterEach, describe, expect, it } from 'vitest';
import { gridEdges, TestNet } from '../testkit/test-net.js';

let net: TestNet | null = null;
afterEach(async () => {
  await net?.stop();
  net = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('partition over loopback TCP', () => {
  it('a 2–2 split of the validators halts without forking and resumes after healing', async () => {
    // 0 1 | 2 3
    // 4 5 | 6 7   validators 0, 5 | 2, 7: cutting links 1–2 and 5–6 splits the power in half
    net = await TestNet.create({ nodes: 8, validators: [0, 2, 5, 7], edges: gridEdges(2, 4) });
    await net.start();
    await net.waitForHeight(3, 20_000);
    const cut: [number, number][] = [
      [1, 2],
      [5, 6],
    ];
    const n = net;
    const both = async (f: (a: number, b: number) => Promise<void> | void) => {
      for (const [a, b] of cut) await Promise.all([f(a, b), f(b, a)]);
    };
    await both((a, b) => n.node(a).parts?.host.ban(n.node(b).peerId, 10 * 60_000));
    await sleep(1_000); // heights already decided on one side may still land
    for (const [a, b] of cut) {
      expect(n.node(a).parts?.host.connectedPeers(), `${a} cut from ${b}`).not.toContain(n.node(b).peerId);
    }
    const top = () => Math.max(...n.nodes.map((x) => x.height()));
    const halted = top();
    await sleep(3_000);
    expect(top(), 'no height is committed while the validators are split 2–2').toBe(halted);
    let problems = await n.disagreements();
    expect(problems, problems.join('; ')).toEqual([]);

    await both((a, b) => n.node(a).parts?.host.unban(n.node(b).peerId));
    await n.waitForHeight(halted + 3, 30_000);
    problems = await n.disagreements();
    expect(problems, problems.join('; ')).toEqual([]);
  });
});
