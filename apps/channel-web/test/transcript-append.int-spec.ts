import { randomBytes, randomUUID } from 'node:crypto';
import { waitFor } from '@switchboard/testing';
import type { WebContact } from '../src/contacts/web-contact.js';
import { WebContactService } from '../src/contacts/web-contact.service.js';
import type { NewTranscriptItem } from '../src/transcript/transcript-item.js';
import { TRANSCRIPT_CHANNEL, decodeNotice } from '../src/transcript/transcript-notice.js';
import { TranscriptService } from '../src/transcript/transcript.service.js';
import { type WebTestApp, startWebTestApp } from './web-test-app.js';

/**
 * A delivery batch's transcript rows on the real PostgreSQL: the contacts' sequence numbers and the
 * rows are written in one statement, so each contact's items must still be numbered gaplessly, in
 * the order given, after what it had; repeats (in the batch, or stored before) numbered nothing.
 */
describe('transcript appends', () => {
  let t: WebTestApp;
  let transcript: TranscriptService;
  let contacts: WebContactService;

  beforeAll(async () => {
    t = await startWebTestApp('web_transcript_append');
    transcript = t.app.get(TranscriptService);
    contacts = t.app.get(WebContactService);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function visitor(): Promise<WebContact> {
    const visitorId = `v_${randomBytes(12).toString('base64url')}`;
    await t.db.query('INSERT INTO channels.web_contacts (id, workspace_id, visitor_id) VALUES ($1, $2, $3)', [
      randomUUID(),
      t.workspaceId,
      visitorId,
    ]);
    return (await contacts.findByAddress(t.workspaceId, 'web_visitor', visitorId))!;
  }

  const reply = (id: string): NewTranscriptItem => ({
    id,
    kind: 'message',
    dir: 'out',
    text: `reply ${id}`,
    attachments: [],
    author: { name: 'Alex', type: 'agent' },
    conversationId: null,
  });

  it("numbers each contact's items after what it had, in the order given, and repeats nothing", async () => {
    const ada = await visitor();
    const bob = await visitor();
    const customerId = randomUUID();
    const conversationId = randomUUID();
    await transcript.append(ada, reply('a0'));

    const results = await transcript.appendMany([
      { contact: ada, item: reply('a1'), link: { customerId, conversationId } },
      { contact: bob, item: reply('b1') },
      { contact: ada, item: reply('a0') },
      { contact: ada, item: reply('a2') },
      { contact: bob, item: reply('b1') },
      { contact: bob, item: reply('b2') },
      { contact: ada, item: reply('a3') },
    ]);
    expect(results.map((r) => [r.item.id, r.item.seq, r.created])).toEqual([
      ['a1', 2, true],
      ['b1', 1, true],
      ['a0', 1, false],
      ['a2', 3, true],
      ['b1', 1, false],
      ['b2', 2, true],
      ['a3', 4, true],
    ]);
    expect((await transcript.listAfter(ada, 0)).map((i) => [i.seq, i.id])).toEqual([
      [1, 'a0'],
      [2, 'a1'],
      [3, 'a2'],
      [4, 'a3'],
    ]);
    expect((await transcript.listAfter(bob, 0)).map((i) => [i.seq, i.id])).toEqual([
      [1, 'b1'],
      [2, 'b2'],
    ]);
    expect(await transcript.lastSeq(ada)).toBe(4);
    expect(await transcript.lastSeq(bob)).toBe(2);
    // The delivery's link: history's customer and conversation, on the contact.
    expect(await contacts.findByAddress(t.workspaceId, 'web_visitor', ada.visitorId!)).toMatchObject({
      customerId,
      conversationId,
    });
  });

  it('numbers concurrent batches for one contact without a gap or a duplicate', async () => {
    const ada = await visitor();
    await Promise.all(
      Array.from({ length: 4 }, (_, batch) =>
        transcript.appendMany(
          Array.from({ length: 5 }, (_, i) => ({ contact: ada, item: reply(`c${batch}-${i}`) })),
        ),
      ),
    );
    const items = await transcript.listAfter(ada, 0);
    expect(items.map((i) => i.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Each batch's items in the order given, whichever batch went first.
    for (let batch = 0; batch < 4; batch += 1) {
      const seqs = items.filter((i) => i.id.startsWith(`c${batch}-`)).map((i) => i.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs[4]! - seqs[0]!).toBe(4);
    }
  });

  it('returns and announces, in order, each item as it is stored', async () => {
    const ada = await visitor();
    const bob = await visitor();
    await transcript.append(ada, reply('s0'));
    const listener = await t.db.connect();
    const notices: unknown[] = [];
    listener.on('notification', (n) => notices.push(decodeNotice(n.payload!)));
    await listener.query(`LISTEN ${TRANSCRIPT_CHANNEL}`);
    try {
      const conversationId = randomUUID();
      const results = await transcript.appendMany([
        { contact: ada, item: { ...reply('s1'), form: { kind: 'card' } } },
        { contact: bob, item: { ...reply('s2'), author: { name: null, type: 'bot', botAnswer: true } } },
        { contact: ada, item: reply('s0') },
        {
          contact: ada,
          item: {
            id: `csat:${conversationId}`,
            kind: 'csat',
            dir: 'out',
            text: null,
            attachments: [{ id: randomUUID(), contentType: 'image/png', sizeBytes: 12, fileName: 'a.png' }],
            author: null,
            conversationId,
          },
        },
      ]);
      const stored = [...(await transcript.listAfter(ada, 0)), ...(await transcript.listAfter(bob, 0))];
      const byId = new Map(stored.map((item) => [item.id, item]));
      for (const result of results) expect(result.item).toEqual(byId.get(result.item.id));
      // Committed, so announced: the new items only, each contact's in sequence.
      const announced = results
        .filter((r) => r.created)
        .map((r) => ({ kind: 'item', contactId: r.contactId, item: byId.get(r.item.id) }));
      await waitFor(() => notices.length >= announced.length, { what: 'the notices' });
      expect(notices).toEqual(announced);
    } finally {
      await listener.query(`UNLISTEN ${TRANSCRIPT_CHANNEL}`);
      listener.release();
    }
  });
});
