import { metaJson, signMetaBody } from '../meta/meta-webhook.fixture.js';

/**
 * Meta's POST of `body` to `/webhooks/meta` of the app at `baseUrl`: serialised and signed as Meta
 * does (escaped unicode, `X-Hub-Signature-256` over those bytes). `signature: null` sends none.
 */
export function postMetaWebhook(
  baseUrl: string,
  body: unknown,
  appSecret: string,
  signature: string | null = signMetaBody(metaJson(body), appSecret),
): Promise<Response> {
  return postMetaBytes(baseUrl, metaJson(body), signature);
}

/** The same POST of bytes the test wrote itself (re-serialised, truncated), with `signature` or none. */
export function postMetaBytes(baseUrl: string, raw: string, signature: string | null): Promise<Response> {
  return fetch(`${baseUrl}/webhooks/meta`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
    body: raw,
  });
}

/**
 * Telegram's POST of an update to `/webhooks/telegram/<channel id>`, with the secret token
 * `setWebhook` was given (`null`: none).
 */
export function postTelegramUpdate(
  baseUrl: string,
  channelId: string,
  update: unknown,
  secretToken: string | null,
): Promise<Response> {
  return fetch(`${baseUrl}/webhooks/telegram/${channelId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secretToken === null ? {} : { 'x-telegram-bot-api-secret-token': secretToken }),
    },
    body: JSON.stringify(update),
  });
}

/** A private-chat message as the Bot API delivers it in an update, with `fields` (`text`, `photo`, …). */
export function telegramMessage(chatId: number, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    message_id: Math.floor(Math.random() * 1e6),
    from: { id: chatId, is_bot: false, first_name: 'Olga', last_name: 'Petrova', language_code: 'ru' },
    chat: { id: chatId, first_name: 'Olga', type: 'private' },
    date: Math.floor(Date.now() / 1000),
    ...fields,
  };
}
