import { randomUUID } from 'node:crypto';
import { storeKey, workspaceStoreKey } from './workspace-store-key.util.js';

describe('workspaceStoreKey', () => {
  const workspace = randomUUID();
  const id = randomUUID();

  it('reads a key of the workspace as it is, in every area', () => {
    for (const area of ['inbox', 'web', 'sms-media'] as const)
      expect(workspaceStoreKey(workspace, `${area}/${workspace}/${id}`)).toBe(`${area}/${workspace}/${id}`);
  });

  it("reads a legacy key (no workspace) under the grant's workspace, where the SMS channel moved it", () => {
    expect(workspaceStoreKey(workspace, `sms-media/${id}`)).toBe(`sms-media/${workspace}/${id}`);
    expect(workspaceStoreKey(workspace, `web/${id}`)).toBeNull();
    expect(workspaceStoreKey(workspace, `inbox/${id}`)).toBeNull();
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
      expect(workspaceStoreKey(workspace, key, ['sms-media'])).toBeNull();
  });

  it('refuses other areas and other workspaces in any area', () => {
    for (const key of [
      `web/${randomUUID()}/${id}`,
      `inbox/${randomUUID()}/${id}`,
      `other/${workspace}/${id}`,
      `/web/${workspace}/${id}`,
      `web/${workspace}/${id.toUpperCase()}`,
      '',
    ])
      expect(workspaceStoreKey(workspace, key)).toBeNull();
    expect(workspaceStoreKey(workspace, `inbox/${workspace}/${id}`, ['web', 'sms-media'])).toBeNull();
  });

  it('builds the keys it reads back', () => {
    expect(workspaceStoreKey(workspace, storeKey('web', workspace, id), ['web'])).toBe(
      `web/${workspace}/${id}`,
    );
  });
});
