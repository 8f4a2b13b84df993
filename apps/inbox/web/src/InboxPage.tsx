import { type KeyboardEvent as ReactKeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import {
  type Channel,
  type ConversationListItem,
  type Me,
  type Page,
  type SavedView,
  type SavedViewFilters,
  api,
  query,
} from './api.js';
import { LabelChips } from './LabelChips.js';
import { useLabels } from './labels.js';
import { navigate } from './routes.js';
import { ConversationPane } from './ConversationPane.js';
import { EmptyConversationList } from './EmptyConversationList.js';
import { EmptyState } from './EmptyState.js';
import { MenuIcon } from './icons.js';
import { SetupChecklist } from './SetupChecklist.js';
import { CHANNEL_LABEL, waited } from './format.js';
import { isTyping } from './keyboard.js';
import { live } from './live.js';
import { useSnoozed } from './SnoozeControl.js';

type View = 'mine' | 'unassigned' | 'all' | 'snoozed';

const REFRESH_DEBOUNCE_MS = 250;

export function InboxPage({
  me,
  conversationId,
  messageId,
}: {
  me: Me;
  conversationId?: string;
  /** A search result's message: the conversation opens scrolled to it. */
  messageId?: string;
}) {
  const [view, setView] = useState<View>('mine');
  const [channel, setChannel] = useState<Channel | ''>('');
  const [status, setStatus] = useState('open,pending');
  const [queueId, setQueueId] = useState('');
  const [queues, setQueues] = useState<{ id: string; name: string }[]>([]);
  const [labelId, setLabelId] = useState('');
  const [labels] = useLabels();
  const [page, setPage] = useState<Page<ConversationListItem> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const timer = useRef<number | undefined>(undefined);
  // Below a laptop's width the list is a drawer over the conversation (ADR 0113); opening one closes it.
  const [drawerOpen, setDrawerOpen] = useState(false);
  useEffect(() => setDrawerOpen(false), [conversationId]);
  const closeList = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!drawerOpen) return;
    closeList.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setDrawerOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawerOpen]);
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
        `/conversations${query({ view, channel, status, queueId, labelId })}`,
      );
      if (request !== latest.current) return;
      setPage(result);
      setError(null);
    } catch (e) {
      if (request === latest.current) setError((e as Error).message);
    }
  }, [view, channel, status, queueId, labelId]);

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

  // j / k open the next or previous conversation (when not typing); its row then holds the focus,
  // so arrows and Tab go on from there.
  const focusSelected = useRef(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event) || event.metaKey || event.ctrlKey || event.altKey) return;
      const index = items.findIndex((c) => c.id === conversationId);
      const go = (next: number) => {
        focusSelected.current = true;
        navigate(`/c/${items[next]!.id}`);
      };
      if (event.key === 'j' && items.length) go(Math.min(items.length - 1, index + 1));
      else if (event.key === 'k' && items.length) go(Math.max(0, index - 1));
      else if (event.key === '1') setView('mine');
      else if (event.key === '2') setView('unassigned');
      else if (event.key === '3' && me.role !== 'agent') setView('all');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, conversationId, me.role]);
  useEffect(() => {
    if (!focusSelected.current) return;
    focusSelected.current = false;
    document.querySelector<HTMLElement>('a.conversation.selected')?.focus();
  }, [conversationId]);

  // ↓ / ↑ move the focus through the list's rows; Enter opens the focused one (it is a link).
  const moveFocus = (event: ReactKeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const rows = [...event.currentTarget.querySelectorAll<HTMLElement>('a.conversation')];
    if (rows.length === 0) return;
    event.preventDefault();
    const at = rows.indexOf(document.activeElement as HTMLElement);
    const next = event.key === 'ArrowDown' ? Math.min(rows.length - 1, at + 1) : Math.max(0, at - 1);
    rows[next]!.focus();
  };

  const views: [View, string][] = [
    ['mine', 'Mine'],
    ['unassigned', 'Unassigned'],
    ...(me.role !== 'agent' ? ([['all', 'All']] as [View, string][]) : []),
    ['snoozed', 'Snoozed'],
  ];

  return (
    <main className={`inbox${conversationId ? '' : ' no-selection'}${drawerOpen ? ' drawer-open' : ''}`}>
      <div className="drawer-bar">
        <button
          type="button"
          aria-expanded={drawerOpen}
          aria-controls="conversation-list"
          onClick={() => setDrawerOpen(true)}
        >
          <MenuIcon /> Conversations
        </button>
      </div>
      <section className="list" id="conversation-list" aria-label="Conversations">
        <div className="drawer-head">
          <button type="button" ref={closeList} onClick={() => setDrawerOpen(false)}>
            Close list
          </button>
        </div>
        {me.role === 'admin' && <SetupChecklist />}
        <SavedViews
          current={{
            // The Snoozed tab is a list of its own, not a filter of history's list: a view saved
            // there keeps the other filters over Mine.
            view: view === 'snoozed' ? 'mine' : view,
            status,
            ...(channel ? { channel } : {}),
            ...(queueId ? { queueId } : {}),
            ...(labelId ? { labelId } : {}),
          }}
          apply={(f) => {
            setView(f.view === 'all' && me.role === 'agent' ? 'mine' : f.view);
            setStatus(f.status);
            setChannel(f.channel ?? '');
            setQueueId(f.queueId ?? '');
            setLabelId(f.labelId ?? '');
          }}
        />
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
          <select aria-label="Label" value={labelId} onChange={(e) => setLabelId(e.target.value)}>
            <option value="">All labels</option>
            {labels.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
        {error && <p className="error">{error}</p>}
        <ul className="conversations" aria-label="Conversation list" onKeyDown={moveFocus}>
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
                {(c.labelIds ?? []).length > 0 && (
                  <span className="row">
                    <LabelChips ids={c.labelIds} labels={labels} />
                  </span>
                )}
                <span className="row">
                  <span className="preview">{c.lastMessagePreview ?? ''}</span>
                  <span className="wait" title="Waiting for an answer">
                    {waited(c.waitingSince, now)}
                  </span>
                </span>
              </a>
            </li>
          ))}
          {view === 'snoozed' && items.length === 0 && (
            <li>
              <EmptyState title="Nothing is snoozed">
                Snooze a conversation from its header: it comes back here at the time you pick, or when the
                customer writes.
              </EmptyState>
            </li>
          )}
          {page && items.length === 0 && view !== 'snoozed' && (
            <EmptyConversationList
              view={view}
              filtered={channel !== '' || queueId !== '' || labelId !== '' || status !== 'open,pending'}
            />
          )}
        </ul>
      </section>
      {conversationId ? (
        <ConversationPane
          key={conversationId}
          me={me}
          conversationId={conversationId}
          messageId={messageId}
          onChanged={reload}
        />
      ) : (
        <section className="pane empty-pane">
          <EmptyState title="No conversation open">
            Pick one from the list. Shortcuts: j/k move, r reply, e resolve, t transfer, s snooze, l label,
            1/2/3 views; ? lists them all.
          </EmptyState>
        </section>
      )}
    </main>
  );
}

