import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedGraphRequest {
  readonly method: string;
  /** Without the version: `/<phone-number-id>/messages`. */
  readonly path: string;
  readonly version: string;
  /** The bearer token sent, or null. */
  readonly token: string | null;
  /** The JSON body, or null. */
  readonly json: Record<string, unknown> | null;
  /** Multipart fields (files as their bytes), or null. */
  readonly form: ReadonlyMap<
    string,
    string | { readonly type: string; readonly name: string; readonly bytes: Buffer }
  > | null;
}

export interface GraphCannedResponse {
  readonly status: number;
  /** For errors, Graph's shape `{ error: { message, type, code, error_subcode, fbtrace_id } }`. */
  readonly body?: unknown;
  readonly delayMs?: number;
}

export interface GraphTemplate {
  readonly name: string;
  readonly language: string;
  readonly status?: string;
  readonly category?: string;
  readonly body: string;
}

export interface GraphApiServer {
  /** Base URL for META_GRAPH_API_BASE_URL. */
  readonly url: string;
  readonly requests: readonly RecordedGraphRequest[];
  /** Answers the next sends (`POST …/messages`) in order; once used up, sends succeed. */
  enqueueSendResponses(...responses: GraphCannedResponse[]): void;
  /** A WhatsApp media id whose URL (on this server) serves `body`, with the same bearer token. */
  addMedia(mediaId: string, contentType: string, body: Buffer, options?: { url?: string }): void;
  /** A URL on this server serving `body` without a token, as Meta's CDN serves Messenger attachments. */
  addCdnFile(contentType: string, body: Buffer): string;
  setTemplates(businessAccountId: string, templates: readonly GraphTemplate[]): void;
  /** Sends (`POST …/messages`) received. */
  sends(): RecordedGraphRequest[];
  close(): Promise<void>;
}

/** Graph's error document. */
export function graphError(
  status: number,
  code: number,
  message: string,
  type = 'OAuthException',
): GraphCannedResponse {
  return { status, body: { error: { message, type, code, fbtrace_id: randomBytes(8).toString('hex') } } };
}

/**
 * A loopback HTTP server that answers as Meta's Graph API does for what Switchboard uses, under any
 * version prefix (`/v23.0/…`): WhatsApp Cloud API sends (`POST /{phone-number-id}/messages`,
 * answered `{ messaging_product, contacts, messages: [{ id: "wamid…" }] }`) and uploads
 * (`POST /{phone-number-id}/media`, multipart), Messenger/Instagram sends (`POST /{page-id}/messages`,
 * `{ recipient_id, message_id }`) and uploads (`/message_attachments`), media lookups
 * (`GET /{media-id}` → `{ url, mime_type, file_size }`, the URL valid with the same token) and
 * templates (`GET /{waba-id}/message_templates`). A token other than `tokens` gets Graph's 401
 * (code 190), so a client that forgets it fails here as it would there.
 */
