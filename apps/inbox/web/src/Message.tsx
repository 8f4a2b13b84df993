import { type MessageView } from './api.js';
import { agentAttachmentUrl } from './attachments.js';
import { CHANNEL_LABEL, time } from './format.js';

export function Message({
  message,
  current,
  focused = false,
}: {
  message: MessageView;
  current: boolean;
  /** The message a search result opened the conversation at. */
  focused?: boolean;
}) {
  const who =
    message.direction === 'in'
      ? 'Customer'
      : (message.sender.name ?? (message.sender.type === 'agent' ? 'Agent' : message.sender.type));
  return (
    <li
      className={`message ${message.direction}${current ? '' : ' earlier'}${focused ? ' focused' : ''}`}
      data-sequence={message.sequence}
      data-message-id={message.id}
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
