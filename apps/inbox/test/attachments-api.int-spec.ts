import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { ATTACHMENT_STORE, type AttachmentStore } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { UnsentAttachmentsSweepService } from '../src/attachments/unsent-attachments-sweep.service.js';
import { InboxClient } from './inbox-client.fixture.js';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('the rest of a tiny png'),
]);
const PDF = Buffer.from('%PDF-1.4\n% a tiny pdf\n');

/**
 * Agents' attachments through the inbox API on the real PostgreSQL and the filesystem store: type
 * checked by the bytes, 10 MB, the workspace's agents only; a reply carries the files' storage
 * keys to history (the double), and another workspace's upload can't be attached.
 */
describe('inbox attachments API', () => {
  let inbox: InboxTestApp;

  beforeAll(async () => {
    inbox = await startInboxTestApp('inbox_attachments');
  });
  afterAll(async () => {
    await inbox?.close();
  });

  async function post(client: InboxClient, type: string, body: Buffer, name = 'file.bin') {
    const response = await fetch(`${inbox.url}/api/inbox/attachments`, {
      method: 'POST',
      headers: {
        'content-type': type,
        'x-file-name': encodeURIComponent(name),
        cookie: client.cookie ?? '',
        origin: client.origin,
        'x-csrf-token': client.csrfToken ?? '',
      },
      body: new Uint8Array(body),
    });
    return { status: response.status, body: await response.json() };
  }

  it('keeps an image and a PDF, refuses other types, lies about the type, and files over 10 MB', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const image = await post(agent.client, 'image/png', PNG, 'screen shot "1".png');
    expect(image.status).toBe(201);
    expect(image.body).toMatchObject({
      contentType: 'image/png',
      sizeBytes: PNG.length,
      fileName: 'screen shot _1_.png',
    });
    expect((await post(agent.client, 'application/pdf', PDF, 'invoice.pdf')).status).toBe(201);

    const html = await post(agent.client, 'text/html', Buffer.from('<script>alert(1)</script>'));
    expect(html.status).toBe(400);
    expect(html.body.error.fieldViolations[0].field).toBe('file');
    const disguised = await post(agent.client, 'image/png', Buffer.from('<svg onload=alert(1)>'));
    expect(disguised.status).toBe(400);
    expect(disguised.body.error.fieldViolations[0].description).toBe('not a valid image/png');
    const huge = await post(
      agent.client,
      'application/pdf',
      Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]),
    );
    expect(huge.status).toBe(400);
    expect(huge.body.error.fieldViolations[0].description).toBe('at most 10 MB');

    // Served back to the workspace's agents as uploaded, never sniffed; not to another workspace.
    const back = await fetch(`${inbox.url}/api/inbox/attachments/${image.body.id}`, {
      headers: { cookie: agent.client.cookie ?? '' },
    });
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toBe('image/png');
    expect(back.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await back.arrayBuffer()).equals(PNG)).toBe(true);
    const stranger = await signedInUser(inbox, 'admin', { workspaceId: randomUUID() });
    const theirs = await fetch(`${inbox.url}/api/inbox/attachments/${image.body.id}`, {
      headers: { cookie: stranger.client.cookie ?? '' },
    });
    expect(theirs.status).toBe(404);
    const anonymous = await fetch(`${inbox.url}/api/inbox/attachments/${image.body.id}`);
    expect(anonymous.status).toBe(401);
  });

  it("sends a reply's files to history by storage key, only this workspace's", async () => {
    const agent = await signedInUser(inbox, 'agent');
    const customer = inbox.history.addCustomer(DEFAULT_WORKSPACE_ID, { name: 'Ada' });
    const conversation = inbox.history.addConversation(customer, { channel: 'web' });
    const image = await post(agent.client, 'image/png', PNG, 'map.png');

    const sent = await agent.client.post(`/api/inbox/conversations/${conversation.id}/messages`, {
      idempotencyKey: randomUUID(),
      attachmentIds: [image.body.id],
    });
    expect(sent.status).toBe(201);
    const message = inbox.history.messages.find((m) => m.id === sent.body.messageId)!;
    expect(message.text).toBeNull();
    expect(message.attachments).toEqual([
      {
        storageKey: `inbox/${DEFAULT_WORKSPACE_ID}/${image.body.id}`,
        contentType: 'image/png',
        sizeBytes: PNG.length,
        fileName: 'map.png',
      },
    ]);

    const stranger = await signedInUser(inbox, 'admin', { workspaceId: randomUUID() });
    const foreign = await post(stranger.client, 'application/pdf', PDF);
    const refused = await agent.client.post(`/api/inbox/conversations/${conversation.id}/messages`, {
      idempotencyKey: randomUUID(),
      text: 'see attached',
      attachmentIds: [foreign.body.id],
    });
    expect(refused.status).toBe(404);
    const empty = await agent.client.post(`/api/inbox/conversations/${conversation.id}/messages`, {
      idempotencyKey: randomUUID(),
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fieldViolations[0].field).toBe('text');
  });

  it("shows agents their customers' files by the message's key, this workspace's only, typed by their bytes", async () => {
    const agent = await signedInUser(inbox, 'agent');
    const store = inbox.app.get<AttachmentStore>(ATTACHMENT_STORE);
    const ws = DEFAULT_WORKSPACE_ID;
    const upload = `web/${ws}/${randomUUID()}`;
    const mms = randomUUID();
    const disguised = `web/${ws}/${randomUUID()}`;
    const elsewhere = `web/${randomUUID()}/${randomUUID()}`;
    await store.put(upload, PNG, { size: PNG.length });
    await store.put(`sms-media/${ws}/${mms}`, PDF, { size: PDF.length });
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    await store.put(disguised, html, { size: html.length });
    await store.put(elsewhere, PNG, { size: PNG.length });
    const get = (key: string, name?: string) =>
      fetch(
        `${inbox.url}/api/inbox/attachments/customer?key=${encodeURIComponent(key)}${name ? `&name=${encodeURIComponent(name)}` : ''}`,
        { headers: { cookie: agent.client.cookie ?? '' } },
      );

    const image = await get(upload, 'photo.png');
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''photo.png");
    expect(Buffer.from(await image.arrayBuffer()).equals(PNG)).toBe(true);
    // An MMS, by its key as it is now and as it was before media moved to the store.
    for (const key of [`sms-media/${ws}/${mms}`, `sms-media/${mms}`]) {
      const pdf = await get(key);
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(pdf.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(Buffer.from(await pdf.arrayBuffer()).equals(PDF)).toBe(true);
    }
    // Bytes that prove no known type are a download, whatever the message claimed.
    const inert = await get(disguised, 'invoice.png');
    expect(inert.status).toBe(200);
    expect(inert.headers.get('content-type')).toBe('application/octet-stream');
    expect(inert.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(inert.headers.get('x-content-type-options')).toBe('nosniff');
    await inert.arrayBuffer();
    // Another workspace's file, a path out of the store's layout, an agent's key: not found.
    for (const key of [elsewhere, `web/${ws}/../${randomUUID()}`, `inbox/${ws}/${randomUUID()}`, 'web'])
      expect((await get(key)).status).toBe(404);
    const anonymous = await fetch(
      `${inbox.url}/api/inbox/attachments/customer?key=${encodeURIComponent(upload)}`,
    );
    expect(anonymous.status).toBe(401);
  });

  it('sweeps uploads no reply named once they are older than INBOX_UNSENT_ATTACHMENT_HOURS, bytes and row, once across replicas', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const customer = inbox.history.addCustomer(DEFAULT_WORKSPACE_ID, { name: 'Grace' });
    const conversation = inbox.history.addConversation(customer, { channel: 'web' });
    const sentUpload = await post(agent.client, 'image/png', PNG, 'sent.png');
    const sent = await agent.client.post(`/api/inbox/conversations/${conversation.id}/messages`, {
      idempotencyKey: randomUUID(),
      attachmentIds: [sentUpload.body.id],
    });
    expect(sent.status).toBe(201);
    const stale = await Promise.all(
      Array.from({ length: 7 }, () => post(agent.client, 'application/pdf', PDF, 'draft.pdf')),
    );
    const fresh = await post(agent.client, 'application/pdf', PDF, 'fresh.pdf');
    const db = new pg.Pool({ connectionString: inbox.database.url, max: 2 });
    try {
      // A day and an hour old (the default keeps unsent uploads 24 hours), the sent one too.
      await db.query(
        `UPDATE inbox.attachments SET created_at = now() - interval '25 hours' WHERE id = ANY($1::uuid[])`,
        [[sentUpload.body.id, ...stale.map((upload) => upload.body.id as string)]],
      );
      const sweeper = inbox.app.get(UnsentAttachmentsSweepService);
      // Two sweeps at once, as two replicas would: each stale upload is taken by exactly one.
      const counts = await Promise.all([sweeper.sweep(), sweeper.sweep()]);
      expect(counts[0] + counts[1]).toBe(stale.length);
      expect(await sweeper.sweep()).toBe(0);

      const left = await db.query<{ id: string }>('SELECT id FROM inbox.attachments');
      const ids = left.rows.map((row) => row.id);
      expect(ids).toEqual(expect.arrayContaining([sentUpload.body.id, fresh.body.id]));
      for (const upload of stale) expect(ids).not.toContain(upload.body.id);
      const store = inbox.app.get<AttachmentStore>(ATTACHMENT_STORE);
      for (const upload of stale)
        expect(await store.get(`inbox/${DEFAULT_WORKSPACE_ID}/${upload.body.id as string}`)).toBeNull();
      const kept = await store.get(`inbox/${DEFAULT_WORKSPACE_ID}/${sentUpload.body.id as string}`);
      expect(kept?.size).toBe(PNG.length);
      kept?.body.destroy();

      // A swept upload can no longer be attached.
      const late = await agent.client.post(`/api/inbox/conversations/${conversation.id}/messages`, {
        idempotencyKey: randomUUID(),
        attachmentIds: [stale[0]!.body.id],
      });
      expect(late.status).toBe(404);
    } finally {
      await db.end();
    }
  });
});
