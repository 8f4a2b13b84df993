import { Inject, Injectable } from '@nestjs/common';
import { FailedPreconditionError, HISTORY_API, type HistoryApi } from '@switchboard/contracts';
import { createLogger, queryRows } from '@switchboard/platform';
import { ConversationLabelsRepository } from '../projection/conversation-labels.repository.js';
import type { Erasure, Fact } from '../projection/fact.js';
import { latestPerConversation, type LabelChange } from '../projection/label-change.js';
import { ProjectionRepository } from '../projection/projection.repository.js';
import { ProjectionService } from '../projection/projection.service.js';
import { RebuildRepository } from './rebuild.repository.js';
import { isErasure, isLabelChange, replayedFact } from './replayed-fact.js';
import { holdWorkspaceExclusive } from './workspace-lock.js';

const REPLAY_PAGE = 2_000;
const FACTS_PER_INSERT = 5_000;
const CONVERSATIONS_PER_RECOMPUTE = 1_000;
const LABELS_PER_WRITE = 1_000;

/** What one rebuild did. */
export interface RebuildResult {
  workspaceId: string;
  /** History's records read. */
  records: number;
  /** Facts the store did not have before (records it already had, from the live events, add none). */
  factsAdded: number;
  /** Conversations whose figures were recomputed. */
  conversations: number;
  /** Conversations whose latest label change history holds (ADR 0118), applied as the consumer does. */
  labelledConversations: number;
  /** Erased customers' conversations, re-keyed (ADR 0107) or already. */
  erasedConversations: number;
}

/**
 * Rebuilds a workspace's reporting figures from history's records (ADR 0106), for when the event
 * log no longer holds the events (retention) or the store lost them.
 *
 * 1. Stage: history's records of the workspace, page by page (`HistoryApi.replayRecords`), become
 *    facts as the live events would (`replayedFact`, keyed like `factOf`) in `rebuild_facts`.
 *    Nothing the live consumer reads or writes is touched yet.
 * 2. Swap, one transaction holding the workspace's advisory lock exclusive (the consumer's batches
 *    hold it shared): the staged facts join `facts` (a fact the store already has, from the live
 *    event, is not added twice), the workspace's figures — summaries, assignment spans, buckets —
 *    are dropped and recomputed from all of its facts through `ProjectionService.recompute`, the
 *    consumer's own code; each conversation's latest label change is applied by the consumer's own
 *    statement (a later change wins, so the store's own later change stays: ADR 0118); and
 *    erasures are applied as the consumer applies them.
 *
 * An event the consumer reads during the stage lands in `facts` as always and is counted by the
 * swap; one it reads during the swap waits for the lock and is then applied on top of the new
 * figures; its fact, keyed like the replayed one, is never counted twice.
 */
@Injectable()
export class RebuildService {
  private readonly logger = createLogger('reporting.rebuild');

  constructor(
    // All it asks of history: in the standalone's command, history's replay alone provides it.
    @Inject(HISTORY_API) private readonly history: Pick<HistoryApi, 'replayRecords'>,
    private readonly staging: RebuildRepository,
    private readonly facts: ProjectionRepository,
    private readonly projection: ProjectionService,
    private readonly labels: ConversationLabelsRepository,
  ) {}

  async rebuild(workspaceId: string): Promise<RebuildResult> {
    // One rebuild of a workspace at a time: a second would clear the first one's staging rows.
    const runner = this.staging.db.createQueryRunner();
    await runner.connect();
    try {
      const [lock] = await queryRows<{ locked: boolean }>(
        runner.manager,
        `SELECT pg_try_advisory_lock(hashtextextended('reporting.rebuild:' || $1, 0)) AS locked`,
        [workspaceId],
      );
      if (!lock?.locked)
        throw new FailedPreconditionError(`a rebuild of workspace ${workspaceId} is already running`);
      try {
        const records = await this.stage(workspaceId);
        const result = await this.swap(workspaceId);
        const done = { ...result, records };
        this.logger.info(done, 'reporting figures rebuilt from history');
        return done;
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended('reporting.rebuild:' || $1, 0))`, [
          workspaceId,
        ]);
      }
    } finally {
      await runner.release();
    }
  }

  private async stage(workspaceId: string): Promise<number> {
    await this.staging.clearStaging(this.staging.db, workspaceId);
    let pageToken: string | undefined;
    let records = 0;
    for (;;) {
      const page = await this.history.replayRecords(workspaceId, { pageSize: REPLAY_PAGE, pageToken });
      const facts: Fact[] = [];
      const erasures: Erasure[] = [];
      const labelChanges: LabelChange[] = [];
      for (const record of page.items) {
        const fact = replayedFact(workspaceId, record);
        if (fact === null) continue;
        if (isErasure(fact)) erasures.push(fact);
        else if (isLabelChange(fact)) labelChanges.push(fact);
        else facts.push(fact);
      }
      await this.staging.stageFacts(facts);
      await this.staging.stageErasures(erasures);
      await this.staging.stageLabels(latestPerConversation(labelChanges));
      records += page.items.length;
      if (page.nextPageToken === null) return records;
      pageToken = page.nextPageToken;
    }
  }

  private swap(workspaceId: string): Promise<Omit<RebuildResult, 'records'>> {
    return this.staging.db.transaction(async (tx) => {
      await holdWorkspaceExclusive(tx, workspaceId);
      let factsAdded = 0;
      let after: string | null = null;
      for (;;) {
        const staged = await this.staging.stagedFacts(tx, workspaceId, after, FACTS_PER_INSERT);
        if (staged.length === 0) break;
        // The consumer's insert: once per key, and never for an erased customer's conversation.
        factsAdded += (await this.facts.insertFacts(tx, staged)).length;
        after = staged[staged.length - 1]!.eventId;
      }
      await this.staging.dropFigures(tx, workspaceId);
      let conversations = 0;
      let from: string | null = null;
      for (;;) {
        const ids = await this.staging.conversationsWithFacts(
          tx,
          workspaceId,
          from,
          CONVERSATIONS_PER_RECOMPUTE,
        );
        if (ids.length === 0) break;
        await this.projection.recompute(
          tx,
          ids.map((conversationId) => ({ workspaceId, conversationId })),
        );
        conversations += ids.length;
        from = ids[ids.length - 1]!;
      }
      // Labels touch no figure (ADR 0123); before the erasures, which move them as a batch does.
      let labelledConversations = 0;
      let labelledAfter: string | null = null;
      for (;;) {
        const changes = await this.staging.stagedLabels(tx, workspaceId, labelledAfter, LABELS_PER_WRITE);
        if (changes.length === 0) break;
        await this.labels.setLabels(tx, changes);
        labelledConversations += changes.length;
        labelledAfter = changes[changes.length - 1]!.conversationId;
      }
      // After the figures, as a batch applies an erasure after its facts: the move keeps them.
      const erased = await this.staging.stagedErasures(tx, workspaceId);
      await this.facts.eraseConversations(
        tx,
        erased.map((e) => ({ workspaceId, conversationId: e.conversationId })),
        erased.map((e) => e.erasedAt),
      );
      await this.staging.clearStaging(tx, workspaceId);
      return {
        workspaceId,
        factsAdded,
        conversations,
        labelledConversations,
        erasedConversations: erased.length,
      };
    });
  }
}
