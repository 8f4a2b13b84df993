import { useEffect, useState } from 'react';
import type { ConversationAssignedV1Payload } from '@switchboard/contracts';
import type { AgentView } from '../api.js';
import { live } from '../live.js';

/** How many decisions the list keeps, newest first. */
const KEEP = 20;

/**
 * Routing's decisions as they are made (`conversation.assigned` on the live feed), each with
 * routing's own explanation: the step whose expression matched, the reason, and why each other
 * candidate was not chosen. Routing's core writes the explanation into the event it publishes.
 */
export function RecentDecisions({ agents }: { agents: AgentView[] }) {
  const [decisions, setDecisions] = useState<{ id: string; decision: ConversationAssignedV1Payload }[]>([]);

  useEffect(
    () =>
      live.on((e) => {
        if (e.event.type !== 'conversation.assigned') return;
        const decision = e.event.payload as unknown as ConversationAssignedV1Payload;
        // A frame seen again after a reconnect is the same event: one line.
        setDecisions((list) =>
          [{ id: e.event.id, decision }, ...list.filter((d) => d.id !== e.event.id)].slice(0, KEEP),
        );
      }),
    [],
  );

  const name = (id: string) => agents.find((a) => a.agentId === id)?.displayName ?? id;
  return (
    <section aria-labelledby="recent-decisions">
      <h2 id="recent-decisions">Recent routing decisions</h2>
      {decisions.length === 0 ? (
        <p className="empty">No routing decision since this page opened.</p>
      ) : (
        <ol className="routing-decisions" aria-label="Recent routing decisions">
          {decisions.map(({ id, decision: d }) => (
            <li key={id}>
              <p>
                <time dateTime={d.assignedAt}>{new Date(d.assignedAt).toLocaleTimeString()}</time>{' '}
                {d.mode === 'offer' ? 'Offered' : 'Assigned'} to <strong>{name(d.agentId)}</strong>
                {d.queueId ? ` in ${d.queueId}` : ''}: {d.explanation.reason}
              </p>
              {d.explanation.step && (
                <p className="hint">
                  Step {d.explanation.step.index + 1}: <code>{d.explanation.step.expression}</code>
                </p>
              )}
              {d.explanation.candidates.some((c) => c.rejectedBecause) && (
                <ul>
                  {d.explanation.candidates
                    .filter((c) => c.rejectedBecause)
                    .map((c) => (
                      <li key={c.agentId}>
                        {name(c.agentId)}: {c.rejectedBecause}
                      </li>
                    ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
