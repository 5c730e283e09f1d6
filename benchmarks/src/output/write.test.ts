import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { figure, type SuiteResult, targets } from '../report.js';
import { defaultResultsDir, plotsOf, writeResults } from './write.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('writeResults', () => {
  it('writes the JSON with the environment, the Markdown and one SVG per plot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'joule-bench-write-'));
    dirs.push(dir);
    const result: SuiteResult = {
      suite: 'lic',
      rows: [{ name: 'x', v: 1 }],
      figures: [figure(targets.cpu, 0.4)],
      series: [
        {
          name: 'v1',
          plot: 'memory',
          unit: 'MB',
          points: [
            [0, 40],
            [1, 41],
          ],
          group: 'validator',
        },
        {
          name: 'n1',
          plot: 'memory',
          unit: 'MB',
          points: [
            [0, 38],
            [1, 38],
          ],
          group: 'non-validator',
        },
        { name: 'v1', plot: 'cpu', unit: '%', points: [[0, 0.5]] },
      ],
      plots: { cpu: { title: 'CPU per node' } },
    };
    const written = writeResults(dir, result, { node: 'test' });
    expect(readdirSync(dir).sort(), 'files').toEqual(['lic-cpu.svg', 'lic-memory.svg', 'lic.json', 'lic.md']);
    expect(written.files.length, 'files reported').toBe(4);
    const json = JSON.parse(readFileSync(join(dir, 'lic.json'), 'utf8'));
    expect(json.environment, 'environment').toEqual({ node: 'test' });
    expect(json.figures[0].meetsTarget, 'the check is recorded').toBe(true);
    expect(json.series[0].points, 'points round-trip').toEqual([
      [0, 40],
      [1, 41],
    ]);
    expect(readFileSync(join(dir, 'lic-cpu.svg'), 'utf8'), 'plot title').toContain('CPU per node');
    expect(readFileSync(join(dir, 'lic.md'), 'utf8'), 'plot link').toContain('(lic-memory.svg)');
  });

  it('resolves the default directory from the package, not the cwd', () => {
    expect(defaultResultsDir.replace(/\\/g, '/'), 'benchmarks/results').toMatch(/\/benchmarks\/results\/?$/);
  });

  it('refuses a plot that mixes units', () => {
    expect(() =>
      plotsOf([
        { name: 'a', plot: 'memory', unit: 'MB', points: [] },
        { name: 'b', plot: 'memory', unit: '%', points: [] },
      ]),
    ).toThrow(/mixes units/);
  });
});
