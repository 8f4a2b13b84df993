import type { Channel, MessageView } from '@switchboard/contracts';
import { windowNotice } from './customer-window.js';

/** How long the agent may still reply freely on WhatsApp, Messenger or Instagram, above the composer. */
export function CustomerWindowNotice({
  channel,
  messages,
}: {
  channel: Channel | null;
  messages: readonly MessageView[];
}) {
  const notice = windowNotice(channel, messages);
  if (notice === null) return null;
  return (
    <p className={notice.open ? 'window-notice' : 'window-notice closed'} role="status">
      {notice.text}
    </p>
  );
}
