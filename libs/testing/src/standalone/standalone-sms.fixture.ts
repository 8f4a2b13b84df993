import { randomBytes } from 'node:crypto';
import { type TestDatabase, createTestDatabase } from '../database/test-database.util.js';
import { type AppProcess, startAppProcess } from '../process/app-process.util.js';
import { signedTwilioWebhook, twilioInboundSmsParams } from '../twilio/twilio-webhook.fixture.js';

/** The standalone process with a Twilio number and its first admin, as the browser tests start it. */
export interface StandaloneWithSms {
  readonly app: AppProcess;
  readonly database: TestDatabase;
  readonly admin: { readonly email: string; readonly password: string };
  /** A customer texts the number: a webhook signed as Twilio signs it, acknowledged with 200. */
  text(from: string, body: string): Promise<void>;
  close(): Promise<void>;
}

const OUR_NUMBER = '+14155550100';
const PUBLIC_BASE_URL = 'https://switchboard.example.test';

/** Starts every service in one process on a fresh database, ready by its probe. */
export async function startStandaloneWithSms(
  databaseName: string,
  readyTimeoutMs = 120_000,
): Promise<StandaloneWithSms> {
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const admin = { email: 'owner@example.test', password: 'owner password 123' };
  const database = await createTestDatabase(databaseName);
  const app = await startAppProcess('standalone', {
    DATABASE_URL: database.url,
    PUBLIC_BASE_URL,
    TWILIO_ACCOUNT_SID: accountSid,
    TWILIO_AUTH_TOKEN: authToken,
    TWILIO_PHONE_NUMBER: OUR_NUMBER,
    SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
  });
  await app.waitUntilReady(readyTimeoutMs);
  return {
    app,
    database,
    admin,
    async text(from, body) {
      const params = twilioInboundSmsParams(accountSid, OUR_NUMBER, from, { Body: body });
      const signed = signedTwilioWebhook(authToken, `${PUBLIC_BASE_URL}/webhooks/twilio/sms`, params);
      const response = await fetch(`${app.url}/webhooks/twilio/sms`, { method: 'POST', ...signed });
      if (response.status !== 200) throw new Error(`the SMS webhook answered ${response.status}`);
    },
    async close() {
      await app.stop('SIGTERM');
      await database.drop();
    },
  };
}
