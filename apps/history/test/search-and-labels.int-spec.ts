import { randomUUID } from 'node:crypto';
import {
  AlreadyExistsError,
  InvalidArgumentError,
  type MessageSender,
  NotFoundError,
} from '@switchboard/contracts';
import { inboundMessageEvent, waitFor } from '@switchboard/testing';
import { type HistoryTestApp, startHistoryTestApp } from './history-test-app.js';

const agent: MessageSender = { type: 'agent', id: 'agent-1', name: 'Ada' };

/**
 * The inbox's search and labels (ADR 0115, 0116) on the real Kafka broker and PostgreSQL: messages
 * ingested from `inbound`, found by their words with the match's offsets, filtered by channel,
 * status, assignee, label and date, newest first over keyset pages; customers by a part of their
 * name or phone; labels managed and put on conversations and customers; and never another
 * workspace's rows.
 */
describe('history search and labels', () => {
  let app: HistoryTestApp;
  const ws = randomUUID();
  const other = randomUUID();

  beforeAll(async () => {
    app = await startHistoryTestApp('history_search');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  const sms = (workspaceId: string, from: string, text: string) =>
    inboundMessageEvent({ workspaceId, sender: { kind: 'phone', address: from, verified: true }, text });
  const ingest = async (workspaceId: string, from: string, texts: string[]) => {
    await app.emit(texts.map((t) => sms(workspaceId, from, t)));
    await waitFor(
      async () =>
        Number(
          (
            await app.db.query<{ n: string }>(
              `SELECT count(*) AS n FROM history.messages m JOIN history.identities i ON i.customer_id = m.customer_id
               WHERE m.workspace_id = $1 AND i.value = $2`,
              [workspaceId, from],
            )
          ).rows[0]!.n,
        ) >= texts.length,
      { what: `messages from ${from}` },
    );
    return (await app.api.findCustomers(workspaceId, { identity: { kind: 'phone', value: from } })).items[0]!;
  };

  it('finds messages by their words, newest first, with the offsets of each match, in keyset pages', async () => {
    const customer = await ingest(ws, '+14155550201', [
      'My REFUND has not arrived',
      'Where is the refund? Refund me please',
      'unrelated question about shipping',
    ]);
    const found = await app.api.search(ws, { text: 'refund' });
    expect(found.messages.map((h) => h.message.text)).toEqual([
      'Where is the refund? Refund me please',
      'My REFUND has not arrived',
    ]);
    const [hit] = found.messages;
    expect(hit!.highlights.map((r) => hit!.message.text!.slice(r.start, r.end))).toEqual([
      'refund',
      'Refund',
    ]);
    expect(hit!.customerName).toBeNull();
    expect(hit!.conversationStatus).toBe('open');
    expect(hit!.message.customerId).toBe(customer.id);

    const first = await app.api.search(ws, { text: 'refund', pageSize: 1 });
    expect(first.messages).toHaveLength(1);
    const second = await app.api.search(ws, { text: 'refund', pageSize: 1, pageToken: first.nextPageToken! });
    expect(second.messages.map((h) => h.message.text)).toEqual(['My REFUND has not arrived']);
    expect(second.nextPageToken).toBeNull();
    expect(second.customers).toEqual([]);
  });

  it('finds customers by part of a name or the digits of a phone, highlighted', async () => {
    const customer = await ingest(ws, '+14155550202', ['hello there']);
    await app.api.updateCustomer(ws, customer.id, { name: 'Grace Hopper' }, agent);
    const byName = await app.api.search(ws, { text: 'hopp' });
    expect(byName.customers).toHaveLength(1);
    expect(byName.customers[0]).toMatchObject({
      customerId: customer.id,
      name: 'Grace Hopper',
      field: 'name',
      value: 'Grace Hopper',
      highlights: [{ start: 6, end: 10 }],
    });
    expect(byName.customers[0]!.conversationId).not.toBeNull();
    const byPhone = await app.api.search(ws, { text: '(415) 555-0202' });
    expect(byPhone.customers.map((c) => [c.customerId, c.field, c.value])).toEqual([
      [customer.id, 'phone', '+14155550202'],
    ]);
    const digits = byPhone.customers[0]!.highlights[0]!;
    expect('+14155550202'.slice(digits.start, digits.end)).toBe('4155550202');
    // A wildcard typed is a character, not a pattern.
    expect((await app.api.search(ws, { text: '%%%' })).customers).toEqual([]);
  });

  it('filters by channel, status, assignee, label and date', async () => {
    const a = await ingest(ws, '+14155550203', ['invoice question from alpha']);
    const b = await ingest(ws, '+14155550204', ['invoice question from beta']);
    const [convA] = (await app.api.listConversations(ws, { customerId: a.id })).items;
    const [convB] = (await app.api.listConversations(ws, { customerId: b.id })).items;
    await app.api.setConversationStatus(ws, convB!.id, 'resolved', agent);
    await app.db.query('UPDATE history.conversations SET assignee_id = $2 WHERE id = $1', [
      convA!.id,
      'agent-7',
    ]);
    const texts = async (query: Parameters<HistoryTestApp['api']['search']>[1]) =>
      (await app.api.search(ws, query)).messages.map((h) => h.message.text).sort();

    expect(await texts({ text: 'invoice' })).toHaveLength(2);
    expect(await texts({ text: 'invoice', status: ['open', 'pending'] })).toEqual([
      'invoice question from alpha',
    ]);
    expect(await texts({ text: 'invoice', assigneeId: 'agent-7' })).toEqual(['invoice question from alpha']);
    expect(await texts({ text: 'invoice', unassigned: true })).toEqual(['invoice question from beta']);
    expect(await texts({ text: 'invoice', channel: 'web' })).toEqual([]);
    expect(await texts({ text: 'invoice', channel: 'sms' })).toHaveLength(2);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    expect(await texts({ text: 'invoice', from: tomorrow })).toEqual([]);
    expect(await texts({ text: 'invoice', to: tomorrow })).toHaveLength(2);

    const billing = await app.api.createLabel(ws, { name: 'Billing', colour: '#AA3355' });
    expect(billing.colour).toBe('#aa3355');
    expect(
      await app.api.setLabels(ws, { conversationId: convA!.id }, [billing.id, billing.id], agent),
    ).toEqual([billing.id]);
    expect(await texts({ text: 'invoice', labelId: billing.id })).toEqual(['invoice question from alpha']);
    const listed = await app.api.listConversations(ws, { labelId: billing.id });
    expect(listed.items.map((c) => [c.id, c.labelIds])).toEqual([[convA!.id, [billing.id]]]);
    expect((await app.api.getConversation(ws, convA!.id)).labelIds).toEqual([billing.id]);
  });

  it('filters the same whether the filter matches few conversations (their ids) or many (joined)', async () => {
    // A workspace of its own: 1,200 pending conversations held by agent-9 and labelled, beyond
    // CONVERSATION_IDS_CAP, beside the one conversation whose message matches (ADR 0122).
    const ws3 = randomUUID();
    const customer = await ingest(ws3, '+14155550231', ['quota exceeded on my plan', 'quota still exceeded']);
    await ingest(ws3, '+14155550232', ['quota question, open and nobody’s', 'another quota question']);
    const [mine] = (await app.api.listConversations(ws3, { customerId: customer.id })).items;
    const label = await app.api.createLabel(ws3, { name: 'Plans', colour: '#225588' });
    await app.db.query(
      `WITH cu AS (
         INSERT INTO history.customers (id, workspace_id) SELECT gen_random_uuid(), $1 FROM generate_series(1, 1200)
         RETURNING id)
       INSERT INTO history.conversations
         (id, workspace_id, customer_id, status, channel, assignee_id, opened_at, last_message_at)
       SELECT gen_random_uuid(), $1, cu.id, 'pending', 'sms', 'agent-9', now(), now() FROM cu`,
      [ws3],
    );
    await app.db.query(
      `UPDATE history.conversations SET status = 'pending', assignee_id = 'agent-9' WHERE id = $1`,
      [mine!.id],
    );
    await app.db.query(
      `INSERT INTO history.conversation_labels (workspace_id, conversation_id, label_id)
       SELECT workspace_id, id, $2 FROM history.conversations WHERE workspace_id = $1 AND status = 'pending'`,
      [ws3, label.id],
    );
    const texts = async (query: Parameters<HistoryTestApp['api']['search']>[1]) =>
      (await app.api.search(ws3, query)).messages.map((h) => h.message.text).sort();
    const alone = ['quota exceeded on my plan', 'quota still exceeded'];
    const other = ['another quota question', 'quota question, open and nobody’s'];
    // Many conversations match: joined.
    expect(await texts({ text: 'quota', status: ['pending'] })).toEqual(alone);
    expect(await texts({ text: 'quota', assigneeId: 'agent-9' })).toEqual(alone);
    expect(await texts({ text: 'quota', labelId: label.id })).toEqual(alone);
    expect(await texts({ text: 'quota', labelId: label.id, status: ['pending'] })).toEqual(alone);
    expect(await texts({ text: 'quota', status: ['open', 'pending'] })).toEqual([...other, ...alone].sort());
    // Few or none: by their ids.
    expect(await texts({ text: 'quota', status: ['open'] })).toEqual(other);
    expect(await texts({ text: 'quota', unassigned: true })).toEqual(other);
    expect(await texts({ text: 'quota', status: ['resolved'] })).toEqual([]);
    expect(await texts({ text: 'quota', assigneeId: 'agent-1' })).toEqual([]);
    expect(await texts({ text: 'quota', labelId: label.id, status: ['open'] })).toEqual([]);
    // Keyset pages of one, each message once, through the ids and through the join.
    const paged = async (query: Parameters<HistoryTestApp['api']['search']>[1]) => {
      const seen: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await app.api.search(ws3, {
          ...query,
          pageSize: 1,
          ...(pageToken ? { pageToken } : {}),
        });
        seen.push(...page.messages.map((h) => h.message.text!));
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken !== undefined);
      return seen.sort();
    };
    expect(await paged({ text: 'quota', status: ['open'] })).toEqual(other);
    expect(await paged({ text: 'quota', status: ['pending'] })).toEqual(alone);
  });

  it('manages labels per workspace and puts them on customers', async () => {
    const vip = await app.api.createLabel(ws, { name: 'VIP', colour: '#112233' });
    await expect(app.api.createLabel(ws, { name: 'vip', colour: '#000000' })).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    await expect(app.api.createLabel(ws, { name: ' ', colour: 'red' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    const renamed = await app.api.updateLabel(ws, vip.id, { name: 'Very important' });
    expect(renamed).toMatchObject({ id: vip.id, name: 'Very important', colour: '#112233' });
    const customer = await ingest(ws, '+14155550205', ['hi']);
    await app.api.setLabels(ws, { customerId: customer.id }, [vip.id], agent);
    expect((await app.api.getCustomer(ws, customer.id)).labelIds).toEqual([vip.id]);
    await app.api.updateCustomer(ws, customer.id, { name: 'Ines Important' }, agent);
    expect(
      (await app.api.search(ws, { text: 'ines', labelId: vip.id })).customers.map((c) => c.customerId),
    ).toEqual([customer.id]);

    await app.api.deleteLabel(ws, vip.id);
    expect((await app.api.getCustomer(ws, customer.id)).labelIds).toEqual([]);
    expect((await app.api.listLabels(ws)).map((l) => l.name)).not.toContain('Very important');
    await expect(app.api.deleteLabel(ws, vip.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('tells every label change on the log, and a merge carries labels that its undo takes back', async () => {
    const kept = await ingest(ws, '+14155550206', ['kept customer']);
    const moved = await ingest(ws, '+14155550207', ['moved customer']);
    const [conversation] = (await app.api.listConversations(ws, { customerId: kept.id })).items;
    const [vip, both, billing] = await Promise.all(
      ['VIP two', 'Both sides', 'Billing two'].map((name) =>
        app.api.createLabel(ws, { name, colour: '#336699' }),
      ),
    );
    const eventsOf = (type: string, id: string) =>
      app.emitted.filter(
        (e) =>
          e.type === type &&
          ((e.payload as { customerId?: string; conversationId?: string }).conversationId ??
            (e.payload as { customerId: string }).customerId) === id,
      );

    await app.api.setLabels(ws, { conversationId: conversation!.id }, [billing!.id], agent);
    await waitFor(() => eventsOf('conversation.labels.changed', conversation!.id).length === 1, {
      what: 'ConversationLabelsChangedV1',
    });
    expect(eventsOf('conversation.labels.changed', conversation!.id)[0]!.payload).toMatchObject({
      conversationId: conversation!.id,
      customerId: kept.id,
      labelIds: [billing!.id],
      changedBy: agent,
    });

    await app.api.setLabels(ws, { customerId: kept.id }, [vip!.id, both!.id], agent);
    await app.api.setLabels(ws, { customerId: kept.id }, [both!.id, vip!.id], agent); // the same set
    await app.api.setLabels(ws, { customerId: moved.id }, [both!.id, billing!.id], agent);
    const merge = await app.api.mergeCustomers(
      ws,
      { targetCustomerId: kept.id, sourceCustomerId: moved.id },
      agent,
    );
    const labelsOf = async (id: string) => [...(await app.api.getCustomer(ws, id)).labelIds!].sort();
    expect(await labelsOf(kept.id)).toEqual([vip!.id, both!.id, billing!.id].sort());
    await app.api.undoMerge(ws, merge.id, agent);
    expect(await labelsOf(kept.id)).toEqual([vip!.id, both!.id].sort());
    expect(await labelsOf(moved.id)).toEqual([both!.id, billing!.id].sort());
    // A second undo changes nothing and tells nothing.
    await app.api.undoMerge(ws, merge.id, agent);

    await waitFor(() => eventsOf('customer.labels.changed', kept.id).length >= 3, {
      what: 'CustomerLabelsChangedV1 of the survivor',
    });
    // Give a stray duplicate (the same set, the second undo) time to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const told = eventsOf('customer.labels.changed', kept.id).map((e) => e.payload);
    expect(told).toEqual([
      expect.objectContaining({ labelIds: [vip!.id, both!.id].sort(), changedBy: agent }),
      expect.objectContaining({
        labelIds: expect.arrayContaining([vip!.id, both!.id, billing!.id]),
        cause: 'merge',
      }),
      expect.objectContaining({ labelIds: expect.arrayContaining([vip!.id, both!.id]), cause: 'merge' }),
    ]);
    expect((told[0] as { cause?: string }).cause).toBeUndefined();
    expect((told[2] as { labelIds: string[] }).labelIds).toHaveLength(2);
  });

  it('opens a conversation in one call as its four parts read apart, page token included', async () => {
    const customer = await ingest(ws, '+14155550208', [
      'first of three',
      'second of three',
      'third of three',
    ]);
    const [conversation] = (await app.api.listConversations(ws, { customerId: customer.id })).items;
    const opened = await app.api.openConversation(ws, conversation!.id, { timelinePageSize: 2 });
    expect(opened.conversation).toEqual(await app.api.getConversation(ws, conversation!.id));
    expect(opened.customer).toEqual(await app.api.getCustomer(ws, customer.id));
    const page = await app.api.getTimeline(ws, customer.id, { pageSize: 2 });
    expect(opened.timeline).toEqual(page);
    expect(opened.timeline.nextPageToken).not.toBeNull();
    const rest = await app.api.getTimeline(ws, customer.id, { pageToken: opened.timeline.nextPageToken! });
    expect(rest.items.map((m) => m.text)).toEqual(['first of three']);
    expect(opened.mergeSuggestions).toEqual([]);
    await expect(app.api.openConversation(other, conversation!.id, {})).rejects.toBeInstanceOf(NotFoundError);
  });

  it('never returns, labels or lists another workspace’s rows', async () => {
    const theirs = await ingest(other, '+14155550299', ['refund for the other workspace, Grace']);
    await app.api.updateCustomer(other, theirs.id, { name: 'Grace Other' }, agent);
    const mine = await app.api.search(ws, { text: 'refund' });
    expect(mine.messages.every((h) => h.message.workspaceId === ws)).toBe(true);
    expect(mine.messages.map((h) => h.message.customerId)).not.toContain(theirs.id);
    expect((await app.api.search(ws, { text: 'grace' })).customers.map((c) => c.customerId)).not.toContain(
      theirs.id,
    );
    expect(
      (await app.api.search(other, { text: 'refund' })).messages.map((h) => h.message.customerId),
    ).toEqual([theirs.id]);

    const [ours] = await app.api.listLabels(ws);
    const [theirConversation] = (await app.api.listConversations(other, { customerId: theirs.id })).items;
    // Our label on their conversation, their conversation through our workspace: not found either way.
    await expect(
      app.api.setLabels(other, { conversationId: theirConversation!.id }, [ours!.id], agent),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      app.api.setLabels(ws, { conversationId: theirConversation!.id }, [], agent),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.api.updateLabel(other, ours!.id, { name: 'stolen' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(app.api.deleteLabel(other, ours!.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await app.api.listLabels(other)).toEqual([]);
    expect((await app.api.listConversations(other, { labelId: ours!.id })).items).toEqual([]);
  });
});
