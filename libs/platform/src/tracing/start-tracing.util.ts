import { markTracingEnabled } from './trace-context.util.js';

/** Requests that say nothing about a message's way through: probes and scrapes. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Starts OpenTelemetry tracing for an app when an OTLP endpoint is configured
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), and does nothing
 * otherwise: no SDK is even loaded, so tracing off costs nothing but the checks of
 * `tracingEnabled()` (ADR 0105).
 *
 * Called by each app's entry (`dist/apps/<app>/main.js`) before the app itself is imported: the
 * http, pg and gRPC instrumentations patch those modules as they load, and under ESM they can
 * only see a module imported after the loader hook below is registered. This file therefore
 * imports nothing of the app, nor anything that loads `pg` or `http` (reading `process.env` here
 * is the exception to config-through-PlatformConfig: the config module comes with the app).
 * Kafka is not instrumented by patching kafkajs: the event bus carries the trace context in each
 * record's headers itself, on both of its adapters (libs/messaging `trace-headers.util`).
 */
export async function startTracing(
  serviceName: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<boolean> {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint === undefined || endpoint === '' || env.OTEL_SDK_DISABLED === 'true') return false;

  // Only the modules an instrumentation asks for are wrapped (not every module the app imports).
  const { register } = await import('node:module');
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const [sdk, base, exporter, resources, instrumentation, http, pg, grpc] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-grpc'),
  ]);
  // The exporter reads the endpoint, headers and timeout from the standard OTEL_EXPORTER_OTLP_*
  // variables, the batch processor its delays and sizes from OTEL_BSP_*.
  const provider = new sdk.NodeTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName }),
    spanProcessors: [new base.BatchSpanProcessor(new exporter.OTLPTraceExporter())],
  });
  // W3C trace context and an AsyncLocalStorage context manager.
  provider.register();
  instrumentation.registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new http.HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]!),
      }),
      // Statements only when a request or an event is being traced, not the pollers' idle queries.
      new pg.PgInstrumentation({ requireParentSpan: true }),
      new grpc.GrpcInstrumentation(),
    ],
  });
  await waitForAllMessagesAcknowledged();
  markTracingEnabled(() => provider.shutdown());
  return true;
}
