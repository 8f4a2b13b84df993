import type { Readable } from 'node:stream';

/**
 * Where attachment bytes live, by key: under the data directory or in an S3-compatible bucket
 * (`ATTACHMENT_STORAGE`, ADR 0045). Keys are chosen by the service that stores, never by a client
 * (`web/<workspace>/<uuid>`); metadata (type, name, owner, workspace) stays in that service's
 * table, so both backends hold the same thing: bytes.
 */
export interface AttachmentStore {
  /**
   * Stores `body` (a stream, or bytes) under `key`, replacing what was there. Resolves once the
   * bytes are durable (fsynced, or acknowledged by the bucket): index the key only after. Rejects
   * with `AttachmentSizeMismatchError` if the stream's length is not `size` (nothing is kept).
   */
  put(key: string, body: Readable | Uint8Array, options: AttachmentPutOptions): Promise<void>;
  /** The bytes under `key` as a stream with their length, or null if there are none. */
  get(key: string): Promise<StoredAttachment | null>;
  /** Removes the bytes under `key`; removing an absent key is not an error. */
  delete(key: string): Promise<void>;
}

export interface AttachmentPutOptions {
  /** Exact length in bytes (S3 needs it up front; both backends check it). */
  readonly size: number;
  /** Recorded where the backend keeps it (S3's Content-Type); callers keep their own copy. */
  readonly contentType?: string;
}

export interface StoredAttachment {
  /** Read it once, to the end or destroy it: an open S3 response or file holds a socket or fd. */
  readonly body: Readable;
  readonly size: number;
}

/** DI token of the process's `AttachmentStore` (`AttachmentStoreModule`). */
export const ATTACHMENT_STORE = Symbol('AttachmentStore');

/**
 * Slash-separated segments of letters, digits, `.`, `_`, `-`, each starting with a letter or digit
 * (so no `..`, no absolute path, no empty segment): the same key is a safe file path and a plain
 * S3 object key.
 */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export function isAttachmentKey(key: string): boolean {
  return key.length <= 512 && KEY.test(key);
}

export function assertAttachmentKey(key: string): void {
  if (!isAttachmentKey(key)) throw new InvalidAttachmentKeyError(key);
}

export class InvalidAttachmentKeyError extends Error {
  override readonly name = 'InvalidAttachmentKeyError';
  constructor(key: string) {
    super(`not an attachment key: ${JSON.stringify(key.slice(0, 100))}`);
  }
}

export class AttachmentSizeMismatchError extends Error {
  override readonly name = 'AttachmentSizeMismatchError';
  constructor(expected: number, actual: number) {
    super(`expected ${expected} bytes, got ${actual}`);
  }
}
