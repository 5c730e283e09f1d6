import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environment, meetsTarget, type Row, type Series, type SuiteResult } from '../report.js';
import { markdown } from './markdown.js';
import { linePlot } from './svg.js';

/** `benchmarks/results/`, found from this file (src/output or dist/output), not from the cwd. */
export const defaultResultsDir: string = fileURLToPath(new URL('../../results/', import.meta.url));

const defaultTitles: Record<string, string> = {
  memory: 'memory (RSS) over time',
  cpu: 'CPU over time',
  network: 'network traffic over time',
};

export interface Written {
  readonly files: readonly string[];
  /** The Markdown that was written, to print. */
  readonly markdown: string;
}

/**
 * Writes `<suite>.json` (result, environment, and whether each figure meets its target),
 * `<suite>.md` and one `<suite>-<plot>.svg` per plot named by the series.
 */
export function writeResults(dir: string, result: SuiteResult, env: Row = environment()): Written {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const put = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    files.push(file);
  };

  const svgs = [...plotsOf(result.series ?? [])].map(([plot, series]) => ({
    name: `${result.suite}-${plot}.svg`,
    text: linePlot({
      title: result.plots?.[plot]?.title ?? defaultTitles[plot] ?? plot,
      unit: series[0]?.unit ?? '',
      series,
    }),
  }));
  put(`${result.suite}.json`, resultJson(result, env));
  const md = markdown(
    result,
    env,
    svgs.map((s) => s.name),
  );
  put(`${result.suite}.md`, md);
  for (const svg of svgs) put(svg.name, svg.text);
  return { files, markdown: md };
}

/**
 * The result as JSON, indented, except that each series' points stay on one line (a day sampled
 * every second would otherwise take 4 lines a point). Figures gain `meetsTarget`.
 */
export function resultJson(result: SuiteResult, env: Row): string {
  const series = result.series ?? [];
  const json = {
    suite: result.suite,
    environment: env,
    figures: (result.figures ?? []).map((f) => ({ ...f, meetsTarget: meetsTarget(f) })),
    rows: result.rows,
    series: series.map((s, i) => ({ ...s, points: `\u0000points:${i}` })),
    plots: result.plots ?? {},
  };
  const text = JSON.stringify(json, null, 2).replace(/"\\u0000points:(\d+)"/g, (_, i: string) =>
    JSON.stringify(series[Number(i)]?.points ?? []),
  );
  return `${text}\n`;
}

/** Series grouped by plot, in order of first appearance; a plot's series must share one unit. */
export function plotsOf(series: readonly Series[]): Map<string, Series[]> {
  const plots = new Map<string, Series[]>();
  for (const s of series) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(s.plot))
      throw new Error(`plot id "${s.plot}" of series "${s.name}" must be lowercase letters, digits and -`);
    const group = plots.get(s.plot) ?? [];
    const unit = group[0]?.unit;
    if (unit !== undefined && unit !== s.unit)
      throw new Error(`plot "${s.plot}" mixes units "${unit}" and "${s.unit}" (series "${s.name}")`);
    group.push(s);
    plots.set(s.plot, group);
  }
  return plots;
}
