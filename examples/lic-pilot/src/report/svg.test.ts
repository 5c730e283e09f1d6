import { describe, expect, it } from 'vitest';
import { dots, line, niceDomain, niceTicks, plotArea, svgElement, svgWidth, tickDecimals } from './svg.js';

describe('svg', () => {
  it('picks 1-2-5 ticks free of float noise', () => {
    expect(niceTicks(-1, 1, 8), 'GDI axis').toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(0, 0.3, 3), 'tenths').toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceDomain(0, 23.1), 'price axis').toEqual([0, 25]);
    expect(niceDomain(5, 5), 'empty span').toEqual([5, 6]);
    expect(tickDecimals(-1, 1, 8), 'half steps').toBe(1);
    expect(tickDecimals(0, 0.05, 5), 'hundredths').toBe(2);
    expect(tickDecimals(0, 400), 'hundreds').toBe(0);
  });

  it('breaks lines on missing points and draws dots as one path', () => {
    const p = plotArea(120, 120, { top: 10, right: 10, bottom: 10, left: 10 }, [0, 10], [0, 10]);
    expect(line(p, [[0, 0], [10, 10], null, [5, 5]], { color: '#000' }), 'two runs').toContain(
      'd="M10 110L110 10M60 60"',
    );
    expect(line(p, [null], { color: '#000' }), 'nothing to draw').toBe('');
    expect(
      dots(
        p,
        [
          [0, 10],
          [10, 0],
        ],
        { color: '#000', radius: 2 },
      ),
      'dots',
    ).toContain('d="M10 10h0M110 110h0"');
  });

  it('reads back the width of its own svg', () => {
    expect(svgWidth(svgElement(346, 400, 'x', [])), 'width').toBe(346);
  });
});
