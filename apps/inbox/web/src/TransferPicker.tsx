import { useState } from 'react';
import { type AgentView, type QueueView, api } from './api.js';

export function TransferPicker({
  onTransfer,
}: {
  onTransfer: (to: { agentId?: string; queueId?: string }) => Promise<void>;
}) {
  const [agents, setAgents] = useState<AgentView[]>([]);
  const [queues, setQueues] = useState<QueueView[]>([]);
  const load = () => {
    void api<{ agents: AgentView[] }>('GET', '/agents').then((r) => setAgents(r.agents));
    void api<{ queues: QueueView[] }>('GET', '/queues').then((r) => setQueues(r.queues));
  };
  return (
    <select
      id="transfer"
      aria-label="Transfer"
      aria-keyshortcuts="T"
      value=""
      onFocus={load}
      onChange={(e) => {
        const [kind, id] = e.target.value.split(':');
        if (id) void onTransfer(kind === 'agent' ? { agentId: id } : { queueId: id });
      }}
    >
      <option value="">Transfer… (t)</option>
      <optgroup label="Agents">
        {agents.map((a) => (
          <option key={a.agentId} value={`agent:${a.agentId}`}>
            {a.displayName} ({a.presence}, {a.load}/{a.capacity})
          </option>
        ))}
      </optgroup>
      <optgroup label="Queues">
        {queues.map((q) => (
          <option key={q.id} value={`queue:${q.id}`}>
            {q.name}
          </option>
        ))}
      </optgroup>
    </select>
  );
}
