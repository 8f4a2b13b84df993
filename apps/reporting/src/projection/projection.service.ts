import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '@switchboard/contracts';
import type { EntityManager } from 'typeorm';
import { contributionOf, summarize, type BucketMeasure, type Contribution } from './conversation-summary.js';
import { ConversationLabelsRepository } from './conversation-labels.repository.js';
import { holdWorkspacesShared } from '../rebuild/workspace-lock.js';
import { erasureOf, factOf, isPresenceFact, type Erasure, type Fact, type PresenceFact } from './fact.js';
import { labelChangeOf, latestPerConversation, type LabelChange } from './label-change.js';
import {
  ProjectionRepository,
  type ConversationKey,
  type ConversationUpdate,
  type WorkspaceContribution,
} from './projection.repository.js';

/** Adds `sign` × a contribution to the deltas of its workspace's bucket. */
function addTo(
  deltas: Map<string, WorkspaceContribution>,
  workspaceId: string,
  c: Contribution | null,
  sign: 1 | -1,
): void {
  if (c === null) return;
  const key = `${workspaceId}|${c.bucket}|${c.queueId}|${c.channel}|${String(c.inHours)}`;
  let d = deltas.get(key);
  if (d === undefined) {
    d = {
      workspaceId,
      bucket: c.bucket,
      queueId: c.queueId,
      channel: c.channel,
      inHours: c.inHours,
      measures: {},
    };
    deltas.set(key, d);
  }
  for (const [m, v] of Object.entries(c.measures) as [BucketMeasure, number][])
    d.measures[m] = (d.measures[m] ?? 0) + sign * v;
}

/**
 * Builds the reporting tables from events. Each conversation's summary is recomputed from all of
 * its facts, whatever order they came in (conversations, routing and inbound are separate topics),
 * and the buckets receive the difference between its new contribution and the one it made
 * before: redelivered events add no fact and change nothing.
 */
@Injectable()
export class ProjectionService {
  constructor(
    private readonly repository: ProjectionRepository,
    private readonly labels: ConversationLabelsRepository,
  ) {}

  async apply(events: readonly EventEnvelope[]): Promise<void> {
    const facts: Fact[] = [];
    const presence: PresenceFact[] = [];
    const erasures: Erasure[] = [];
    const labelChanges: LabelChange[] = [];
    for (const event of events) {
      const labelChange = labelChangeOf(event);
      if (labelChange !== null) {
        labelChanges.push(labelChange);
        continue;
      }
      const erasure = erasureOf(event);
      if (erasure !== null) {
        erasures.push(erasure);
        continue;
      }
      const fact = factOf(event);
      if (fact === null) continue;
      if (isPresenceFact(fact)) presence.push(fact);
      else facts.push(fact);
    }
    if (facts.length === 0 && presence.length === 0 && erasures.length === 0 && labelChanges.length === 0)
      return;
    await this.repository.db.transaction(async (tx) => {
      // A rebuild's swap of these workspaces waits for this batch, or this batch for it (ADR 0106);
      // label changes too: a swap's erasure must not move a conversation's labels under a change.
      await holdWorkspacesShared(
        tx,
        [...facts, ...erasures, ...labelChanges].map((f) => f.workspaceId),
      );
      await this.repository.insertPresence(tx, presence);
      const touched = await this.repository.insertFacts(tx, facts);
      await this.recompute(tx, touched);
      // Labels touch no bucket: a label filter reads the conversations' contributions (ADR 0123).
      // Before the erasures, so a change just before one moves with the conversation.
      await this.labels.setLabels(tx, latestPerConversation(labelChanges));
      // After the batch's facts: the resolutions an erasure made come just before it, and count.
      const erased = erasures.flatMap((e) =>
        e.conversationIds.map((conversationId) => ({
          key: { workspaceId: e.workspaceId, conversationId },
          at: e.erasedAt,
        })),
      );
      await this.repository.eraseConversations(
        tx,
        erased.map((e) => e.key),
        erased.map((e) => e.at),
      );
    });
  }

  /** Recomputes every conversation of a workspace (after its clock changed), a chunk per transaction. */
  async rebuildWorkspace(workspaceId: string): Promise<number> {
    let after: string | null = null;
    let count = 0;
    for (;;) {
      const ids = await this.repository.conversationKeysOf(this.repository.db, workspaceId, after, 1000);
      if (ids.length === 0) return count;
      await this.repository.db.transaction(async (tx) => {
        await holdWorkspacesShared(tx, [workspaceId]);
        await this.recompute(
          tx,
          ids.map((conversationId) => ({ workspaceId, conversationId })),
        );
      });
      count += ids.length;
      after = ids[ids.length - 1]!;
    }
  }

  /**
   * Locks the conversations, recomputes each from all of its facts and adds the differences to the
   * buckets. The consumer's batches, a new clock and a rebuild's swap (ADR 0106) all go through it.
   */
  async recompute(tx: EntityManager, touched: readonly ConversationKey[]): Promise<void> {
    const unique = new Map(touched.map((k) => [`${k.workspaceId}|${k.conversationId}`, k]));
    if (unique.size === 0) return;
    const stored = await this.repository.lockConversations(tx, [...unique.values()]);
    const facts = await this.repository.factsOf(tx, stored);
    const byConversation = new Map<string, Fact[]>();
    for (const f of facts) {
      const key = `${f.workspaceId}|${f.conversationId}`;
      let list = byConversation.get(key);
      if (list === undefined) byConversation.set(key, (list = []));
      list.push(f);
    }
    const updates: ConversationUpdate[] = [];
    const deltas = new Map<string, WorkspaceContribution>();
    for (const row of stored) {
      const { summary, intervals } = summarize(
        byConversation.get(`${row.workspaceId}|${row.conversationId}`) ?? [],
      );
      const contribution = contributionOf(summary, row.clock);
      updates.push({
        workspaceId: row.workspaceId,
        conversationId: row.conversationId,
        summary,
        contribution,
        intervals,
      });
      addTo(deltas, row.workspaceId, row.contribution, -1);
      addTo(deltas, row.workspaceId, contribution, 1);
    }
    await this.repository.writeConversations(tx, updates);
    await this.repository.addToBuckets(
      tx,
      [...deltas.values()].filter((d) => Object.values(d.measures).some((v) => v !== 0)),
    );
  }
}
