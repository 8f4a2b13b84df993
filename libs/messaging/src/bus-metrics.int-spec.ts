import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import { metricsRegistry } from '@switchboard/platform';
import {
  type TestDatabase,
  createTestDatabase,
  inboundMessageEvent,
  parsePrometheusText,
  waitFor,
} from '@switchboard/testing';
import { InProcessEventBus } from './in-process/in-process-event-bus.js';
import { PostgresEventLogStore } from './in-process/postgres-event-log.store.js';

const DAY_MS = 24 * 60 * 60_000;

/**
 * The embedded mode's bus on PostgreSQL, as Prometheus reads it: events published and consumed
 * by topic and type, a poison event dead-lettered, and each durable group's lag from its stored
 * position: how many records of each partition it has still to handle.
 */
describe('event bus metrics (in-process log on PostgreSQL)', () => {
  let database: TestDatabase;
  let store: PostgresEventLogStore;
  let bus: InProcessEventBus;
  const scrape = async () => parsePrometheusText(await metricsRegistry.metrics());
  const inbound = { topic: Topics.inbound, type: InboundMessageReceivedV1.type };

  beforeAll(async () => {
    database = await createTestDatabase('bus_metrics');
    store = new PostgresEventLogStore({ connectionString: database.url, poolSize: 3 });
    await store.init();
    bus = new InProcessEventBus(store, { partitions: 2, retentionMs: DAY_MS, groupRetentionMs: 7 * DAY_MS });
  });

  afterAll(async () => {
    await bus?.close();
    await database?.drop();
  });

  it('counts events published and consumed, and a dead letter by reason, and reads the lag', async () => {
    const before = await scrape();
    const handled: string[] = [];
    const poison = inboundMessageEvent({ text: 'poison' });
    const subscription = await bus.subscribe({
      groupId: 'metrics.observer',
      topics: [Topics.inbound],
      accepts: [InboundMessageReceivedV1],
      retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 },
      handleBatch: async (batch) => {
        for (const { event } of batch) {
          if (event.id === poison.id) throw new Error('cannot handle this one');
        }
        await Promise.resolve();
        handled.push(...batch.map((c) => c.event.id));
      },
    });
    await subscription.assigned;

    const events = [inboundMessageEvent(), inboundMessageEvent(), inboundMessageEvent(), poison];
    // One sender, so one key and one partition: the lag below is all on it.
    await bus.emit(events);
    expect(
      (await scrape()).sum('switchboard_events_published_total', inbound) -
        before.sum('switchboard_events_published_total', inbound),
    ).toBe(4);
    await waitFor(() => handled.length === 3, { what: 'three events handled' });
    const consumed = { ...inbound, group: 'metrics.observer' };
    const letters = { group: 'metrics.observer', topic: Topics.inbound, reason: 'handler-failed' };
    const after = await waitFor(
      async () => {
        const metrics = await scrape();
        return metrics.sum('switchboard_events_dead_lettered_total', letters) >
          before.sum('switchboard_events_dead_lettered_total', letters)
          ? metrics
          : undefined;
      },
      { what: 'the poison event dead-lettered', intervalMs: 100 },
    );
    expect(
      after.sum('switchboard_events_consumed_total', consumed) -
        before.sum('switchboard_events_consumed_total', consumed),
    ).toBe(3);
    expect(
      after.sum('switchboard_events_dead_lettered_total', letters) -
        before.sum('switchboard_events_dead_lettered_total', letters),
    ).toBe(1);

    // Caught up: the partition it has a stored position on is at lag 0 (read at most every 5 s).
    const rows = await waitFor(
      async () => {
        const found = (await scrape()).find('switchboard_consumer_lag', {
          group: 'metrics.observer',
          topic: Topics.inbound,
        });
        return found.length > 0 && found.every((row) => row.value === 0) ? found : undefined;
      },
      { what: 'the group at lag 0', intervalMs: 500 },
    );
    expect(rows.length).toBeGreaterThan(0);

    // Stopped, with new records on the log: its stored position now lags behind by exactly them.
    await subscription.stop();
    await bus.emit([inboundMessageEvent(), inboundMessageEvent(), inboundMessageEvent()]);
    const behind = await waitFor(
      async () => {
        const total = (await scrape()).sum('switchboard_consumer_lag', { group: 'metrics.observer' });
        return total === 3 ? total : undefined;
      },
      { what: 'a lag of the three records published since', timeoutMs: 15_000, intervalMs: 500 },
    );
    expect(behind).toBe(3);
    // The bus's own pool is reported beside the services' pools.
    expect((await scrape()).find('switchboard_db_pool_connections', { pool: 'event-log' })).toHaveLength(2);
  });
});
