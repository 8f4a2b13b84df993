import { useCallback, useEffect, useRef, useState } from 'react';
import { type ConversationListItem, type SnoozeView, api } from './api.js';
import { time } from './format.js';
import { live } from './live.js';

type Choice = '1h' | '3h' | 'tomorrow' | 'reply' | 'custom';

/** The moment a choice stands for; null: until the customer writes. */
function wakeAt(choice: Exclude<Choice, 'custom'>, now = new Date()): Date | null {
  if (choice === 'reply') return null;
  if (choice === '1h') return new Date(now.getTime() + 3600_000);
  if (choice === '3h') return new Date(now.getTime() + 3 * 3600_000);
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  return tomorrow;
}

/** Snooze a conversation until a time or until the customer writes; or wake it (ADR 0112). */
export function SnoozeControl({
  conversationId,
  snooze,
  onChanged,
}: {
  conversationId: string;
  snooze: SnoozeView | null;
  onChanged: (work: () => Promise<unknown>) => Promise<void>;
}) {
  const [custom, setCustom] = useState(false);
  const [at, setAt] = useState('');
  const put = (until: Date | null) =>
    onChanged(() =>
      api('POST', `/conversations/${conversationId}/snooze`, { until: until ? until.toISOString() : null }),
    );
  if (snooze)
    return (
      <span className="snoozed">
        {snooze.until
          ? `Snoozed until ${time(snooze.until)} or a reply`
          : 'Snoozed until the customer writes'}{' '}
        <button
          type="button"
          onClick={() => void onChanged(() => api('DELETE', `/conversations/${conversationId}/snooze`))}
        >
          Unsnooze
        </button>
      </span>
    );
  return (
    <span className="snooze">
      <select
        id="snooze"
        aria-label="Snooze"
        aria-keyshortcuts="S"
        value=""
        onChange={(e) => {
          const choice = e.target.value as Choice;
          if (choice === 'custom') setCustom(true);
          else if (choice) void put(wakeAt(choice));
        }}
      >
        <option value="">Snooze…</option>
        <option value="1h">For 1 hour</option>
        <option value="3h">For 3 hours</option>
        <option value="tomorrow">Until tomorrow 9:00</option>
        <option value="reply">Until the customer writes</option>
        <option value="custom">Until a time…</option>
      </select>
      {custom && (
        <form
          className="snooze-at"
          onSubmit={(e) => {
            e.preventDefault();
            if (at) void put(new Date(at)).then(() => setCustom(false));
          }}
        >
          <input
            type="datetime-local"
            aria-label="Snooze until"
            required
            value={at}
            onChange={(e) => setAt(e.target.value)}
          />
          <button type="submit">Snooze</button>
        </form>
      )}
    </span>
  );
}

/**
 * The workspace's snoozed conversations the agent may act on, refetched on live events; `onWake`
 * runs when the soonest snooze's time comes, so the list shows the conversation back on time.
 */
export function useSnoozed(
  onWake: () => void,
): [(ConversationListItem & { snooze: SnoozeView })[], () => void] {
  const [items, setItems] = useState<(ConversationListItem & { snooze: SnoozeView })[]>([]);
  const wake = useRef(onWake);
  wake.current = onWake;
  const reread = useRef<() => void>(() => undefined);
  useEffect(() => {
    let timer: number | undefined;
    let debounce: number | undefined;
    let stopped = false;
    const read = () =>
      api<{ items: (ConversationListItem & { snooze: SnoozeView })[] }>('GET', '/snoozes')
        .then(({ items: snoozed }) => {
          if (stopped) return;
          setItems(snoozed);
          window.clearTimeout(timer);
          const next = Math.min(
            ...snoozed.map((s) => (s.snooze.until ? Date.parse(s.snooze.until) : Infinity)),
          );
          // Timers beyond ~24 days overflow; a later event or reload reads again.
          if (Number.isFinite(next))
            timer = window.setTimeout(
              () => {
                wake.current();
                void read();
              },
              Math.min(2 ** 31 - 1, Math.max(0, next - Date.now() + 250)),
            );
        })
        .catch(() => undefined);
    const soon = () => {
      window.clearTimeout(debounce);
      debounce = window.setTimeout(() => void read(), 300);
    };
    void read();
    reread.current = soon;
    const offEvent = live.on((e) => {
      if (e.event.type !== 'conversation.activity') soon();
    });
    const offConnected = live.onConnected(soon);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      window.clearTimeout(debounce);
      offEvent();
      offConnected();
    };
  }, []);
  const again = useCallback(() => reread.current(), []);
  return [items, again];
}
