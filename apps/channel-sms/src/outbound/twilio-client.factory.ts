import { Injectable } from '@nestjs/common';
import { type ConfigOf, InjectConfig } from '@switchboard/platform';
import twilio from 'twilio';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient.js';
import type { SmsAccount } from '../accounts/sms-account.js';
import { SmsChannelConfig } from '../sms-channel.config.js';

const TWILIO_API = 'https://api.twilio.com';
/** Per request: a hung connection must not hold a workspace's deliveries for the library's 30 s. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The library's own HTTP client, with its requests to api.twilio.com sent to `baseUrl` instead:
 * how tests and staging point the real client at a loopback or recording server
 * (twilio-node #326 suggests exactly this). Everything else (auth, encoding, errors) is the
 * library's.
 */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    options: ConstructorParameters<typeof twilio.RequestClient>[0],
  ) {
    super(options);
  }

  override request<TData>(opts: TwilioRequestClient.RequestOptions<TData>) {
    const uri = opts.uri.startsWith(TWILIO_API) ? this.baseUrl + opts.uri.slice(TWILIO_API.length) : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}

/** One `twilio` client per channel account (and credentials), pointed at TWILIO_API_BASE_URL. */
@Injectable()
export class TwilioClientFactory {
  private readonly clients = new Map<string, twilio.Twilio>();

  constructor(@InjectConfig(SmsChannelConfig) private readonly config: ConfigOf<typeof SmsChannelConfig>) {}

  forAccount(account: SmsAccount): twilio.Twilio {
    const key = `${account.id}:${account.accountSid}:${account.authToken}`;
    let client = this.clients.get(key);
    if (!client) {
      const options = { timeout: REQUEST_TIMEOUT_MS, keepAlive: true };
      client = twilio(account.accountSid, account.authToken, {
        ...options,
        // Our own retries (429, 5xx, network) with backoff: the library's cover 429 only.
        autoRetry: false,
        httpClient:
          this.config.TWILIO_API_BASE_URL === TWILIO_API
            ? undefined
            : new BaseUrlRequestClient(this.config.TWILIO_API_BASE_URL, options),
      });
      if (this.clients.size > 1_000) this.clients.clear();
      this.clients.set(key, client);
    }
    return client;
  }
}
