import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { configureLogging, createLogger } from '../logging/logger.util.js';
import {
  type TraceCarrier,
  activeTraceCarrier,
  inSpan,
  inSpanContinuing,
  markTracingEnabled,
  tracingEnabled,
} from './trace-context.util.js';

function captureLogs(): () => Record<string, unknown>[] {
  const lines: string[] = [];
  configureLogging({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  return () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A carrier naming a span of another process, as a record's headers would. */
function remoteCarrier(traceId: string, spanId: string): TraceCarrier {
  return { traceparent: `00-${traceId}-${spanId}-01` };
}

describe('trace context helpers', () => {
  const exporter = new InMemorySpanExporter();

  // Runs first: until startTracing marks tracing on, every helper is a pass-through.
  it('do nothing and add nothing while tracing is off', async () => {
    const logs = captureLogs();
    expect(tracingEnabled()).toBe(false);
    const result = await inSpan('work', {}, () => {
      createLogger('test').info('inside');
      return Promise.resolve(activeTraceCarrier());
    });
    expect(result).toBeUndefined();
    expect(logs()[0]).not.toHaveProperty('trace_id');
  });

  describe('with tracing on', () => {
    beforeAll(() => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
      );
      markTracingEnabled(() => Promise.resolve());
    });
    afterAll(() => {
      trace.disable();
      context.disable();
      propagation.disable();
    });
    beforeEach(() => exporter.reset());

    it('names the active span in log lines and in the carrier an event takes along', async () => {
      const logs = captureLogs();
      const carrier = await inSpan('webhook', {}, () => {
        createLogger('test').info('inside');
        return Promise.resolve(activeTraceCarrier());
      });
      createLogger('test').info('outside');
      const [span] = exporter.getFinishedSpans();
      expect(carrier).toEqual({
        traceparent: `00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01`,
      });
      expect(logs()[0]).toMatchObject({
        trace_id: span!.spanContext().traceId,
        span_id: span!.spanContext().spanId,
      });
      expect(logs()[1]).not.toHaveProperty('trace_id');
    });

    it('continues the one span every record came from, as its child', async () => {
      const carrier = remoteCarrier('a'.repeat(32), 'b'.repeat(16));
      await inSpanContinuing('process inbound', [carrier, carrier], {}, () => Promise.resolve());
      const [span] = exporter.getFinishedSpans();
      expect(span!.spanContext().traceId).toBe('a'.repeat(32));
      expect(span!.parentSpanContext?.spanId).toBe('b'.repeat(16));
      expect(span!.links).toEqual([]);
    });

    it('starts a trace linked to each span when the records came from several', async () => {
      const first = remoteCarrier('1'.repeat(32), '2'.repeat(16));
      const second = remoteCarrier('3'.repeat(32), '4'.repeat(16));
      await inSpan('outer', {}, () =>
        inSpanContinuing('process inbound', [first, undefined, second], {}, () => Promise.resolve()),
      );
      const span = exporter.getFinishedSpans().find((s) => s.name === 'process inbound')!;
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.links.map((l) => l.context.spanId)).toEqual(['2'.repeat(16), '4'.repeat(16)]);
    });

    it('is a child of the active span when the records carry no trace (or a malformed one)', async () => {
      await inSpan('outer', {}, () =>
        inSpanContinuing('process inbound', [undefined, { traceparent: 'nonsense' }], {}, () =>
          Promise.resolve(),
        ),
      );
      const outer = exporter.getFinishedSpans().find((s) => s.name === 'outer')!;
      const inner = exporter.getFinishedSpans().find((s) => s.name === 'process inbound')!;
      expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
      expect(trace.getSpanContext(ROOT_CONTEXT)).toBeUndefined();
    });

    it('records a failure on the span and rethrows it', async () => {
      await expect(inSpan('send', {}, () => Promise.reject(new Error('broker down')))).rejects.toThrow(
        'broker down',
      );
      const [span] = exporter.getFinishedSpans();
      expect(span!.status).toMatchObject({ code: 2, message: 'broker down' });
    });
  });
});
