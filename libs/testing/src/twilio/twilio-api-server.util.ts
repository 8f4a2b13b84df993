import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedTwilioRequest {
  readonly method: string;
  readonly path: string;
  /** The form parameters as sent (repeated names keep every value). */
  readonly form: URLSearchParams;
  /** Basic-auth credentials the client sent, or null. */
  readonly auth: { readonly username: string; readonly password: string } | null;
  /** `Date.now()` when the request's body had arrived (latency benchmarks time deliveries by it). */
  readonly receivedAt: number;
}

export interface CannedResponse {
  readonly status: number;
  /** JSON body; for errors, Twilio's shape `{ code, message, more_info, status }`. */
  readonly body?: unknown;
  /** Hold the answer this long (timeouts, latency). */
  readonly delayMs?: number;
  /**
   * Create the message as an uncanned request would, then drop the connection without an answer:
   * Twilio took it, but the client cannot know (`status` and `body` are not sent).
   */
  readonly lostAfterCreating?: boolean;
}

export type TwilioMedia =
  | { readonly contentType: string; readonly body: Buffer }
  /** Answers 307 to `location`, as Twilio's API does, sending media on to its CDN. */
  | { readonly redirectTo: string };

export interface TwilioApiServer {
  /** Base URL for TWILIO_API_BASE_URL: the real `twilio` client talks to it as to api.twilio.com. */
  readonly url: string;
  readonly requests: readonly RecordedTwilioRequest[];
  /** Answers the next Messages.json creations in order; once used up, creations succeed. */
  enqueueCreateResponses(...responses: CannedResponse[]): void;
  /** Serves `body` at a media URL of `accountSid` (authenticated, as Twilio's "HTTP auth on media" does). */
  addMedia(accountSid: string, messageSid: string, media: TwilioMedia): string;
  /** Requests that created messages. */
  creations(): RecordedTwilioRequest[];
  /** Requests that listed messages (`GET …/Messages.json`, a lookup). */
  lookups(): RecordedTwilioRequest[];
  close(): Promise<void>;
}

