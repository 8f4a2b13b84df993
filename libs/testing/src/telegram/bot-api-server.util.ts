import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedBotApiCall {
  readonly method: string;
  /** JSON parameters, or multipart fields (files as their bytes). */
  readonly params: ReadonlyMap<string, unknown>;
  /** Whether the request was multipart (a file uploaded) rather than JSON. */
  readonly multipart: boolean;
}

export interface BotApiServer {
  /** Base URL for TELEGRAM_API_BASE_URL. */
  readonly url: string;
  readonly calls: readonly RecordedBotApiCall[];
  /** A file getFile resolves (`file_path`), served at `/file/bot<token>/<path>`. */
  addFile(fileId: string, body: Buffer): void;
  /** The next calls of `method` answer this Bot API error. */
  failNext(method: string, errorCode: number, description: string): void;
  callsOf(method: string): RecordedBotApiCall[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that answers as Telegram's Bot API does for one bot: `POST
 * /bot<token>/<method>` with JSON or multipart (`getMe`, `setWebhook`, `getFile`, `sendMessage`,
 * `sendPhoto`, `sendDocument`), answered `{ ok: true, result }`; files at
 * `/file/bot<token>/<file_path>`. Another token gets `{ ok: false, error_code: 401 }`; a photo or
 * document given as a string (a URL or file id) rather than uploaded bytes is refused, as
 * Telegram refuses URLs it cannot fetch.
 */
export async function startBotApiServer(
  token: string,
  bot = { id: Number(token.split(':')[0]), username: 'switchboard_test_bot' },
): Promise<BotApiServer> {
  const calls: RecordedBotApiCall[] = [];
  const files = new Map<string, { path: string; body: Buffer }>();
  const failures = new Map<string, { errorCode: number; description: string }>();
  let messageId = 100;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, errorCode: number, description: string) =>
    send(res, errorCode, { ok: false, error_code: errorCode, description });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://loopback');
    const filePath = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (filePath) {
      if (filePath[1] !== token) return fail(res, 401, 'Unauthorized');
      const file = [...files.values()].find((f) => f.path === filePath[2]);
      if (!file) return fail(res, 404, 'Not Found');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.body.length });
      return res.end(file.body);
    }
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!match) return fail(res, 404, 'Not Found');
    if (match[1] !== token) return fail(res, 401, 'Unauthorized');
    const method = match[2] ?? '';
    const contentType = req.headers['content-type'] ?? '';
    const params = new Map<string, unknown>();
    const multipart = contentType.startsWith('multipart/form-data');
    if (multipart) {
      const form = await new Request('http://loopback/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: raw,
      }).formData();
      for (const [name, value] of form.entries())
        params.set(
          name,
          typeof value === 'string'
            ? value
            : { type: value.type, name: value.name, bytes: Buffer.from(await value.arrayBuffer()) },
        );
    } else if (raw.length > 0) {
      for (const [name, value] of Object.entries(JSON.parse(raw.toString('utf8')) as Record<string, unknown>))
        params.set(name, value);
    }
    calls.push({ method, params, multipart });
    const failure = failures.get(method);
    if (failure) {
      failures.delete(method);
      return fail(res, failure.errorCode, failure.description);
    }
    const chat = { id: Number(params.get('chat_id')), type: 'private' };
    const message = () => ({
      message_id: (messageId += 1),
      date: Math.floor(Date.now() / 1000),
      chat,
      from: { id: bot.id, is_bot: true, first_name: 'Bot', username: bot.username },
    });
    switch (method) {
      case 'getMe':
        return send(res, 200, {
          ok: true,
          result: { id: bot.id, is_bot: true, first_name: 'Switchboard', username: bot.username },
        });
      case 'setWebhook': {
        const secret = params.get('secret_token');
        if (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(secret))
          return fail(res, 400, 'Bad Request: secret token contains unallowed characters');
        return send(res, 200, { ok: true, result: true, description: 'Webhook was set' });
      }
      case 'getFile': {
        const file = files.get(String(params.get('file_id')));
        if (!file) return fail(res, 400, 'Bad Request: invalid file_id');
        return send(res, 200, {
          ok: true,
          result: {
            file_id: params.get('file_id'),
            file_unique_id: 'u',
            file_size: file.body.length,
            file_path: file.path,
          },
        });
      }
      case 'sendMessage':
        if (typeof params.get('text') !== 'string' || params.get('text') === '')
          return fail(res, 400, 'Bad Request: message text is empty');
        return send(res, 200, { ok: true, result: { ...message(), text: params.get('text') } });
      case 'sendPhoto':
      case 'sendDocument': {
        const field = method === 'sendPhoto' ? 'photo' : 'document';
        if (typeof params.get(field) !== 'object')
          return fail(res, 400, 'Bad Request: wrong HTTP URL specified');
        return send(res, 200, { ok: true, result: message() });
      }
      default:
        return fail(res, 404, 'Not Found: method not found');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      send(res, 500, { ok: false, error_code: 500, description: String(error) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    addFile: (fileId, body) =>
      files.set(fileId, { path: `photos/file_${randomBytes(4).toString('hex')}.jpg`, body }),
    failNext: (method, errorCode, description) => failures.set(method, { errorCode, description }),
    callsOf: (method) => calls.filter((c) => c.method === method),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
