import { randomBytes, randomUUID } from 'node:crypto';
import { genericPlanIn, waitFor } from '@switchboard/testing';
import type { WebContact } from '../src/contacts/web-contact.js';
import { WebContactService } from '../src/contacts/web-contact.service.js';
import type { NewTranscriptItem } from '../src/transcript/transcript-item.js';
import { TRANSCRIPT_CHANNEL, decodeNotice } from '../src/transcript/transcript-notice.js';
import { APPEND_ITEMS, DELIVER_ITEMS, TranscriptService } from '../src/transcript/transcript.service.js';
import { type WebTestApp, startWebTestApp } from './web-test-app.js';

/**
 * A delivery batch's transcript rows on the real PostgreSQL: the contacts' locks, sequence numbers,
 * rows and notices are one statement, so each contact's items must still be numbered gaplessly, in
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

  it('stores a delivery batch by address as appendMany does, and names the recipients it does not know', async () => {
    const ada = await visitor();
    const merged = await visitor();
    const userId = `u_${randomBytes(8).toString('base64url')}`;
    const user = await contacts.resolveUser(t.workspaceId, userId, {});
    // A visitor who signed in on the same browser is the user now.
    await t.db.query('UPDATE channels.web_contacts SET merged_into = $2 WHERE id = $1', [merged.id, user.id]);
    const customerId = randomUUID();
    const conversationId = randomUUID();
    await transcript.append(ada, reply('m0'));
    const visitorAddress = (contact: WebContact) => ({ kind: 'web_visitor', address: contact.visitorId! });

    const results = await transcript.deliverMany(t.workspaceId, [
      { recipient: visitorAddress(ada), item: reply('m1'), link: { customerId, conversationId } },
      { recipient: { kind: 'web_visitor', address: 'v_nobody' }, item: reply('n1') },
      { recipient: visitorAddress(merged), item: reply('u1') },
      { recipient: visitorAddress(ada), item: reply('m0') },
      { recipient: { kind: 'web_user', address: userId }, item: reply('u2') },
      { recipient: { kind: 'web_user', address: userId }, item: reply('u1') },
      { recipient: visitorAddress(ada), item: reply('m2') },
    ]);
    expect(results.map((r) => r && [r.contactId, r.item.id, r.item.seq, r.created])).toEqual([
      [ada.id, 'm1', 2, true],
      null,
      [user.id, 'u1', 1, true],
      [ada.id, 'm0', 1, false],
      [user.id, 'u2', 2, true],
      [user.id, 'u1', 1, false],
      [ada.id, 'm2', 3, true],
    ]);
    expect((await transcript.listAfter(ada, 0)).map((i) => [i.seq, i.id])).toEqual([
      [1, 'm0'],
      [2, 'm1'],
      [3, 'm2'],
    ]);
    expect((await transcript.listAfter(user, 0)).map((i) => [i.seq, i.id])).toEqual([
      [1, 'u1'],
      [2, 'u2'],
    ]);
    expect(await transcript.listAfter(merged, 0)).toEqual([]);
    expect(await transcript.lastSeq(user)).toBe(2);
    expect(await contacts.findById(t.workspaceId, ada.id)).toMatchObject({ customerId, conversationId });
    // Another workspace's visitor is no recipient here, and nothing of it is stored.
    const elsewhere = await transcript.deliverMany(randomUUID(), [
      { recipient: visitorAddress(ada), item: reply('w1') },
    ]);
    expect(elsewhere).toEqual([null]);
    expect(await transcript.lastSeq(ada)).toBe(3);
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
  it('stores an item appended twice at once (the second waiting on the first) once, without a gap', async () => {
    const ada = await visitor();
    await transcript.append(ada, reply('r0'));
    // Both appends start (and take their snapshots) while the contact is locked elsewhere: the
    // one that locks it second read no stored 'r1' and finds it only by the unique key.
    const holder = await t.db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM channels.web_contacts WHERE id = $1 FOR UPDATE', [ada.id]);
      const appends = [transcript.append(ada, reply('r1')), transcript.append(ada, reply('r1'))];
      await waitFor(
        async () =>
          Number(
            (
              await holder.query<{ n: string }>(
                `SELECT count(*) AS n FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH e AS%'`,
              )
            ).rows[0]!.n,
          ) === 2,
        { what: 'both appends waiting for the lock' },
      );
      await holder.query('COMMIT');
      const results = await Promise.all(appends);
      expect(results.map((r) => r.created).sort()).toEqual([false, true]);
      expect(results[0]!.item).toEqual(results[1]!.item);
    } finally {
      holder.release();
    }
    expect((await transcript.listAfter(ada, 0)).map((i) => [i.seq, i.id])).toEqual([
      [1, 'r0'],
      [2, 'r1'],
    ]);
    expect(await transcript.lastSeq(ada)).toBe(2);
  });

  it("numbers nothing for a contact that is gone or another workspace's, and writes nothing of the batch", async () => {
    const ada = await visitor();
    const bob = await visitor();
    await expect(
      transcript.appendMany([
        { contact: ada, item: reply('g1') },
        { contact: { ...bob, workspaceId: randomUUID() }, item: reply('g2') },
      ]),
    ).rejects.toThrow('a contact is gone');
    await expect(
      transcript.appendMany([
        { contact: ada, item: reply('g1') },
        { contact: { ...bob, id: randomUUID() }, item: reply('g2') },
      ]),
    ).rejects.toThrow('a contact is gone');
    expect(await transcript.listAfter(ada, 0)).toEqual([]);
    expect(await transcript.lastSeq(ada)).toBe(0);
  });

  it('marks replies delivered once each, found by their keys in their workspace', async () => {
    const ada = await visitor();
    const bob = await visitor();
    const [r1, r2, asked] = await transcript.appendMany([
      { contact: ada, item: reply('d1') },
      { contact: ada, item: reply('d2') },
      { contact: ada, item: { ...reply('d3'), dir: 'in', author: null } },
    ]);
    const [b1] = await transcript.appendMany([{ contact: bob, item: reply('d1') }]);
    const mark = (contact: WebContact, seq: number, workspaceId = t.workspaceId) => ({
      workspaceId,
      contactId: contact.id,
      seq,
    });
    const marks = [
      mark(ada, r1!.item.seq),
      mark(ada, r1!.item.seq),
      mark(ada, asked!.item.seq),
      mark(bob, b1!.item.seq, randomUUID()),
      mark(ada, 99),
    ];
    const first = await transcript.markDelivered(marks);
    expect(first.map((m) => [m.contactId, m.id])).toEqual([[ada.id, 'd1']]);
    expect(first[0]!.workspaceId).toBe(t.workspaceId);
    const second = await transcript.markDelivered([
      ...marks,
      mark(ada, r2!.item.seq),
      mark(bob, b1!.item.seq),
    ]);
    expect(second.map((m) => [m.contactId, m.id]).sort()).toEqual(
      [
        [ada.id, 'd2'],
        [bob.id, 'd1'],
      ].sort(),
    );
    expect(await transcript.markDelivered(marks)).toEqual([]);
  });

  /**
   * The append is a prepared statement, which may keep a generic plan made while its tables had no
   * statistics (a new installation's first minutes; every benchmark's fresh database): it must
   * find contacts and stored items by their keys even so, never by reading a table whole.
   */
  it("the append's generic plan locks contacts by primary key and finds stored items by (contact, item id)", async () => {
    const client = await t.db.connect();
    try {
      await client.query('BEGIN');
      // A plan made now, at the tables' present size.
      const explain = (): Promise<string> => {
        const u = `ARRAY['${randomUUID()}']::uuid[]`;
        const x = `ARRAY['x']::text[]`;
        return genericPlanIn(
          client,
          APPEND_ITEMS,
          [u, u, x, x, x, x, x, x, u, x, u, u, x, "'c'"],
          [
            'uuid[]',
            'uuid[]',
            'text[]',
            'text[]',
            'text[]',
            'text[]',
            'text[]',
            'text[]',
            'uuid[]',
            'text[]',
            'uuid[]',
            'uuid[]',
            'text[]',
            'text',
          ],
        );
      };
      const part = (plan: string, from: string, to: string) =>
        plan.slice(plan.indexOf(from), plan.indexOf(to));
      // The tables as a test leaves them (a few rows), then as large as a benchmark's, unanalysed.
      for (const contacts of [0, 5_000]) {
        await client.query(
          `INSERT INTO channels.web_contacts (id, workspace_id, visitor_id)
           SELECT gen_random_uuid(), $1, 'p_' || g || '_' || $2 FROM generate_series(1, $2::int) g`,
          [t.workspaceId, contacts],
        );
        const plan = await explain();
        expect(part(plan, 'CTE locked', 'CTE known')).toMatch(
          /LockRows[^\n]*\n\s+->\s{2}Index Scan using web_contacts_pkey on web_contacts c\s[^\n]*\n\s+Index Cond: \(id = \w+\.contact_id\)/,
        );
        expect(part(plan, 'CTE known', 'CTE fresh')).toMatch(
          /Index Scan using web_transcript_contact_id_item_id_key on web_transcript \w+\s[^\n]*\n\s+Index Cond: \(\(contact_id = \w+\.contact_id\) AND \(item_id = \w+\.item_id\)\)/,
        );
        expect(part(plan, 'CTE known', 'CTE bumped')).not.toMatch(/Seq Scan/);
        // The update of the contacts found is a join, whose plan follows the table's size: made on
        // a small table it reads it whole (cheap while it is small; the first statistics, after
        // 50 rows changed, make a new plan).
        if (contacts > 0) expect(part(plan, 'CTE bumped', 'CTE inserted')).toMatch(/web_contacts_pkey/);
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it("the delivery's generic plan finds recipients by address, locks and updates contacts by primary key", async () => {
    const client = await t.db.connect();
    try {
      await client.query('BEGIN');
      const explain = (): Promise<string> => {
        const u = `ARRAY['${randomUUID()}']::uuid[]`;
        const x = `ARRAY['x']::text[]`;
        const texts = (n: number) => Array.from({ length: n }, () => 'text[]');
        return genericPlanIn(
          client,
          DELIVER_ITEMS,
          [`'${t.workspaceId}'`, `ARRAY['web_visitor']`, x, x, x, x, x, x, x, u, x, u, u, x, "'c'"],
          ['uuid', ...texts(8), 'uuid[]', 'text[]', 'uuid[]', 'uuid[]', 'text[]', 'text'],
        );
      };
      const part = (plan: string, from: string, to: string) =>
        plan.slice(plan.indexOf(from), plan.indexOf(to));
      for (const contacts of [0, 5_000]) {
        await client.query(
          `INSERT INTO channels.web_contacts (id, workspace_id, visitor_id)
           SELECT gen_random_uuid(), $1, 'q_' || g || '_' || $2 FROM generate_series(1, $2::int) g`,
          [t.workspaceId, contacts],
        );
        const plan = await explain();
        const recipients = part(plan, 'CTE r', 'CTE e');
        expect(recipients).toMatch(
          /Index Scan using web_contacts_workspace_id_visitor_id_key on web_contacts/,
        );
        expect(recipients).toMatch(/Index Scan using web_contacts_workspace_id_user_id_key on web_contacts/);
        expect(recipients).not.toMatch(/Seq Scan/);
        expect(part(plan, 'CTE locked', 'CTE known')).toMatch(
          /LockRows[^\n]*\n\s+->\s{2}Index Scan using web_contacts_pkey on web_contacts c\s[^\n]*\n\s+Index Cond: \(id = \w+\.contact_id\)/,
        );
        expect(part(plan, 'CTE known', 'CTE bumped')).not.toMatch(/Seq Scan/);
        if (contacts > 0) expect(part(plan, 'CTE bumped', 'CTE inserted')).toMatch(/web_contacts_pkey/);
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
