import { gaugeMetric, histogramMetric } from '@switchboard/platform';
import type { RoutingEngine } from '../core/routing-engine.js';
import type { RoutingEffect } from '../core/routing-types.js';

/**
 * Queues counted under their own id at most: beyond, further queues share `other`, so that a
 * deployment with thousands of workspaces cannot grow the series without bound. A queue id is a
 * configured object's id, never a customer's or a conversation's.
 */
export const MAX_QUEUE_LABELS = 500;

/** Seconds from entering a queue to being assigned: minutes matter here, not milliseconds. */
const WAIT_BUCKETS_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

const labelled = new Set<string>();

/** The label a queue is counted under: its id, `default` for no queue, `other` past the bound. */
export function queueLabel(queueId: string | null): string {
  if (queueId === null) return 'default';
  if (labelled.has(queueId)) return queueId;
  if (labelled.size >= MAX_QUEUE_LABELS) return 'other';
  labelled.add(queueId);
  return queueId;
}

type EngineSource = () => Iterable<RoutingEngine>;
/** Each source with the clock its engines run on. */
const sources = new Map<EngineSource, () => number>();

/** By queue label: conversations waiting, and the longest wait in milliseconds. */
function waitingByLabel(): Map<string, { waiting: number; oldestWaitMs: number }> {
  const byQueue = new Map<string, { waiting: number; oldestWaitMs: number }>();
  for (const [source, clock] of sources) {
    const now = clock();
    for (const engine of source()) {
      for (const [queueId, entry] of engine.waitingByQueue()) {
        const label = queueLabel(queueId);
        const wait = Math.max(0, now - entry.oldestArrivedAt);
        const total = byQueue.get(label);
        if (total === undefined) byQueue.set(label, { waiting: entry.waiting, oldestWaitMs: wait });
        else {
          total.waiting += entry.waiting;
          total.oldestWaitMs = Math.max(total.oldestWaitMs, wait);
        }
      }
    }
  }
  return byQueue;
}

function ensureMetrics() {
  gaugeMetric({
    name: 'switchboard_routing_queue_waiting',
    help: 'Conversations waiting for an agent, by queue id, in the workspaces this process owns.',
    labelNames: ['queue'] as const,
    collect() {
      this.reset();
      for (const [queue, entry] of waitingByLabel()) this.set({ queue }, entry.waiting);
    },
  });
  gaugeMetric({
    name: 'switchboard_routing_queue_oldest_wait_seconds',
    help: 'How long the oldest conversation waiting in each queue has waited.',
    labelNames: ['queue'] as const,
    collect() {
      this.reset();
      for (const [queue, entry] of waitingByLabel()) this.set({ queue }, entry.oldestWaitMs / 1000);
    },
  });
  return histogramMetric({
    name: 'switchboard_routing_wait_seconds',
    help: 'Time from entering a queue to being assigned an agent, by queue id (default: no queue).',
    labelNames: ['queue'] as const,
    buckets: WAIT_BUCKETS_SECONDS,
  });
}

/**
 * Routing's metrics (ADR 0100): the waiting conversations of every engine `source` gives, read on
 * scrape until `stop()`, and the wait of each assignment as it is committed.
 */
export class RoutingMetrics {
  private readonly waits = ensureMetrics();

  constructor(
    private readonly source: EngineSource,
    clock: () => number = Date.now,
  ) {
    sources.set(source, clock);
  }

  stop(): void {
    sources.delete(this.source);
  }

  /** Observes the wait of every assignment (not an offer: its acceptance is the assignment). */
  observeAssignments(engine: RoutingEngine, effects: readonly RoutingEffect[]): void {
    for (const effect of effects) {
      if (effect.kind !== 'assigned' || effect.mode !== 'assign') continue;
      const conversation = engine.conversation(effect.conversationId);
      if (conversation === undefined) continue;
      this.waits.observe(
        { queue: queueLabel(effect.queueId) },
        Math.max(0, effect.at - conversation.arrivedAt) / 1000,
      );
    }
  }
}
