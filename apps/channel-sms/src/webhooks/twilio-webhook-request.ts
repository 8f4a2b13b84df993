import twilio from 'twilio';

/** A Twilio webhook as it arrived: the URL Twilio called, its signature, its form parameters as sent. */
export interface TwilioWebhookRequest {
  readonly url: string;
  readonly signature: string;
  readonly params: Readonly<Record<string, string | string[]>>;
}

/**
 * Form parameters exactly as Twilio sent them, from the raw body: Twilio signs names and values
 * as sent, and a parser that nests `a[b]` keys or drops repeats would make valid requests fail
 * (or, worse, let the validated and the used values differ).
 */
export function parseTwilioForm(raw: Buffer | string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(typeof raw === 'string' ? raw : raw.toString('utf8'))) {
    const previous = params[name];
    params[name] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return params;
}

/** The single value of a parameter; a repeated one counts as absent (Twilio never repeats these). */
export function param(params: TwilioWebhookRequest['params'], name: string): string | null {
  const value = params[name];
  return typeof value === 'string' ? value : null;
}

/** twilio's own check: HMAC-SHA1 over the URL and sorted parameters, constant-time compare, with and without the default port. */
export function hasValidSignature(request: TwilioWebhookRequest, authToken: string): boolean {
  return twilio.validateRequest(authToken, request.signature, request.url, request.params);
}
