import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Readable, Transform } from 'node:stream';
import { createLogger } from '../logging/logger.util.js';
import {
  type AttachmentPutOptions,
  type AttachmentStore,
  AttachmentSizeMismatchError,
  type StoredAttachment,
  assertAttachmentKey,
} from './attachment-store.js';

export interface S3AttachmentStoreOptions {
  readonly bucket: string;
  readonly region: string;
  /** An S3-compatible server's URL (MinIO, Ceph, R2…); unset: AWS S3 itself. */
  readonly endpoint?: string | undefined;
  /** `https://host/bucket/key` rather than `https://bucket.host/key` (most self-hosted servers). */
  readonly forcePathStyle: boolean;
  /** Unset: the SDK's default chain (environment, instance role, web identity). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** Prepended to every key (`switchboard/`), so several deployments can share a bucket. */
  readonly keyPrefix?: string;
}

const sdkLog = createLogger('attachment-store');

/**
 * Attachments as objects of one bucket, through the AWS SDK (SigV4). The credentials go to the SDK
 * only: nothing here logs them, and the client is created without a logger.
 */
export class S3AttachmentStore implements AttachmentStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3AttachmentStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.keyPrefix ?? '';
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
      // The SDK's default since 2025 adds CRC checksums (aws-chunked uploads) that many
      // S3-compatible servers refuse; the size check and TLS cover what they would.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // The SDK's own warnings (and only those: its debug output may describe requests) go to our
      // JSON log, whose redaction also covers the registered secrets.
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: (...content: unknown[]) =>
          sdkLog.warn({ sdk: content.map(String).join(' ') }, 'AWS SDK warning'),
        error: (...content: unknown[]) =>
          sdkLog.error({ sdk: content.map(String).join(' ') }, 'AWS SDK error'),
      },
    });
  }

  async put(key: string, body: Readable | Uint8Array, options: AttachmentPutOptions): Promise<void> {
    const objectKey = this.objectKey(key);
    if (body instanceof Uint8Array && body.length !== options.size)
      throw new AttachmentSizeMismatchError(options.size, body.length);
    let counted = 0;
    // A stream must not end short of or run past Content-Length: S3 would wait or cut it.
    const checked =
      body instanceof Uint8Array
        ? body
        : body.pipe(
            new Transform({
              transform(chunk: Buffer, _encoding, done) {
                counted += chunk.length;
                if (counted > options.size) done(new AttachmentSizeMismatchError(options.size, counted));
                else done(null, chunk);
              },
              flush(done) {
                done(
                  counted === options.size ? null : new AttachmentSizeMismatchError(options.size, counted),
                );
              },
            }),
          );
    // A stream that fails or ends at the wrong length aborts the request: S3 would otherwise
    // wait for the bytes Content-Length promised. The size error, not the abort, is reported.
    const abort = new AbortController();
    let failure: unknown;
    if (!(checked instanceof Uint8Array)) {
      const fail = (error: unknown) => {
        failure ??= error;
        abort.abort();
      };
      (body as Readable).on('error', fail);
      checked.on('error', fail);
    }
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: objectKey,
          Body: checked,
          ContentLength: options.size,
          ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
        }),
        { abortSignal: abort.signal },
      );
    } catch (error) {
      throw failure ?? error;
    }
  }

  async get(key: string): Promise<StoredAttachment | null> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      if (!(object.Body instanceof Readable)) throw new Error('the S3 response body is not a Node stream');
      return { body: object.Body, size: object.ContentLength ?? 0 };
    } catch (error) {
      if (error instanceof NoSuchKey) return null;
      if (
        error instanceof S3ServiceException &&
        error.$metadata.httpStatusCode === 404 &&
        error.name === 'NotFound'
      )
        return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 whether or not the key existed.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  /** Releases the SDK's sockets. */
  destroy(): void {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    assertAttachmentKey(key);
    return `${this.prefix}${key}`;
  }
}
