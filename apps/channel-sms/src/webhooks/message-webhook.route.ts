import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { serveAheadOfExpress } from '@switchboard/platform';
import type { TwilioWebhookAnswer, TwilioWebhookEndpoint } from './twilio-webhook.endpoint.js';

/** The route's template, as express would have labelled it in the request metrics. */
export const MESSAGE_WEBHOOK_PATH = '/webhooks/twilio/sms';

export interface MessageWebhookRouteOptions {
  /** The largest body taken, in bytes; a larger one is answered 413. */
  readonly limitBytes: number;
  /** Strict-Transport-Security, as the platform sends it when PUBLIC_BASE_URL is https. */
  readonly hsts: boolean;
}

/**
 * Puts Twilio's message webhook (`POST /webhooks/twilio/sms`) on `server` ahead of its express
 * app (ADR 0141): every customer text is one, and express's and Nest's layers (router, body
 * parsers, type checks, interceptors, filters) cost more CPU per webhook than its own work. The
 * answers are `TwilioWebhookEndpoint`'s, as on Nest's route (`serveAheadOfExpress` times, labels and
 * secures the request as express would). Anything else goes to express as before.
 */
export function routeMessageWebhooksFirst(
  server: Server,
  endpoint: TwilioWebhookEndpoint,
  options: MessageWebhookRouteOptions,
): void {
  serveAheadOfExpress(server, { path: MESSAGE_WEBHOOK_PATH, hsts: options.hsts }, (req) => {
    if (req.method !== 'POST' || pathOf(req.url) !== MESSAGE_WEBHOOK_PATH) return undefined;
    return (res) =>
      void readBody(req, options.limitBytes)
        .then(
          (rawBody) => {
            if (rawBody === null) return respond(res, tooLarge, true);
            return endpoint
              .answer('message', {
                signature: header(req, 'x-twilio-signature'),
                contentType: encoded(req) ? undefined : req.headers['content-type'],
                rawBody,
                originalUrl: req.url ?? MESSAGE_WEBHOOK_PATH,
                protocol: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
                host: req.headers.host,
              })
              .then((answer) => respond(res, answer, false));
          },
          // The client went away mid-body: nobody to answer.
          () => void req.destroy(),
        )
        .catch(() => respond(res, failed, false));
  });
}

const tooLarge: TwilioWebhookAnswer = {
  status: 413,
  contentType: 'text/plain; charset=utf-8',
  body: 'request entity too large',
};
const failed: TwilioWebhookAnswer = {
  status: 500,
  contentType: 'text/plain; charset=utf-8',
  body: 'Internal server error',
};

function pathOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A compressed body is not a form as Twilio sends one (it never compresses webhooks). */
function encoded(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  return encoding !== undefined && encoding.toLowerCase() !== 'identity';
}

/** The body's bytes; null (and the rest discarded) once it is over `limit`. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(length > limit ? null : Buffer.concat(chunks, length)));
    req.once('error', reject);
  });
}

function respond(res: ServerResponse, answer: TwilioWebhookAnswer, close: boolean): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = answer.status;
  res.setHeader('Content-Type', answer.contentType);
  res.setHeader('Content-Length', Buffer.byteLength(answer.body));
  if (answer.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(answer.retryAfterSeconds));
  if (close) res.setHeader('Connection', 'close');
  res.end(answer.body);
}
