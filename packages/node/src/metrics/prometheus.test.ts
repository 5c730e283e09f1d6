import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from './prometheus.js';

describe('the Prometheus text format', () => {
  it('renders gauges, labelled counters and cumulative histograms as Prometheus parses them', async () => {
    const registers = [new Registry()];
    let reads = 0;
    new Gauge({
      name: 'g',
      help: 'a gauge\nover two lines',
      registers,
      collect() {
        reads++;
        this.set(2.5);
      },
    });
    const c = new Counter({ name: 'c_total', help: 'a counter', labelNames: ['peer'], registers });
    c.inc({ peer: 'a"b\\c' });
    c.inc({ peer: 'a"b\\c' }, 2);
    c.inc({ peer: 'x' });
    const h = new Histogram({ name: 'h', help: 'a histogram', buckets: [5, 1], registers });
    for (const v of [0.5, 1, 3, 9]) h.observe(v);
    const text = await (registers[0] as Registry).metrics();
    expect(reads, 'collect runs on each rendering').toBe(1);
    expect(text).toBe(
      [
        '# HELP g a gauge\\nover two lines',
        '# TYPE g gauge',
        'g 2.5',
        '# HELP c_total a counter',
        '# TYPE c_total counter',
        'c_total{peer="a\\"b\\\\c"} 3',
        'c_total{peer="x"} 1',
        '# HELP h a histogram',
        '# TYPE h histogram',
        'h_bucket{le="1"} 2',
        'h_bucket{le="5"} 3',
        'h_bucket{le="+Inf"} 4',
        'h_sum 13.5',
        'h_count 4',
        '',
      ].join('\n'),
    );
  });

  it('shows an unlabelled metric never set as 0, and a labelled one without series', async () => {
    const registers = [new Registry()];
    new Counter({ name: 'n_total', help: 'n', registers });
    new Gauge({ name: 'l', help: 'l', labelNames: ['stat'], registers });
    const text = await (registers[0] as Registry).metrics();
    expect(text).toContain('n_total 0\n');
    expect(text).not.toMatch(/^l /m);
  });
});
