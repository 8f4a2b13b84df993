import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

const COLOURS = ['#2563eb', '#d97706', '#059669'];
const HEIGHT = 260;

/**
 * A line chart of figures by period, drawn by uPlot (ADR 0102). Only the Reports page imports this
 * file, and the page is loaded on demand: uPlot is not part of the inbox's first load. The canvas
 * is an image to assistive technology; the table below it carries the same figures.
 */
export function ReportChart({
  periods,
  series,
  description,
}: {
  periods: string[];
  series: ChartSeries[];
  description: string;
}) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const width = () => Math.max(320, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: HEIGHT,
        // Room on the right for the last period's label.
        padding: [12, 48, 0, 0],
        scales: { x: { time: false } },
        legend: { show: true },
        series: [
          { label: 'Period', value: (_u, i: number | null) => (i === null ? '' : (periods[i] ?? '')) },
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            points: { show: true, size: 6 },
            spanGaps: false,
          })),
        ],
        axes: [
          {
            // Periods are evenly spaced: index on x, the period's name as its label.
            values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (periods[i] ?? '') : '')),
            incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
          },
          {},
        ],
      },
      [periods.map((_, i) => i), ...series.map((s) => s.values)],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [periods, series]);

  return (
    <div ref={host} className="report-chart" role="img" aria-label={description} data-testid="report-chart" />
  );
}
