import { metricsRegistry } from '@switchboard/platform';
import { type PartitionLag, cachedLag, countConsumed, countPublished, groupLabel } from './bus-metrics.js';
import type { ConsumedEvent, OutgoingEvent } from './event-bus.js';

async function series(name: string): Promise<Record<string, number>> {
  const metric = await metricsRegistry.getSingleMetric(name)?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [Object.values(v.labels).join('|'), v.value]));
}

describe('bus metrics', () => {
  it('counts every event of a publish and of a batch under its own topic and type, runs or not', async () => {
    const before = await series('switchboard_events_published_total');
    const out = (topic: string, type: string) =>
      ({ topic, key: 'k', event: { type } }) as unknown as OutgoingEvent;
    countPublished([
      out('t.runs', 'a'),
      out('t.runs', 'a'),
      out('t.runs', 'b'),
      out('t.runs', 'a'),
      out('u.runs', 'a'),
      out('u.runs', 'a'),
    ]);
    const after = await series('switchboard_events_published_total');
    const added = (labels: string) => (after[labels] ?? 0) - (before[labels] ?? 0);
    expect([added('t.runs|a'), added('t.runs|b'), added('u.runs|a')]).toEqual([3, 1, 2]);

    const consumedBefore = await series('switchboard_events_consumed_total');
    const consumed = (type: string) => ({ topic: 't.runs', event: { type } }) as unknown as ConsumedEvent;
    countConsumed('g.runs', [consumed('a'), consumed('b'), consumed('b'), consumed('a')]);
    const consumedAfter = await series('switchboard_events_consumed_total');
    const got = (labels: string) => (consumedAfter[labels] ?? 0) - (consumedBefore[labels] ?? 0);
    expect([got('g.runs|t.runs|a'), got('g.runs|t.runs|b')]).toEqual([2, 2]);
  });

  it('hands each count to a scrape once: the next scrape adds only what was counted since', async () => {
    const out = { topic: 't.scrapes', key: 'k', event: { type: 'a' } } as unknown as OutgoingEvent;
    const text = async () => {
      const line = (await metricsRegistry.metrics())
        .split('\n')
        .find((l) => l.startsWith('switchboard_events_published_total{topic="t.scrapes",type="a"}'));
      return Number(line?.split(' ').pop() ?? 0);
    };
    countPublished([out]);
    countPublished([out, out]);
    expect(await text()).toBe(3);
    expect(await text()).toBe(3);
    countPublished([out]);
    expect(await series('switchboard_events_published_total')).toMatchObject({ 't.scrapes|a': 4 });
    expect(await text()).toBe(4);
  });

  it('labels a durable group by its id, and an ephemeral one without its replica id', () => {
    expect(groupLabel({ groupId: 'history.inbound' })).toBe('history.inbound');
    expect(groupLabel({ groupId: 'inbox.live.3f9c2a', ephemeral: true })).toBe('inbox.live');
    expect(groupLabel({ groupId: 'nodots', ephemeral: true })).toBe('ephemeral');
  });

  describe('cachedLag', () => {
    const rows = (lag: number): PartitionLag[] => [{ group: 'g', topic: 't', partition: 0, lag }];

    it('asks the log at most once per max age, however often it is scraped', async () => {
      let reads = 0;
      const lag = cachedLag(() => Promise.resolve(rows(++reads)), 60_000, 1_000);
      expect(await lag()).toEqual(rows(1));
      expect(await lag()).toEqual(rows(1));
      expect(reads).toBe(1);
    });

    it('gives a slow reading’s scrape the previous reading, and the next scrape the new one', async () => {
      let finish: (value: PartitionLag[]) => void = () => undefined;
      let calls = 0;
      const lag = cachedLag(
        () => {
          calls += 1;
          return calls === 1
            ? Promise.resolve(rows(5))
            : new Promise<PartitionLag[]>((resolve) => (finish = resolve));
        },
        0,
        20,
      );
      expect(await lag()).toEqual(rows(5));
      // The log hangs: the scrape is answered within the timeout with what was known.
      expect(await lag()).toEqual(rows(5));
      finish(rows(7));
      await new Promise((resolve) => setImmediate(resolve));
      expect(
        await Promise.race([lag(), new Promise((resolve) => setTimeout(() => resolve('late'), 200))]),
      ).toEqual(rows(7));
    });

    it('lets a failed reading fail the scrape’s lag only, and tries again next time', async () => {
      let fail = true;
      const lag = cachedLag(
        () => (fail ? Promise.reject(new Error('broker down')) : Promise.resolve(rows(0))),
        0,
        1_000,
      );
      await expect(lag()).rejects.toThrow('broker down');
      fail = false;
      expect(await lag()).toEqual(rows(0));
    });
  });
});
