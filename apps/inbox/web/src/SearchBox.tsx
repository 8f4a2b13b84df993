import { useEffect, useRef, useState } from 'react';
import { type Channel, type SearchResultsView, api, query } from './api.js';
import { EmptyState } from './EmptyState.js';
import { CHANNEL_LABEL, time } from './format.js';
import { Highlighted } from './Highlighted.js';
import { isTyping } from './keyboard.js';
import { LabelChips } from './LabelChips.js';
import { useLabels } from './labels.js';
import { navigate } from './routes.js';

const DEBOUNCE_MS = 250;

interface Filters {
  channel: Channel | '';
  status: string;
  assignee: '' | 'me' | 'none';
  labelId: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { channel: '', status: '', assignee: '', labelId: '', from: '', to: '' };

/**
 * The search box in the top bar (`/` focuses it): messages and customers of the workspace, with
 * filters; a message opens its conversation at that message, a customer their latest conversation.
 */
export function SearchBox() {
  const [text, setText] = useState('');
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // The results with the text they were found for (the box may hold newer text while a request runs).
  const [results, setResults] = useState<(SearchResultsView & { text: string }) | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [labels] = useLabels();
  const input = useRef<HTMLInputElement>(null);
  const latest = useRef(0);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === '/' && !isTyping(event) && !event.metaKey && !event.ctrlKey && !event.altKey) {
        event.preventDefault();
        input.current?.focus();
        setOpen(true);
      } else if (event.key === 'Escape' && open) {
        setOpen(false);
        input.current?.blur();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  const params = (pageToken?: string) =>
    query({ q: text.trim(), ...filters, ...(pageToken ? { pageToken } : {}) });

  useEffect(() => {
    if (text.trim() === '') {
      setResults(null);
      return;
    }
    // Only the latest request's answer is shown: an earlier, slower one must not replace it.
    const request = ++latest.current;
    const timer = window.setTimeout(() => {
      api<SearchResultsView>('GET', `/search${params()}`)
        .then((found) => {
          if (request !== latest.current) return;
          setResults({ ...found, text: text.trim() });
          setError(null);
        })
        .catch((e: Error) => request === latest.current && setError(e.message));
    }, DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
    // params() reads exactly text and filters.
  }, [text, filters]);

  const more = async () => {
    if (!results?.nextPageToken) return;
    const page = await api<SearchResultsView>('GET', `/search${params(results.nextPageToken)}`);
    setResults({
      ...page,
      text: results.text,
      customers: results.customers,
      messages: [...results.messages, ...page.messages],
    });
  };

  const go = (path: string) => {
    setOpen(false);
    navigate(path);
  };
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered = Object.values(filters).some((value) => value !== '');

  return (
    <div className="search" role="search">
      <input
        ref={input}
        type="search"
        aria-label="Search messages and customers"
        placeholder="Search  /"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
      />
      {open && text.trim() !== '' && (
        <div className="search-panel" aria-label="Search results">
          <div className="filters search-filters">
            <select
              aria-label="Search channel"
              value={filters.channel}
              onChange={(e) => set({ channel: e.target.value as Channel | '' })}
            >
              <option value="">All channels</option>
              {Object.entries(CHANNEL_LABEL).map(([id, label]) => (
                <option key={id} value={id}>
                  {label}
                </option>
              ))}
            </select>
            <select
              aria-label="Search status"
              value={filters.status}
              onChange={(e) => set({ status: e.target.value })}
            >
              <option value="">Any status</option>
              <option value="open,pending">Open</option>
              <option value="pending">Pending</option>
              <option value="resolved">Resolved</option>
            </select>
            <select
              aria-label="Search assignee"
              value={filters.assignee}
              onChange={(e) => set({ assignee: e.target.value as Filters['assignee'] })}
            >
              <option value="">Anyone's</option>
              <option value="me">Mine</option>
              <option value="none">Unassigned</option>
            </select>
            <select
              aria-label="Search label"
              value={filters.labelId}
              onChange={(e) => set({ labelId: e.target.value })}
            >
              <option value="">Any label</option>
              {labels.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
            <input
              type="date"
              aria-label="From"
              value={filters.from}
              onChange={(e) => set({ from: e.target.value })}
            />
            <input
              type="date"
              aria-label="To"
              value={filters.to}
              onChange={(e) => set({ to: e.target.value })}
            />
            <button type="button" onClick={() => setOpen(false)} aria-label="Close search">
              ×
            </button>
          </div>
          {error && <p className="error">{error}</p>}
          {results && results.customers.length > 0 && (
            <>
              <h3>Customers</h3>
              <ul className="search-results">
                {results.customers.map((c) => (
                  <li key={c.customerId}>
                    <button
                      type="button"
                      className="search-hit"
                      disabled={c.conversationId === null}
                      onClick={() => c.conversationId && go(`/c/${c.conversationId}`)}
                    >
                      <span className="name">
                        {c.field === 'name' ? (
                          <Highlighted text={c.value} ranges={c.highlights} />
                        ) : (
                          (c.name ?? 'Unknown customer')
                        )}
                      </span>{' '}
                      {c.field !== 'name' && (
                        <span className="meta">
                          {c.field}: <Highlighted text={c.value} ranges={c.highlights} />
                        </span>
                      )}
                      <LabelChips ids={c.labelIds} labels={labels} />
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
          {results && results.messages.length === 0 && results.customers.length === 0 && (
            <EmptyState title={`Nothing matches “${results.text}”`}>
              {filtered ? (
                <>
                  No message or customer matches with these filters.{' '}
                  <button
                    type="button"
                    className="search-clear-filters"
                    onClick={() => setFilters(NO_FILTERS)}
                  >
                    Clear the filters
                  </button>
                </>
              ) : (
                'Messages match by whole words (try another spelling or fewer words); customers by a part of their name, phone or email.'
              )}
            </EmptyState>
          )}
          {results && (results.messages.length > 0 || results.customers.length > 0) && (
            <>
              <h3>Messages</h3>
              {results.messages.length === 0 && <p className="meta">No message matches.</p>}
              <ul className="search-results">
                {results.messages.map((hit) => (
                  <li key={hit.message.id}>
                    <button
                      type="button"
                      className="search-hit"
                      data-message-id={hit.message.id}
                      onClick={() => go(`/c/${hit.message.conversationId}/m/${hit.message.id}`)}
                    >
                      <span className="row">
                        {hit.message.channel && (
                          <span className={`badge ${hit.message.channel}`}>
                            {CHANNEL_LABEL[hit.message.channel]}
                          </span>
                        )}
                        <span className="name">{hit.customerName ?? 'Unknown customer'}</span>
                        <span className={`status ${hit.conversationStatus}`}>{hit.conversationStatus}</span>
                        <time dateTime={hit.message.createdAt}>{time(hit.message.createdAt)}</time>
                      </span>
                      <span className="snippet">
                        <Highlighted text={hit.message.text ?? ''} ranges={hit.highlights} />
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
              {results.nextPageToken && (
                <button type="button" onClick={() => void more()}>
                  More messages
                </button>
              )}
            </>
          )}
        </div>
      )}
    </div>
  );
}