export async function startGraphApiServer(tokens: readonly string[]): Promise<GraphApiServer> {
  const requests: RecordedGraphRequest[] = [];
  const queue: GraphCannedResponse[] = [];
  const media = new Map<string, { contentType: string; body: Buffer; url?: string }>();
  const cdn = new Map<string, { contentType: string; body: Buffer }>();
  const templates = new Map<string, readonly GraphTemplate[]>();
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://loopback');
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : null;

    if (url.pathname.startsWith('/cdn/')) {
      const file = cdn.get(url.pathname.slice(5));
      if (!file) return send(res, 404, {});
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length });
      return res.end(file.body);
    }
    if (url.pathname.startsWith('/media-bytes/')) {
      // WhatsApp media URLs want the same bearer token as the API.
      if (token === null || !tokens.includes(token))
        return send(res, 401, graphError(401, 190, 'Invalid OAuth access token.').body);
      const file = media.get(decodeURIComponent(url.pathname.slice(13)));
      if (!file) return send(res, 404, {});
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length });
      return res.end(file.body);
    }

    const match = /^\/(v\d+\.\d+)(\/.*)$/.exec(url.pathname);
    if (!match) return send(res, 404, graphError(404, 803, 'Unknown path').body);
    const [, version = '', path = ''] = match;
    const contentType = req.headers['content-type'] ?? '';
    let json: Record<string, unknown> | null = null;
    let form: Map<string, string | { type: string; name: string; bytes: Buffer }> | null = null;
    if (contentType.startsWith('application/json'))
      json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    if (contentType.startsWith('multipart/form-data')) {
      const parsed = await new Request('http://loopback/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: raw,
      }).formData();
      form = new Map();
      for (const [name, value] of parsed.entries())
        form.set(
          name,
          typeof value === 'string'
            ? value
            : { type: value.type, name: value.name, bytes: Buffer.from(await value.arrayBuffer()) },
        );
    }
    const recorded: RecordedGraphRequest = { method: req.method ?? 'GET', path, version, token, json, form };
    requests.push(recorded);
    if (token === null || !tokens.includes(token))
      return send(res, 401, graphError(401, 190, 'Invalid OAuth access token.').body);

    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'POST' && segments.length === 2 && segments[1] === 'messages') {
      const canned = queue.shift();
      if (canned?.delayMs) await new Promise((r) => setTimeout(r, canned.delayMs));
      if (canned) return send(res, canned.status, canned.body ?? {});
      if (json?.messaging_product === 'whatsapp')
        return send(res, 200, {
          messaging_product: 'whatsapp',
          contacts: [{ input: json.to, wa_id: json.to }],
          messages: [{ id: `wamid.${randomBytes(24).toString('base64url')}` }],
        });
      const recipient = (json?.recipient as { id?: string } | undefined)?.id;
      return send(res, 200, {
        recipient_id: recipient,
        message_id: `m_${randomBytes(24).toString('base64url')}`,
      });
    }
    if (req.method === 'POST' && segments.length === 2 && segments[1] === 'media') {
      if (form?.get('messaging_product') !== 'whatsapp' || typeof form.get('file') !== 'object')
        return send(res, 400, graphError(400, 100, 'Invalid parameter', 'OAuthException').body);
      return send(res, 200, { id: String(BigInt(`0x${randomBytes(7).toString('hex')}`)) });
    }
    if (req.method === 'POST' && segments.length === 2 && segments[1] === 'message_attachments') {
      if (typeof form?.get('filedata') !== 'object' || typeof form.get('message') !== 'string')
        return send(res, 400, graphError(400, 100, 'Invalid parameter').body);
      return send(res, 200, { attachment_id: String(BigInt(`0x${randomBytes(7).toString('hex')}`)) });
    }
    if (req.method === 'GET' && segments.length === 2 && segments[1] === 'message_templates') {
      const list = templates.get(segments[0] ?? '') ?? [];
      return send(res, 200, {
        data: list.map((t) => ({
          name: t.name,
          language: t.language,
          status: t.status ?? 'APPROVED',
          category: t.category ?? 'UTILITY',
          id: String(BigInt(`0x${randomBytes(6).toString('hex')}`)),
          components: [{ type: 'BODY', text: t.body }],
        })),
        paging: { cursors: { before: 'b', after: 'a' } },
      });
    }
    if (req.method === 'GET' && segments.length === 1) {
      const id = segments[0] ?? '';
      const file = media.get(id);
      if (!file)
        return send(
          res,
          404,
          graphError(
            400,
            100,
            `Unsupported get request. Object with ID '${id}' does not exist`,
            'GraphMethodException',
          ).body,
        );
      return send(res, 200, {
        messaging_product: 'whatsapp',
        url: file.url ?? `${base}/media-bytes/${encodeURIComponent(id)}`,
        mime_type: file.contentType,
        sha256: 'not-checked',
        file_size: file.body.length,
        id,
      });
    }
    return send(res, 400, graphError(400, 100, 'Unsupported request').body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: { message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    enqueueSendResponses: (...responses) => queue.push(...responses),
    addMedia: (mediaId, contentType, body, options = {}) =>
      media.set(mediaId, { contentType, body, ...options }),
    addCdnFile: (contentType, body) => {
      const id = randomBytes(8).toString('hex');
      cdn.set(id, { contentType, body });
      return `${base}/cdn/${id}`;
    },
    setTemplates: (waba, list) => templates.set(waba, list),
    sends: () => requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages')),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
