import { useEffect, useId, useMemo, useState } from 'react';
import type { ReportMetric, ReportRow, ReportView } from '@switchboard/contracts';
import type { ReportCatalogView } from '@switchboard/inbox-http-api';
import { type AgentView, type Channel, type QueueView, api, query } from '../api.js';
import { CHANNEL_LABEL } from '../format.js';
import { type ChartSeries, ReportChart } from './ReportChart.js';
import { type CsvCell, toCsv } from './report-csv.js';
import { addDays, reportRange, todayIn } from './report-range.js';
import './reports.css';

type Granularity = 'hour' | 'day' | 'week';
type Time = 'calendar' | 'business';

interface MetricColumn {
  metric: ReportMetric;
  label: string;
  unit: 'count' | 'seconds' | 'percent' | 'ratio';
}

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
const CHANNELS = Object.keys(CHANNEL_LABEL) as Channel[];

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

function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** What a CSV cell of a figure holds: the raw number, rounded to what is meaningful. */
function csvFigure(value: number | null | undefined): CsvCell {
  return value === null || value === undefined ? null : Math.round(value * 100) / 100;
}

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
 * days by hour, day or week, in calendar time or business hours, filtered by queue and channel
 * (conversation and queue figures) or agent (agent figures); a chart of one figure, the tables of
 * all of them, and each table as CSV. Loaded on demand, with its chart library (ADR 0102).
 */
export function ReportsPage() {
  const ids = useId();
  const [catalog, setCatalog] = useState<ReportCatalogView | null>(null);
  const [queues, setQueues] = useState<QueueView[]>([]);
  const [agents, setAgents] = useState<AgentView[]>([]);
  const [firstDay, setFirstDay] = useState('');
  const [lastDay, setLastDay] = useState('');
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [time, setTime] = useState<Time>('calendar');
  const [queueId, setQueueId] = useState('');
  const [channel, setChannel] = useState('');
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
      const [byPeriod, byAgent] = await Promise.all([
        api<ReportView>(
          'GET',
          `/reports${query({
            metrics: PERIOD_COLUMNS.map((c) => c.metric).join(','),
            dimension: granularity,
            ...range,
            time,
            queueId,
            channel,
          })}`,
        ),
        api<ReportView>(
          'GET',
          `/reports${query({
            metrics: AGENT_COLUMNS.map((c) => c.metric).join(','),
            dimension: 'agent',
            ...range,
            time,
            agentId,
          })}`,
        ),
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

  const exportPeriods = () =>
    download(
      `report-${granularity}-${firstDay}-${lastDay}-${time}.csv`,
      toCsv(
        [periodHeader, ...PERIOD_COLUMNS.map((c) => (c.unit === 'seconds' ? `${c.label} (s)` : c.label))],
        rows.map((r) => [r.key, ...PERIOD_COLUMNS.map((c) => csvFigure(r.values[c.metric]))]),
      ),
    );
  const exportAgents = () =>
    download(
      `report-agents-${firstDay}-${lastDay}-${time}.csv`,
      toCsv(
        ['Agent', ...AGENT_COLUMNS.map((c) => (c.unit === 'seconds' ? `${c.label} (s)` : c.label))],
        agentRows.map((r) => [agentName(r.key), ...AGENT_COLUMNS.map((c) => csvFigure(r.values[c.metric]))]),
      ),
    );

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
        <label>
          Granularity
          <select
            aria-label="Granularity"
            value={granularity}
            onChange={(e) => setGranularity(e.target.value as Granularity)}
          >
            <option value="hour">Hour</option>
            <option value="day">Day</option>
            <option value="week">Week</option>
          </select>
        </label>
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
        <label>
          Queue
          <select aria-label="Queue" value={queueId} onChange={(e) => setQueueId(e.target.value)}>
            <option value="">All queues</option>
            {queues.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Channel
          <select aria-label="Channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
            <option value="">All channels</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_LABEL[c]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Agent
          <select aria-label="Agent" value={agentId} onChange={(e) => setAgentId(e.target.value)}>
            <option value="">All agents</option>
            {agents.map((a) => (
              <option key={a.agentId} value={a.agentId}>
                {a.displayName}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy || !catalog}>
          {busy ? 'Loading…' : 'Show report'}
        </button>
      </form>
      <p className="hint">
        Conversation and queue figures count conversations by the hour they were created in, on the
        workspace’s clock ({zone || '…'}); queue and channel filter them, the agent filter applies to the
        agents’ figures.
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
              No conversations in this range{queueId || channel ? ' with these filters' : ''}.
            </p>
          ) : (
            <>
              <div className="report-chart-controls">
                <label>
                  Chart
                  <select
                    aria-label="Chart"
                    value={chartMetric}
                    onChange={(e) => setChartMetric(e.target.value as ReportMetric)}
                  >
                    {PERIOD_COLUMNS.map((c) => (
                      <option key={c.metric} value={c.metric}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="button" onClick={exportPeriods}>
                  Download CSV
                </button>
              </div>
              <ReportChart
                periods={chart.keys}
                series={chart.series}
                description={`${chartColumn.label} by ${granularity}, ${rows.length} periods; the table below gives every figure.`}
              />
              <div className="table-scroll">
                <table aria-label={`Figures by ${granularity}`}>
                  <thead>
                    <tr>
                      <th scope="col">{periodHeader}</th>
                      {PERIOD_COLUMNS.map((c) => (
                        <th scope="col" key={c.metric}>
                          {c.label}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.key}>
                        <th scope="row">{r.key}</th>
                        {PERIOD_COLUMNS.map((c) => (
                          <td key={c.metric}>{shown(r.values[c.metric], c.unit)}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
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
              <button type="button" onClick={exportAgents}>
                Download agents CSV
              </button>
              <div className="table-scroll">
                <table aria-label="Figures by agent">
                  <thead>
                    <tr>
                      <th scope="col">Agent</th>
                      {AGENT_COLUMNS.map((c) => (
                        <th scope="col" key={c.metric}>
                          {c.label}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {agentRows.map((r) => (
                      <tr key={r.key}>
                        <th scope="row">{agentName(r.key)}</th>
                        {AGENT_COLUMNS.map((c) => (
                          <td key={c.metric}>{shown(r.values[c.metric], c.unit)}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </section>
      )}
    </main>
  );
}
