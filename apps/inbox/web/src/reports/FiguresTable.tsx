import type { ReportMetric, ReportRow } from '@switchboard/contracts';
import { type CsvCell, toCsv } from './report-csv.js';

export interface MetricColumn {
  metric: ReportMetric;
  label: string;
  unit: 'count' | 'seconds' | 'percent' | 'ratio';
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function shown(value: number | null | undefined, unit: MetricColumn['unit']): string {
  if (value === null || value === undefined) return '—';
  switch (unit) {
    case 'count':
      return String(value);
    case 'percent':
      return `${Math.round(value * 10) / 10}%`;
    case 'ratio':
      return String(Math.round(value * 100) / 100);
    case 'seconds':
      return duration(value);
  }
}

/** What a CSV cell of a figure holds: the raw number, rounded to what is meaningful. */
function csvFigure(value: number | null | undefined): CsvCell {
  return value === null || value === undefined ? null : Math.round(value * 100) / 100;
}

/** A table of figures as CSV: the first column's header and names, then one column per figure. */
export function figuresCsv(
  header: string,
  columns: readonly MetricColumn[],
  rows: readonly ReportRow[],
  rowName: (key: string) => string,
): string {
  return toCsv(
    [header, ...columns.map((c) => (c.unit === 'seconds' ? `${c.label} (s)` : c.label))],
    rows.map((r) => [rowName(r.key), ...columns.map((c) => csvFigure(r.values[c.metric]))]),
  );
}

/** One row per period or agent (named in the row's header cell), one column per figure. */
export function FiguresTable({
  name,
  header,
  columns,
  rows,
  rowName,
}: {
  /** The table's accessible name. */
  name: string;
  header: string;
  columns: readonly MetricColumn[];
  rows: readonly ReportRow[];
  rowName: (key: string) => string;
}) {
  return (
    <div className="table-scroll">
      <table aria-label={name}>
        <thead>
          <tr>
            <th scope="col">{header}</th>
            {columns.map((c) => (
              <th scope="col" key={c.metric}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{rowName(r.key)}</th>
              {columns.map((c) => (
                <td key={c.metric}>{shown(r.values[c.metric], c.unit)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
