import { type KeyboardEvent as ReactKeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import {
  type AgentView,
  type CannedResponse,
  type Channel,
  type ConversationDetail,
  type Me,
  type MessageView,
  type Page,
  type QueueView,
  type RoutingDecisionView,
  api,
  newIdempotencyKey,
  query,
} from './api.js';
import {
  ATTACHMENT_TYPES,
  MAX_FILES,
  type UploadedAttachment,
  agentAttachmentUrl,
  attachmentProblem,
  channelAttachmentProblem,
  uploadAttachment,
} from './attachments.js';
import { CHANNEL_LABEL, time } from './format.js';
import { CustomerWindowNotice } from './CustomerWindowNotice.js';
import { isTyping } from './InboxPage.js';
import { live } from './live.js';

const TYPING_SHOWN_MS = 6_000;

export function ConversationPane({
  me,
  conversationId,
  onChanged,
}: {
  me: Me;
  conversationId: string;
  onChanged: () => Promise<void>;
}) {
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [older, setOlder] = useState<MessageView[]>([]);
  const [olderToken, setOlderToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [customerTyping, setCustomerTyping] = useState(false);
  const [offer, setOffer] = useState(false);
  const typingTimer = useRef<number | undefined>(undefined);
  const reload = useRef<number | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const result = await api<ConversationDetail>('GET', `/conversations/${conversationId}`);
      setDetail(result);
      setOlderToken((token) => token ?? result.timeline.nextPageToken);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [conversationId]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const off = live.on(({ event }) => {
      const payload = event.payload;
      if (event.type === 'conversation.activity') {
        if (payload.conversationId !== conversationId) return;
        const participant = payload.participant as { type: string };
        if (participant.type !== 'customer') return;
        window.clearTimeout(typingTimer.current);
        setCustomerTyping(payload.activity === 'typing');
        if (payload.activity === 'typing')
          typingTimer.current = window.setTimeout(() => setCustomerTyping(false), TYPING_SHOWN_MS);
        return;
      }
      if (event.type === 'conversation.assigned' && payload.conversationId === conversationId)
        setOffer(payload.mode === 'offer' && payload.agentId === me.id);
      const concernsUs =
        payload.conversationId === conversationId ||
        payload.customerId === detail?.customer.id ||
        event.type === 'delivery.status.changed';
      if (!concernsUs) return;
      window.clearTimeout(reload.current);
      // Reloading marks the conversation read; the list's unread count follows after.
      reload.current = window.setTimeout(() => void load().then(onChanged), 150);
    });
    const offConnected = live.onConnected(() => void load());
    return () => {
      off();
      offConnected();
    };
  }, [conversationId, detail?.customer.id, load, me.id, onChanged]);

  const loadOlder = async () => {
    if (!detail || !olderToken) return;
    const page = await api<Page<MessageView>>(
      'GET',
      `/customers/${detail.customer.id}/timeline${query({ pageToken: olderToken })}`,
    );
    setOlder((current) => [...current, ...page.items]);
    setOlderToken(page.nextPageToken);
  };

  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      await Promise.all([load(), onChanged()]);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const setStatus = (status: 'resolved' | 'open') =>
    act(() => api('POST', `/conversations/${conversationId}/status`, { status }));

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event) || event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === 'e') void setStatus('resolved');
      else if (event.key === 'O') void setStatus('open');
      else if (event.key === 'r') {
        event.preventDefault();
        document.getElementById('reply')?.focus();
      } else if (event.key === 't') {
        event.preventDefault();
        document.getElementById('transfer')?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (!detail)
    return <section className="pane">{error ? <p className="error">{error}</p> : 'Loading…'}</section>;
  const { conversation, customer } = detail;
  // Newest first from the API; the screen reads top to bottom, oldest first.
  const seen = new Set<string>();
  const messages = [...detail.timeline.items, ...older]
    .filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)))
    .reverse();

  return (
    <>
      <section className="pane" aria-label="Conversation">
        <header className="pane-header">
          <div>
            <h2>{conversation.customerName ?? customer.name ?? 'Unknown customer'}</h2>
            <span className="meta">
              {conversation.channel && (
                <span className={`badge ${conversation.channel}`}>{CHANNEL_LABEL[conversation.channel]}</span>
              )}{' '}
              <span className={`status ${conversation.status}`}>{conversation.status}</span>
            </span>
          </div>
          <div className="actions">
            {conversation.status === 'resolved' ? (
              <button type="button" onClick={() => void setStatus('open')} title="Reopen (Shift+O)">
                Reopen
              </button>
            ) : (
              <button type="button" onClick={() => void setStatus('resolved')} title="Resolve (e)">
                Resolve
              </button>
            )}
            <TransferPicker
              onTransfer={(to) => act(() => api('POST', `/conversations/${conversationId}/transfer`, to))}
            />
          </div>
        </header>
        {offer && (
          <div className="offer" role="alert">
            This conversation is offered to you.
            <button
              type="button"
              onClick={() =>
                void act(async () => {
                  await api('POST', `/conversations/${conversationId}/offer`, { accepted: true });
                  setOffer(false);
                })
              }
            >
              Accept
            </button>
            <button
              type="button"
              onClick={() =>
                void act(async () => {
                  await api('POST', `/conversations/${conversationId}/offer`, { accepted: false });
                  setOffer(false);
                })
              }
            >
              Reject
            </button>
          </div>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <ol className="timeline" aria-label="Timeline">
          {olderToken && (
            <li className="older">
              <button type="button" onClick={() => void loadOlder()}>
                Earlier messages
              </button>
            </li>
          )}
          {messages.map((m) => (
            <Message key={m.id} message={m} current={m.conversationId === conversation.id} />
          ))}
        </ol>
        {customerTyping && <p className="typing">Customer is typing…</p>}
        <CustomerWindowNotice channel={conversation.channel} messages={messages} />
        <ReplyBox
          conversationId={conversationId}
          lastChannel={conversation.channel}
          channels={customer.channels}
          onSent={() => Promise.all([load(), onChanged()]).then(() => undefined)}
        />
      </section>
      <CustomerPanel detail={detail} me={me} onChanged={load} />
    </>
  );
}

function Message({ message, current }: { message: MessageView; current: boolean }) {
  const who =
    message.direction === 'in'
      ? 'Customer'
      : (message.sender.name ?? (message.sender.type === 'agent' ? 'Agent' : message.sender.type));
  return (
    <li
      className={`message ${message.direction}${current ? '' : ' earlier'}`}
      data-sequence={message.sequence}
    >
      <div className="message-meta">
        {message.channel && (
          <span className={`badge ${message.channel}`}>{CHANNEL_LABEL[message.channel]}</span>
        )}
        {message.direction === 'note' && <span className="badge note">Note</span>}
        <span className="sender">{who}</span>
        <time dateTime={message.createdAt}>{time(message.createdAt)}</time>
      </div>
      {/* Text as text: React escapes it; nothing here is ever HTML. */}
      {message.text !== null && <p className="text">{message.text}</p>}
      {message.attachments.length > 0 && (
        <ul className="attachments">
          {message.attachments.map((a) => {
            const label = `${a.fileName ?? a.contentType} (${Math.ceil(a.sizeBytes / 1024)} KB)`;
            const url = agentAttachmentUrl(a.storageKey, a.fileName ?? null);
            return (
              <li key={a.storageKey}>
                {url === null ? (
                  label
                ) : a.contentType.startsWith('image/') ? (
                  <a href={url} target="_blank" rel="noreferrer">
                    <img src={url} alt={a.fileName ?? 'image'} className="attachment-image" />
                  </a>
                ) : (
                  <a href={url} target="_blank" rel="noreferrer">
                    {label}
                  </a>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {message.direction === 'out' && message.deliveryStatus && (
        <span className={`delivery ${message.deliveryStatus}`} title={message.deliveryError?.message ?? ''}>
          {message.deliveryStatus}
          {message.deliveryError?.message ? `: ${message.deliveryError.message}` : ''}
        </span>
      )}
    </li>
  );
}

function ReplyBox({
  conversationId,
  lastChannel,
  channels,
  onSent,
}: {
  conversationId: string;
  lastChannel: Channel | null;
  channels: Channel[];
  onSent: () => Promise<void>;
}) {
  const [text, setText] = useState('');
  const [channel, setChannel] = useState<Channel | ''>('');
  const [note, setNote] = useState(false);
  const [canned, setCanned] = useState<CannedResponse[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [files, setFiles] = useState<UploadedAttachment[]>([]);
  const [uploading, setUploading] = useState(false);
  // One key per message being composed: a retried send (timeout, double click) is one message.
  const key = useRef(newIdempotencyKey());
  const lastTyping = useRef(0);

  useEffect(() => {
    api<{ cannedResponses: CannedResponse[] }>('GET', '/canned-responses')
      .then((r) => setCanned(r.cannedResponses))
      .catch(() => setCanned([]));
  }, []);

  const shortcut = /^\/([a-z0-9_-]*)$/.exec(text.trim())?.[1];
  const suggestions =
    shortcut !== undefined ? canned.filter((c) => c.shortcut.startsWith(shortcut)).slice(0, 6) : [];

  const channelProblem = note ? null : channelAttachmentProblem(channel || lastChannel, files, text);
  const canSend =
    (text.trim() !== '' || files.length > 0) && !sending && !uploading && channelProblem === null;
  const send = async () => {
    if (!canSend) return;
    setSending(true);
    setError(null);
    try {
      await api('POST', `/conversations/${conversationId}/messages`, {
        idempotencyKey: key.current,
        text: text.trim() ? text : null,
        ...(files.length > 0 ? { attachmentIds: files.map((f) => f.id) } : {}),
        ...(note ? { internalNote: true } : channel ? { channel } : {}),
      });
      key.current = newIdempotencyKey();
      setText('');
      setFiles([]);
      live.typing(conversationId, 'stopped_typing');
      // The next message's first keystroke says "typing" again at once.
      lastTyping.current = 0;
      await onSent();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSending(false);
    }
  };

  const attach = async (chosen: FileList | null) => {
    if (!chosen) return;
    setError(null);
    const problem = [...chosen].map(attachmentProblem).find((p) => p !== null);
    if (problem) {
      setError(problem);
      return;
    }
    setUploading(true);
    try {
      for (const file of chosen) {
        if (files.length >= MAX_FILES) throw new Error(`at most ${MAX_FILES} files per reply`);
        const uploaded = await uploadAttachment(file);
        setFiles((current) => [...current, uploaded]);
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setUploading(false);
    }
  };

  const onKeyDown = (event: ReactKeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length > 0 && (event.key === 'Tab' || event.key === 'Enter')) {
      event.preventDefault();
      setText(suggestions[0]!.body);
      return;
    }
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void send();
    } else if (event.key === 'Escape') {
      (event.target as HTMLTextAreaElement).blur();
    }
  };

  const onChange = (value: string) => {
    setText(value);
    if (note) return;
    const now = Date.now();
    if (value && now - lastTyping.current > 2_000) {
      lastTyping.current = now;
      live.typing(conversationId, 'typing');
    }
  };

  return (
    <div className={`reply${note ? ' note-mode' : ''}`}>
      <div className="reply-options">
        <label>
          <input type="checkbox" checked={note} onChange={(e) => setNote(e.target.checked)} /> Internal note
        </label>
        {!note && (
          <select
            aria-label="Reply channel"
            value={channel}
            onChange={(e) => setChannel(e.target.value as Channel | '')}
          >
            <option value="">Last channel{lastChannel ? ` (${CHANNEL_LABEL[lastChannel]})` : ''}</option>
            {channels.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_LABEL[c]}
              </option>
            ))}
          </select>
        )}
      </div>
      {suggestions.length > 0 && (
        <ul className="canned" aria-label="Canned responses">
          {suggestions.map((c) => (
            <li key={c.id}>
              <button type="button" onClick={() => setText(c.body)}>
                /{c.shortcut} — {c.title}
              </button>
            </li>
          ))}
        </ul>
      )}
      <textarea
        id="reply"
        aria-label={note ? 'Internal note' : 'Reply'}
        placeholder={
          note ? 'A note for your team (never sent)' : 'Reply… (/ for canned responses, Ctrl+Enter to send)'
        }
        value={text}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        rows={3}
      />
      {files.length > 0 && (
        <ul className="attached" aria-label="Attached files">
          {files.map((f) => (
            <li key={f.id}>
              {f.fileName ?? f.contentType} ({Math.ceil(f.sizeBytes / 1024)} KB){' '}
              <button
                type="button"
                aria-label={`Remove ${f.fileName ?? 'file'}`}
                onClick={() => setFiles(files.filter((other) => other.id !== f.id))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {channelProblem && (
        <p className="error" role="status">
          {channelProblem}
        </p>
      )}
      <label className="attach">
        {uploading ? 'Uploading…' : 'Attach'}
        <input
          type="file"
          aria-label="Attach files"
          accept={ATTACHMENT_TYPES.join(',')}
          multiple
          disabled={uploading || sending}
          onChange={(e) => {
            void attach(e.target.files);
            e.target.value = '';
          }}
        />
      </label>
      <button type="button" className="send" disabled={!canSend} onClick={() => void send()}>
        {note ? 'Add note' : 'Send'}
      </button>
    </div>
  );
}

function TransferPicker({
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

function CustomerPanel({
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
