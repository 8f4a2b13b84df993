import { Injectable } from '@nestjs/common';
import { ChannelUnavailableError } from '@switchboard/contracts';
import { type ConfigOf, InjectConfig } from '@switchboard/platform';
import { SocialChannelConfig } from '../social-channel.config.js';

const REQUEST_TIMEOUT_MS = 10_000;

/** Telegram refused the request for good (`error_code`, `description` are Telegram's). */
export class TelegramApiError extends Error {
  override readonly name = 'TelegramApiError';

  constructor(
    readonly errorCode: number,
    description: string,
  ) {
    super(description);
  }
}

interface BotApiAnswer<T> {
  ok: boolean;
  result?: T;
  error_code?: number;
  description?: string;
}

/**
 * Telegram's Bot API at TELEGRAM_API_BASE_URL: `POST /bot<token>/<method>` with JSON, or multipart
 * when a file's bytes go with it. The token is in the path, so URLs are never logged.
 */
@Injectable()
export class TelegramBotApiClient {
  constructor(
    @InjectConfig(SocialChannelConfig) private readonly config: ConfigOf<typeof SocialChannelConfig>,
  ) {}

  /** Where a file `getFile` named is downloaded from (bots may download up to 20 MB). */
  fileUrl(token: string, filePath: string): URL {
    return new URL(`${this.config.TELEGRAM_API_BASE_URL}/file/bot${token}/${filePath}`);
  }

  async call<T>(token: string, method: string, params: object | FormData): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.config.TELEGRAM_API_BASE_URL}/bot${token}/${method}`, {
        method: 'POST',
        headers: params instanceof FormData ? {} : { 'content-type': 'application/json' },
        body: params instanceof FormData ? params : JSON.stringify(params),
        redirect: 'error',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      // Not the error itself: its message may carry the URL, hence the token.
      throw new ChannelUnavailableError(`Bot API unreachable (${(error as Error).name})`);
    }
    let answer: BotApiAnswer<T> | null;
    try {
      answer = (await response.json()) as BotApiAnswer<T>;
    } catch {
      answer = null;
    }
    if (answer?.ok === true) return answer.result as T;
    if (response.status >= 500 || response.status === 429)
      throw new ChannelUnavailableError(`Bot API answered ${response.status}`);
    throw new TelegramApiError(
      answer?.error_code ?? response.status,
      (answer?.description ?? `HTTP ${response.status}`).slice(0, 500),
    );
  }
}
