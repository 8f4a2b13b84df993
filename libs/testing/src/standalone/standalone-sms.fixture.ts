import { randomBytes } from 'node:crypto';
import { type TestDatabase, createTestDatabase } from '../database/test-database.util.js';
import { type AppProcess, startAppProcess } from '../process/app-process.util.js';
import { signedTwilioWebhook, twilioInboundSmsParams } from '../twilio/twilio-webhook.fixture.js';

/** The standalone process and its first admin (`ADMIN_EMAIL`, `ADMIN_PASSWORD`). */
export interface Standalone {
  readonly app: AppProcess;
  readonly database: TestDatabase;
  readonly admin: { readonly email: string; readonly password: string };
  close(): Promise<void>;
}

/** The standalone process with a Twilio number too, as the browser tests and the SMS round trips start it. */
export interface StandaloneWithSms extends Standalone {
  /** The number's account, its auth token (which signs webhooks) and the number itself. */
  readonly twilio: { readonly accountSid: string; readonly authToken: string; readonly number: string };
  /** A customer texts the number: a webhook signed as Twilio signs it, acknowledged with 200. */
  text(from: string, body: string): Promise<void>;
  /**
   * Any webhook Twilio would send (an MMS, a status callback) to `url`, the public URL it was told
   * to call (under `PUBLIC_BASE_URL`), signed over that URL; resolves to the status answered.
   */
  postTwilio(url: string, params: Record<string, string>): Promise<number>;
}

/** A Twilio account: its SID and the auth token that signs its webhooks. */
export interface TwilioAccount {
  readonly accountSid: string;
  readonly authToken: string;
}

/** A fresh account, for a test that starts a Twilio API server of its own before the process. */
export function newTwilioAccount(): TwilioAccount {
  return { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex') };
}

export interface StandaloneOptions {
  /** How long the process may take to be ready (its probe); 120 s unless told. */
  readonly readyTimeoutMs?: number;
  /** More of its environment: Kafka (`testKafka(…).env`), a Graph API, a Twilio API server's URL. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface StandaloneWithSmsOptions extends StandaloneOptions {
  /** The number's account (one a Twilio API server of the test's knows); a fresh one unless told. */
  readonly twilioAccount?: TwilioAccount;
}

/** The public URL the standalone tests give (`PUBLIC_BASE_URL`): webhooks are signed over it. */
export const STANDALONE_PUBLIC_BASE_URL = 'https://switchboard.example.test';
const OUR_NUMBER = '+14155550100';

/** Starts every service in one process on a fresh database, with its first admin, ready by its probe. */
export async function startStandalone(
  databaseName: string,
  options: StandaloneOptions = {},
): Promise<Standalone> {
  const admin = { email: 'owner@example.test', password: 'owner password 123' };
  const database = await createTestDatabase(databaseName);
  const app = await startAppProcess('standalone', {
    DATABASE_URL: database.url,
    PUBLIC_BASE_URL: STANDALONE_PUBLIC_BASE_URL,
    SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    ...options.env,
  });
  await app.waitUntilReady(options.readyTimeoutMs ?? 120_000);
  return {
    app,
    database,
    admin,
    async close() {
      await app.stop('SIGTERM');
      await database.drop();
    },
  };
}

/** `startStandalone` with a Twilio number (`TWILIO_*`) of a fresh account. */
export async function startStandaloneWithSms(
  databaseName: string,
  options: StandaloneWithSmsOptions = {},
): Promise<StandaloneWithSms> {
  const twilio = { ...(options.twilioAccount ?? newTwilioAccount()), number: OUR_NUMBER };
  const standalone = await startStandalone(databaseName, {
    ...options,
    env: {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_PHONE_NUMBER: twilio.number,
      ...options.env,
    },
  });
  const postTwilio = async (url: string, params: Record<string, string>) => {
    const signed = signedTwilioWebhook(twilio.authToken, url, params);
    const path = url.slice(STANDALONE_PUBLIC_BASE_URL.length);
    return (await fetch(`${standalone.app.url}${path}`, { method: 'POST', ...signed })).status;
  };
  return {
    ...standalone,
    twilio,
    postTwilio,
    async text(from, body) {
      const params = twilioInboundSmsParams(twilio.accountSid, twilio.number, from, { Body: body });
      const status = await postTwilio(`${STANDALONE_PUBLIC_BASE_URL}/webhooks/twilio/sms`, params);
      if (status !== 200) throw new Error(`the SMS webhook answered ${status}`);
    },
  };
}
