import type {
  Attachment,
  Channel,
  DeliveryStatus,
  MessageDirection,
  MessageSender,
  MessageView,
} from '@switchboard/contracts';
import { isoRequired } from '../database/sql.util.js';

export const MESSAGE_COLUMNS = `m.id, m.workspace_id, m.conversation_id, m.customer_id, m.sequence, m.direction,
  m.channel, m.channel_account_id, m.provider_message_id, m.text, m.attachments, m.sender, m.delivery_status,
  m.delivery_error_code, m.delivery_error_message, m.created_at, m.created_at::text AS created_at_key`;

export interface MessageRow {
  id: string;
  workspace_id: string;
  conversation_id: string;
  customer_id: string;
  sequence: number;
  direction: MessageDirection;
  channel: Channel | null;
  channel_account_id: string | null;
  provider_message_id: string | null;
  text: string | null;
  attachments: Attachment[];
  sender: MessageSender;
  delivery_status: DeliveryStatus | null;
  delivery_error_code: string | null;
  delivery_error_message: string | null;
  created_at: Date;
  /** Full-precision text of created_at, for keyset tokens (a JS Date keeps only milliseconds). */
  created_at_key: string;
}

export function toMessageView(row: MessageRow): MessageView {
  const failed = row.delivery_status === 'failed' || row.delivery_status === 'undelivered';
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    conversationId: row.conversation_id,
    customerId: row.customer_id,
    sequence: row.sequence,
    direction: row.direction,
    channel: row.channel,
    channelAccountId: row.channel_account_id,
    providerMessageId: row.provider_message_id,
    text: row.text,
    attachments: row.attachments,
    sender: row.sender,
    deliveryStatus: row.direction === 'out' ? row.delivery_status : null,
    deliveryError:
      failed && (row.delivery_error_code !== null || row.delivery_error_message !== null)
        ? { code: row.delivery_error_code, message: row.delivery_error_message }
        : null,
    createdAt: isoRequired(row.created_at),
  };
}
