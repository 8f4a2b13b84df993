import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3ServerOptions {
  readonly bucket: string;
  readonly region?: string;
  /** Credentials the server accepts; generated when absent. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

export interface StoredS3Object {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

export interface RecordedS3Request {
  readonly method: string;
  readonly key: string | null;
  /** What the server answered (a refused signature is 403). */
  readonly status: number;
  /** The signed payload hash the client announced: a hex SHA-256 or UNSIGNED-PAYLOAD. */
  readonly payloadHash: string | undefined;
}

export interface S3Server {
  /** For the SDK's `endpoint`, with `forcePathStyle: true`. */
  readonly url: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly objects: ReadonlyMap<string, StoredS3Object>;
  readonly requests: readonly RecordedS3Request[];
  close(): Promise<void>;
}

const SKEW_MS = 15 * 60_000;

/**
 * A loopback S3 of one bucket, path-style, that answers PutObject, GetObject, HeadObject and
 * DeleteObject as S3 does (status codes, headers, XML errors) and refuses any request whose AWS
 * Signature Version 4 does not verify — canonical request, scope, signing key and payload hash
 * computed here from the AWS specification, independently of the SDK's signer — or whose date is
 * more than 15 minutes off. Aws-chunked (streaming-signed) uploads answer NotImplemented.
 */
