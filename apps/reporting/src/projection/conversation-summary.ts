import { SERVICE_LEVEL_TARGETS, type WorkspaceClock } from '@switchboard/contracts';
import { businessMsBetween, isOpenAt } from '../clock/business-hours.util.js';
import { localWallMs } from '../clock/local-time.util.js';
import type { BUCKET_MEASURES } from '../migrations/1766000000000-create-reporting.migration.js';
import type { Fact, FactData } from './fact.js';

/** What the reports know of one conversation, from its facts alone (any order, any repeats). */
export interface ConversationSummary {
  createdAt: number | null;
  channel: string | null;
  queueId: string | null;
  firstAssignedAt: number | null;
  firstAgentId: string | null;
  firstResponseAt: number | null;
  /** When it reached the agents' queues: created, or released by the bot; null while the bot holds it. */
  offeredAt: number | null;
  /** The last resolution, when it is still resolved. */
  resolvedAt: number | null;
  firstResolvedAt: number | null;
  resolvedBy: string | null;
  replies: number;
  reopens: number;
  botHeld: boolean;
  botHandedOff: boolean;
  botResolved: boolean;
  abandoned: boolean;
  csat: number | null;
}

/** An agent held the conversation from `startedAt` to `endedAt` (null: still). */
export interface AssignmentInterval {
  agentId: string;
  startedAt: number;
  endedAt: number | null;
}

export type BucketMeasure = (typeof BUCKET_MEASURES)[number];

/** A conversation's share of one hourly bucket. */
export interface Contribution {
  /** Local hour the conversation was created in, `YYYY-MM-DD HH:00:00`. */
  bucket: string;
  queueId: string;
  channel: string;
  inHours: boolean;
  measures: Partial<Record<BucketMeasure, number>>;
}

// Facts at the same millisecond read in the order they happen in a conversation.
const ORDER: Record<FactData['kind'], number> = {
  opened: 0,
  bot_hold: 1,
  assigned: 2,
  reply: 3,
  unassigned: 4,
  status: 5,
  csat: 6,
};

function sorted(facts: readonly Fact[]): Fact[] {
  return [...facts].sort((a, b) => a.at - b.at || ORDER[a.data.kind] - ORDER[b.data.kind]);
}

/** The summary and the assignment intervals of one conversation. */
export function summarize(facts: readonly Fact[]): {
  summary: ConversationSummary;
  intervals: AssignmentInterval[];
} {
  const s: ConversationSummary = {
    createdAt: null,
    channel: null,
    queueId: null,
    firstAssignedAt: null,
    firstAgentId: null,
    firstResponseAt: null,
    offeredAt: null,
    resolvedAt: null,
    firstResolvedAt: null,
    resolvedBy: null,
    replies: 0,
    reopens: 0,
    botHeld: false,
    botHandedOff: false,
    botResolved: false,
    abandoned: false,
    csat: null,
  };
  const intervals: AssignmentInterval[] = [];
  let open = null as AssignmentInterval | null;
  let status: string | null = null;
  let releasedAt: number | null = null;
  let heldAt: number | null = null;
  const close = (at: number): void => {
    if (open !== null) open.endedAt = at;
    open = null;
  };
  for (const fact of sorted(facts)) {
    const d = fact.data;
    switch (d.kind) {
      case 'opened':
        s.createdAt ??= fact.at;
        s.channel ??= d.channel;
        break;
      case 'reply':
        if (d.by === 'bot') break;
        s.replies++;
        s.firstResponseAt ??= fact.at;
        break;
      case 'assigned':
        s.queueId ??= d.queueId;
        if (d.mode !== 'assign') break;
        if (s.firstAssignedAt === null) {
          s.firstAssignedAt = fact.at;
          s.firstAgentId = d.agentId;
        }
        if (open?.agentId === d.agentId) break;
        close(fact.at);
        open = { agentId: d.agentId, startedAt: fact.at, endedAt: null };
        intervals.push(open);
        break;
      case 'unassigned':
        s.queueId ??= d.queueId;
        if (open?.agentId === d.agentId) close(fact.at);
        break;
      case 'status':
        if (d.previous === 'resolved' && d.status !== 'resolved' && !d.merge) s.reopens++;
        if (d.status === 'resolved') {
          s.firstResolvedAt ??= fact.at;
          s.resolvedAt = fact.at;
          s.resolvedBy = d.by;
          close(fact.at);
        } else {
          s.resolvedAt = null;
          s.resolvedBy = null;
        }
        status = d.status;
        break;
      case 'bot_hold':
        if (d.held) {
          s.botHeld = true;
          heldAt ??= fact.at;
        } else {
          s.botHandedOff = true;
          releasedAt ??= fact.at;
        }
        break;
      case 'csat':
        s.csat = d.rating;
        break;
    }
  }
  if (s.createdAt !== null) {
    s.offeredAt = s.botHeld ? releasedAt : s.createdAt;
    // A bot that held the conversation from its start and never let it go, to its resolution.
    s.botResolved = s.botHeld && !s.botHandedOff && status === 'resolved' && heldAt !== null;
    // The customer left (it was resolved) before any agent or integrator replied.
    s.abandoned =
      s.offeredAt !== null &&
      s.firstResolvedAt !== null &&
      s.firstResolvedAt >= s.offeredAt &&
      (s.firstResponseAt === null || s.firstResponseAt > s.firstResolvedAt);
  }
  return { summary: s, intervals };
}

