import {
  type Attributes,
  type Link,
  type SpanContext,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  propagation,
  trace,
} from '@opentelemetry/api';

/**
 * The W3C trace-context fields (`traceparent`, and `tracestate` when there is one) of a span, as
 * strings: what crosses a boundary the process's own context can't (a Kafka header, a row of an
 * outbox or a journal) so that the other side continues the same trace.
 */
export type TraceCarrier = Readonly<Record<string, string>>;

/** Span links past this many are dropped: a batch of 500 events from 500 traces is one span. */
const MAX_LINKS = 128;

let enabled = false;
let flush: (() => Promise<void>) | undefined;

/** Whether `startTracing` installed an exporter. Everything here is a no-op until then. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** Called once by `startTracing` (or a test that installs its own provider), with what flushes the spans still buffered at shutdown. */
export function markTracingEnabled(flushSpans: () => Promise<void>): void {
  enabled = true;
  flush = flushSpans;
}

/** Exports the spans still buffered (at shutdown, before the process exits). */
export async function flushTracing(): Promise<void> {
  await flush?.().catch(() => undefined);
}

/** The carrier of the active span, or undefined when there is none (always, with tracing off). */
export function activeTraceCarrier(): TraceCarrier | undefined {
  if (!enabled || trace.getActiveSpan() === undefined) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent === undefined ? undefined : carrier;
}

/** `trace_id` and `span_id` of the active span, for log lines; undefined when there is none. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  if (!enabled) return undefined;
  const span = trace.getActiveSpan()?.spanContext();
  if (span === undefined || !isSpanContextValid(span)) return undefined;
  return { trace_id: span.traceId, span_id: span.spanId };
}

/** The span a carrier names, or undefined when it names none (absent, malformed). */
export function spanContextOf(carrier: TraceCarrier | undefined): SpanContext | undefined {
  if (carrier?.traceparent === undefined) return undefined;
  const span = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
  return span !== undefined && isSpanContextValid(span) ? span : undefined;
}

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
}

/**
 * Runs `work` in a span that continues what it handles: events (or journal entries) that came with
 * `carriers`. When they all came from one span, this span is its child, and the trace goes on
 * across the hop. When they came from several (a batch under load), no one parent is right: the
 * span starts a trace of its own and links to each of them (OpenTelemetry's messaging convention
 * for batches). With none, it is a child of the active span, if any. Tracing off: `work()`, as is.
 */
export async function inSpanContinuing<T>(
  name: string,
  carriers: Iterable<TraceCarrier | undefined>,
  options: SpanOptions,
  work: () => Promise<T>,
): Promise<T> {
  if (!enabled) return work();
  const distinct = new Map<string, SpanContext>();
  for (const carrier of carriers) {
    const span = spanContextOf(carrier);
    if (span !== undefined) distinct.set(`${span.traceId}-${span.spanId}`, span);
  }
  const [only] = distinct.values();
  let parent = context.active();
  let links: Link[] = [];
  if (distinct.size === 1) parent = trace.setSpanContext(ROOT_CONTEXT, only!);
  else if (distinct.size > 1) {
    parent = ROOT_CONTEXT;
    links = [...distinct.values()].slice(0, MAX_LINKS).map((span) => ({ context: span }));
  }
  return inSpan(name, { ...options, links }, work, parent);
}

/** Runs `work` in a span, a child of the active one (or of `parent`); tracing off: `work()`. */
export async function inSpan<T>(
  name: string,
  options: SpanOptions & { readonly links?: Link[] },
  work: () => Promise<T>,
  parent = context.active(),
): Promise<T> {
  if (!enabled) return work();
  const span = trace
    .getTracer('switchboard')
    .startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links },
      parent,
    );
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : undefined,
    });
    throw error;
  } finally {
    span.end();
  }
}

/** Like `inSpan` for synchronous work (a WebSocket frame sent). */
export function inSpanSync<T>(name: string, options: SpanOptions, work: () => T): T {
  if (!enabled) return work();
  const parent = context.active();
  const span = trace
    .getTracer('switchboard')
    .startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  try {
    return context.with(trace.setSpan(parent, span), work);
  } finally {
    span.end();
  }
}

export { SpanKind };
