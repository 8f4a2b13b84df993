import { useEffect, useId, useMemo, useState } from 'react';
import type { ReportMetric, ReportRow, ReportView } from '@switchboard/contracts';
import type { ReportCatalogView } from '@switchboard/inbox-http-api';
import { type AgentView, type Channel, type QueueView, api, query } from '../api.js';
import { CHANNEL_LABEL } from '../format.js';
import { useLabels } from '../labels.js';
import { FiguresTable, type MetricColumn, figuresCsv } from './FiguresTable.js';
import { FilterSelect } from './FilterSelect.js';
import { type ChartSeries, ReportChart } from './ReportChart.js';
import { addDays, reportRange, todayIn } from './report-range.js';
import './reports.css';

type Granularity = 'hour' | 'day' | 'week';
type Time = 'calendar' | 'business';

/** The figures by period: what a supervisor reads first (docs/reports.md defines each). */
const PERIOD_COLUMNS: MetricColumn[] = [
  { metric: 'conversations', label: 'Conversations', unit: 'count' },
  { metric: 'first_response_time', label: 'First response', unit: 'seconds' },
  { metric: 'resolution_time', label: 'Resolution time', unit: 'seconds' },
  { metric: 'resolved', label: 'Resolved', unit: 'count' },
  { metric: 'replies', label: 'Replies', unit: 'count' },
  { metric: 'reopens', label: 'Reopens', unit: 'count' },
  { metric: 'offered', label: 'Offered', unit: 'count' },
  { metric: 'answered', label: 'Answered', unit: 'count' },
  { metric: 'abandoned', label: 'Abandoned', unit: 'count' },
  { metric: 'service_level_percent', label: 'Service level', unit: 'percent' },
  { metric: 'average_speed_of_answer', label: 'Speed of answer', unit: 'seconds' },
  { metric: 'csat_average', label: 'CSAT', unit: 'ratio' },
];
const AGENT_COLUMNS: MetricColumn[] = [
  { metric: 'handled', label: 'Handled', unit: 'count' },
  { metric: 'time_online', label: 'Time online', unit: 'seconds' },
  { metric: 'concurrency_mean', label: 'Concurrency (mean)', unit: 'ratio' },
  { metric: 'concurrency_max', label: 'Concurrency (max)', unit: 'count' },
  { metric: 'occupancy_percent', label: 'Occupancy', unit: 'percent' },
];
const CHANNELS = (Object.keys(CHANNEL_LABEL) as Channel[]).map((c) => ({
  value: c,
  label: CHANNEL_LABEL[c],
}));
const GRANULARITIES: { value: Granularity; label: string }[] = [
  { value: 'hour', label: 'Hour' },
  { value: 'day', label: 'Day' },
  { value: 'week', label: 'Week' },
];
const CHART_CHOICES = PERIOD_COLUMNS.map((c) => ({ value: c.metric, label: c.label }));

