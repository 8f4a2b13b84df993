import { useCallback, useEffect, useRef, useState } from 'react';
import { type AgentView, type QueueStatsView, api } from './api.js';
import { live } from './live.js';
import { RecentDecisions } from './supervision/RecentDecisions.js';
import { ServiceLevelToday } from './supervision/ServiceLevelToday.js';

/** Queues (waiting, longest wait, service level) and agents (presence, load against capacity), live. */
export function SupervisorPage() {
  const [queues, setQueues] = useState<QueueStatsView[]>([]);
  const [agents, setAgents] = useState<AgentView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const [q, a] = await Promise.all([
        api<{ queues: QueueStatsView[] }>('GET', '/supervisor/queue-stats'),
        api<{ agents: AgentView[] }>('GET', '/agents'),
      ]);
      setQueues(q.queues);
      setAgents(a.agents);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    void load();
    // Stats move with time (waits grow) as well as with events.
    const poll = window.setInterval(() => void load(), 10_000);
    const off = live.on((e) => {
      if (e.event.type === 'conversation.activity') return;
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void load(), 300);
    });
    return () => {
      window.clearInterval(poll);
      off();
    };
  }, [load]);

  return (
    <main className="page">
      {error && <p className="error">{error}</p>}
      <p>
        <a href="#/supervisor/planning">Planning →</a> <a href="#/supervisor/reports">Reports →</a>
      </p>
      <h2>Queues</h2>
      <table aria-label="Queues">
        <thead>
          <tr>
            <th>Queue</th>
            <th>Waiting</th>
            <th>Longest wait</th>
            <th>Service level</th>
            <th>Agents online / available</th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.queueId}>
              <td>{q.name}</td>
              <td>{q.waiting}</td>
              <td>{q.longestWaitSeconds}s</td>
              <td>
                {q.serviceLevelPercent === null ? '—' : `${Math.round(q.serviceLevelPercent)}%`} (target{' '}
                {q.targetPercent}%)
              </td>
              <td>
                {q.agentsOnline} / {q.agentsAvailable}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ServiceLevelToday />
      <h2>Agents</h2>
      <table aria-label="Agents">
        <thead>
          <tr>
            <th>Agent</th>
            <th>Presence</th>
            <th>Load</th>
            <th>Skills</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.agentId} data-agent-id={a.agentId}>
              <td>{a.displayName}</td>
              <td>
                <span className={`presence-dot ${a.presence}`} /> {a.presence}
              </td>
              <td className="load">
                <meter min={0} max={Math.max(1, a.capacity)} value={a.load} /> {a.load} / {a.capacity}
              </td>
              <td>{a.skills.map((s) => `${s.skill} ${s.proficiency}`).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <RecentDecisions agents={agents} />
    </main>
  );
}
