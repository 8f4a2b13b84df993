import { createTestDatabase, type TestDatabase, workspaceEvent as feedEvent } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

import { grpcApiMigrations } from '../migrations/index.js';
import { EventFeedService } from './event-feed.service.js';

/** The feed on the real PostgreSQL: concurrent writers, redeliveries, pruning. */
describe('EventFeedService', () => {
  let database: TestDatabase;
  let db: DataSource;
  let feed: EventFeedService;

  beforeAll(async () => {
    database = await createTestDatabase('api_feed');
    db = new DataSource({ type: 'postgres', url: database.url, migrations: grpcApiMigrations, poolSize: 12 });
    await db.initialize();
    await db.query('CREATE SCHEMA api');
    await db.runMigrations();
    feed = new EventFeedService(db);
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('numbers a workspace’s events 1…n without gaps while batches race, and stores a redelivery once', async () => {
    const workspace = randomUUID();
    const other = randomUUID();
    const conversation = randomUUID();
    const batches = Array.from({ length: 10 }, (_, b) =>
      Array.from({ length: 20 }, (_, i) =>
        feedEvent(i % 3 === 0 ? other : workspace, conversation, b * 20 + i),
      ),
    );
    const added = await Promise.all(batches.map((batch) => feed.append(batch)));
    expect(added.reduce((a, b) => a + b, 0)).toBe(200);
    // Redelivered (a whole batch, and a batch mixing old and new events): only the new one is added.
    expect(await feed.append(batches[3]!)).toBe(0);
    const fresh = feedEvent(workspace, conversation, 999);
    expect(await feed.append([...batches[4]!, fresh, fresh])).toBe(1);

    const mine = await feed.read(workspace, '0', null, 1000);
    const theirs = await feed.read(other, '0', null, 1000);
    expect(mine.map((e) => Number(e.sequence))).toEqual(Array.from({ length: mine.length }, (_, i) => i + 1));
    expect(theirs.map((e) => Number(e.sequence))).toEqual(
      Array.from({ length: theirs.length }, (_, i) => i + 1),
    );
    expect(mine.length + theirs.length).toBe(201);
    expect(new Set(mine.map((e) => e.eventId)).size).toBe(mine.length);
    expect(mine.at(-1)?.eventId).toBe(fresh.id);
    // Each batch's events keep their order within the feed.
    for (const batch of batches) {
      const ids = batch.filter((e) => e.workspaceId === workspace).map((e) => e.id);
      const positions = ids.map((id) => mine.findIndex((e) => e.eventId === id));
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
    expect(await feed.bounds(workspace)).toEqual({ lastSequence: String(mine.length), prunedThrough: '0' });
  });

  it('prunes a batch at a time, the oldest first, each feed from its start', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await feed.append(Array.from({ length: 4 }, (_, i) => feedEvent(a, randomUUID(), i)));
    await feed.append(Array.from({ length: 4 }, (_, i) => feedEvent(b, randomUUID(), i)));
    await db.query(
      `UPDATE api.events SET stored_at = now() - interval '10 days' - (5 - sequence) * interval '1 minute'
       WHERE workspace_id = ANY($1)`,
      [[a, b]],
    );
    const cutoff = new Date(Date.now() - 7 * 24 * 3600 * 1000);
    const left = () =>
      Promise.all(
        [a, b].map(async (w) => (await feed.read(w, '0', null, 10)).map((e) => Number(e.sequence))),
      );
    expect(await feed.prune(cutoff, 3)).toBe(3);
    const after = await left();
    // Every feed keeps a run from some sequence to its end: no hole in the middle.
    for (const sequences of after) expect(sequences).toEqual(sequences.length ? range(sequences[0]!, 4) : []);
    expect(after.flat()).toHaveLength(5);
    expect(await feed.prune(cutoff, 3)).toBe(3);
    expect(await feed.prune(cutoff, 3)).toBe(2);
    expect(await feed.prune(cutoff, 3)).toBe(0);
    expect(await feed.bounds(a)).toEqual({ lastSequence: '4', prunedThrough: '4' });
  });

  it('prunes by age up to the newest old event, and remembers how far', async () => {
    const workspace = randomUUID();
    await feed.append(Array.from({ length: 5 }, (_, i) => feedEvent(workspace, randomUUID(), i)));
    await db.query(
      `UPDATE api.events SET stored_at = now() - interval '10 days' WHERE workspace_id = $1 AND sequence <= 3`,
      [workspace],
    );
    await feed.prune(new Date(Date.now() - 7 * 24 * 3600 * 1000), 100);
    expect((await feed.read(workspace, '0', null, 10)).map((e) => e.sequence)).toEqual(['4', '5']);
    expect(await feed.bounds(workspace)).toEqual({ lastSequence: '5', prunedThrough: '3' });
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
