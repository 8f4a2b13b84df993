import { status } from '@grpc/grpc-js';
import { Injectable } from '@nestjs/common';
import { InvalidArgumentError, type grpcV1 } from '@switchboard/contracts';
import { RpcError } from '../server/grpc-errors.util.js';
import { EventFeedService } from './event-feed.service.js';
import { EVENT_TYPE_KEYS, feedEventToProto } from './feed-event.proto.util.js';
import { FeedNotifierService } from './feed-notifier.service.js';

const PAGE = 500;
/** How often a stream rereads while the notifier is not listening. */
const POLL_MS = 1_000;
/** While it listens, a notification wakes the stream; this reread is only a safety net. */
const SAFETY_MS = 30_000;
const CURSOR = /^\d{1,18}$/;

/** EventService.Subscribe: the stored feed after the cursor, then new events as they are stored. */
@Injectable()
export class EventStreamService {
  constructor(
    private readonly feed: EventFeedService,
    private readonly notifier: FeedNotifierService,
  ) {}

  async subscribe(
    workspaceId: string,
    request: grpcV1.SubscribeRequest__Output,
    signal: AbortSignal,
    write: (event: grpcV1.Event) => Promise<void>,
  ): Promise<void> {
    const keys = this.keysOf(request.types);
    let cursor = await this.startingCursor(workspaceId, request);
    while (!signal.aborted) {
      const version = this.notifier.version(workspaceId);
      const events = await this.feed.read(workspaceId, cursor, keys, PAGE);
      for (const event of events) {
        if (signal.aborted) return;
        await write(feedEventToProto(event));
        cursor = event.sequence;
      }
      if (events.length === PAGE) continue;
      const timeoutMs = this.notifier.listening() ? SAFETY_MS : POLL_MS;
      await this.notifier.waitForChange(workspaceId, version, timeoutMs, signal);
    }
  }

  private keysOf(types: readonly string[]): string[] | null {
    const wanted = types.filter((t): t is keyof typeof EVENT_TYPE_KEYS => t in EVENT_TYPE_KEYS);
    return wanted.length === 0 ? null : wanted.map((t) => EVENT_TYPE_KEYS[t]);
  }

  private async startingCursor(
    workspaceId: string,
    request: grpcV1.SubscribeRequest__Output,
  ): Promise<string> {
    const bounds = await this.feed.bounds(workspaceId);
    if (request.cursor === '') {
      return request.startAt === 'START_AT_EARLIEST' ? bounds.prunedThrough : bounds.lastSequence;
    }
    if (!CURSOR.test(request.cursor)) {
      throw new InvalidArgumentError('invalid cursor', [
        { field: 'cursor', description: 'must be the cursor of an event this API sent' },
      ]);
    }
    if (BigInt(request.cursor) > BigInt(bounds.lastSequence)) {
      throw new InvalidArgumentError('invalid cursor', [
        {
          field: 'cursor',
          description: 'is ahead of this workspace’s events (a cursor of another workspace?)',
        },
      ]);
    }
    if (BigInt(request.cursor) < BigInt(bounds.prunedThrough)) {
      throw new RpcError(
        status.OUT_OF_RANGE,
        'events after this cursor are no longer kept; resubscribe with START_AT_EARLIEST and reconcile',
      );
    }
    return request.cursor;
  }
}
