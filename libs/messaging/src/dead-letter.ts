/** Headers a dead-lettered record carries, so that an operator can see why and replay it. */
export const DeadLetterHeaders = {
  reason: 'x-dlq-reason',
  error: 'x-dlq-error',
  originalTopic: 'x-dlq-original-topic',
  originalPartition: 'x-dlq-original-partition',
  originalOffset: 'x-dlq-original-offset',
  consumerGroup: 'x-dlq-consumer-group',
  failedAt: 'x-dlq-failed-at',
} as const;

export type DeadLetterReason = 'unparseable' | 'invalid' | 'unknown-type' | 'handler-failed';

/** A raw record as it came off the log, before it is decoded. */
export interface RawRecord {
  /** Logical topic name. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  /** The record's headers as its adapter has them (Kafka: strings or buffers); trace context among them. */
  readonly headers?: Readonly<Record<string, unknown>> | null;
}

export interface DeadLetter {
  readonly record: RawRecord;
  readonly reason: DeadLetterReason;
  readonly error: string;
  readonly groupId: string;
}

export function deadLetterHeaders(letter: DeadLetter): Record<string, string> {
  return {
    [DeadLetterHeaders.reason]: letter.reason,
    // Bounded: an error message can quote a whole payload.
    [DeadLetterHeaders.error]: letter.error.slice(0, 4_000),
    [DeadLetterHeaders.originalTopic]: letter.record.topic,
    [DeadLetterHeaders.originalPartition]: String(letter.record.partition),
    [DeadLetterHeaders.originalOffset]: letter.record.offset,
    [DeadLetterHeaders.consumerGroup]: letter.groupId,
    [DeadLetterHeaders.failedAt]: new Date().toISOString(),
  };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
