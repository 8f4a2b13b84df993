import { randomUUID } from 'node:crypto';
import { type HistoryApi, NotFoundError, PermissionDeniedError } from '@switchboard/contracts';
import { describePortContract } from './port-contract.util.js';

/** One HistoryApi prepared for the contract: the real service or a double, and a way to seed it. */
export interface HistoryApiUnderTest {
  readonly api: HistoryApi;
  /**
   * A customer of the workspace writes by SMS from `address` (to channel account `sms-account-1`),
   * as the inbound topic would bring it: a new customer and conversation, whose ids are resolved.
   */
  receiveSms(
    workspaceId: string,
    address: string,
    text: string,
  ): Promise<{ conversationId: string; customerId: string }>;
  /** Routing assigned the conversation to `agentId`, as its decision on the event log would. */
  assign(workspaceId: string, conversationId: string, agentId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * What every HistoryApi promises its callers (the inbox, the gRPC API), run against the real
 * service and the double alike, as `describeEventBusContract` does for the bus: workspace scoping,
 * one message per idempotency key, gapless sequences, customer patches, status changes.
 */
export function describeHistoryApiContract(
  subject: string,
  create: () => Promise<HistoryApiUnderTest>,
): void {
  describePortContract(`HistoryApi contract: ${subject}`, create, (suite) => {
    const { workspace, other } = suite;
    const labeller = { type: 'agent' as const, id: 'agent-1' };

    it('finds a conversation and its customer in their workspace only', async () => {
      const countedBefore = await suite.under.api.countConversations(workspace);
      const { conversationId, customerId } = await suite.under.receiveSms(
        workspace,
        '+14155550161',
        'Hello?',
      );
      const conversation = await suite.under.api.getConversation(workspace, conversationId);
      expect(conversation).toMatchObject({ id: conversationId, customerId, workspaceId: workspace });
      expect(conversation.status).not.toBe('resolved');
      const messages = await suite.under.api.listMessages(workspace, conversationId, {});
      expect(messages.map((m) => [m.sequence, m.direction, m.text])).toEqual([[1, 'in', 'Hello?']]);
      await expect(suite.under.api.getConversation(other, conversationId)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(suite.under.api.listMessages(other, conversationId, {})).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(suite.under.api.getCustomer(other, customerId)).rejects.toBeInstanceOf(NotFoundError);
      await expect(suite.under.api.getConversation(workspace, randomUUID())).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect(await suite.under.api.countConversations(workspace)).toBe(countedBefore + 1);
      expect(await suite.under.api.countConversations(randomUUID())).toBe(0);
      const listed = await suite.under.api.listConversations(other, {});
      expect(listed.items.map((c) => c.id)).not.toContain(conversationId);
      const mine = await suite.under.api.listConversations(workspace, { customerId });
      expect(mine.items.map((c) => c.id)).toEqual([conversationId]);
    });

    it('sends once per idempotency key, next in the conversation’s sequence', async () => {
      const { conversationId, customerId } = await suite.under.receiveSms(
        workspace,
        '+14155550162',
        'Where is it?',
      );
      const input = {
        idempotencyKey: `reply-${randomUUID()}`,
        conversationId,
        text: 'On its way',
        sender: { type: 'agent' as const, id: 'agent-1' },
      };
      const first = await suite.under.api.sendMessage(workspace, input);
      const again = await suite.under.api.sendMessage(workspace, input);
      expect(first).toMatchObject({ conversationId, customerId, created: true });
      expect(again).toEqual({ ...first, created: false });
      const messages = await suite.under.api.listMessages(workspace, conversationId, {});
      expect(messages.map((m) => [m.sequence, m.direction, m.text])).toEqual([
        [1, 'in', 'Where is it?'],
        [2, 'out', 'On its way'],
      ]);
      await expect(
        suite.under.api.sendMessage(other, { ...input, idempotencyKey: `other-${randomUUID()}` }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('merges two customers, lists the merge on both, and undoes it', async () => {
      const agent = { type: 'agent' as const, id: 'agent-1' };
      const kept = await suite.under.receiveSms(workspace, '+14155550171', 'From my phone');
      const moved = await suite.under.receiveSms(workspace, '+14155550172', 'From my other phone');
      const merge = await suite.under.api.mergeCustomers(
        workspace,
        { targetCustomerId: kept.customerId, sourceCustomerId: moved.customerId },
        agent,
      );
      expect(merge).toMatchObject({ targetCustomerId: kept.customerId, undoneAt: null });
      const merged = await suite.under.api.getCustomer(workspace, kept.customerId);
      expect(merged.identities.map((i) => i.value).sort()).toEqual(['+14155550171', '+14155550172']);
      const found = await suite.under.api.findCustomers(workspace, { text: '+1415555017' });
      expect(found.items.map((c) => c.id)).toEqual([kept.customerId]);
      expect((await suite.under.api.findCustomers(other, { text: '+1415555017' })).items).toEqual([]);
      expect((await suite.under.api.listMerges(workspace, kept.customerId)).map((m) => m.id)).toEqual([
        merge.id,
      ]);
      expect((await suite.under.api.listMerges(workspace, moved.customerId)).map((m) => m.id)).toEqual([
        merge.id,
      ]);
      await expect(suite.under.api.listMerges(other, kept.customerId)).rejects.toBeInstanceOf(NotFoundError);
      await expect(suite.under.api.undoMerge(other, merge.id, agent)).rejects.toBeInstanceOf(NotFoundError);

      const undone = await suite.under.api.undoMerge(workspace, merge.id, agent);
      expect(undone.undoneAt).not.toBeNull();
      expect(await suite.under.api.undoMerge(workspace, merge.id, agent)).toEqual(undone);
      const [listed] = await suite.under.api.listMerges(workspace, kept.customerId);
      expect(listed).toEqual(undone);
      expect(
        (await suite.under.api.getCustomer(workspace, kept.customerId)).identities.map((i) => i.value),
      ).toEqual(['+14155550171']);
      const back = await suite.under.api.listConversations(workspace, { customerId: moved.customerId });
      expect(back.items.map((c) => c.id)).toEqual([moved.conversationId]);
    });

    it('carries the source’s labels onto the survivor of a merge, and undo gives each its own', async () => {
      const kept = await suite.under.receiveSms(workspace, '+14155550173', 'Labelled, kept');
      const moved = await suite.under.receiveSms(workspace, '+14155550174', 'Labelled, moved');
      const label = (name: string) =>
        suite.under.api.createLabel(workspace, {
          name: `${name} ${randomUUID().slice(0, 8)}`,
          colour: '#336699',
        });
      const [vip, both, billing] = [await label('VIP'), await label('Both'), await label('Billing')];
      await suite.under.api.setLabels(
        workspace,
        { customerId: kept.customerId },
        [vip.id, both.id],
        labeller,
      );
      await suite.under.api.setLabels(
        workspace,
        { customerId: moved.customerId },
        [both.id, billing.id],
        labeller,
      );
      const merge = await suite.under.api.mergeCustomers(
        workspace,
        { targetCustomerId: kept.customerId, sourceCustomerId: moved.customerId },
        labeller,
      );
      const labelsOf = async (customerId: string) =>
        [...((await suite.under.api.getCustomer(workspace, customerId)).labelIds ?? [])].sort();
      expect(await labelsOf(kept.customerId)).toEqual([vip.id, both.id, billing.id].sort());
      await suite.under.api.undoMerge(workspace, merge.id, labeller);
      // "Both" was the target's before the merge: it stays; "Billing" was gained: it goes back.
      expect(await labelsOf(kept.customerId)).toEqual([vip.id, both.id].sort());
      expect(await labelsOf(moved.customerId)).toEqual([both.id, billing.id].sort());
    });

    it('opens a conversation: the conversation, its customer, the first timeline page and suggestions', async () => {
      const { conversationId, customerId } = await suite.under.receiveSms(
        workspace,
        '+14155550175',
        'Open me',
      );
      const opened = await suite.under.api.openConversation(workspace, conversationId, {
        timelinePageSize: 50,
      });
      expect(opened.conversation).toEqual(await suite.under.api.getConversation(workspace, conversationId));
      expect(opened.customer).toEqual(await suite.under.api.getCustomer(workspace, customerId));
      expect(opened.timeline).toEqual(
        await suite.under.api.getTimeline(workspace, customerId, { pageSize: 50 }),
      );
      expect(opened.timeline.items.map((m) => m.text)).toContain('Open me');
      expect(opened.mergeSuggestions).toEqual(
        await suite.under.api.listMergeSuggestions(workspace, customerId),
      );
      await expect(suite.under.api.openConversation(other, conversationId, {})).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it('patches a customer: a name, attributes set and removed', async () => {
      const agent = { type: 'agent' as const, id: 'agent-1' };
      const { customerId } = await suite.under.receiveSms(workspace, '+14155550163', 'Hi');
      await suite.under.api.updateCustomer(
        workspace,
        customerId,
        {
          name: 'Grace',
          attributes: { plan: 'pro', tier: 'gold' },
        },
        agent,
      );
      const updated = await suite.under.api.updateCustomer(
        workspace,
        customerId,
        { attributes: { tier: null } },
        agent,
      );
      expect(updated).toMatchObject({ id: customerId, name: 'Grace', attributes: { plan: 'pro' } });
      expect((await suite.under.api.getCustomer(workspace, customerId)).attributes).toEqual({ plan: 'pro' });
      await expect(
        suite.under.api.updateCustomer(other, customerId, { name: 'Mallory' }, agent),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('labels a conversation, lists and searches by label, in its workspace only', async () => {
      const { conversationId } = await suite.under.receiveSms(workspace, '+14155550165', 'Parcel lost');
      const label = await suite.under.api.createLabel(workspace, {
        name: `Billing ${randomUUID().slice(0, 8)}`,
        colour: '#aa3355',
      });
      expect(await suite.under.api.setLabels(workspace, { conversationId }, [label.id], labeller)).toEqual([
        label.id,
      ]);
      expect((await suite.under.api.getConversation(workspace, conversationId)).labelIds).toEqual([label.id]);
      const listed = await suite.under.api.listConversations(workspace, { labelId: label.id });
      expect(listed.items.map((c) => c.id)).toEqual([conversationId]);
      const found = await suite.under.api.search(workspace, { text: 'parcel', labelId: label.id });
      const [hit] = found.messages;
      expect(hit?.message.conversationId).toBe(conversationId);
      expect(hit!.highlights.map((r) => hit!.message.text!.slice(r.start, r.end))).toEqual(['Parcel']);
      expect((await suite.under.api.search(other, { text: 'parcel' })).messages).toEqual([]);
      await expect(suite.under.api.setLabels(other, { conversationId }, [], labeller)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(suite.under.api.deleteLabel(other, label.id)).rejects.toBeInstanceOf(NotFoundError);
      await suite.under.api.deleteLabel(workspace, label.id);
      expect((await suite.under.api.getConversation(workspace, conversationId)).labelIds).toEqual([]);
    });

    it('resolves a conversation of its workspace only', async () => {
      const { conversationId } = await suite.under.receiveSms(workspace, '+14155550164', 'Thanks, bye');
      const by = { type: 'agent' as const, id: 'agent-1' };
      await expect(
        suite.under.api.setConversationStatus(other, conversationId, 'resolved', by),
      ).rejects.toBeInstanceOf(NotFoundError);
      const resolved = await suite.under.api.setConversationStatus(workspace, conversationId, 'resolved', by);
      expect(resolved).toMatchObject({ id: conversationId, status: 'resolved' });
      expect((await suite.under.api.getConversation(workspace, conversationId)).status).toBe('resolved');
    });

    it("refuses an agent's status change on another agent's conversation when asked to, in its workspace only", async () => {
      const { conversationId } = await suite.under.receiveSms(workspace, '+14155550177', 'Anyone there?');
      const mine = { type: 'agent' as const, id: 'agent-1' };
      const theirs = { type: 'agent' as const, id: 'agent-2' };
      const own = { onlyOwnOrUnassigned: true };
      // Nobody's: any agent may act on it.
      expect(
        await suite.under.api.setConversationStatus(workspace, conversationId, 'pending', theirs, own),
      ).toMatchObject({
        status: 'pending',
      });
      await suite.under.assign(workspace, conversationId, mine.id);
      await expect(
        suite.under.api.setConversationStatus(workspace, conversationId, 'resolved', theirs, own),
      ).rejects.toBeInstanceOf(PermissionDeniedError);
      expect((await suite.under.api.getConversation(workspace, conversationId)).status).toBe('pending');
      await expect(
        suite.under.api.setConversationStatus(other, conversationId, 'resolved', mine, own),
      ).rejects.toBeInstanceOf(NotFoundError);
      // Its assignee may; without the option (a supervisor's change) anyone may.
      expect(
        await suite.under.api.setConversationStatus(workspace, conversationId, 'resolved', mine, own),
      ).toMatchObject({
        status: 'resolved',
        assigneeId: mine.id,
      });
      expect(
        await suite.under.api.setConversationStatus(workspace, conversationId, 'open', theirs),
      ).toMatchObject({
        status: 'open',
      });
    });

    it('replays its records in order, page by page, in its workspace only (ADR 0106)', async () => {
      const { conversationId } = await suite.under.receiveSms(workspace, '+14155550176', 'Still broken');
      const agent = { type: 'agent' as const, id: 'agent-7' };
      const reply = await suite.under.api.sendMessage(workspace, {
        idempotencyKey: `replay-${randomUUID()}`,
        conversationId,
        text: 'Fixed now',
        sender: agent,
      });
      await suite.under.api.setConversationStatus(workspace, conversationId, 'resolved', agent);
      await suite.under.api.setConversationStatus(workspace, conversationId, 'open', agent);
      // Labels put on, then taken off (ADR 0118); the same set again is no change and no record.
      const label = await suite.under.api.createLabel(workspace, {
        name: `Replayed ${randomUUID().slice(0, 8)}`,
        colour: '#3355aa',
      });
      await suite.under.api.setLabels(workspace, { conversationId }, [label.id], agent);
      await suite.under.api.setLabels(workspace, { conversationId }, [label.id], agent);
      await suite.under.api.setLabels(workspace, { conversationId }, [], agent);
      const replay = async (pageSize: number) => {
        const seen = [];
        let pageToken: string | undefined;
        for (;;) {
          const page = await suite.under.api.replayRecords(workspace, { pageSize, pageToken });
          seen.push(...page.items);
          if (page.nextPageToken === null) return seen;
          pageToken = page.nextPageToken;
        }
      };
      const whole = await replay(2_000);
      const mine = whole.filter((r) => 'conversationId' in r && r.conversationId === conversationId);
      // In time order; two records of the same millisecond in either order (a consumer orders by time).
      const described = mine.map((r) =>
        JSON.stringify(
          r.kind === 'message'
            ? [r.kind, r.sequence, r.direction, r.sender.type]
            : r.kind === 'status'
              ? [r.kind, r.previousStatus, r.status, r.changedBy.type, r.changedBy.id]
              : r.kind === 'labels'
                ? [
                    r.kind,
                    r.labelIds.length === 0 ? 'none' : r.labelIds.join() === label.id ? 'one' : r.labelIds,
                  ]
                : [r.kind],
        ),
      );
      expect([...described].sort()).toEqual(
        [
          ['message', 1, 'in', 'customer'],
          ['message', 2, 'out', 'agent'],
          ['status', 'open', 'resolved', 'agent', 'agent-7'],
          ['status', 'resolved', 'open', 'agent', 'agent-7'],
          ['labels', 'one'],
          ['labels', 'none'],
        ]
          .map((d) => JSON.stringify(d))
          .sort(),
      );
      expect(mine.find((r) => r.kind === 'message' && r.sequence === 2)).toMatchObject({
        id: reply.messageId,
        sender: { type: 'agent', id: 'agent-7' },
      });
      const at = (kind: string, status?: string) =>
        mine.find(
          (r) => r.kind === kind && (status === undefined || (r.kind === 'status' && r.status === status)),
        )!.at;
      expect(at('message') <= at('status', 'resolved')).toBe(true);
      expect(at('status', 'resolved') <= at('status', 'open')).toBe(true);
      const ats = whole.map((r) => r.at);
      expect([...ats].sort()).toEqual(ats);
      // Keyset pages of one record give the same records, once each.
      expect((await replay(1)).map((r) => r.id)).toEqual(whole.map((r) => r.id));
      const elsewhere = await suite.under.api.replayRecords(other, {});
      expect(
        elsewhere.items.filter((r) => 'conversationId' in r && r.conversationId === conversationId),
      ).toEqual([]);
    });
  });
}
