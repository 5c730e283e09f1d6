import { describe, expect, it } from 'vitest';
import type { Point, Series } from '../report.js';
import { domain, linePlot, thin } from './svg.js';

const series = (name: string, points: Point[], group?: Series['group']): Series =>
  group === undefined
    ? { name, plot: 'memory', unit: 'MB', points }
    : { name, plot: 'memory', unit: 'MB', points, group };

/** The numbers in every `points`, `x`, `y`, `x1`… attribute. */
function numbers(svg: string): string[] {
  return [...svg.matchAll(/ (?:points|x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g)].flatMap((m) =>
    (m[1] ?? '').split(/[ ,]+/).filter((s) => s !== '' && s !== '100%'),
  );
}

describe('linePlot', () => {
  const day = Array.from({ length: 97 }, (_, i): Point => [i * 900, 40 + (i % 4 === 0 ? 5 : 0)]);
  const svg = linePlot({
    title: 'RSS <per node> & more',
    unit: 'MB',
    series: [
      series('validator 1', day, 'validator'),
      series('node 5', day, 'non-validator'),
      series('x', []),
    ],
  });

  it('is one well-formed <svg> element', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), 'opens with <svg').toBe(true);
    expect(svg.trimEnd().endsWith('</svg>'), 'closes with </svg>').toBe(true);
    expect(svg.match(/<svg[ >]/g)?.length, 'one svg element').toBe(1);
    const tags = [...svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)];
    const stack: string[] = [];
    for (const [, close, tag, selfClosing] of tags) {
      if (selfClosing === '/') continue;
      if (close === '/') expect(stack.pop(), `closing </${tag}>`).toBe(tag);
      else stack.push(tag ?? '');
    }
    expect(stack, 'every element closed').toEqual([]);
    expect(svg, 'title escaped').toContain('RSS &lt;per node&gt; &amp; more');
  });

  it('draws one polyline per series, validators solid and non-validators dashed', () => {
    const lines = svg.match(/<polyline [^>]*>/g) ?? [];
    expect(lines.length, 'three series').toBe(3);
    expect(lines[0], 'validator solid').not.toContain('stroke-dasharray');
    expect(lines[1], 'non-validator dashed').toContain('stroke-dasharray');
  });

  it('has axes with units and ticks, and no NaN or Infinity', () => {
    expect(svg, 'y unit').toContain('>MB</text>');
    expect(svg, 'x unit: a day is in hours').toContain('time (h)');
    expect(svg, 'NaN').not.toMatch(/NaN|Infinity/);
    for (const v of numbers(svg)) expect(Number.isFinite(Number(v)), `attribute value ${v}`).toBe(true);
  });

  it('drops non-finite points and survives empty and constant series', () => {
    const odd = linePlot({
      title: 't',
      unit: '%',
      series: [
        series('nan', [
          [0, Number.NaN],
          [1, 3],
          [Number.POSITIVE_INFINITY, 2],
          [2, 3],
        ]),
        series('empty', []),
      ],
    });
    expect(odd, 'NaN').not.toMatch(/NaN|Infinity/);
    expect(odd.match(/<polyline /g)?.length, 'two series').toBe(2);
    const none = linePlot({ title: 'nothing', unit: 'B/s', series: [] });
    expect(none, 'empty plot').not.toMatch(/NaN|Infinity/);
  });
});

describe('domain and thin', () => {
  it('rounds a domain out to nice ticks from zero', () => {
    const d = domain([3, 47.5], true);
    expect([d.min, d.max], 'min, max').toEqual([0, 50]);
    expect(d.ticks, 'ticks').toEqual([0, 10, 20, 30, 40, 50]);
  });

  it('ends a time axis at the data, with ticks inside it', () => {
    const d = domain([0, 24], false, false);
    expect([d.min, d.max], 'min, max').toEqual([0, 24]);
    expect(d.ticks, 'ticks').toEqual([0, 5, 10, 15, 20]);
  });

  it('keeps each bucket’s minimum and maximum, so peaks survive', () => {
    const points = Array.from({ length: 10_000 }, (_, i): Point => [i, i === 5_003 ? 100 : 1]);
    const thinned = thin(points, 100);
    expect(thinned.length <= 200, `at most two points a column, got ${thinned.length}`).toBe(true);
    expect(
      thinned.some((p) => p[1] === 100),
      'the peak',
    ).toBe(true);
    expect(
      thinned.every((p, i) => i === 0 || (thinned[i - 1]?.[0] ?? 0) <= p[0]),
      'time order',
    ).toBe(true);
  });
});

describe('linePlot marks', () => {
  it('draws a series styled as marks as one vertical line per point, not as a polyline', () => {
    const svg = linePlot({
      title: 'heights',
      unit: 'height',
      series: [
        {
          name: 'node0',
          plot: 'heights',
          unit: 'height',
          points: [
            [0, 1],
            [10, 20],
          ],
        },
        {
          name: 'fault',
          plot: 'heights',
          unit: 'height',
          points: [
            [2, 0],
            [7, 0],
          ],
          style: { marks: true },
        },
      ],
    });
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<line [^>]*stroke-opacity="0.5"><title>fault<\/title>/g)).toHaveLength(2);
  });
});
