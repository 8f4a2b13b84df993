import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  AgentPresenceChangedV1,
  BotHoldChangedV1,
  ConversationAssignedV1,
  ConversationLabelsChangedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  ConversationUnassignedV1,
  CustomerLabelsChangedV1,
  DeliveryStatusChangedV1,
  HISTORY_API,
  type HistoryApi,
  ParticipantActivityV1,
} from '@switchboard/contracts';
import { type ConsumedEvent, EventBus, EventConsumer, consume } from '@switchboard/messaging';
import {
  DatabaseConfig,
  InjectServiceDataSource,
  PgListener,
  PlatformConfigService,
  createLogger,
} from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { customersWrote } from '../snoozes/snooze-wakes.consumer.js';
import { SnoozesService } from '../snoozes/snoozes.service.js';
import { CoalescedWakes } from './coalesced-wakes.js';
import { ConversationHolders, EVERYONE, type LiveAudience, SUPERVISORS, unionOf } from './live-audience.js';
import { liveDelays } from './live-delay.metrics.js';
import { LiveHub } from './live-hub.service.js';
import { InboxReplica } from './replica-id.util.js';
import { SnoozedConversations } from './snoozed-conversations.js';

/** Typing older than this is stale by the time it would reach anyone. */
const TYPING_TTL_MS = 10_000;
/** History lookups of conversations not seen decided yet, at once per batch. */
const LOOKUP_CONCURRENCY = 16;
/** Events waiting for their frames beyond which the consumer waits too (see `accept`). */
const MAX_QUEUED_EVENTS = 5_000;
/** Notified by `inbox.snoozes`'s trigger at each commit (migration NotifySnoozeChanges). */
const SNOOZE_CHANGES_CHANNEL = 'inbox_snooze_changes';

/**
 * Feeds the WebSockets from the event log. Every replica must see every event (an agent's socket
 * can be on any of them), so each replica consumes in a group of its own, `inbox.live.<replica>`,
 * rather than sharing one group whose partitions would be split between replicas (ADR 0051).
 * The group is ephemeral: it starts with what is published once the replica is up (what came
 * before is history, which the API serves) and is gone when the replica stops.
 * Nothing here is durable: a missed live event is caught up by the next list or view request.
 *
 * Each event of a conversation goes only to those who may see it (ADR 0005): its holder, or every
 * agent while nobody holds it, and supervisors and admins. Who holds what is followed from
 * routing's decisions; a conversation not seen decided since the replica started is looked up in
 * history once, unless the event is its first message (nobody holds a conversation that message
 * opened). One that can't be looked up goes to supervisors only.
 */
