import { Injectable } from '@nestjs/common';
import type { grpcV1 } from '@switchboard/contracts';
import { RpcHandlerFactory } from '../server/rpc-handler.factory.js';
import { EventStreamService } from './event-stream.service.js';

/** EventService: translation only; the stream lives in EventStreamService. */
@Injectable()
export class EventServiceHandlers {
  constructor(
    private readonly rpc: RpcHandlerFactory,
    private readonly streams: EventStreamService,
  ) {}

  implementation(): grpcV1.EventServiceHandlers {
    return {
      Subscribe: this.rpc.serverStream<grpcV1.SubscribeRequest__Output, grpcV1.Event>(
        'Subscribe',
        'read',
        (request, ctx, write) =>
          this.streams.subscribe(ctx.principal.workspaceId, request, ctx.signal, write),
      ),
    };
  }
}
