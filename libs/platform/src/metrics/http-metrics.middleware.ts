import type { IncomingMessage, ServerResponse } from 'node:http';
import { LATENCY_BUCKETS_SECONDS, histogramMetric } from './metrics-registry.js';
import { type RoutedRequest, httpMethodLabel, httpRouteLabel } from './http-route-label.util.js';

type Next = (error?: unknown) => void;

/**
 * Times every HTTP request from its first byte to the response's last, labelled by method, route
 * template and status code (`switchboard_http_request_duration_seconds`). The labels are read when
 * the response finishes, once the router has matched. One listener per request, no other
 * allocation: the histogram's child per label set is cached by prom-client.
 */
export function httpMetrics(): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const durations = histogramMetric({
    name: 'switchboard_http_request_duration_seconds',
    help: 'HTTP requests served, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      durations.observe(
        {
          method: httpMethodLabel(req.method ?? ''),
          route: httpRouteLabel(req as IncomingMessage & RoutedRequest),
          status: String(res.statusCode),
        },
        seconds,
      );
    });
    next();
  };
}
