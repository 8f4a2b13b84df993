import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../logging/logger.util.js';
import { SIGNED_ATTACHMENT_TYPES } from './attachment-type.util.js';

/** A stored file on its way to a person or a provider: its checked type, name and bytes. */
export interface StoredFileContent {
  readonly contentType: string;
  readonly fileName: string | null;
  readonly size: number;
  readonly body: Readable;
}

/** Types a browser may show in place: the signed image types; anything else is a download. */
export const INLINE_ATTACHMENT_TYPES: ReadonlySet<string> = new Set(
  SIGNED_ATTACHMENT_TYPES.filter((type) => type.startsWith('image/')),
);

/**
 * The headers every stored file is served with: its checked type, never sniffed into something
 * else, sandboxed if opened on its own, never cached by a shared cache.
 */
export function setStoredFileHeaders(res: ServerResponse, content: StoredFileContent): void {
  res.setHeader('Content-Type', content.contentType);
  res.setHeader('Content-Length', String(content.size));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
}

/**
 * Sends a stored file to a browser: images inline, anything else as a download under its name.
 * A client that goes away mid-download ends the read (freeing the file or bucket connection); the
 * response can't be mended once started, so that is only logged.
 */
export async function sendStoredFile(
  res: ServerResponse,
  content: StoredFileContent,
  log: Logger,
  context: Record<string, unknown>,
): Promise<void> {
  setStoredFileHeaders(res, content);
  res.setHeader(
    'Content-Disposition',
    `${INLINE_ATTACHMENT_TYPES.has(content.contentType) ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(content.fileName ?? 'file')}`,
  );
  await pipeline(content.body, res).catch((error: unknown) =>
    log.warn({ ...context, err: error }, 'download cut short'),
  );
}
