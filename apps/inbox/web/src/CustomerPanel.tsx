import { useEffect, useState } from 'react';
import { type ConversationDetail, type Me, type RoutingDecisionView, api } from './api.js';

export function CustomerPanel({
  detail,
  me,
  onChanged,
}: {
  detail: ConversationDetail;
  me: Me;
  onChanged: () => Promise<void>;
}) {
  const { customer, mergeSuggestions, conversation } = detail;
  const [error, setError] = useState<string | null>(null);
  const [decision, setDecision] = useState<RoutingDecisionView | null>(null);

  useEffect(() => {
    if (me.role === 'agent') return;
    api<RoutingDecisionView>('GET', `/conversations/${conversation.id}/decision`)
      .then(setDecision)
      .catch(() => setDecision(null));
  }, [conversation.id, conversation.assigneeId, me.role]);

  const merge = async (sourceCustomerId: string) => {
    setError(null);
    try {
      await api('POST', `/customers/${customer.id}/merge`, { sourceCustomerId });
      await onChanged();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <aside className="customer" aria-label="Customer">
      <h3>{customer.name ?? 'Unknown customer'}</h3>
      <h4>Identities</h4>
      <ul>
        {customer.identities.map((i) => (
          <li key={i.id}>
            <span className="kind">{i.kind}</span> {i.value}
            {i.verified ? '' : ' (unverified)'}
            {i.optedOut ? ' · opted out' : ''}
          </li>
        ))}
      </ul>
      {Object.keys(customer.attributes).length > 0 && (
        <>
          <h4>Attributes</h4>
          <dl>
            {Object.entries(customer.attributes).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
      {mergeSuggestions.length > 0 && (
        <>
          <h4>May be the same person</h4>
          <ul className="suggestions">
            {mergeSuggestions.map((s) => (
              <li key={s.id}>
                Shares {s.identity.kind} {s.identity.value}{' '}
                <button type="button" onClick={() => void merge(s.candidateCustomerId)}>
                  Merge
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {decision && (
        <>
          <h4>Routing</h4>
          <p>
            {decision.state}
            {decision.explanation ? ` — ${decision.explanation.reason}` : ''}
          </p>
          {decision.explanation?.step && <p className="step">Step: {decision.explanation.step.expression}</p>}
        </>
      )}
      {error && <p className="error">{error}</p>}
    </aside>
  );
}
