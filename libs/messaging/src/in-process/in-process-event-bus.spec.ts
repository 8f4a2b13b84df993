import { describeEventBusContract } from '../testing/event-bus.contract.js';
import { InProcessEventBus } from './in-process-event-bus.js';
import { MemoryEventLogStore } from './memory-event-log.store.js';

describeEventBusContract('in-process on the memory store', () => {
  const store = new MemoryEventLogStore();
  // Closing a bus closes its store; the memory store's close is a no-op, so a reopened bus shares it.
  const open = () => new InProcessEventBus(store, { partitions: 4 });
  return Promise.resolve({
    bus: open(),
    reopen: () => Promise.resolve(open()),
    deadLetters: async (topic: string) =>
      (await Promise.all([0, 1, 2, 3].map((p) => store.read(`${topic}.dlq`, p, null, 1000))))
        .flat()
        .map((r) => ({
          key: r.key,
          value: r.value?.toString('utf8') ?? null,
          headers: r.headers ?? {},
        })),
    dispose: () => Promise.resolve(),
  });
});
