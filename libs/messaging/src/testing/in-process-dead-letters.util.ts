import type { EventLogStore } from '../in-process/event-log-store.js';
import type { RawDeadLetter } from './event-bus.contract.js';

/** The dead letters of a logical topic in an in-process log, read straight from its store. */
export async function readInProcessDeadLetters(
  store: Pick<EventLogStore, 'read'>,
  topic: string,
  partitions: number,
): Promise<RawDeadLetter[]> {
  const perPartition = await Promise.all(
    Array.from({ length: partitions }, (_, p) => store.read(`${topic}.dlq`, p, null, 1_000)),
  );
  return perPartition.flat().map((r) => ({
    key: r.key,
    value: r.value?.toString('utf8') ?? null,
    headers: r.headers ?? {},
  }));
}
