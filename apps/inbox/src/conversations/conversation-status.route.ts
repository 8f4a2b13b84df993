import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { InvalidArgumentError } from '@switchboard/contracts';
import { HttpConfig, PlatformConfigService, createLogger, serveAheadOfExpress } from '@switchboard/platform';
import { SessionGuard } from '../auth/session.guard.js';
import { CSRF_HEADER } from '../auth/session-cookie.util.js';
import { type InboxErrorAnswer, inboxErrorAnswer } from '../http/inbox-error-answer.util.js';
import { parseInput } from '../http/parse-input.util.js';
import { ConversationsController, statusChangeSchema } from './conversations.controller.js';
import { ConversationsService } from './conversations.service.js';

/** The route's template, as express labels it in the request metrics. */
export const STATUS_CHANGE_PATH = '/api/inbox/conversations/:conversationId/status';
const PREFIX = '/api/inbox/conversations/';
const SUFFIX = '/status';
/** body-parser's default, which the inbox's JSON bodies have on express. */
const JSON_LIMIT_BYTES = 100 * 1024;

const logger = createLogger('inbox.http');

/**
 * Puts an agent's status change (`POST /api/inbox/conversations/:conversationId/status`: every
 * resolve) on the app's server ahead of express (ADR 0150), as channel-sms does with Twilio's
 * webhook (ADR 0141): express's router and body parser and Nest's pipeline cost more CPU per
 * request than the route's own work. What Nest's route does, in its order: the JSON body, the
 * guard's checks (`SessionGuard.authorize` with the controller's own rule: Origin, session, CSRF
 * token, role), the controller's schema, `ConversationsService.setStatus`, errors in the inbox's
 * one shape (`inboxErrorAnswer`); `serveAheadOfExpress` times, labels and secures it as express
 * would. A request this route does not take exactly as a browser sends it (another content type,
 * a compressed, chunked or oversized body, an escaped id) goes to express, as does everything else.
 */
export function routeStatusChangesFirst(app: INestApplication): void {
  const guard = app.get(SessionGuard);
  const conversations = app.get(ConversationsService);
  // eslint-disable-next-line @typescript-eslint/unbound-method -- a key for the guard's rules, never called
  const rule = guard.ruleFor(ConversationsController, ConversationsController.prototype.setStatus);
  const hsts = app.get(PlatformConfigService).get(HttpConfig).PUBLIC_BASE_URL?.startsWith('https:') ?? false;
  serveAheadOfExpress(app.getHttpServer() as Server, { path: STATUS_CHANGE_PATH, hsts }, (req) => {
    const conversationId = req.method === 'POST' ? taken(req) : undefined;
    if (conversationId === undefined) return undefined;
    return (res) =>
      void readBody(req)
        .then(async (bytes) => {
          const body = parseJson(bytes);
          const session = await guard.authorize(
            {
              method: 'POST',
              origin: header(req, 'origin'),
              host: header(req, 'host'),
              protocol: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
              cookie: header(req, 'cookie'),
              csrfToken: header(req, CSRF_HEADER),
            },
            rule,
          );
          if (session === null) throw new Error('the status change is not a public route');
          const { status } = parseInput(statusChangeSchema, body);
          return conversations.setStatus(session, conversationId, status);
        })
        .then(
          (view) => respond(res, 200, JSON.stringify(view)),
          (error: unknown) => {
            const answer: InboxErrorAnswer = inboxErrorAnswer(error);
            if (answer.unexpected) logger.error({ err: error }, 'inbox request failed');
            if (answer.retryAfterSeconds !== undefined)
              res.setHeader('Retry-After', String(answer.retryAfterSeconds));
            respond(res, answer.status, JSON.stringify(answer.body));
          },
        );
  });
}

/**
 * The conversation's id when the request is a status change this route takes: its path exactly
 * (any query), a JSON body of announced length within the limit, not compressed. Undefined hands
 * it to express, which answers it as before.
 */
export function taken(req: IncomingMessage): string | undefined {
  const url = req.url;
  if (url === undefined || !url.startsWith(PREFIX)) return undefined;
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.endsWith(SUFFIX)) return undefined;
  const id = path.slice(PREFIX.length, path.length - SUFFIX.length);
  // Express decodes an escaped id (and refuses a malformed one): left to it.
  if (id.length === 0 || id.includes('/') || id.includes('%')) return undefined;
  const length = req.headers['content-length'];
  if (length === undefined || !/^\d+$/.test(length) || Number(length) > JSON_LIMIT_BYTES) return undefined;
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return undefined;
  const type = req.headers['content-type']?.toLowerCase().replace(/\s+/g, '');
  if (type !== 'application/json' && type !== 'application/json;charset=utf-8') return undefined;
  return id;
}

/** What body-parser makes of a JSON body: none is `{}`; one that is not JSON is refused (400). */
function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) return {};
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new InvalidArgumentError('the body is not JSON');
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body's bytes (its length announced and within the limit: `taken`). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function respond(res: ServerResponse, status: number, json: string): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}