/** Twilio's error document, as its REST API answers a failed request. */
export function twilioError(status: number, code: number, message: string): CannedResponse {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

/** Twilio's list filters on the Messages resource, and its paging (`Page`, `PageSize` up to 1,000). */
function listMessages(
  all: readonly Record<string, unknown>[],
  accountSid: string,
  query: URLSearchParams,
): Record<string, unknown> {
  const day = (value: unknown) =>
    typeof value === 'string' ? new Date(value).toISOString().slice(0, 10) : null;
  const matching = all.filter(
    (m) =>
      m.account_sid === accountSid &&
      (!query.has('To') || m.to === query.get('To')) &&
      (!query.has('From') || m.from === query.get('From')) &&
      (!query.has('DateSent') || day(m.date_sent) === query.get('DateSent')!.slice(0, 10)) &&
      (!query.has('DateSent<') || (day(m.date_sent) ?? '') <= query.get('DateSent<')!.slice(0, 10)) &&
      (!query.has('DateSent>') || (day(m.date_sent) ?? '') >= query.get('DateSent>')!.slice(0, 10)),
  );
  const pageSize = Math.min(Math.max(Number(query.get('PageSize') ?? '50') || 50, 1), 1_000);
  const page = Math.max(Number(query.get('Page') ?? '0') || 0, 0);
  const start = page * pageSize;
  // Newest first, as Twilio lists them.
  const messages = [...matching].reverse().slice(start, start + pageSize);
  const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
  const pageUri = (n: number) => {
    const q = new URLSearchParams(query);
    q.set('PageSize', String(pageSize));
    q.set('Page', String(n));
    return `${path}?${q.toString()}`;
  };
  return {
    messages,
    page,
    page_size: pageSize,
    start,
    end: start + Math.max(messages.length - 1, 0),
    uri: pageUri(page),
    first_page_uri: pageUri(0),
    previous_page_uri: page > 0 ? pageUri(page - 1) : null,
    next_page_uri: start + pageSize < matching.length ? pageUri(page + 1) : null,
  };
}

/**
 * A loopback HTTP server that answers as Twilio's REST API does for what Switchboard uses:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form-encoded, basic auth with the account
 * SID and auth token, 201 with the message resource), `GET` of the same path (the messages it
 * created, newest first, filtered by `To`, `From` and `DateSent` and paged as Twilio pages them) and
 * media downloads. Wrong credentials get
 * Twilio's 401 (code 20003), so a client that forgets them fails here as it would there.
 */
export async function startTwilioApiServer(credentials: Record<string, string>): Promise<TwilioApiServer> {
  const requests: RecordedTwilioRequest[] = [];
  const queue: CannedResponse[] = [];
  const media = new Map<string, TwilioMedia>();
  /** The messages created, oldest first, as their resources. */
  const messages: Record<string, unknown>[] = [];

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://loopback');
    const authHeader = req.headers.authorization ?? '';
    const decoded = authHeader.startsWith('Basic ')
      ? Buffer.from(authHeader.slice(6), 'base64').toString('utf8')
      : null;
    const auth =
      decoded === null
        ? null
        : {
            username: decoded.slice(0, decoded.indexOf(':')),
            password: decoded.slice(decoded.indexOf(':') + 1),
          };
    const recorded: RecordedTwilioRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      auth,
      receivedAt: Date.now(),
    };
    requests.push(recorded);

    const accountSid = /^\/2010-04-01\/Accounts\/([^/]+)\//.exec(url.pathname)?.[1];
    if (accountSid === undefined) return send(res, 404, twilioError(404, 20404, 'Not found').body);
    if (auth === null || auth.username !== accountSid || credentials[accountSid] !== auth.password) {
      return send(res, 401, twilioError(401, 20003, 'Authenticate').body);
    }

    if (req.method === 'POST' && url.pathname === `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
      const canned = queue.shift();
      if (canned?.delayMs) await new Promise((r) => setTimeout(r, canned.delayMs));
      if (canned && !canned.lostAfterCreating) return send(res, canned.status, canned.body ?? {});
      const messageSid = sid('SM');
      const now = new Date().toUTCString();
      const message = {
        sid: messageSid,
        account_sid: accountSid,
        to: recorded.form.get('To'),
        from: recorded.form.get('From'),
        messaging_service_sid: recorded.form.get('MessagingServiceSid'),
        body: recorded.form.get('Body'),
        status: 'queued',
        num_segments: '1',
        num_media: String(recorded.form.getAll('MediaUrl').length),
        direction: 'outbound-api',
        api_version: '2010-04-01',
        price: null,
        price_unit: 'USD',
        error_code: null,
        error_message: null,
        date_created: now,
        date_updated: now,
        date_sent: null,
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}.json`,
        subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media.json` },
      };
      messages.push(message);
      if (canned?.lostAfterCreating) return void req.socket.destroy();
      return send(res, 201, message);
    }
    if (req.method === 'GET' && url.pathname === `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
      return send(res, 200, listMessages(messages, accountSid, url.searchParams));
    }

    const item = req.method === 'GET' ? media.get(url.pathname) : undefined;
    if (item && 'redirectTo' in item) {
      res.writeHead(307, { location: item.redirectTo });
      return res.end();
    }
    if (item) {
      res.writeHead(200, { 'content-type': item.contentType, 'content-length': String(item.body.length) });
      return res.end(item.body);
    }
    return send(
      res,
      404,
      twilioError(404, 20404, `The requested resource ${url.pathname} was not found`).body,
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    requests,
    enqueueCreateResponses: (...responses) => queue.push(...responses),
    addMedia: (accountSid, messageSid, item) => {
      const path = `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media/${sid('ME')}`;
      media.set(path, item);
      return `${base}${path}`;
    },
    creations: () => requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json')),
    lookups: () => requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Messages.json')),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
