import { type PartitionLag, cachedLag, groupLabel } from './bus-metrics.js';

describe('bus metrics', () => {
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
