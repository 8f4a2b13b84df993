import { describeEventBusContract } from '../testing/event-bus.contract.js';
import { readInProcessDeadLetters } from '../testing/in-process-dead-letters.util.js';
import { InProcessEventBus } from './in-process-event-bus.js';
import { MemoryEventLogStore } from './memory-event-log.store.js';

const DAY_MS = 24 * 60 * 60_000;

describeEventBusContract('in-process on the memory store', () => {
  const store = new MemoryEventLogStore();
  // Closing a bus closes its store; the memory store's close is a no-op, so a reopened bus shares it.
  const open = () =>
    new InProcessEventBus(store, { partitions: 4, retentionMs: DAY_MS, groupRetentionMs: 7 * DAY_MS });
  return Promise.resolve({
    bus: open(),
    reopen: () => Promise.resolve(open()),
    deadLetters: (topic: string) => readInProcessDeadLetters(store, topic, 4),
    groups: () => store.groups(),
    dispose: () => Promise.resolve(),
  });
});
