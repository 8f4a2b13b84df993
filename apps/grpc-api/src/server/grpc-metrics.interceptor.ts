import {
  ResponderBuilder,
  ServerInterceptingCall,
  type ServerInterceptor,
  ServerListenerBuilder,
  status as Status,
} from '@grpc/grpc-js';
import { LATENCY_BUCKETS_SECONDS, histogramMetric } from '@switchboard/platform';

/** `OK`, `UNAUTHENTICATED`, …: the status's name, a bounded set. */
const STATUS_NAMES = new Map<number, string>(
  Object.entries(Status)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, code]) => [code, name]),
);

/**
 * Times every gRPC call from its arrival to its status (`switchboard_grpc_request_duration_seconds`),
 * by full method name (`/switchboard.v1.ConversationService/ListConversations`: only methods the
 * server defines reach an interceptor) and status code. A call the client cancels counts as
 * CANCELLED. A server stream's duration is how long the client stayed subscribed.
 */
export function grpcMetricsInterceptor(): ServerInterceptor {
  const durations = histogramMetric({
    name: 'switchboard_grpc_request_duration_seconds',
    help: 'gRPC calls served, by method and status code (streams: how long they stayed open).',
    labelNames: ['method', 'code'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
  });
  return (method, call) => {
    const started = process.hrtime.bigint();
    let recorded = false;
    const record = (code: number) => {
      if (recorded) return;
      recorded = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      durations.observe({ method: method.path, code: STATUS_NAMES.get(code) ?? 'UNKNOWN' }, seconds);
    };
    return new ServerInterceptingCall(
      call,
      new ResponderBuilder()
        .withStart((next) =>
          next(new ServerListenerBuilder().withOnCancel(() => record(Status.CANCELLED)).build()),
        )
        .withSendStatus((status, next) => {
          record(status.code ?? Status.UNKNOWN);
          next(status);
        })
        .build(),
    );
  };
}
