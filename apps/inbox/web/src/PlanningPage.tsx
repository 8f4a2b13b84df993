import { useEffect, useState } from 'react';
import type {
  ArrivalHistoryView,
  QueueView,
  StaffingFiguresView,
  StaffingPlanView,
} from '@switchboard/contracts';
import { api } from './api.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Numbers from free text: "12, 40 65" → [12, 40, 65]; blanks and "-" in a schedule mean "as needed". */
function numbers(text: string): number[] {
  return text
    .split(/[\s,;]+/)
    .filter((t) => t !== '')
    .map(Number);
}

function hourLabel(hour: number, count: number): string {
  if (count <= 24) return `${String(hour).padStart(2, '0')}:00`;
  return `${DAYS[Math.floor(hour / 24) % 7]} ${String(hour % 24).padStart(2, '0')}:00`;
}

const METHOD_LABELS: Record<StaffingPlanView['method'], string> = {
  'erlang-c': 'Erlang C',
  'erlang-a': 'Erlang A',
  simulation: 'Simulated (routing core)',
};

/** How one hour was planned, and with steps how far conversations had to widen to be answered. */
function methodOf(i: StaffingPlanView['intervals'][number]): string {
  const steps = i.answeredByStepPercent;
  return (
    METHOD_LABELS[i.method] +
    (steps && steps.length > 0 ? ` · by step ${steps.map((p) => `${p}%`).join(' / ')}` : '')
  );
}

function figures(f: StaffingFiguresView): string {
  const wait = f.averageWaitSeconds === null ? 'unbounded' : `${f.averageWaitSeconds} s`;
  return `${f.serviceLevelPercent}% · ${wait} · ${f.occupancyPercent}%${f.abandonPercent > 0 ? ` · ${f.abandonPercent}% leave` : ''}`;
}

/**
 * Supervisor → Planning: arrivals by hour (a queue's recorded history, or typed in), handle time,
 * concurrency and target in; agents needed per hour, and what to expect with the agents
 * scheduled, out (RoutingApi.planStaffing through the inbox).
 */