function download(name: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Supervisor → Reports: figures from the reporting store (`/api/inbox/reports`) over a range of
 * days by hour, day or week, in calendar time or business hours, filtered by queue, channel and
 * label (conversation and queue figures) and by agent (both: the agent's conversations, and the
 * agent's row); a chart of one figure, the tables of all of them, and each table as CSV. Loaded on
 * demand, with its chart library (ADR 0102).
 */
export function ReportsPage() {
  const ids = useId();
  const [catalog, setCatalog] = useState<ReportCatalogView | null>(null);
  const [queues, setQueues] = useState<QueueView[]>([]);
  const [agents, setAgents] = useState<AgentView[]>([]);
  const [labels] = useLabels();
  const [firstDay, setFirstDay] = useState('');
  const [lastDay, setLastDay] = useState('');
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [time, setTime] = useState<Time>('calendar');
  const [queueId, setQueueId] = useState('');
  const [channel, setChannel] = useState('');
  const [labelId, setLabelId] = useState('');
  const [agentId, setAgentId] = useState('');
  const [chartMetric, setChartMetric] = useState<ReportMetric>('conversations');
  const [periods, setPeriods] = useState<ReportView | null>(null);
  const [agentRows, setAgentRows] = useState<ReportRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([
      api<ReportCatalogView>('GET', '/reports/catalog'),
      api<{ queues: QueueView[] }>('GET', '/queues'),
      api<{ agents: AgentView[] }>('GET', '/agents'),
    ])
      .then(([c, q, a]) => {
        setCatalog(c);
        setQueues(q.queues);
        setAgents(a.agents);
        // The last seven days on the workspace's clock.
        const today = todayIn(c.timeZone);
        setFirstDay(addDays(today, -6));
        setLastDay(today);
      })
      .catch((e: Error) => setError(e.message));
  }, []);

  const run = async () => {
    const range = reportRange(firstDay, lastDay);
    if ('error' in range) return setError(range.error);
    setBusy(true);
    try {
      const report = (columns: MetricColumn[], dimension: string, filters: Record<string, string>) =>
        api<ReportView>(
          'GET',
          `/reports${query({ metrics: columns.map((c) => c.metric).join(','), dimension, ...range, time, ...filters })}`,
        );
      const [byPeriod, byAgent] = await Promise.all([
        report(PERIOD_COLUMNS, granularity, { queueId, channel, labelId, agentId }),
        report(AGENT_COLUMNS, 'agent', { agentId }),
      ]);
      setPeriods(byPeriod);
      setAgentRows(byAgent.rows);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  // The first report as soon as the range is known; later ones when asked.
  useEffect(() => {
    if (catalog && firstDay && lastDay && periods === null) void run();
  }, [catalog]);

  const agentName = (id: string) => agents.find((a) => a.agentId === id)?.displayName ?? id;
  const chartColumn = PERIOD_COLUMNS.find((c) => c.metric === chartMetric) ?? PERIOD_COLUMNS[0]!;
  const rows = periods?.rows ?? [];
  const chart = useMemo(() => {
    const keys = rows.map((r) => r.key);
    const series: ChartSeries[] = [
      { label: chartColumn.label, values: rows.map((r) => r.values[chartColumn.metric] ?? null) },
    ];
    return { keys, series };
  }, [rows, chartColumn]);
  const zone = periods?.timeZone ?? catalog?.timeZone ?? '';
  const periodHeader = `${granularity === 'hour' ? 'Hour' : granularity === 'day' ? 'Day' : 'Week of'} (${zone})`;
  const periodName = (key: string) => key;
  // Each filter's choices: '' (the first) filters nothing.
  const filters = [
    {
      label: 'Queue',
      all: 'All queues',
      value: queueId,
      onChange: setQueueId,
      options: queues.map((q) => ({ value: q.id, label: q.name })),
    },
    { label: 'Channel', all: 'All channels', value: channel, onChange: setChannel, options: CHANNELS },
    {
      label: 'Label',
      all: 'All labels',
      value: labelId,
      onChange: setLabelId,
      options: labels.map((l) => ({ value: l.id, label: l.name })),
    },
    {
      label: 'Agent',
      all: 'All agents',
      value: agentId,
      onChange: setAgentId,
      options: agents.map((a) => ({ value: a.agentId, label: a.displayName })),
    },
  ];

  return (
    <main className="page reports-page">
      <p>
        <a href="#/supervisor">← Live view</a>
      </p>
      <h2>Reports</h2>
      <form
        className="report-filters"
        aria-label="Report filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          First day
          <input type="date" value={firstDay} onChange={(e) => setFirstDay(e.target.value)} required />
        </label>
        <label>
          Last day
          <input type="date" value={lastDay} onChange={(e) => setLastDay(e.target.value)} required />
        </label>
        <FilterSelect
          label="Granularity"
          value={granularity}
          options={GRANULARITIES}
          onChange={(v) => setGranularity(v === '' ? 'day' : v)}
        />
        <fieldset className="report-time">
          <legend>Time</legend>
          <label>
            <input
              type="radio"
              name={`${ids}-time`}
              value="calendar"
              checked={time === 'calendar'}
              onChange={() => setTime('calendar')}
            />
            Calendar
          </label>
          <label>
            <input
              type="radio"
              name={`${ids}-time`}
              value="business"
              checked={time === 'business'}
              onChange={() => setTime('business')}
            />
            Business hours
          </label>
        </fieldset>
        {filters.map((f) => (
          <FilterSelect key={f.label} {...f} />
        ))}
        <button type="submit" disabled={busy || !catalog}>
          {busy ? 'Loading…' : 'Show report'}
        </button>
      </form>
      <p className="hint">
        Conversation and queue figures count conversations by the hour they were created in, on the
        workspace’s clock ({zone || '…'}); queue, channel and label (one the conversation carries now) filter
        them, and the agent filter keeps the conversations ever assigned to that agent and that agent’s
        figures.
        {time === 'business' && ' Business hours: durations count only time inside them.'}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      {periods && (
        <section aria-labelledby={`${ids}-periods`}>
          <h3 id={`${ids}-periods`}>By {granularity}</h3>
          {rows.length === 0 ? (
            <p className="empty" data-testid="report-empty">
              No conversations in this range
              {queueId || channel || labelId || agentId ? ' with these filters' : ''}.
            </p>
          ) : (
            <>
              <div className="report-chart-controls">
                <FilterSelect
                  label="Chart"
                  value={chartMetric}
                  options={CHART_CHOICES}
                  onChange={(v) => setChartMetric(v === '' ? 'conversations' : v)}
                />
                <button
                  type="button"
                  onClick={() =>
                    download(
                      `report-${granularity}-${firstDay}-${lastDay}-${time}.csv`,
                      figuresCsv(periodHeader, PERIOD_COLUMNS, rows, periodName),
                    )
                  }
                >
                  Download CSV
                </button>
              </div>
              <ReportChart
                periods={chart.keys}
                series={chart.series}
                description={`${chartColumn.label} by ${granularity}, ${rows.length} periods; the table below gives every figure.`}
              />
              <FiguresTable
                name={`Figures by ${granularity}`}
                header={periodHeader}
                columns={PERIOD_COLUMNS}
                rows={rows}
                rowName={periodName}
              />
            </>
          )}
        </section>
      )}

      {periods && (
        <section aria-labelledby={`${ids}-agents`}>
          <h3 id={`${ids}-agents`}>Agents</h3>
          {agentRows.length === 0 ? (
            <p className="empty">No agent was online or held a conversation in this range.</p>
          ) : (
            <>
              <button
                type="button"
                onClick={() =>
                  download(
                    `report-agents-${firstDay}-${lastDay}-${time}.csv`,
                    figuresCsv('Agent', AGENT_COLUMNS, agentRows, agentName),
                  )
                }
              >
                Download agents CSV
              </button>
              <FiguresTable
                name="Figures by agent"
                header="Agent"
                columns={AGENT_COLUMNS}
                rows={agentRows}
                rowName={agentName}
              />
            </>
          )}
        </section>
      )}
    </main>
  );
}
