import { Injectable } from '@nestjs/common';
import type { EventEnvelope, WorkspaceClock } from '@switchboard/contracts';
import type { EntityManager } from 'typeorm';
import { WorkspaceClockRepository } from '../clock/workspace-clock.repository.js';
import { contributionOf, summarize, type BucketMeasure, type Contribution } from './conversation-summary.js';
import { factOf, isPresenceFact, type Fact, type PresenceFact } from './fact.js';
import {
  ProjectionRepository,
  type ConversationKey,
  type ConversationUpdate,
} from './projection.repository.js';

function bucketKey(c: Contribution): string {
  return `${c.bucket}|${c.queueId}|${c.channel}|${String(c.inHours)}`;
}

/** Adds `sign` × a contribution to the deltas of its bucket. */
function addTo(deltas: Map<string, Contribution>, c: Contribution | null, sign: 1 | -1): void {
  if (c === null) return;
  const key = bucketKey(c);
  let d = deltas.get(key);
  if (d === undefined) {
    d = { bucket: c.bucket, queueId: c.queueId, channel: c.channel, inHours: c.inHours, measures: {} };
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
    private readonly clocks: WorkspaceClockRepository,
  ) {}

  async apply(events: readonly EventEnvelope[]): Promise<void> {
    const facts: Fact[] = [];
    const presence: PresenceFact[] = [];
    for (const event of events) {
      const fact = factOf(event);
      if (fact === null) continue;
      if (isPresenceFact(fact)) presence.push(fact);
      else facts.push(fact);
    }
    if (facts.length === 0 && presence.length === 0) return;
    await this.repository.db.transaction(async (tx) => {
      await this.repository.insertPresence(tx, presence);
      const touched = await this.repository.insertFacts(tx, facts);
      await this.recompute(tx, touched);
    });
  }

  /** Recomputes every conversation of a workspace (after its clock changed), a chunk per transaction. */
  async rebuildWorkspace(workspaceId: string): Promise<number> {
    let after: string | null = null;
    let count = 0;
    for (;;) {
      const ids = await this.repository.conversationKeysOf(this.repository.db, workspaceId, after, 1000);
      if (ids.length === 0) return count;
      await this.repository.db.transaction((tx) =>
        this.recompute(
          tx,
          ids.map((conversationId) => ({ workspaceId, conversationId })),
        ),
      );
      count += ids.length;
      after = ids[ids.length - 1]!;
    }
  }

  private async recompute(tx: EntityManager, touched: readonly ConversationKey[]): Promise<void> {
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
    const clocks: Map<string, WorkspaceClock> = await this.clocks.getMany(
      [...new Set(stored.map((s) => s.workspaceId))],
      tx,
    );
    const updates: ConversationUpdate[] = [];
    const deltas = new Map<string, Map<string, Contribution>>();
    for (const row of stored) {
      const { summary, intervals } = summarize(
        byConversation.get(`${row.workspaceId}|${row.conversationId}`) ?? [],
      );
      const contribution = contributionOf(summary, clocks.get(row.workspaceId)!);
      updates.push({
        workspaceId: row.workspaceId,
        conversationId: row.conversationId,
        summary,
        contribution,
        intervals,
      });
      let workspaceDeltas = deltas.get(row.workspaceId);
      if (workspaceDeltas === undefined)
        deltas.set(row.workspaceId, (workspaceDeltas = new Map<string, Contribution>()));
      addTo(workspaceDeltas, row.contribution, -1);
      addTo(workspaceDeltas, contribution, 1);
    }
    await this.repository.writeConversations(tx, updates);
    for (const [workspaceId, workspaceDeltas] of [...deltas].sort((a, b) => a[0].localeCompare(b[0]))) {
      const changed = [...workspaceDeltas.values()].filter((d) =>
        Object.values(d.measures).some((v) => v !== 0),
      );
      await this.repository.addToBuckets(tx, workspaceId, changed);
    }
  }
}
