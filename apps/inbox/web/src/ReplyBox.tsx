import { type KeyboardEvent as ReactKeyboardEvent, useEffect, useRef, useState } from 'react';
import {
  type AgentView,
  type CannedResponse,
  type Channel,
  type MessageTemplate,
  api,
  newIdempotencyKey,
} from './api.js';
import {
  ATTACHMENT_TYPES,
  MAX_FILES,
  type UploadedAttachment,
  attachmentProblem,
  channelAttachmentProblem,
  uploadAttachment,
} from './attachments.js';
import { CHANNEL_LABEL } from './format.js';
import { live } from './live.js';
import { mentionAtCaret } from './mentions.js';
import { WaitingSends } from './WaitingSends.js';
import { outbox } from './outbox.js';
import { TemplatePicker } from './TemplatePicker.js';

export function ReplyBox({
  conversationId,
  lastChannel,
  channels,
  templateOnly,
  onSent,
}: {
  conversationId: string;
  lastChannel: Channel | null;
  channels: Channel[];
  /** WhatsApp's 24-hour window has closed: only an approved template can go. */
  templateOnly: boolean;
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
  // Colleagues to @mention in a note (ADR 0111), read when the agent first writes one.
  const [colleagues, setColleagues] = useState<AgentView[] | null>(null);
  const [caret, setCaret] = useState(0);

  useEffect(() => {
    if (!note || colleagues) return;
    api<{ agents: AgentView[] }>('GET', '/agents')
      .then((r) => setColleagues(r.agents))
      .catch(() => setColleagues([]));
  }, [note, colleagues]);

  useEffect(() => {
    api<{ cannedResponses: CannedResponse[] }>('GET', '/canned-responses')
      .then((r) => setCanned(r.cannedResponses))
      .catch(() => setCanned([]));
  }, []);

  const shortcut = /^\/([a-z0-9_-]*)$/.exec(text.trim())?.[1];
  const suggestions =
    shortcut !== undefined ? canned.filter((c) => c.shortcut.startsWith(shortcut)).slice(0, 6) : [];

  const mention = note ? mentionAtCaret(text, caret) : null;
  const mentionSuggestions = mention
    ? (colleagues ?? [])
        .filter((a) => a.displayName.toLowerCase().startsWith(mention.partial.toLowerCase()))
        .slice(0, 6)
    : [];
  const insertMention = (name: string) => {
    if (!mention) return;
    const before = `${text.slice(0, mention.start)}@${name} `;
    setText(before + text.slice(caret));
    setCaret(before.length);
  };

  const channelProblem = note ? null : channelAttachmentProblem(channel || lastChannel, files, text);
  const canSend =
    (text.trim() !== '' || files.length > 0) && !sending && !uploading && channelProblem === null;
  const send = async () => {
    if (!canSend) return;
    setSending(true);
    setError(null);
    try {
      // Down (or no answer): it waits in the outbox and goes, once, when the connection is back.
      const sent = await outbox.send(conversationId, key.current, {
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
      if (sent) await onSent();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSending(false);
    }
  };

  const sendTemplate = async (template: MessageTemplate, filled: string) => {
    setSending(true);
    setError(null);
    try {
      await api('POST', `/conversations/${conversationId}/messages`, {
        idempotencyKey: key.current,
        // What agents see of it in the timeline; WhatsApp sends the approved body itself.
        text: filled,
        template,
        channel: 'whatsapp',
      });
      key.current = newIdempotencyKey();
      await onSent();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSending(false);
    }
  };

  /** The web widget's secure card form (ADR 0082): the customer's card goes to the payment provider, never here. */
  const requestCard = async () => {
    setSending(true);
    setError(null);
    try {
      await api('POST', `/conversations/${conversationId}/messages`, {
        idempotencyKey: newIdempotencyKey(),
        text: text.trim() ? text : 'Please enter your card details in the secure form below.',
        channel: 'web',
        form: { kind: 'card' },
      });
      setText('');
      await onSent();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSending(false);
    }
  };
  const templatesOnly = templateOnly && !note && (channel === '' || channel === 'whatsapp');
  const canRequestCard = !note && !sending && files.length === 0 && (channel || lastChannel) === 'web';

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
    if (mentionSuggestions.length > 0 && (event.key === 'Tab' || (event.key === 'Enter' && !event.ctrlKey))) {
      event.preventDefault();
      insertMention(mentionSuggestions[0]!.displayName);
      return;
    }
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
      {templatesOnly && (
        <TemplatePicker conversationId={conversationId} sending={sending} onSend={sendTemplate} />
      )}
      {templatesOnly && error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!templatesOnly && (
        <>
          <textarea
            id="reply"
            aria-label={note ? 'Internal note' : 'Reply'}
            placeholder={
              note
                ? 'A note for your team (never sent; @name tells a colleague)'
                : 'Reply… (/ for canned responses, Ctrl+Enter to send)'
            }
            value={text}
            onChange={(e) => {
              setCaret(e.target.selectionStart);
              onChange(e.target.value);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            rows={3}
          />
          {mentionSuggestions.length > 0 && (
            <ul className="canned" aria-label="Mention a colleague">
              {mentionSuggestions.map((a) => (
                <li key={a.agentId}>
                  <button type="button" onClick={() => insertMention(a.displayName)}>
                    @{a.displayName}
                  </button>
                </li>
              ))}
            </ul>
          )}
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
          <WaitingSends conversationId={conversationId} />
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
          {canRequestCard && (
            <button type="button" onClick={() => void requestCard()}>
              Request card details
            </button>
          )}
          <button type="button" className="send" disabled={!canSend} onClick={() => void send()}>
            {note ? 'Add note' : 'Send'}
          </button>
        </>
      )}
    </div>
  );
}
