import { TransientMediaError } from '@switchboard/contracts';
import { SIGNED_ATTACHMENT_TYPES, matchesAttachmentType } from '@switchboard/platform';

/** The whole download, redirects refused: Meta waits about 20 s, Telegram about 60 s, for an answer. */
export const MEDIA_TIMEOUT_MS = 8_000;

/**
 * GETs `url` (no redirects followed: a media host that sends us elsewhere is refused), reading at
 * most `maxBytes`. Null when refused for good (4xx, too large, a redirect); throws
 * `TransientMediaError` for 5xx, 429, timeouts and network errors, so the webhook is retried.
 */
export async function downloadBounded(
  url: URL,
  headers: Record<string, string>,
  maxBytes: number,
): Promise<{ body: Buffer; contentType: string | null } | null> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(MEDIA_TIMEOUT_MS),
    });
  } catch (error) {
    throw new TransientMediaError(`could not download media: ${(error as Error).message}`);
  }
  if (response.status >= 500 || response.status === 429) {
    await response.body?.cancel();
    throw new TransientMediaError(`media host answered ${response.status}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    return null;
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel();
          return null;
        }
        chunks.push(value);
      }
    } catch (error) {
      throw new TransientMediaError(`media download broke off: ${(error as Error).message}`);
    }
  }
  return { body: Buffer.concat(chunks), contentType: response.headers.get('content-type') };
}

/**
 * The type to keep a customer's file as: what its bytes prove (PNG, JPEG, GIF, WebP, PDF); else an
 * audio or video type as declared (a browser plays those, never runs them); else bytes.
 */
export function contentTypeFromBytes(body: Buffer, declared: string | null): string {
  const proven = SIGNED_ATTACHMENT_TYPES.find((type) => matchesAttachmentType(type, body));
  if (proven !== undefined) return proven;
  const type = (declared ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (/^(audio|video)\/[a-z0-9.+-]{1,100}$/.test(type)) return type;
  return 'application/octet-stream';
}
