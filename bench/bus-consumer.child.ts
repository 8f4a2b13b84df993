/**
 * The consuming side of `bench:bus`'s split run (ADR 0146), forked by bus.bench.ts: one process
 * subscribes and handles, the bench's own publishes, as the apps run (channel-sms publishes,
 * history consumes, each in its own process). It talks to its parent over the IPC channel only at
 * the start and the end, so that the channel costs neither process anything per event.
 *
 * Parent → child: the arguments; then `{ go: true }` once it starts the timed publishes (this
 * process's CPU is counted from then). Child → parent: `{ assigned: true }` once its subscription
 * has partitions; `{ warmed: true }` once the `warmup` events published before the timed ones were
 * handled; `{ done }` once `expected` more were, with the wall-clock time of the last, the CPU this
 * process spent since `go`, and every 16th timed event's id with the wall-clock time it was handled
 * (for the latency).
 */
import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import { type EventBus, KafkaEventBus, loadPlatformaticKafkaEventBus } from '@switchboard/messaging';

export interface SplitConsumerArgs {
  readonly adapter: 'kafkajs' | 'platformatic';
  readonly brokers: readonly string[];
  readonly topicPrefix: string;
  readonly partitions: number;
  readonly warmup: number;
  readonly expected: number;
  readonly producerLanes?: number;
}

export type SplitConsumerMessage =
  | { readonly assigned: true }
  | { readonly warmed: true }
  | {
      readonly done: true;
      readonly lastHandledAt: number;
      readonly cpuMicros: number;
      readonly samples: readonly (readonly [string, number])[];
    };

/** Wall-clock milliseconds, sub-millisecond, comparable between processes on one machine. */
export const wallClock = () => performance.timeOrigin + performance.now();

const SAMPLE_EVERY = 16;

async function main(args: SplitConsumerArgs): Promise<void> {
  const send = (message: SplitConsumerMessage) => process.send!(message);
  const Bus = args.adapter === 'kafkajs' ? KafkaEventBus : await loadPlatformaticKafkaEventBus();
  const bus: EventBus = new Bus({
    brokers: args.brokers,
    clientId: 'bench-consumer',
    topicPrefix: args.topicPrefix,
    partitions: args.partitions,
    replicationFactor: 1,
    ...(args.producerLanes ? { producerLanes: args.producerLanes } : {}),
  });
  let cpuAtGo: NodeJS.CpuUsage | undefined;
  process.on('message', (message: { go?: boolean }) => {
    if (message.go) cpuAtGo = process.cpuUsage();
  });
  const samples: [string, number][] = [];
  let handled = 0;
  let warmed = false;
  let finished!: () => void;
  const allHandled = new Promise<void>((resolve) => (finished = resolve));
  const subscription = await bus.subscribe({
    groupId: 'bench-split',
    topics: [Topics.inbound],
    accepts: [InboundMessageReceivedV1],
    handleBatch: (batch) => {
      const now = wallClock();
      for (const { event } of batch) {
        handled += 1;
        if (handled > args.warmup && handled % SAMPLE_EVERY === 0) samples.push([event.id, now]);
      }
      if (handled >= args.warmup && !warmed) {
        warmed = true;
        send({ warmed: true });
      }
      if (handled >= args.warmup + args.expected) finished();
      return Promise.resolve();
    },
  });
  await subscription.assigned;
  send({ assigned: true });
  await allHandled;
  const lastHandledAt = wallClock();
  const cpu = process.cpuUsage(cpuAtGo);
  send({ done: true, lastHandledAt, cpuMicros: cpu.user + cpu.system, samples });
  await subscription.stop();
  await bus.close();
  process.disconnect();
}

if (process.send !== undefined) {
  process.once('message', (args: SplitConsumerArgs) => {
    main(args).catch((error: unknown) => {
      process.stderr.write(`bus-consumer: ${String(error)}\n`);
      process.exit(1);
    });
  });
}
