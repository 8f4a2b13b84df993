import { Injectable } from '@nestjs/common';
import { ChannelUnavailableError } from '@switchboard/contracts';
import { type ConfigOf, InjectConfig } from '@switchboard/platform';
import { SocialChannelConfig } from '../social-channel.config.js';

/** Per request: a hung connection must not hold a workspace's deliveries. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Meta's error codes that say "later" rather than "never": unknown/service errors, the app's,
 * user's and page's rate limits, WhatsApp's throughput and pair rate limits, service unavailable.
 */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 131056]);

/** Meta refused the request for good; `code` and `message` are Meta's own. */
export class MetaGraphError extends Error {
  override readonly name = 'MetaGraphError';

  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
  ) {
    super(message);
  }
}

interface GraphErrorBody {
  error?: { message?: string; code?: number; error_subcode?: number; error_user_msg?: string };
}

/** The Graph API at META_GRAPH_API_BASE_URL and META_GRAPH_API_VERSION, with a bearer token. */
@Injectable()
export class MetaGraphClient {
  constructor(
    @InjectConfig(SocialChannelConfig) private readonly config: ConfigOf<typeof SocialChannelConfig>,
  ) {}

  /** `https://graph.facebook.com/v23.0/<path>`. */
  url(path: string): URL {
    return new URL(`${this.config.META_GRAPH_API_BASE_URL}/${this.config.META_GRAPH_API_VERSION}/${path}`);
  }

  /** Whether `url` is on the configured Graph API's own origin (tests and staging serve media there). */
  isGraphOrigin(url: URL): boolean {
    return url.origin === new URL(this.config.META_GRAPH_API_BASE_URL).origin;
  }

  get<T>(path: string, token: string): Promise<T> {
    return this.request<T>('GET', path, token);
  }

  /** JSON, or multipart when `body` is FormData (uploads). */
  post<T>(path: string, token: string, body: object | FormData): Promise<T> {
    return this.request<T>('POST', path, token, body);
  }

  private async request<T>(
    method: string,
    path: string,
    token: string,
    body?: object | FormData,
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url(path), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined || body instanceof FormData ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ChannelUnavailableError(`Graph API unreachable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (response.ok) return parsed as T;
    const error = (parsed as GraphErrorBody | null)?.error;
    const code = typeof error?.code === 'number' ? error.code : null;
    if (response.status >= 500 || response.status === 429 || (code !== null && TRANSIENT_CODES.has(code)))
      throw new ChannelUnavailableError(`Graph API answered ${response.status} (code ${code ?? 'none'})`);
    throw new MetaGraphError(
      response.status,
      code,
      (error?.error_user_msg ?? error?.message ?? `HTTP ${response.status}`).slice(0, 500),
    );
  }
}