/** The user's saved views of the list ("my open billing chats"): pick one, or save the filters shown. */
function SavedViews({ current, apply }: { current: SavedViewFilters; apply: (f: SavedViewFilters) => void }) {
  const [views, setViews] = useState<SavedView[]>([]);
  const [selected, setSelected] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(
    () =>
      api<{ savedViews: SavedView[] }>('GET', '/saved-views')
        .then((r) => setViews(r.savedViews))
        .catch(() => setViews([])),
    [],
  );
  useEffect(() => void reload(), [reload]);
  const save = async () => {
    setError(null);
    try {
      const saved = await api<SavedView>('POST', '/saved-views', { name: name.trim(), filters: current });
      setName('');
      await reload();
      setSelected(saved.id);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const remove = async () => {
    await api('DELETE', `/saved-views/${selected}`).catch((e: Error) => setError(e.message));
    setSelected('');
    await reload();
  };
  return (
    <div className="filters saved-views">
      <select
        aria-label="Saved view"
        value={selected}
        onChange={(e) => {
          setSelected(e.target.value);
          const view = views.find((v) => v.id === e.target.value);
          if (view) apply(view.filters);
        }}
      >
        <option value="">Saved views…</option>
        {views.map((v) => (
          <option key={v.id} value={v.id}>
            {v.name}
          </option>
        ))}
      </select>
      {selected && (
        <button type="button" onClick={() => void remove()} aria-label="Delete this saved view">
          ×
        </button>
      )}
      <input
        aria-label="New view name"
        placeholder="Name these filters"
        value={name}
        maxLength={60}
        onChange={(e) => setName(e.target.value)}
      />
      <button type="button" disabled={name.trim() === ''} onClick={() => void save()}>
        Save view
      </button>
      {error && <span className="error">{error}</span>}
    </div>
  );
}
