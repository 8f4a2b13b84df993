import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttachmentStore,
  type ConfigOf,
  DependencyUnavailableError,
  FilesystemAttachmentStore,
} from '@switchboard/platform';
import { type TwilioApiServer, startTwilioApiServer } from '@switchboard/testing';
import type { SmsAccount } from '../accounts/sms-account.js';
import type { SmsChannelConfig } from '../sms-channel.config.js';
import { TwilioMediaService } from './twilio-media.service.js';

/** Where an inbound MMS's media go: the shared store, keyed by workspace; Twilio's API on loopback. */
describe('TwilioMediaService', () => {
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const account: SmsAccount = {
    id: randomUUID(),
    workspaceId: randomUUID(),
    phoneNumber: '+14155550100',
    messagingServiceSid: null,
    accountSid,
    authToken: randomBytes(16).toString('hex'),
    helpText: null,
  };
  let api: TwilioApiServer;
  let dir: string;
  let files: FilesystemAttachmentStore;
  const service = (store: AttachmentStore) =>
    new TwilioMediaService({ TWILIO_API_BASE_URL: api.url } as ConfigOf<typeof SmsChannelConfig>, store);

  beforeAll(async () => {
    api = await startTwilioApiServer({ [accountSid]: account.authToken });
    dir = await mkdtemp(join(tmpdir(), 'twilio-media-'));
    files = new FilesystemAttachmentStore(dir);
  });
  afterAll(async () => {
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("keeps each item's bytes under sms-media/<the account's workspace>/<uuid>", async () => {
    const sid = `MM${randomBytes(16).toString('hex')}`;
    const first = randomBytes(300);
    const second = randomBytes(40);
    const urls = [
      api.addMedia(accountSid, sid, { contentType: 'image/jpeg', body: first }),
      api.addMedia(accountSid, sid, { contentType: 'application/pdf', body: second }),
    ];

    const { attachments, rejected } = await service(files).copyToStorage(
      account,
      sid,
      urls.map((url) => ({ url, contentType: null })),
    );

    expect(rejected).toBe(0);
    expect(attachments.map((a) => [a.contentType, a.sizeBytes])).toEqual([
      ['image/jpeg', first.length],
      ['application/pdf', second.length],
    ]);
    for (const [i, body] of [first, second].entries()) {
      const key = attachments[i]!.storageKey;
      expect(key).toMatch(new RegExp(`^sms-media/${account.workspaceId}/[0-9a-f-]{36}$`));
      const stored = await files.get(key);
      const chunks: Buffer[] = [];
      for await (const chunk of stored!.body) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(body)).toBe(true);
    }
  });

  it('fails as transient when the store does not take the bytes, so the webhook answers 503 and Twilio retries', async () => {
    const sid = `MM${randomBytes(16).toString('hex')}`;
    const url = api.addMedia(accountSid, sid, { contentType: 'image/png', body: randomBytes(20) });
    const failing: AttachmentStore = {
      put: () => Promise.reject(new Error('bucket unavailable')),
      get: () => Promise.resolve(null),
      delete: () => Promise.resolve(),
    };

    await expect(
      service(failing).copyToStorage(account, sid, [{ url, contentType: 'image/png' }]),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
