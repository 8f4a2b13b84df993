import type { WebContact } from '../contacts/web-contact.js';
import type { DeliveryReceiptsService } from '../outbound/delivery-receipts.service.js';
import type { WidgetSite } from '../settings/widget-settings.service.js';
import type { TranscriptItem } from '../transcript/transcript-item.js';
import type { NoticeListener, TranscriptNotifierService } from '../transcript/transcript-notifier.service.js';
import type { TranscriptService } from '../transcript/transcript.service.js';
import { HEARTBEAT_SLICES, SessionRegistryService } from './session-registry.service.js';
import { WidgetSession, type WidgetSocket } from './widget-session.js';

/** A socket that only counts what the heartbeat does to it. */
class CountingSocket implements WidgetSocket {
  pings = 0;
  closed: string | null = null;
  readonly bufferedAmount = 0;
  send(): void {}
  ping(): void {
    this.pings += 1;
  }
  close(_code: number, reason: string): void {
    this.closed = reason;
  }
}

describe('SessionRegistryService heartbeat', () => {
  // The heartbeat touches none of these.
  const registry = () =>
    new SessionRegistryService(
      {} as TranscriptService,
      {} as DeliveryReceiptsService,
      {} as TranscriptNotifierService,
    );
  const open = (count: number) =>
    Array.from({ length: count }, () => {
      const socket = new CountingSocket();
      return {
        socket,
        session: new WidgetSession(socket, '127.0.0.1', undefined, undefined, () => undefined),
      };
    });

  it('pings every socket once a round, a slice at a time, and closes those that did not answer', () => {
    const sessions = registry();
    const tabs = open(HEARTBEAT_SLICES * 4 + 1);
    for (const { session } of tabs) sessions.track(session);

    for (let tick = 0; tick < HEARTBEAT_SLICES; tick += 1) {
      const before = tabs.reduce((n, t) => n + t.socket.pings, 0);
      sessions.checkAlive();
      // Never more than a slice's share at once.
      expect(tabs.reduce((n, t) => n + t.socket.pings, 0) - before).toBeLessThanOrEqual(5);
    }
    expect(tabs.map((t) => t.socket.pings)).toEqual(tabs.map(() => 1));

    // Every tab answers but the first; a second round closes it and pings the rest again.
    for (const { session } of tabs.slice(1)) session.alive = true;
    for (let tick = 0; tick < HEARTBEAT_SLICES; tick += 1) sessions.checkAlive();
    expect(tabs[0]!.socket.closed).toBe('no heartbeat');
    expect(tabs.slice(1).map((t) => [t.socket.closed, t.socket.pings])).toEqual(
      tabs.slice(1).map(() => [null, 2]),
    );
  });

  it('forgets a removed socket', () => {
    const sessions = registry();
    const [gone, kept] = open(2);
    sessions.track(gone!.session);
    sessions.track(kept!.session);
    sessions.remove(gone!.session);
    for (let tick = 0; tick < HEARTBEAT_SLICES; tick += 1) sessions.checkAlive();
    expect([gone!.socket.pings, kept!.socket.pings]).toEqual([0, 1]);
    expect(sessions.size).toBe(1);
  });
});

describe('SessionRegistryService notices', () => {
  /** A socket that keeps what was sent to it. */
  class RecordingSocket implements WidgetSocket {
    readonly sent: { t: string; item?: TranscriptItem }[] = [];
    readonly bufferedAmount = 0;
    send(data: string): void {
      this.sent.push(JSON.parse(data) as { t: string; item?: TranscriptItem });
    }
    ping(): void {}
    close(): void {}
  }
  const item = (seq: number): TranscriptItem => ({
    seq,
    id: `reply-${seq}`,
    kind: 'message',
    dir: 'out',
    text: `reply ${seq}`,
    attachments: [],
    author: { name: 'Alex', type: 'agent' },
    conversationId: null,
    at: '2026-12-07T00:00:00.000Z',
    readAt: null,
  });

  it('sends a contact’s items announced together each in turn, without re-reading the transcript', async () => {
    let listener: NoticeListener | undefined;
    const reads: number[] = [];
    const stored = [1, 2, 3].map(item);
    const registry = new SessionRegistryService(
      {
        listAfter: (_contact: WebContact, afterSeq: number) => {
          reads.push(afterSeq);
          return Promise.resolve(stored.filter((i) => i.seq > afterSeq));
        },
      } as unknown as TranscriptService,
      { delivered: () => undefined } as unknown as DeliveryReceiptsService,
      { setListener: (l: NoticeListener) => (listener = l) } as unknown as TranscriptNotifierService,
    );
    registry.onModuleInit();
    registry.onApplicationShutdown();
    const socket = new RecordingSocket();
    const session = new WidgetSession(socket, '127.0.0.1', undefined, undefined, (error) => {
      throw error;
    });
    session.site = { widgetKey: 'key' } as WidgetSite;
    session.contact = { id: 'contact-1', workspaceId: 'workspace-1' } as WebContact;
    registry.track(session);
    registry.join(session);

    // A batch's three items for the contact, announced in one turn (and one of them twice: its
    // NOTIFY after the append's own announcement).
    for (const seq of [1, 2, 2, 3])
      listener!.onNotice({ kind: 'item', contactId: 'contact-1', item: item(seq) });
    await session.deliver(() => undefined);
    expect(socket.sent.map((m) => m.item?.seq)).toEqual([1, 2, 3]);
    expect(reads).toEqual([]);

    // A gap (seq 4's notice missed): the session re-reads from its last seq, once.
    stored.push(item(4), item(5));
    listener!.onNotice({ kind: 'item', contactId: 'contact-1', item: item(5) });
    await session.deliver(() => undefined);
    expect(socket.sent.map((m) => m.item?.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(reads).toEqual([3]);
  });
});
