import { describe, expect, it } from 'vitest';
import { fixtureReport } from './fixture.js';
import { renderReportHtml } from './html.js';
import type { PilotReport } from './types.js';

/** Plots on the page: prices vs GDI, GDI histogram, mean day, days, savings, RSS, CPU. */
const plots = 7;

const count = (html: string, needle: string): number => html.split(needle).length - 1;

describe('renderReportHtml', () => {
  const report = fixtureReport();
  const html = renderReportHtml(report);

  it('is one self-contained page: no script, no URL, no external resource', () => {
    expect(html.startsWith('<!doctype html>'), 'doctype').toBe(true);
    for (const banned of ['http', 'src=', '<script', 'url(', '@import', '<link', 'href=']) {
      expect(html.toLowerCase().includes(banned), `contains ${banned}`).toBe(false);
    }
  });

  it('has one <svg> per plot and no broken numbers', () => {
    expect(count(html, '<svg'), 'svg elements').toBe(plots);
    expect(count(html, '</svg>'), 'closed svg elements').toBe(plots);
    for (const bad of ['NaN', 'Infinity', 'undefined', '[object']) {
      expect(html.includes(bad), `contains ${bad}`).toBe(false);
    }
  });

  it('shows the key figures and every meter', () => {
    expect(html, 'title').toContain('Joule — Lugaggia Innovation Community');
    expect(html, 'audit sentence').toContain("equals the chain's receipt to the uECT");
    expect(html, 'invariant').toContain('✓ holds');
    for (const h of report.houses) expect(html, h.meterId).toContain(`>${h.meterId}<`);
    const peak = Math.max(...report.resources.map((n) => n.peakRssMb));
    expect(html, 'the back-fill: its posting time and the peak RSS, against the targets').toContain(
      `posted and in blocks in 6 min 43 s (target ≤ 60 s ✗), peak RSS ${peak.toFixed(1)} MB on the busiest node (target ≤ 128 MB on every node ${peak <= 128 ? '✓' : '✗'})`,
    );
    const met = fixtureReport();
    const fast = renderReportHtml({
      ...met,
      chain: { ...met.chain, phases: { ...met.chain.phases, post: 21 } },
    });
    expect(fast, 'a back-fill within its target').toContain(
      'posted and in blocks in 21.0 s (target ≤ 60 s ✓)',
    );
  });

  it('escapes a hostile meter id everywhere', () => {
    const hostile = '<img onerror=x>"\'&';
    const page = renderReportHtml(fixtureReport({ days: 2, firstMeterId: hostile }));
    expect(page.includes('<img'), 'raw tag').toBe(false);
    expect(page, 'escaped id').toContain('&#60;img onerror=x&#62;&#34;&#39;&#38;');
  });

  it('handles slots without buyer or seller and a run without resource samples', () => {
    const base = fixtureReport({ days: 1, nodes: 0 });
    const n = base.slots.pb.length;
    const empty: PilotReport = {
      ...base,
      slots: {
        ...base.slots,
        pb: new Array(n).fill(null),
        ps: new Array(n).fill(null),
        gdi: new Array(n).fill(null),
      },
      resources: [],
    };
    const page = renderReportHtml(empty);
    expect(count(page, '<svg'), 'svg elements').toBe(plots);
    expect(page, 'empty price plot').toContain('no slot with energy');
    expect(page, 'empty resource plots').toContain('no resource samples in this run');
    for (const bad of ['NaN', 'Infinity', 'undefined'])
      expect(page.includes(bad), `contains ${bad}`).toBe(false);
  });

  it('marks a failed audit and a broken invariant', () => {
    const bad: PilotReport = {
      ...report,
      audit: { ...report.audit, adminEqual: false, matches: false },
      community: { ...report.community, invariantUect: '-3', invariantHolds: false },
    };
    const page = renderReportHtml(bad);
    expect(page, 'audit').toContain('✗ differs');
    expect(page, 'what differs').toContain('differs: admin margin');
    expect(page, 'invariant').toContain('✗ broken');
  });
});
