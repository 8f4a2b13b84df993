import { histogramMetric } from '@switchboard/platform';

/**
 * Where a live event's time goes on this replica, from its `occurredAt`: `handled` when the
 * consumer hands it over, `ready` once its snooze wakes and holder lookups are done, `sent` once
 * its frames are written to the sockets (ADR 0142). Fine buckets below 200 ms, where the live
 * fan-out's target is (a small multiple of the bus's own p99).
 */
export const LIVE_STAGES = ['handled', 'ready', 'sent'] as const;
export type LiveStage = (typeof LIVE_STAGES)[number];

const BUCKETS_SECONDS = [
  0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1,
  2, 5,
];

/** Observes a batch's events' delay at one stage; one clock reading per batch. */
export type LiveDelays = (stage: LiveStage, occurredAt: readonly number[]) => void;

export function liveDelays(clock: () => number = Date.now): LiveDelays {
  const histogram = histogramMetric({
    name: 'switchboard_inbox_live_delay_seconds',
    help: "A live event's age at each stage of this replica's fan-out: handled, ready (snooze wakes and holder lookups done), sent (frames written).",
    labelNames: ['stage'] as const,
    buckets: BUCKETS_SECONDS,
  });
  const byStage = new Map(LIVE_STAGES.map((stage) => [stage, histogram.labels(stage)]));
  return (stage, occurredAt) => {
    const child = byStage.get(stage)!;
    const now = clock();
    for (const at of occurredAt) child.observe((now - at) / 1000);
  };
}
