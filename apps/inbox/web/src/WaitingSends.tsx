import { useEffect, useState } from 'react';
import { outbox } from './outbox.js';

/** The agent's replies and notes in this conversation that are waiting for the connection (or were refused on the way). */
export function WaitingSends({ conversationId }: { conversationId: string }) {
  const [items, setItems] = useState(() => outbox.waiting(conversationId));
  useEffect(() => {
    setItems(outbox.waiting(conversationId));
    return outbox.onChange(() => setItems(outbox.waiting(conversationId)));
  }, [conversationId]);
  if (items.length === 0) return null;
  // The live region around the list, not on it: role="status" on the <ul> would take its list
  // role away, leaving its items outside any list.
  return (
    <div role="status" aria-label="Waiting to send">
      <ul className="waiting-sends">
        {items.map((item) => (
          <li key={item.idempotencyKey} className={item.error ? 'refused' : 'waiting'}>
            <span className="waiting-label">
              {item.error ? `Not sent: ${item.error}` : 'Waiting for the connection — sends when it is back'}
            </span>
            {/* Text as text: React escapes it. */}
            <span className="waiting-text">
              {typeof item.body.text === 'string' ? item.body.text : '(files)'}
            </span>
            {item.error && (
              <button type="button" onClick={() => outbox.dismiss(item.idempotencyKey)}>
                Dismiss
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
