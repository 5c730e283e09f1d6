import { type Figure, meetsTarget, type Row, type SuiteResult } from '../report.js';

/**
 * A suite's result as Markdown: the environment, the headline figures next to the paper's and
 * Joule's targets, the detailed rows, and links to the plots. Columns are padded so the text reads
 * as a table in a terminal too.
 */
export function markdown(result: SuiteResult, environment: Row, plotFiles: readonly string[] = []): string {
  const parts = [
    `# ${result.suite}`,
    Object.entries(environment)
      .map(([k, v]) => `${k}=${escapeCell(String(v))}`)
      .join(' · '),
  ];
  if (result.figures !== undefined && result.figures.length > 0)
    parts.push('## Figures', figureTable(result.figures));
  if (result.rows.length > 0) parts.push('## Measurements', ...rowTables(result.rows));
  if (plotFiles.length > 0) parts.push('## Plots', plotFiles.map((f) => `![${f}](${f})`).join('\n\n'));
  return `${parts.join('\n\n')}\n`;
}

/** | figure | paper | Joule target | measured | ✓/✗ | — the mark is `—` without a target or a measurement. */
export function figureTable(figures: readonly Figure[]): string {
  return table(
    ['figure', 'paper', 'Joule target', 'measured', '✓/✗'],
    figures.map((f) => {
      const ok = meetsTarget(f);
      const measured = f.measured === null ? 'not measured' : `${formatNumber(f.measured)} ${f.unit}`;
      return [
        f.name,
        f.paper ?? '—',
        f.target?.text ?? '—',
        f.note === undefined ? measured : `${measured} (${f.note})`,
        ok === null ? '—' : ok ? '✓' : '✗',
      ];
    }),
  );
}

/** Rows as tables: a new table starts wherever the set of columns changes. */
export function rowTables(rows: readonly Row[]): string[] {
  const tables: string[] = [];
  let group: Row[] = [];
  let columns: string[] = [];
  const flush = () => {
    if (group.length > 0)
      tables.push(
        table(
          columns,
          group.map((row) => columns.map((c) => format(row[c]))),
        ),
      );
    group = [];
  };
  for (const row of rows) {
    const keys = Object.keys(row);
    if (keys.join('\u0000') !== columns.join('\u0000')) {
      flush();
      columns = keys;
    }
    group.push(row);
  }
  flush();
  return tables;
}

export function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  const cells = [header, ...body].map((r) => header.map((_, i) => escapeCell(r[i] ?? '')));
  const widths = header.map((_, i) => Math.max(3, ...cells.map((r) => width(r[i] ?? ''))));
  const line = (r: readonly string[]) =>
    `| ${r.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - width(c))).join(' | ')} |`;
  const [head, ...rest] = cells;
  return [line(head ?? []), line(widths.map((w) => '-'.repeat(w))), ...rest.map(line)].join('\n');
}

/** A table cell: `|` escaped, line breaks folded, so no value can break the table. */
export function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Thousands grouped with a space, three significant digits below 100, so figures read at a glance. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 100 || Number.isInteger(n))
    return Math.round(n)
      .toString()
      .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return String(Number(n.toPrecision(3)));
}

function format(value: string | number | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? String(value) : value;
}

function width(text: string): number {
  return [...text].length;
}
