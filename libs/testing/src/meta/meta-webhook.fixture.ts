import { createHmac } from 'node:crypto';

/**
 * A body as Meta serialises it: JSON with every non-ASCII character escaped (`\u00e9`, surrogate
 * pairs for emoji), which is what Meta signs and sends. A receiver that re-serialises the parsed
 * body gets other bytes and a signature that no longer matches.
 */
export function metaJson(body: unknown): string {
  return JSON.stringify(body).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `X-Hub-Signature-256` as Meta computes it over those bytes. */
export function signMetaBody(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

export interface WhatsAppInboundOptions {
  readonly phoneNumberId: string;
  readonly businessAccountId?: string;
  readonly from: string;
  readonly name?: string;
  readonly messages: readonly Record<string, unknown>[];
}

/** A WhatsApp Cloud API `messages` webhook in Meta's documented shape. */
export function whatsAppInbound(options: WhatsAppInboundOptions): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: options.businessAccountId ?? '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: options.phoneNumberId },
              contacts: [{ profile: { name: options.name ?? 'Sheena Nelson' }, wa_id: options.from }],
              messages: options.messages.map((m) => ({
                from: options.from,
                timestamp: String(Math.floor(Date.now() / 1000)),
                ...m,
              })),
            },
          },
        ],
      },
    ],
  };
}

/** A WhatsApp status webhook (sent, delivered, read, failed with `errors[]`). */
export function whatsAppStatus(
  phoneNumberId: string,
  statuses: readonly { id: string; status: string; recipient: string; errors?: unknown[] }[],
): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              statuses: statuses.map((s) => ({
                id: s.id,
                status: s.status,
                timestamp: String(Math.floor(Date.now() / 1000)),
                recipient_id: s.recipient,
                ...(s.errors ? { errors: s.errors } : {}),
              })),
            },
          },
        ],
      },
    ],
  };
}

/** A Messenger (`page`) or Instagram (`instagram`) webhook with `messaging[]` events. */
export function messagingInbound(
  object: 'page' | 'instagram',
  recipientId: string,
  events: readonly Record<string, unknown>[],
): Record<string, unknown> {
  return {
    object,
    entry: [
      {
        id: recipientId,
        time: Date.now(),
        messaging: events.map((e) => ({ recipient: { id: recipientId }, timestamp: Date.now(), ...e })),
      },
    ],
  };
}
