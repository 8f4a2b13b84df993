import { DependencyUnavailableError } from '@switchboard/platform';
import type { BusLogger } from '../bus-logger.js';
import { type DeadLetter, type RawRecord, describeError } from '../dead-letter.js';
import type { ConsumedEvent, RetryPolicy, SubscriptionSpec } from '../event-bus.js';
import { backoffDelayMs, sleep } from '../retry-policy.js';
import { RecordDecoder } from './record-decoder.js';
import { countConsumed, countDeadLettered, groupLabel } from '../bus-metrics.js';
import { inConsumeSpan } from '../trace-headers.util.js';

export interface BatchProcessorDeps {
  readonly spec: SubscriptionSpec;
  readonly retry: RetryPolicy;
  /** Makes dead letters durable; throws when it could not. */
  readonly deadLetter: (letters: readonly DeadLetter[]) => Promise<void>;
  readonly logger: BusLogger;
  /** Keeps group membership alive during long retries (Kafka heartbeats). */
  readonly heartbeat?: () => Promise<void>;
}

export type BatchOutcome = 'done' | 'aborted';

/**
 * What both adapters do with a batch of one partition's records: decode and validate, dead-letter
 * what can never be handled, hand the rest to the subscriber in order, retry with backoff, and
 * isolate a poison event so that it alone is dead-lettered. When it returns 'done', every record
 * is handled or durably dead-lettered and the adapter may commit past the last one; 'aborted'
 * (the consumer is stopping) means commit nothing: the records will be delivered again.
 */
export class BatchProcessor {
  private readonly decoder: RecordDecoder;
  private readonly group: string;

  constructor(private readonly deps: BatchProcessorDeps) {
    this.decoder = new RecordDecoder(deps.spec.accepts);
    this.group = groupLabel(deps.spec);
  }

  /** Tracing on, the whole of it runs in a `process <topic>` span continuing the records' traces. */
  process(records: readonly RawRecord[], signal: AbortSignal): Promise<BatchOutcome> {
    return inConsumeSpan(this.deps.spec.groupId, records, () => this.processRecords(records, signal));
  }

  private async processRecords(records: readonly RawRecord[], signal: AbortSignal): Promise<BatchOutcome> {
    const events: ConsumedEvent[] = [];
    const rejected: DeadLetter[] = [];
    for (const record of records) {
      const result = this.decoder.decode(record);
      if (result.kind === 'event') events.push(result.consumed);
      else if (result.kind === 'reject') {
        rejected.push({
          record,
          reason: result.reason,
          error: result.error,
          groupId: this.deps.spec.groupId,
        });
      }
    }
    if (rejected.length > 0) {
      this.deps.logger.warn(
        { groupId: this.deps.spec.groupId, count: rejected.length, first: rejected[0]?.error },
        'dead-lettering records that failed validation',
      );
      if (!(await this.untilDone(() => this.deps.deadLetter(rejected), signal))) return 'aborted';
      countDeadLettered(this.group, rejected);
    }
    if (events.length === 0) return 'done';

    const batchResult = await this.attempt(() => this.deps.spec.handleBatch(events), signal);
    if (batchResult === 'ok') {
      countConsumed(this.group, events);
      return 'done';
    }
    if (batchResult === 'aborted') return 'aborted';

    // The batch keeps failing: find the event(s) at fault so that the rest still go through.
    for (const event of events) {
      const result =
        events.length === 1
          ? batchResult
          : await this.attempt(() => this.deps.spec.handleBatch([event]), signal);
      if (result === 'aborted') return 'aborted';
      if (result === 'ok') {
        countConsumed(this.group, [event]);
        continue;
      }
      const record = records.find((r) => r.offset === event.offset && r.partition === event.partition);
      if (record === undefined) continue;
      const letter: DeadLetter = {
        record,
        reason: 'handler-failed',
        error: describeError(result.error),
        groupId: this.deps.spec.groupId,
      };
      this.deps.logger.error(
        { groupId: this.deps.spec.groupId, topic: record.topic, offset: record.offset, error: letter.error },
        'handler failed on an event after every retry; dead-lettering it',
      );
      if (!(await this.untilDone(() => this.deps.deadLetter([letter]), signal))) return 'aborted';
      countDeadLettered(this.group, [letter]);
    }
    return 'done';
  }

  /**
   * Runs `fn` until it succeeds, it fails permanently `maxAttempts` times, or the consumer stops.
   * Transient failures (database down) don't use up attempts: they are waited out. So is any
   * DependencyUnavailableError, whatever the subscription says: a handler whose own publish the
   * event log refused (a broker restarting), or whose store is away, must wait for it, not
   * dead-letter the event (a delivery's status, say, after its SMS went out).
   */
  private async attempt(
    fn: () => Promise<void>,
    signal: AbortSignal,
  ): Promise<'ok' | 'aborted' | { readonly error: unknown }> {
    const { retry, logger } = this.deps;
    let failures = 0;
    let transientFailures = 0;
    for (;;) {
      if (signal.aborted) return 'aborted';
      try {
        await fn();
        return 'ok';
      } catch (error) {
        const transient = error instanceof DependencyUnavailableError || retry.isTransient(error);
        if (transient) transientFailures += 1;
        else failures += 1;
        if (!transient && failures >= retry.maxAttempts) return { error };
        const delay = backoffDelayMs(retry, transient ? transientFailures : failures);
        logger.warn(
          {
            groupId: this.deps.spec.groupId,
            error: describeError(error),
            transient,
            attempt: failures,
            delayMs: delay,
          },
          'event handler failed; retrying',
        );
        if (!(await this.pause(delay, signal))) return 'aborted';
      }
    }
  }

  /** Retries an infrastructure step (writing dead letters) until it works or the consumer stops. */
  private async untilDone(fn: () => Promise<void>, signal: AbortSignal): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      if (signal.aborted) return false;
      try {
        await fn();
        return true;
      } catch (error) {
        this.deps.logger.error(
          { error: describeError(error), attempt },
          'could not write dead letters; retrying',
        );
        if (!(await this.pause(backoffDelayMs(this.deps.retry, attempt), signal))) return false;
      }
    }
  }

  private async pause(ms: number, signal: AbortSignal): Promise<boolean> {
    // Heartbeat in slices so that a long backoff doesn't cost the consumer its group membership.
    let remaining = ms;
    while (remaining > 0) {
      const slice = Math.min(remaining, 1_000);
      if (!(await sleep(slice, signal))) return false;
      remaining -= slice;
      await this.deps.heartbeat?.().catch(() => undefined);
    }
    return true;
  }
}