function localHour(atMs: number, timeZone: string): string {
  const wall = new Date(localWallMs(atMs, timeZone));
  return `${wall.toISOString().slice(0, 13).replace('T', ' ')}:00:00`;
}

/** What a summary adds to the hourly buckets; null until the conversation's creation is known. */
export function contributionOf(s: ConversationSummary, clock: WorkspaceClock): Contribution | null {
  if (s.createdAt === null) return null;
  const created = s.createdAt;
  const m: Partial<Record<BucketMeasure, number>> = { conversations: 1 };
  const span = (prefix: 'assign' | 'response' | 'resolution' | 'asa', from: number, to: number): void => {
    m[`${prefix}_sum`] = Math.max(0, to - from) / 1000;
    m[`${prefix}_bh_sum`] = businessMsBetween(clock, from, to) / 1000;
  };
  if (s.firstAssignedAt !== null) {
    m.assigned_n = 1;
    span('assign', created, s.firstAssignedAt);
  }
  if (s.firstResponseAt !== null) {
    m.responded_n = 1;
    span('response', created, s.firstResponseAt);
  }
  if (s.resolvedAt !== null) {
    m.resolved_n = 1;
    span('resolution', created, s.resolvedAt);
  }
  if (s.replies > 0) m.replies = s.replies;
  if (s.reopens > 0) m.reopens = s.reopens;
  if (s.botHeld) m.bot_held = 1;
  if (s.botResolved) m.bot_resolved = 1;
  if (s.botHandedOff) m.bot_handed_off = 1;
  if (s.csat !== null) {
    m.csat_n = 1;
    m.csat_sum = s.csat;
    if (s.csat >= 4) m.csat_satisfied = 1;
  }
  if (s.offeredAt !== null) {
    m.offered = 1;
    if (s.abandoned) m.abandoned = 1;
    else if (s.firstResponseAt !== null) {
      m.answered = 1;
      const answeredAt = Math.max(s.firstResponseAt, s.offeredAt);
      span('asa', s.offeredAt, answeredAt);
      const wait = (answeredAt - s.offeredAt) / 1000;
      for (const target of SERVICE_LEVEL_TARGETS) if (wait <= target) m[`sl_${target}`] = 1;
    }
  }
  return {
    bucket: localHour(created, clock.timeZone),
    queueId: s.queueId ?? '',
    channel: s.channel ?? 'none',
    inHours: isOpenAt(clock, created),
    measures: m,
  };
}
