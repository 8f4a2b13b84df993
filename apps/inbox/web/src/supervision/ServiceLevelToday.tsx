import { useEffect, useState } from 'react';
import type { ReportView } from '@switchboard/contracts';
import type { ReportCatalogView } from '@switchboard/inbox-http-api';
import { type QueueView, api, query } from '../api.js';
import { addDays, todayIn } from '../reports/report-range.js';
import { nearestTarget } from './service-level-target.js';

const REFRESH_MS = 60_000;

interface Row {
  queueId: string;
  name: string;
  percent: number | null;
  answered: number;
  abandoned: number;
  /** The target the figure is counted at: the store's nearest to the queue's own. */
  withinSeconds: number;
  targetPercent: number;
}

/**
 * Each queue's service level since midnight on the workspace's clock, from the reporting store:
 * answered within the target ÷ (answered + abandoned) (docs/reports.md). Read again every minute:
 * the store follows the log within seconds, a day's percentage moves slowly.
 */
export function ServiceLevelToday() {
  const [refresh, setRefresh] = useState(0);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    void (async () => {
      try {
        const [catalog, { queues }] = await Promise.all([
          api<ReportCatalogView>('GET', '/reports/catalog'),
          api<{ queues: QueueView[] }>('GET', '/queues'),
        ]);
        const from = todayIn(catalog.timeZone);
        const targets = [
          ...new Set(
            queues.map((q) => nearestTarget(q.serviceLevel.withinSeconds, catalog.serviceLevelTargets)),
          ),
        ];
        const views = await Promise.all(
          targets.map((target) =>
            api<ReportView>(
              'GET',
              `/reports${query({
                metrics: 'service_level_percent,answered,abandoned',
                dimension: 'queue',
                from,
                to: addDays(from, 1),
                serviceLevelTarget: String(target),
              })}`,
            ).then((view) => [target, view] as const),
          ),
        );
        const byTarget = new Map(views);
        if (stale) return;
        setRows(
          queues.map((q) => {
            const withinSeconds = nearestTarget(q.serviceLevel.withinSeconds, catalog.serviceLevelTargets);
            const values = byTarget.get(withinSeconds)?.rows.find((r) => r.key === q.id)?.values ?? {};
            return {
              queueId: q.id,
              name: q.name,
              percent: values.service_level_percent ?? null,
              answered: values.answered ?? 0,
              abandoned: values.abandoned ?? 0,
              withinSeconds,
              targetPercent: q.serviceLevel.targetPercent,
            };
          }),
        );
        setNote(null);
      } catch (e) {
        if (!stale) setNote((e as Error).message);
      }
    })();
    const timer = window.setTimeout(() => setRefresh((n) => n + 1), REFRESH_MS);
    return () => {
      stale = true;
      window.clearTimeout(timer);
    };
  }, [refresh]);

  return (
    <section aria-labelledby="service-level-today">
      <h2 id="service-level-today">Service level today</h2>
      {note && <p className="hint">Reports unavailable: {note}</p>}
      {rows && rows.length === 0 && <p className="empty">No queues yet.</p>}
      {rows && rows.length > 0 && (
        <table aria-label="Service level today">
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Service level</th>
              <th scope="col">Answered / abandoned</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.queueId}>
                <th scope="row">{r.name}</th>
                <td>
                  {r.percent === null ? '—' : `${Math.round(r.percent * 10) / 10}%`} within {r.withinSeconds}s
                  (target {r.targetPercent}%)
                </td>
                <td>
                  {r.answered} / {r.abandoned}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
