import { ConversationMessageAppendedV1, type HistoryApi, Topics } from '@switchboard/contracts';
import type { EventBus } from '@switchboard/messaging';
import type { PlatformConfigService } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { SnoozesService } from '../snoozes/snoozes.service.js';
import type { LiveHub } from './live-hub.service.js';
import { LiveEventsConsumer } from './live-events.consumer.js';
import type { SnoozedConversations } from './snoozed-conversations.js';

const workspaceId = randomUUID();

function customerWrote(conversationId: string) {
  const customerId = randomUUID();
  return {
    topic: Topics.conversations,
    partition: 0,
    offset: '0',
    key: workspaceId,
    event: ConversationMessageAppendedV1.create({
      workspaceId,
      payload: {
        conversationId,
        customerId,
        messageId: randomUUID(),
        sequence: 2,
        direction: 'in',
        channel: 'sms',
        channelAccountId: 'sms-1',
        text: 'hello?',
        attachments: [],
        sender: { type: 'customer', id: customerId },
        createdAt: new Date().toISOString(),
        // Its holder is known without asking history.
        openedConversation: true,
      },
    }),
  };
}

/** The consumer with its batch handler in reach, and what it woke and sent. */
function probe() {
  const sent: string[] = [];
  const woken: string[][] = [];
  let finishWake: () => void = () => undefined;
  const hub = {
    batch: (work: () => void) => work(),
    broadcast: (_workspace: string, frame: { event: { payload: { conversationId: string } } }) => {
      sent.push(frame.event.payload.conversationId);
      return 1;
    },
  } as unknown as LiveHub;
  const snoozes = {
    wake: (messages: { conversationId: string }[]) => {
      woken.push(messages.map((m) => m.conversationId));
      return new Promise<void>((resolve) => (finishWake = resolve));
    },
  } as unknown as SnoozesService;
  class Probe extends LiveEventsConsumer {
    handle(batch: ReturnType<typeof customerWrote>[]): Promise<void> {
      return this.subscriptions()[0]!.handleBatch(batch);
    }
    get snoozedConversations(): SnoozedConversations {
      return (this as unknown as { snoozed: SnoozedConversations }).snoozed;
    }
  }
  const consumer = new Probe(
    { id: 'replica-1' },
    {} as EventBus,
    hub,
    snoozes,
    {} as HistoryApi,
    {} as DataSource,
    {} as PlatformConfigService,
  );
  return { consumer, sent, woken, finishWake: () => finishWake() };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveEventsConsumer', () => {
  it('sends a message at once when its conversation is known not to be snoozed', async () => {
    const { consumer, sent, woken } = probe();
    consumer.snoozedConversations.read(consumer.snoozedConversations.reading(), []);
    const conversationId = randomUUID();
    await consumer.handle([customerWrote(conversationId)]);
    await turn();
    expect(woken).toEqual([]);
    expect(sent).toEqual([conversationId]);
  });

  it("holds a snoozed conversation's message until its wake has ended, and wakes only that one", async () => {
    const { consumer, sent, woken, finishWake } = probe();
    const snoozed = randomUUID();
    const other = randomUUID();
    consumer.snoozedConversations.read(consumer.snoozedConversations.reading(), [snoozed]);
    await consumer.handle([customerWrote(other), customerWrote(snoozed)]);
    await turn();
    expect(woken).toEqual([[snoozed]]);
    expect(sent).toEqual([]);
    finishWake();
    await turn();
    expect(sent).toEqual([other, snoozed]);
  });

  it('wakes every message before its frames while the snoozes are not known (no LISTEN yet)', async () => {
    const { consumer, sent, woken, finishWake } = probe();
    const conversationId = randomUUID();
    await consumer.handle([customerWrote(conversationId)]);
    await turn();
    expect(woken).toEqual([[conversationId]]);
    expect(sent).toEqual([]);
    finishWake();
    await turn();
    expect(sent).toEqual([conversationId]);
  });
});