@Injectable()
export class LiveEventsConsumer extends EventConsumer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('inbox.live');
  private readonly holders = new ConversationHolders();
  private readonly wakes = new CoalescedWakes(
    (messages) => this.snoozes.wake(messages),
    (error) => this.logger.warn({ err: error }, 'snoozes not woken here'),
  );
  /** Per partition (`topic:partition`), its latest batch's frames: the next batch's go out after them. */
  private readonly sending = new Map<string, Promise<void>>();
  /** Events accepted whose frames have not gone out yet. */
  private queued = 0;
  private readonly delays = liveDelays();
  /** Which customers' messages must wake a snooze before their frames (ADR 0142). */
  private readonly snoozed = new SnoozedConversations();
  private snoozeChanges: PgListener | undefined;

  constructor(
    private readonly replica: InboxReplica,
    bus: EventBus,
    private readonly hub: LiveHub,
    private readonly snoozes: SnoozesService,
    @Inject(HISTORY_API) private readonly history: HistoryApi,
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    private readonly platformConfig: PlatformConfigService,
  ) {
    super(bus);
  }

  /** Follows the snoozes before the first event: until then, every message wakes (as before). */
  async onModuleInit(): Promise<void> {
    const url = this.platformConfig.get(DatabaseConfig).DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set');
    this.snoozeChanges = new PgListener({
      connectionString: url,
      applicationName: 'switchboard:inbox:snoozes:listen',
      channel: SNOOZE_CHANGES_CHANNEL,
      logger: this.logger,
      onNotification: (payload) => this.snoozed.notified(payload),
      // Read after LISTEN: a snooze committed since is notified, one committed before is read.
      onListening: () => void this.readSnoozes(),
      onLost: () => this.snoozed.lost(),
    });
    await this.snoozeChanges.start();
  }

  private async readSnoozes(): Promise<void> {
    const read = this.snoozed.reading();
    try {
      const rows: { conversation_id: string }[] = await this.db.query(
        'SELECT conversation_id FROM inbox.snoozes',
      );
      this.snoozed.read(
        read,
        rows.map((row) => row.conversation_id),
      );
    } catch (error) {
      // Every message wakes before its frames until LISTEN is next in place.
      this.snoozed.lost();
      this.logger.warn({ err: error }, 'snoozes not read; every message wakes');
    }
  }

  protected subscriptions() {
    return [
      consume({
        groupId: `inbox.live.${this.replica.id}`,
        ephemeral: true,
        // On conversations, routing, delivery-status, activity and agents.
        accepts: [
          ConversationMessageAppendedV1,
          ConversationStatusChangedV1,
          ConversationAssignedV1,
          // Not sent to sockets (as before): followed to know who holds a conversation.
          ConversationUnassignedV1,
          DeliveryStatusChangedV1,
          ParticipantActivityV1,
          AgentPresenceChangedV1,
          // "With the bot" and its hand-offs, live (ADR 0080).
          BotHoldChangedV1,
          // Labels put on or taken off, in every open inbox at once (ADR 0117).
          ConversationLabelsChangedV1,
          CustomerLabelsChangedV1,
        ],
        // Fan-out to sockets cannot fail in a way a retry would fix; never hold the partition.
        retry: { maxAttempts: 1 },
        handleBatch: (batch) => this.accept(batch),
      }),
    ];
  }

  /**
   * Queues a batch's frames and returns at once, so the consumer commits and fetches on while the
   * frames wait for their snooze wakes (and history's answer about holders not known yet): a
   * batch's round trips to PostgreSQL are no longer in every next batch's way. The frames of one
   * partition still go out in its order; the wakes of batches handled at once share a statement.
   * Nothing is lost by committing first: the feed is not durable (a socket that missed an event
   * refetches on reconnect). Beyond MAX_QUEUED_EVENTS waiting, a batch waits for its frames: the
   * queue is bounded, and the log is read no faster than the sockets are written.
   */
  private async accept(batch: readonly Consumed[]): Promise<void> {
    if (batch.length === 0) return;
    const occurredAt = batch.map(({ event }) => Date.parse(event.occurredAt));
    this.delays('handled', occurredAt);
    for (const { event } of batch) {
      // A conversation's first message: nobody holds it yet, so history need not be asked
      // (routing's decision, on its way, replaces this as any decision does).
      if (event.type === ConversationMessageAppendedV1.type && event.payload.openedConversation)
        this.holders.learn(event.payload.conversationId, null);
    }
    const ready = Promise.all([
      this.lookUpHolders(
        batch.flatMap(({ event }) => {
          const id = conversationOf(event);
          return id !== undefined && this.holders.holderOf(id) === undefined
            ? [{ workspaceId: event.workspaceId, conversationId: id }]
            : [];
        }),
      ),
      // Woken before the sockets hear of it, so the list they refetch shows it (ADR 0112); the
      // durable snooze-wakes group does it too, for messages no replica was up to see. Only the
      // conversations that may be snoozed: most batches have none, and send at once (ADR 0142).
      this.wakes.wake(
        customersWrote(batch.map((b) => b.event)).filter((m) => this.snoozed.mayBeSnoozed(m.conversationId)),
      ),
    ]);
    const partition = `${batch[0]!.topic}:${batch[0]!.partition}`;
    const previous = this.sending.get(partition) ?? Promise.resolve();
    const sent = Promise.all([previous, ready])
      .then(() => {
        this.delays('ready', occurredAt);
        this.send(batch);
        this.delays('sent', occurredAt);
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'live frames not sent'));
    this.sending.set(partition, sent);
    this.queued += batch.length;
    void sent.then(() => {
      this.queued -= batch.length;
      if (this.sending.get(partition) === sent) this.sending.delete(partition);
    });
    if (this.queued > MAX_QUEUED_EVENTS) await sent;
  }

  /** The batch's frames, each to its audience; every socket's share of them in one write. */
  private send(batch: readonly Consumed[]): void {
    const now = Date.now();
    this.hub.batch(() => {
      for (const { event, topic } of batch) {
        if (event.type === ParticipantActivityV1.type) {
          if (now - Date.parse(event.occurredAt) > TYPING_TTL_MS) continue;
        }
        const audience = this.audienceOf(event);
        if (audience === undefined) continue;
        this.hub.broadcast(
          event.workspaceId,
          {
            type: 'event',
            topic,
            event: {
              id: event.id,
              type: event.type,
              occurredAt: event.occurredAt,
              payload: event.payload,
            },
          },
          audience,
        );
      }
    });
  }

  /** Who gets this event (undefined: nobody's socket), recording routing's decisions on the way. */
  private audienceOf(event: LiveEvent): LiveAudience | undefined {
    switch (event.type) {
      // A receipt names a message, not its conversation, and carries no content; a customer's
      // labels are ids on a customer every user may open (Contacts), no content either.
      case AgentPresenceChangedV1.type:
      case DeliveryStatusChangedV1.type:
      case CustomerLabelsChangedV1.type:
        return EVERYONE;
      case ConversationUnassignedV1.type: {
        const p = event.payload;
        this.holders.unassigned(p.conversationId, p.agentId, p.unassignedAt);
        return undefined;
      }
      case ConversationAssignedV1.type: {
        // Those who saw it before the decision (it leaves their list) and those who see it after.
        const p = event.payload;
        const before = this.holders.audienceOf(p.conversationId) ?? SUPERVISORS;
        if (p.mode === 'assign') this.holders.assigned(p.conversationId, p.agentId, p.assignedAt);
        const after = this.holders.audienceOf(p.conversationId) ?? SUPERVISORS;
        return unionOf(unionOf(before, after), { kind: 'holders', userIds: [p.agentId] });
      }
      case ConversationMessageAppendedV1.type:
        // A note may mention any colleague (`@Name`, matched in their browser, ADR 0111): notes
        // are rare and written by agents, so every agent's socket hears them.
        if (event.payload.direction === 'note') return EVERYONE;
        return this.holders.audienceOf(event.payload.conversationId) ?? SUPERVISORS;
      case ConversationStatusChangedV1.type:
      case ConversationLabelsChangedV1.type:
      case ParticipantActivityV1.type:
      case BotHoldChangedV1.type:
        return this.holders.audienceOf(event.payload.conversationId) ?? SUPERVISORS;
    }
  }

  /** Learns the holders of conversations not seen decided yet, from history; failures stay unknown. */
  private async lookUpHolders(
    wanted: readonly { readonly workspaceId: string; readonly conversationId: string }[],
  ): Promise<void> {
    const unique = [...new Map(wanted.map((w) => [w.conversationId, w])).values()];
    let next = 0;
    const worker = async () => {
      while (next < unique.length) {
        const { workspaceId, conversationId } = unique[next++]!;
        try {
          const conversation = await this.history.getConversation(workspaceId, conversationId);
          this.holders.learn(conversationId, conversation.assigneeId);
        } catch (error) {
          this.logger.debug({ err: error, conversationId }, 'conversation holder not known');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, unique.length) }, worker));
  }

  /** Once the consumer has stopped, the frames still queued go out before the sockets close. */
  override async beforeApplicationShutdown(): Promise<void> {
    await super.beforeApplicationShutdown();
    await Promise.all(this.sending.values());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.snoozeChanges?.close();
  }

  override async onApplicationBootstrap(): Promise<void> {
    await super.onApplicationBootstrap();
    this.logger.info({ replicaId: this.replica.id }, 'live updates consumer started');
  }
}

type LiveEvent =
  | ConversationMessageAppendedV1
  | ConversationStatusChangedV1
  | ConversationAssignedV1
  | ConversationUnassignedV1
  | DeliveryStatusChangedV1
  | ParticipantActivityV1
  | AgentPresenceChangedV1
  | BotHoldChangedV1
  | ConversationLabelsChangedV1
  | CustomerLabelsChangedV1;

type Consumed = Pick<ConsumedEvent<LiveEvent>, 'event' | 'topic' | 'partition'>;

/** The conversation an event is about, if any. */
function conversationOf(event: LiveEvent): string | undefined {
  return 'conversationId' in event.payload ? event.payload.conversationId : undefined;
}
