import { useCallback, useEffect, useRef, useState } from 'react';
import { type ConversationDetail, type Me, type MessageView, type Page, api, query } from './api.js';
import { CHANNEL_LABEL } from './format.js';
import { CustomerWindowNotice } from './CustomerWindowNotice.js';
import { windowNotice } from './customer-window.js';
import { isTyping } from './keyboard.js';
import { live } from './live.js';
import { Message } from './Message.js';
import { ReplyBox } from './ReplyBox.js';
import { SnoozeControl } from './SnoozeControl.js';
import { TransferPicker } from './TransferPicker.js';
import { CustomerPanel } from './CustomerPanel.js';
import { LabelEditor } from './LabelChips.js';
import { useLabels } from './labels.js';

/** How many earlier pages (50 each) opening at a search result's message may read to reach it. */
const PAGES_TO_FIND_MESSAGE = 20;

const TYPING_SHOWN_MS = 6_000;

export function ConversationPane({
  me,
  conversationId,
  messageId,
  onChanged,
}: {
  me: Me;
  conversationId: string;
  /** Open scrolled to this message (a search result), reading earlier pages until it is there. */
  messageId?: string;
  onChanged: () => Promise<void>;
}) {
  const [labels] = useLabels();
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

  // A search result's message: read earlier pages until it is on screen, then bring it into view.
  const sought = useRef<string | null>(null);
  useEffect(() => {
    if (!detail || !messageId || sought.current === messageId) return;
    sought.current = messageId;
    void (async () => {
      let token = detail.timeline.nextPageToken;
      const found = [...detail.timeline.items];
      const extra: MessageView[] = [];
      for (let i = 0; i < PAGES_TO_FIND_MESSAGE && token && !found.some((m) => m.id === messageId); i++) {
        const page = await api<Page<MessageView>>(
          'GET',
          `/customers/${detail.customer.id}/timeline${query({ pageToken: token })}`,
        );
        found.push(...page.items);
        extra.push(...page.items);
        token = page.nextPageToken;
      }
      if (extra.length > 0) {
        setOlder((current) => [...current, ...extra]);
        setOlderToken(token);
      }
      window.setTimeout(
        () =>
          document
            .querySelector(`[data-message-id="${CSS.escape(messageId)}"]`)
            ?.scrollIntoView({ block: 'center' }),
        0,
      );
    })().catch((e: Error) => setError(e.message));
  }, [detail, messageId]);

  const setLabelsOn = (target: string, ids: string[]) =>
    act(() => api('PUT', `${target}/labels`, { labelIds: ids }));

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
      // A picker reached by its shortcut (t, s, l) is left with Escape, and the shortcuts work again.
      if (event.key === 'Escape' && event.target instanceof HTMLSelectElement) {
        event.target.blur();
        return;
      }
      if (isTyping(event) || event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === 'e') void setStatus('resolved');
      else if (event.key === 'O') void setStatus('open');
      else if (event.key === 'r') {
        event.preventDefault();
        document.getElementById('reply')?.focus();
      } else if (event.key === 't') {
        event.preventDefault();
        document.getElementById('transfer')?.focus();
      } else if (event.key === 's') {
        event.preventDefault();
        document.getElementById('snooze')?.focus();
      } else if (event.key === 'l' || event.key === 'L') {
        event.preventDefault();
        document.getElementById(event.key === 'l' ? 'label-conversation' : 'label-customer')?.focus();
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
            <span className="meta labels">
              <LabelEditor
                what="conversation"
                ids={conversation.labelIds}
                labels={labels}
                onChange={(ids) => setLabelsOn(`/conversations/${conversation.id}`, ids)}
              />
              <LabelEditor
                what="customer"
                ids={customer.labelIds}
                labels={labels}
                onChange={(ids) => setLabelsOn(`/customers/${customer.id}`, ids)}
              />
            </span>
          </div>
          <div className="actions">
            {conversation.status === 'resolved' ? (
              <button
                type="button"
                onClick={() => void setStatus('open')}
                title="Reopen (Shift+O)"
                aria-keyshortcuts="Shift+O"
              >
                Reopen
              </button>
            ) : (
              <button
                type="button"
                onClick={() => void setStatus('resolved')}
                title="Resolve (e)"
                aria-keyshortcuts="E"
              >
                Resolve
              </button>
            )}
            <SnoozeControl conversationId={conversationId} snooze={detail.snooze} onChanged={act} />
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
        {/* Focusable, so that the keyboard can scroll it: its messages hold nothing else to focus. */}
        <ol className="timeline" aria-label="Timeline" tabIndex={0}>
          {olderToken && (
            <li className="older">
              <button type="button" onClick={() => void loadOlder()}>
                Earlier messages
              </button>
            </li>
          )}
          {messages.map((m) => (
            <Message
              key={m.id}
              message={m}
              current={m.conversationId === conversation.id}
              focused={m.id === messageId}
            />
          ))}
        </ol>
        {customerTyping && <p className="typing">Customer is typing…</p>}
        <CustomerWindowNotice channel={conversation.channel} messages={messages} />
        <ReplyBox
          conversationId={conversationId}
          lastChannel={conversation.channel}
          channels={customer.channels}
          templateOnly={
            conversation.channel === 'whatsapp' && windowNotice('whatsapp', messages)?.open === false
          }
          onSent={() => Promise.all([load(), onChanged()]).then(() => undefined)}
        />
      </section>
      <CustomerPanel detail={detail} me={me} onChanged={load} />
    </>
  );
}
