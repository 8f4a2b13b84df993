import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createLogger } from '@switchboard/platform';
import { DeliveryReceiptsService } from '../outbound/delivery-receipts.service.js';
import type { TranscriptItem } from '../transcript/transcript-item.js';
import type { TranscriptNotice } from '../transcript/transcript-notice.js';
import { TranscriptNotifierService } from '../transcript/transcript-notifier.service.js';
import { REPLAY_PAGE, TranscriptService } from '../transcript/transcript.service.js';
import type { WidgetSession } from './widget-session.js';

const HEARTBEAT_MS = 30_000;
/**
 * Each socket is pinged once every HEARTBEAT_MS, a slice of them at a time: ten thousand pings
 * (and their pongs) at once held every reply queued behind them.
 */
export const HEARTBEAT_SLICES = 30;

/**
 * This process's open sockets by contact, and how transcript items reach them: the next item in
 * sequence is sent as is; anything else (a gap, a notice without its item, a lost LISTEN
 * connection) makes the socket re-read from its last seq. Either way each tab gets every item
 * once, in order.
 */
@Injectable()
export class SessionRegistryService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('channel-web.sessions');
  private readonly byContact = new Map<string, Set<WidgetSession>>();
  private readonly all = new Set<WidgetSession>();
  /** Each session's heartbeat slice, assigned in turn when it is tracked. */
  private readonly slices = Array.from({ length: HEARTBEAT_SLICES }, () => new Set<WidgetSession>());
  private readonly sliceOf = new WeakMap<WidgetSession, Set<WidgetSession>>();
  private nextSlice = 0;
  private heartbeatSlice = 0;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly transcript: TranscriptService,
    private readonly receipts: DeliveryReceiptsService,
    private readonly notifier: TranscriptNotifierService,
  ) {}

  onModuleInit(): void {
    this.notifier.setListener({
      onNotice: (notice) => this.onNotice(notice),
      onResync: () => {
        for (const session of this.all) if (session.ready) void this.catchUp(session);
      },
    });
    this.heartbeat = setInterval(() => this.checkAlive(), HEARTBEAT_MS / HEARTBEAT_SLICES).unref();
  }

  onApplicationShutdown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  get size(): number {
    return this.all.size;
  }

  /** Every socket of this replica, open or still opening. */
  sessions(): readonly WidgetSession[] {
    return [...this.all];
  }

  track(session: WidgetSession): void {
    if (this.all.has(session)) return;
    this.all.add(session);
    const slice = this.slices[this.nextSlice]!;
    this.nextSlice = (this.nextSlice + 1) % HEARTBEAT_SLICES;
    slice.add(session);
    this.sliceOf.set(session, slice);
  }

  /** Joins the contact's sockets: from now on it hears of every item appended for the contact. */
  join(session: WidgetSession): void {
    const contactId = session.contact!.id;
    let sessions = this.byContact.get(contactId);
    if (!sessions) this.byContact.set(contactId, (sessions = new Set()));
    sessions.add(session);
  }

  remove(session: WidgetSession): void {
    this.all.delete(session);
    this.sliceOf.get(session)?.delete(session);
    const contactId = session.contact?.id;
    if (contactId === undefined) return;
    const sessions = this.byContact.get(contactId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.byContact.delete(contactId);
  }

  sessionsOf(contactId: string): readonly WidgetSession[] {
    return [...(this.byContact.get(contactId) ?? [])];
  }

  /** Sends items after the session's last seq until it has them all. */
  catchUp(session: WidgetSession): Promise<void> {
    return session.deliver(() => this.catchUpNow(session));
  }

  /** Sends one item to a session, counting a reply as delivered. Call inside `session.deliver`. */
  sendItem(session: WidgetSession, item: TranscriptItem): void {
    if (item.seq <= session.lastSentSeq) return;
    session.send({ t: 'item', item });
    session.lastSentSeq = item.seq;
    if (item.dir === 'out' && item.kind === 'message' && !session.closed)
      this.receipts.delivered(
        session.contact!.workspaceId,
        session.site!.widgetKey,
        session.contact!.id,
        item.seq,
      );
  }

  private onNotice(notice: TranscriptNotice): void {
    const sessions = this.byContact.get(notice.contactId);
    if (!sessions) return;
    for (const session of sessions) {
      switch (notice.kind) {
        case 'item': {
          // Judged when its turn on the session's chain comes, not now: a contact's items announced
          // together (a batch's, its notices in one read) are each next by then, with no re-read.
          const item = notice.item;
          if (!item) void this.catchUp(session);
          else if (item.seq > session.lastSentSeq)
            void session.deliver(() => this.deliverNext(session, item));
          break;
        }
        case 'typing':
          session.send({ t: 'typing', name: notice.name, typing: notice.typing });
          break;
        case 'agent-read':
          session.send({ t: 'seen', upToSeq: notice.upToSeq });
          break;
        case 'customer-read':
          session.send({ t: 'read', upToSeq: notice.upToSeq });
          break;
        case 'csat-answered':
          session.send({ t: 'csat-ok', conversationId: notice.conversationId });
          break;
      }
    }
  }

  /**
   * An announced item, in its turn: sent if it is next, skipped if the session has it, else (a
   * notice missed, or still to come from another replica) the session re-reads from its last seq.
   */
  private async deliverNext(session: WidgetSession, item: TranscriptItem): Promise<void> {
    if (item.seq === session.lastSentSeq + 1) this.sendItem(session, item);
    else if (item.seq > session.lastSentSeq) await this.catchUpNow(session);
  }

  private async catchUpNow(session: WidgetSession): Promise<void> {
    for (;;) {
      const items = await this.transcript.listAfter(session.contact!, session.lastSentSeq);
      for (const item of items) this.sendItem(session, item);
      if (items.length < REPLAY_PAGE || session.closed) return;
    }
  }

  /**
   * The next slice of sockets (every HEARTBEAT_MS / HEARTBEAT_SLICES): one that did not answer the
   * last ping, a slice's turn ago, is closed; the others are pinged again.
   */
  checkAlive(): void {
    const slice = this.slices[this.heartbeatSlice]!;
    this.heartbeatSlice = (this.heartbeatSlice + 1) % HEARTBEAT_SLICES;
    for (const session of slice) {
      if (!session.alive) {
        this.logger.debug({}, 'closing a socket that stopped answering pings');
        session.close(1001, 'no heartbeat');
        continue;
      }
      session.alive = false;
      session.ping();
    }
  }
}