export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const region = options.region ?? 'us-east-1';
  const accessKeyId = options.accessKeyId ?? `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = options.secretAccessKey ?? randomBytes(30).toString('base64');
  const objects = new Map<string, StoredS3Object>();
  const requests: RecordedS3Request[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) s3Error(res, 500, 'InternalError', String(error));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const url = new URL(req.url ?? '/', 'http://s3.invalid');
    const [bucket, ...keyParts] = url.pathname.slice(1).split('/');
    const key =
      keyParts.length > 0 && keyParts.join('/') !== '' ? decodeURIComponent(keyParts.join('/')) : null;
    const payloadHash = header(req, 'x-amz-content-sha256');
    const answer = (status: number) => requests.push({ method: req.method ?? '', key, status, payloadHash });

    const refusal = verifySignature(req, body, { accessKeyId, secretAccessKey, region });
    if (refusal !== null) {
      answer(refusal.status);
      return s3Error(res, refusal.status, refusal.code, refusal.message);
    }
    if (decodeURIComponent(bucket ?? '') !== options.bucket) {
      answer(404);
      return s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    }
    if (key === null) {
      answer(501);
      return s3Error(res, 501, 'NotImplemented', 'only object operations are served');
    }
    switch (req.method ?? '') {
      case 'PUT': {
        const length = Number(header(req, 'content-length'));
        if (!Number.isFinite(length) || length !== body.length) {
          answer(400);
          return s3Error(
            res,
            400,
            'IncompleteBody',
            'You did not provide the number of bytes specified by the Content-Length HTTP header',
          );
        }
        const etag = `"${createHash('md5').update(body).digest('hex')}"`;
        objects.set(key, { body, contentType: header(req, 'content-type') ?? 'binary/octet-stream', etag });
        answer(200);
        res.writeHead(200, { ETag: etag, 'x-amz-request-id': requestId() });
        return void res.end();
      }
      case 'GET':
      case 'HEAD': {
        const object = objects.get(key);
        if (!object) {
          answer(404);
          if (req.method === 'HEAD') return void res.writeHead(404).end();
          return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.', key);
        }
        answer(200);
        res.writeHead(200, {
          'Content-Type': object.contentType,
          'Content-Length': String(object.body.length),
          ETag: object.etag,
          'Last-Modified': new Date().toUTCString(),
          'Accept-Ranges': 'bytes',
          'x-amz-request-id': requestId(),
        });
        return void res.end(req.method === 'GET' ? object.body : undefined);
      }
      case 'DELETE':
        objects.delete(key);
        answer(204);
        return void res.writeHead(204, { 'x-amz-request-id': requestId() }).end();
      default:
        answer(405);
        return s3Error(
          res,
          405,
          'MethodNotAllowed',
          'The specified method is not allowed against this resource.',
        );
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bucket: options.bucket,
    region,
    accessKeyId,
    secretAccessKey,
    objects,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** AWS SigV4, header form: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html */
function verifySignature(
  req: IncomingMessage,
  body: Buffer,
  credentials: { accessKeyId: string; secretAccessKey: string; region: string },
): Refusal | null {
  const match = AUTHORIZATION.exec(header(req, 'authorization') ?? '');
  if (!match) return { status: 403, code: 'AccessDenied', message: 'Missing or malformed Authorization' };
  const [, keyId, scopeDate, region, service, signedHeaderList, signature] = match as unknown as string[];
  if (keyId !== credentials.accessKeyId)
    return {
      status: 403,
      code: 'InvalidAccessKeyId',
      message: 'The AWS Access Key Id you provided does not exist in our records.',
    };
  if (region !== credentials.region || service !== 's3')
    return {
      status: 400,
      code: 'AuthorizationHeaderMalformed',
      message: `the region '${region}' is wrong; expecting '${credentials.region}'`,
    };
  const amzDate = header(req, 'x-amz-date') ?? '';
  const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!when || amzDate.slice(0, 8) !== scopeDate)
    return {
      status: 403,
      code: 'AccessDenied',
      message: 'x-amz-date is missing or does not match the scope',
    };
  const time = Date.UTC(+when[1]!, +when[2]! - 1, +when[3]!, +when[4]!, +when[5]!, +when[6]!);
  if (Math.abs(Date.now() - time) > SKEW_MS)
    return {
      status: 403,
      code: 'RequestTimeTooSkewed',
      message: 'The difference between the request time and the current time is too large.',
    };
  const signedHeaders = signedHeaderList!.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
    return { status: 403, code: 'AccessDenied', message: 'host and x-amz-date must be signed' };

  const payloadHash = header(req, 'x-amz-content-sha256');
  if (payloadHash === undefined)
    return {
      status: 400,
      code: 'InvalidRequest',
      message: 'Missing required header for this request: x-amz-content-sha256',
    };
  if (payloadHash.startsWith('STREAMING-'))
    return { status: 501, code: 'NotImplemented', message: 'aws-chunked uploads are not served here' };
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256Hex(body))
    return {
      status: 400,
      code: 'XAmzContentSHA256Mismatch',
      message: 'The provided x-amz-content-sha256 header does not match what was computed.',
    };

  const canonicalRequest = [
    req.method ?? '',
    // S3 signs the path as sent: encoded once, not normalized.
    new URL(req.url ?? '/', 'http://s3.invalid').pathname,
    canonicalQuery(req.url ?? ''),
    signedHeaders.map((name) => `${name}:${canonicalHeaderValue(req, name)}\n`).join(''),
    signedHeaderList,
    payloadHash,
  ].join('\n');
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, scopeDate);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = hmac(key, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex')))
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  return null;
}

function canonicalQuery(rawUrl: string): string {
  const query = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => {
      const at = pair.indexOf('=');
      const name = decodeURIComponent((at < 0 ? pair : pair.slice(0, at)).replace(/\+/g, '%20'));
      const value = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1).replace(/\+/g, '%20'));
      return [rfc3986(name), rfc3986(value)] as const;
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function canonicalHeaderValue(req: IncomingMessage, name: string): string {
  const raw: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (req.rawHeaders[i]!.toLowerCase() === name) raw.push(req.rawHeaders[i + 1]!);
  return raw.map((value) => value.trim().replace(/\s+/g, ' ')).join(',');
}

const rfc3986 = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const requestId = () => randomBytes(8).toString('hex').toUpperCase();

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function s3Error(res: ServerResponse, status: number, code: string, message: string, key?: string): void {
  const escape = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, { 'Content-Type': 'application/xml', 'x-amz-request-id': requestId() });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escape(message)}</Message>` +
      `${key === undefined ? '' : `<Key>${escape(key)}</Key>`}<RequestId>${requestId()}</RequestId></Error>`,
  );
}
