import {
  status,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { Injectable } from '@nestjs/common';
import type { MessageSender } from '@switchboard/contracts';
import { createLogger, InjectConfig, type ConfigOf } from '@switchboard/platform';
import { allows, type ApiPrincipal, type RequiredScope } from '../api-keys/api-key.js';
import { ApiKeyService } from '../api-keys/api-key.service.js';
import { GrpcApiConfig } from '../grpc-api.config.js';
import { OpenStreamsService } from './open-streams.service.js';
import { RateLimiter } from './rate-limiter.js';
import { RpcError, serviceError, toServiceError } from './grpc-errors.util.js';

/** What a handler knows about the call it serves. */
export interface CallContext {
  readonly principal: ApiPrincipal;
  /** Aborted when the client cancels or its deadline passes: stop working, nobody is listening. */
  readonly signal: AbortSignal;
  /** The integrator as the author of messages and changes (`name`: a display name it chose). */
  sender(name?: string): MessageSender;
}

export type UnaryHandler<Req, Res> = (request: Req, context: CallContext) => Promise<Res>;
export type StreamHandler<Req, Res> = (
  request: Req,
  context: CallContext,
  write: (response: Res) => Promise<void>,
) => Promise<void>;

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Wraps each RPC in what every call goes through, in order: the API key (UNAUTHENTICATED), its
 * scope (PERMISSION_DENIED), its rate (RESOURCE_EXHAUSTED), the deadline (DEADLINE_EXCEEDED,
 * and an abort signal for the handler), and the translation of errors into gRPC statuses.
 */
@Injectable()
export class RpcHandlerFactory {
  private readonly logger = createLogger('grpc-api');
  private readonly limiter = new RateLimiter();
  private readonly openStreams = new Set<ServerWritableStream<unknown, unknown>>();

  constructor(
    private readonly keys: ApiKeyService,
    private readonly streams: OpenStreamsService,
    @InjectConfig(GrpcApiConfig) private readonly config: ConfigOf<typeof GrpcApiConfig>,
  ) {}

  unary<Req, Res>(
    method: string,
    scope: RequiredScope,
    handler: UnaryHandler<Req, Res>,
  ): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const watch = watchCall(call);
      this.authorize(call.metadata, scope)
        .then((principal) => {
          // Nobody waits for the answer any more: don't start the work.
          watch.signal.throwIfAborted();
          return handler(call.request, this.context(principal, watch.signal));
        })
        .then(
          (response) => {
            if (!watch.signal.aborted) callback(null, response);
          },
          (error: unknown) => {
            if (!watch.signal.aborted) callback(this.translate(method, error));
          },
        )
        .finally(watch.dispose);
    };
  }

  serverStream<Req, Res>(
    method: string,
    scope: RequiredScope,
    handler: StreamHandler<Req, Res>,
  ): handleServerStreamingCall<Req, Res> {
    return (call: ServerWritableStream<Req, Res>) => {
      const watch = watchCall(call);
      const open = call as ServerWritableStream<unknown, unknown>;
      this.openStreams.add(open);
      let unwatchKey: (() => void) | undefined;
      const write = (response: Res) =>
        new Promise<void>((resolve) => {
          if (watch.signal.aborted) return resolve();
          // Backpressure: wait for the transport to drain before producing more (or for the
          // call's end: a stream ended by the server drains no more, and its handler must finish).
          if (call.write(response)) return resolve();
          const done = () => {
            call.removeListener('drain', done);
            watch.signal.removeEventListener('abort', done);
            resolve();
          };
          call.once('drain', done);
          watch.signal.addEventListener('abort', done);
        });
      this.authorize(call.metadata, scope)
        .then((principal) => {
          watch.signal.throwIfAborted();
          // The key was good when the stream opened; it is read again while the stream lasts.
          unwatchKey = this.streams.register({
            keyId: principal.keyId,
            scope,
            end: (error) => {
              // The handler stops on the abort; the status goes out here, as nobody else sends it.
              watch.abort(error);
              call.emit('error', toServiceError(error));
            },
          });
          return handler(call.request, this.context(principal, watch.signal), write);
        })
        .then(
          () => {
            if (!watch.signal.aborted) call.end();
          },
          (error: unknown) => {
            // grpc-js turns an emitted error into the stream's final status (destroy() would drop it).
            if (!watch.signal.aborted) call.emit('error', this.translate(method, error));
          },
        )
        .finally(() => {
          unwatchKey?.();
          this.openStreams.delete(open);
          watch.dispose();
        });
    };
  }

  /** Ends every open stream with UNAVAILABLE, so shutdown need not wait for them; clients resume by cursor. */
  closeStreams(): void {
    for (const call of this.openStreams) {
      call.emit(
        'error',
        serviceError(status.UNAVAILABLE, 'the server is shutting down; resubscribe with your last cursor'),
      );
    }
    this.openStreams.clear();
  }

  private async authorize(metadata: Metadata, scope: RequiredScope): Promise<ApiPrincipal> {
    const values = metadata.get('authorization');
    const header = values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
    const key = header ? BEARER.exec(header)?.[1] : undefined;
    if (!key) {
      throw new RpcError(
        status.UNAUTHENTICATED,
        'send your API key as metadata `authorization: Bearer <key>`',
      );
    }
    const principal = await this.keys.authenticate(key);
    if (!principal)
      throw new RpcError(status.UNAUTHENTICATED, 'the API key is not valid (unknown or revoked)');
    if (!allows(principal.scope, scope)) {
      throw new RpcError(status.PERMISSION_DENIED, 'this API key has read scope; the call needs read-write');
    }
    const rate = principal.rateLimitPerSecond ?? this.config.GRPC_RATE_LIMIT_PER_SECOND;
    const waitMs = this.limiter.take(principal.keyId, rate);
    if (waitMs !== null) {
      throw new RpcError(
        status.RESOURCE_EXHAUSTED,
        `rate limit of ${rate} calls per second exceeded; retry in ${waitMs} ms`,
        waitMs,
      );
    }
    return principal;
  }

  private context(principal: ApiPrincipal, signal: AbortSignal): CallContext {
    return {
      principal,
      signal,
      sender: (name) => ({ type: 'integrator', id: principal.keyId, name: name || principal.name }),
    };
  }

  private translate(method: string, error: unknown) {
    const known = toServiceError(error);
    if (known) return known;
    this.logger.error({ err: error, method }, 'RPC failed');
    return serviceError(status.INTERNAL, 'internal error');
  }
}

/**
 * An abort signal for the call: fired when the client cancels (grpc-js emits `cancelled` when
 * the client goes away or the deadline passes) or when the deadline passes, whichever first.
 */
function watchCall(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>): {
  signal: AbortSignal;
  /** Ends the call from the server's side (a revoked key): the handler sees its signal fire. */
  abort: (reason: RpcError) => void;
  dispose: () => void;
} {
  const controller = new AbortController();
  const onCancelled = () => controller.abort(new RpcError(status.CANCELLED, 'cancelled by the client'));
  call.once('cancelled', onCancelled);
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(deadlineMs)) {
    const remaining = deadlineMs - Date.now();
    const expire = () => controller.abort(new RpcError(status.DEADLINE_EXCEEDED, 'deadline exceeded'));
    if (remaining <= 0) expire();
    else timer = setTimeout(expire, remaining);
  }
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => {
      clearTimeout(timer);
      call.removeListener('cancelled', onCancelled);
    },
  };
}
