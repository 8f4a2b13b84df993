import { randomUUID } from 'node:crypto';
import { smsMediaStoreKey } from './sms-media-key.util.js';

describe('smsMediaStoreKey', () => {
  const workspace = randomUUID();
  const id = randomUUID();

  it("reads a key of the grant's workspace as it is", () => {
    expect(smsMediaStoreKey(workspace, `sms-media/${workspace}/${id}`)).toBe(`sms-media/${workspace}/${id}`);
  });

  it("reads a legacy key (no workspace) under the grant's workspace, where the SMS channel moved it", () => {
    expect(smsMediaStoreKey(workspace, `sms-media/${id}`)).toBe(`sms-media/${workspace}/${id}`);
  });

  it("refuses another workspace's key and anything not shaped as the SMS channel writes it", () => {
    for (const key of [
      `sms-media/${randomUUID()}/${id}`,
      `sms-media/${workspace}/../${randomUUID()}/${id}`,
      `sms-media/${workspace}/${id}/more`,
      `sms-media/${workspace}/not-a-uuid`,
      `sms-media/${workspace.toUpperCase()}/${id}`,
      `sms-media/${workspace}/`,
      `sms-media/../web/${workspace}/${id}`,
      `sms-media/`,
      `web/${workspace}/${id}`,
      `inbox/${workspace}/${id}`,
      'https://evil.example.com/x.png',
    ])
      expect(smsMediaStoreKey(workspace, key)).toBeNull();
  });
});