export function PlanningPage() {
  const [queues, setQueues] = useState<QueueView[]>([]);
  const [queueId, setQueueId] = useState('');
  const [arrivals, setArrivals] = useState('');
  const [scheduled, setScheduled] = useState('');
  const [handleSeconds, setHandleSeconds] = useState(300);
  const [targetSeconds, setTargetSeconds] = useState(60);
  const [serviceLevelPercent, setServiceLevelPercent] = useState(80);
  const [patience, setPatience] = useState('180');
  const [maxChats, setMaxChats] = useState(2);
  const [curve, setCurve] = useState('1, 1.35');
  const [withRouting, setWithRouting] = useState(true);
  const [history, setHistory] = useState<ArrivalHistoryView | null>(null);
  const [plan, setPlan] = useState<StaffingPlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<{ queues: QueueView[] }>('GET', '/queues')
      .then((r) => setQueues(r.queues))
      .catch((e: Error) => setError(e.message));
  }, []);

  const loadHistory = async () => {
    if (!queueId) return;
    try {
      const h = await api<ArrivalHistoryView>(
        'GET',
        `/supervisor/planning/arrivals/${encodeURIComponent(queueId)}`,
      );
      setHistory(h);
      setArrivals(h.arrivalsByHour.join(', '));
      // The workspace's own curve when its history says enough: its handle time alone with it.
      if (h.concurrency) {
        setCurve(h.concurrency.factors.join(', '));
        setHandleSeconds(h.concurrency.aloneHandleSeconds);
      } else if (h.meanHandleSeconds !== null) setHandleSeconds(h.meanHandleSeconds);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const run = async () => {
    setBusy(true);
    try {
      const hours = numbers(arrivals);
      const schedule =
        scheduled.trim() === '' ? undefined : scheduled.split(/[\s,;]+/).filter((t) => t !== '');
      const result = await api<StaffingPlanView>('POST', '/supervisor/planning/plan', {
        arrivalsByHour: hours,
        handleSeconds,
        targetSeconds,
        serviceLevelPercent,
        patienceSeconds: patience.trim() === '' ? null : Number(patience),
        maxChats,
        concurrency: numbers(curve),
        ...(schedule ? { scheduled: schedule.map((t) => (t === '-' ? null : Number(t))) } : {}),
        ...(queueId && withRouting ? { queueId } : {}),
      });
      setPlan(result);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="page planning">
      <p>
        <a href="#/supervisor">← Supervisor</a>
      </p>
      <h2>Staffing plan</h2>
      {error && <p className="error">{error}</p>}
      <form
        aria-label="Staffing plan"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          Queue history{' '}
          <select value={queueId} onChange={(e) => setQueueId(e.target.value)} aria-label="Queue">
            <option value="">—</option>
            <option value="default">Default queue</option>
            {queues.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>{' '}
          <button type="button" onClick={() => void loadHistory()} disabled={!queueId}>
            Use last 4 weeks
          </button>
        </label>
        {history && (
          <p className="hint" data-testid="history-summary">
            {history.conversations} conversations recorded from {history.from.slice(0, 10)} to{' '}
            {history.to.slice(0, 10)} (hours of the week in {history.timeZone}, Monday first).{' '}
            {history.concurrency
              ? `Concurrency curve fitted from ${history.concurrency.chats} chats: handle time × ${history.concurrency.factors.join(', ')}, ${history.concurrency.aloneHandleSeconds} s alone.`
              : 'Too few chats handled alone to fit a concurrency curve: the one below is an assumption.'}
          </p>
        )}
        <label>
          <input
            type="checkbox"
            aria-label="Plan with its routing steps and agents' skills"
            checked={withRouting}
            disabled={!queueId}
            onChange={(e) => setWithRouting(e.target.checked)}
          />{' '}
          Plan with the queue&apos;s routing steps and its agents&apos; skills (hours are then simulated
          through the routing core wherever the steps hold anyone back)
        </label>
        <label>
          Arrivals per hour (one number per hour, up to 168)
          <textarea
            aria-label="Arrivals per hour"
            rows={3}
            value={arrivals}
            onChange={(e) => setArrivals(e.target.value)}
          />
        </label>
        <label>
          Agents scheduled per hour (optional; “-” for as needed)
          <textarea
            aria-label="Agents scheduled"
            rows={2}
            value={scheduled}
            onChange={(e) => setScheduled(e.target.value)}
          />
        </label>
        <label>
          Handle time (s){' '}
          <input
            type="number"
            min={1}
            value={handleSeconds}
            onChange={(e) => setHandleSeconds(Number(e.target.value))}
          />
        </label>
        <label>
          Answer{' '}
          <input
            type="number"
            aria-label="Target percent"
            min={1}
            max={99}
            value={serviceLevelPercent}
            onChange={(e) => setServiceLevelPercent(Number(e.target.value))}
          />
          % within{' '}
          <input
            type="number"
            aria-label="Target seconds"
            min={0}
            value={targetSeconds}
            onChange={(e) => setTargetSeconds(Number(e.target.value))}
          />{' '}
          s
        </label>
        <label>
          Mean patience (s, blank: nobody leaves){' '}
          <input aria-label="Patience" value={patience} onChange={(e) => setPatience(e.target.value)} />
        </label>
        <label>
          Chats per agent{' '}
          <input
            type="number"
            min={1}
            max={10}
            value={maxChats}
            onChange={(e) => setMaxChats(Number(e.target.value))}
          />
        </label>
        <label>
          Handle time × at 1, 2, … chats held{' '}
          <input aria-label="Concurrency curve" value={curve} onChange={(e) => setCurve(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Planning…' : 'Plan'}
        </button>
      </form>
      {plan && (
        <>
          <p className="hint" data-method={plan.method}>
            {plan.basis}. Hours in {plan.timeZone}.
          </p>
          <table aria-label="Staffing by hour">
            <thead>
              <tr>
                <th>Hour ({plan.timeZone})</th>
                <th>Method</th>
                <th>Arrivals</th>
                <th>Agents needed</th>
                <th>Expected (SL · wait · occupancy)</th>
                <th>Scheduled</th>
                <th>With those scheduled</th>
              </tr>
            </thead>
            <tbody>
              {plan.intervals.map((i) => (
                <tr
                  key={i.hour}
                  className={
                    i.expectedScheduled.serviceLevelPercent < serviceLevelPercent ? 'short' : undefined
                  }
                >
                  <td>{hourLabel(i.hour, plan.intervals.length)}</td>
                  <td data-method={i.method}>{methodOf(i)}</td>
                  <td>{i.arrivals}</td>
                  <td>{i.agentsNeeded}</td>
                  <td>{figures(i.expected)}</td>
                  <td>{i.scheduled}</td>
                  <td>{figures(i.expectedScheduled)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}
