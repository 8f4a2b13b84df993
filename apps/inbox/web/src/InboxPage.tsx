import { useCallback, useEffect, useRef, useState } from 'react';
import { type Channel, type ConversationListItem, type Me, type Page, api, query } from './api.js';
import { navigate } from './routes.js';
import { ConversationPane } from './ConversationPane.js';
import { EmptyConversationList } from './EmptyConversationList.js';
import { SetupChecklist } from './SetupChecklist.js';
import { CHANNEL_LABEL, waited } from './format.js';
import { isTyping } from './keyboard.js';
import { live } from './live.js';
import { useSnoozed } from './SnoozeControl.js';

type View = 'mine' | 'unassigned' | 'all' | 'snoozed';

const REFRESH_DEBOUNCE_MS = 250;

export function InboxPage({ me, conversationId }: { me: Me; conversationId?: string }) {
  const [view, setView] = useState<View>('mine');
  const [channel, setChannel] = useState<Channel | ''>('');
  const [status, setStatus] = useState('open,pending');
  const [queueId, setQueueId] = useState('');
  const [queues, setQueues] = useState<{ id: string; name: string }[]>([]);
  const [page, setPage] = useState<Page<ConversationListItem> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const timer = useRef<number | undefined>(undefined);
  // Responses may arrive out of order (a refresh of the previous tab landing after the new tab's
  // list): only the latest request's answer is shown.
  const latest = useRef(0);

  const load = useCallback(async () => {
    const request = ++latest.current;
    // Snoozed conversations come from their own list (useSnoozed), soonest to wake first (ADR 0112).
    if (view === 'snoozed') return;
    try {
      const result = await api<Page<ConversationListItem>>(
        'GET',
        `/conversations${query({ view, channel, status, queueId })}`,
      );
      if (request !== latest.current) return;
      setPage(result);
      setError(null);
    } catch (e) {
      if (request === latest.current) setError((e as Error).message);
    }
  }, [view, channel, status, queueId]);

  const [snoozed, readSnoozed] = useSnoozed(() => void load());
  useEffect(() => {
    void load();
    // Another tab may have snoozed something: its wake time is learnt here too.
    readSnoozed();
  }, [load, readSnoozed]);
  const reload = useCallback(async () => {
    readSnoozed();
    await load();
  }, [load, readSnoozed]);

  useEffect(() => {
    api<{ queues: { id: string; name: string }[] }>('GET', '/queues')
      .then((r) => setQueues(r.queues))
      .catch(() => setQueues([]));
    const tick = window.setInterval(() => setNow(Date.now()), 15_000);
    return () => window.clearInterval(tick);
  }, []);

  // Any conversation or routing event may change the list: refetch, debounced, rather than patch.
  useEffect(() => {
    const refresh = () => {
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void load(), REFRESH_DEBOUNCE_MS);
    };
    const offEvent = live.on((e) => {
      if (e.event.type !== 'conversation.activity') refresh();
    });
    const offConnected = live.onConnected(refresh);
    return () => {
      offEvent();
      offConnected();
      // A refresh scheduled with the previous filters must not fire after they changed.
      window.clearTimeout(timer.current);
    };
  }, [load]);

  const items = view === 'snoozed' ? snoozed : (page?.items ?? []);

  // j / k move through the list (when not typing).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event) || event.metaKey || event.ctrlKey || event.altKey) return;
      const index = items.findIndex((c) => c.id === conversationId);
      if (event.key === 'j' && items.length)
        navigate(`/c/${items[Math.min(items.length - 1, index + 1)]!.id}`);
      else if (event.key === 'k' && items.length) navigate(`/c/${items[Math.max(0, index - 1)]!.id}`);
      else if (event.key === '1') setView('mine');
      else if (event.key === '2') setView('unassigned');
      else if (event.key === '3' && me.role !== 'agent') setView('all');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, conversationId, me.role]);

  const views: [View, string][] = [
    ['mine', 'Mine'],
    ['unassigned', 'Unassigned'],
    ...(me.role !== 'agent' ? ([['all', 'All']] as [View, string][]) : []),
    ['snoozed', 'Snoozed'],
  ];

  return (
    <main className="inbox">
      <section className="list" aria-label="Conversations">
        {me.role === 'admin' && <SetupChecklist />}
        <div className="tabs" role="tablist">
          {views.map(([id, label]) => (
            <button
              key={id}
              type="button"
              role="tab"
              aria-selected={view === id}
              className={view === id ? 'active' : ''}
              onClick={() => setView(id)}
            >
              {label}
            </button>
          ))}
        </div>
        <div className="filters">
          <select
            aria-label="Channel"
            value={channel}
            onChange={(e) => setChannel(e.target.value as Channel | '')}
          >
            <option value="">All channels</option>
            {Object.entries(CHANNEL_LABEL).map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
          <select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="open,pending">Open</option>
            <option value="pending">Pending</option>
            <option value="resolved">Resolved</option>
          </select>
          <select aria-label="Queue" value={queueId} onChange={(e) => setQueueId(e.target.value)}>
            <option value="">All queues</option>
            {queues.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>
        </div>
        {error && <p className="error">{error}</p>}
        <ul className="conversations">
          {items.map((c) => (
            <li key={c.id}>
              <a
                href={`#/c/${c.id}`}
                className={`conversation${c.id === conversationId ? ' selected' : ''}${c.unread ? ' unread' : ''}`}
                data-conversation-id={c.id}
              >
                <span className="row">
                  {c.channel && <span className={`badge ${c.channel}`}>{CHANNEL_LABEL[c.channel]}</span>}
                  <span className="name">{c.customerName ?? 'Unknown customer'}</span>
                  {c.unread > 0 && (
                    <span className="unread-count" aria-label={`${c.unread} unread`}>
                      {c.unread}
                    </span>
                  )}
                </span>
                <span className="row">
                  <span className="preview">{c.lastMessagePreview ?? ''}</span>
                  <span className="wait" title="Waiting for an answer">
                    {waited(c.waitingSince, now)}
                  </span>
                </span>
              </a>
            </li>
          ))}
          {view === 'snoozed' && items.length === 0 && <li className="empty">Nothing is snoozed.</li>}
          {page && items.length === 0 && view !== 'snoozed' && (
            <EmptyConversationList
              view={view}
              filtered={channel !== '' || queueId !== '' || status !== 'open,pending'}
            />
          )}
        </ul>
      </section>
      {conversationId ? (
        <ConversationPane key={conversationId} me={me} conversationId={conversationId} onChanged={reload} />
      ) : (
        <section className="pane empty-pane">
          <p>Pick a conversation. Shortcuts: j/k move, r reply, e resolve, t transfer, 1/2/3 views.</p>
        </section>
      )}
    </main>
  );
}
