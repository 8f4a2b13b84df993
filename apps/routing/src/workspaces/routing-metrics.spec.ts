import { randomUUID } from 'node:crypto';
import { metricsRegistry } from '@switchboard/platform';
import { parsePrometheusText } from '@switchboard/testing';
import { RoutingEngine } from '../core/routing-engine.js';
import { MAX_QUEUE_LABELS, RoutingMetrics, queueLabel } from './routing-metrics.js';

describe('RoutingMetrics', () => {
  let now = 1_000_000;
  const clock = () => now;
  const scrape = async () => parsePrometheusText(await metricsRegistry.metrics());

  it('reads waiting conversations per queue on scrape and observes each assignment’s wait', async () => {
    const engine = new RoutingEngine({ clock, disconnectGraceMs: 0 });
    const queueId = randomUUID();
    engine.upsertQueue({
      id: queueId,
      name: 'billing',
      priority: 0,
      entry: {},
      steps: [],
      mode: 'auto',
      offerTimeoutSeconds: 30,
      maxMissedOffers: 2,
      preferredAgent: null,
      createdAt: 0,
    });
    const arrive = () =>
      engine.open({
        conversationId: randomUUID(),
        customerId: randomUUID(),
        channel: 'web',
        channelAccountId: null,
        customerAttributes: {},
        hints: {},
      });
    const metrics = new RoutingMetrics(() => [engine], clock);
    try {
      arrive();
      now += 40_000;
      arrive();
      now += 20_000;
      arrive();
      let scraped = await scrape();
      expect(scraped.sum('switchboard_routing_queue_waiting', { queue: queueId })).toBe(3);
      expect(scraped.sum('switchboard_routing_queue_oldest_wait_seconds', { queue: queueId })).toBe(60);

      const before = scraped.sum('switchboard_routing_wait_seconds_count', { queue: queueId });
      engine.takeEffects();
      engine.upsertAgent({
        agentId: 'ann',
        displayName: 'Ann',
        skills: [],
        channelCapacity: {},
        defaultChannelCapacity: 2,
        maxConcurrent: 2,
        queueIds: [queueId],
      });
      engine.setPresence('ann', 'online', 'agent');
      metrics.observeAssignments(engine, engine.takeEffects());

      scraped = await scrape();
      // Ann takes the two oldest (60 s and 20 s waited); the third still waits, for 0 s.
      expect(scraped.sum('switchboard_routing_wait_seconds_count', { queue: queueId }) - before).toBe(2);
      expect(scraped.sum('switchboard_routing_wait_seconds_sum', { queue: queueId })).toBe(80);
      expect(scraped.sum('switchboard_routing_queue_waiting', { queue: queueId })).toBe(1);
      expect(scraped.sum('switchboard_routing_queue_oldest_wait_seconds', { queue: queueId })).toBe(0);
    } finally {
      metrics.stop();
    }
    // Stopped (its owner shut down): its engines are no longer read.
    expect((await scrape()).find('switchboard_routing_queue_waiting', { queue: queueId })).toEqual([]);
  });

  it('labels at most MAX_QUEUE_LABELS queues by id, the rest as other', () => {
    expect(queueLabel(null)).toBe('default');
    const ids = Array.from({ length: MAX_QUEUE_LABELS + 5 }, () => randomUUID());
    const labels = ids.map((id) => queueLabel(id));
    expect(labels.filter((label) => label === 'other').length).toBeGreaterThanOrEqual(5);
    expect(new Set(labels.filter((label) => label !== 'other')).size).toBeLessThanOrEqual(MAX_QUEUE_LABELS);
    // A queue labelled once keeps its label.
    expect(queueLabel(ids[0]!)).toBe(labels[0]);
  });
});
