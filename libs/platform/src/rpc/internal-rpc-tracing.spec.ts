import { Module, type INestApplication } from '@nestjs/common';
import { ClientTCP } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { NotFoundError, type ServicePort } from '@switchboard/contracts';
import {
  createInternalRpcClient,
  defineConfig,
  inSpan,
  type InternalRpcClient,
  InternalRpcModule,
  internalRpcVariables,
  listenInternalRpc,
  markTracingEnabled,
  PlatformConfigModule,
} from '@switchboard/platform';
import { firstValueFrom } from 'rxjs';

/** A port of the test's own whose implementation starts a span of its own inside the call. */
interface EchoApi {
  echo(text: string): Promise<{ text: string }>;
  missing(id: string): Promise<void>;
}
const ECHO_API = Symbol('EchoApi');
const echoPort: ServicePort<EchoApi> = { name: 'echo', token: ECHO_API, methods: ['echo', 'missing'] };
const echo: EchoApi = {
  echo: (text) => inSpan('echo work', {}, () => Promise.resolve({ text })),
  missing: (id) => Promise.reject(new NotFoundError(`thing ${id}`)),
};

@Module({ providers: [{ provide: ECHO_API, useValue: echo }], exports: [ECHO_API] })
class EchoModule {}

const TOKEN = 'a-test-token-that-is-at-least-32-characters-long';
const RpcTestConfig = defineConfig(internalRpcVariables, 'RpcTracingTestConfig');

/**
 * Internal RPC carries the caller's trace context (ADR 0105): the client's call is a CLIENT span,
 * the serving app's handling a SERVER span that is its child, over real TCP. Client and server
 * share this process's tracer, as two apps share one collector.
 */
describe('internal RPC spans', () => {
  const exporter = new InMemorySpanExporter();
  let app: INestApplication;
  let url: string;
  let client: InternalRpcClient<EchoApi>;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    markTracingEnabled(() => Promise.resolve());
    const moduleRef = await Test.createTestingModule({
      imports: [
        PlatformConfigModule.forRoot(RpcTestConfig, { overrides: { INTERNAL_API_TOKEN: TOKEN } }),
        InternalRpcModule.serve(echoPort, [EchoModule]),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    url = (await listenInternalRpc(app, { port: 0 }))!;
    await app.init();
    client = createInternalRpcClient(echoPort, { url, token: TOKEN });
  });
  afterAll(async () => {
    client.close();
    await app.close();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => exporter.reset());

  const named = (name: string): ReadableSpan => {
    const span = exporter.getFinishedSpans().find((s) => s.name === name);
    if (span === undefined)
      throw new Error(
        `no span ${name} in ${exporter
          .getFinishedSpans()
          .map((s) => s.name)
          .join(', ')}`,
      );
    return span;
  };

  it("makes the server's span a child of the client's, under the caller's span, one trace", async () => {
    await expect(inSpan('caller', {}, () => client.api.echo('hi'))).resolves.toEqual({ text: 'hi' });
    const caller = named('caller');
    const clientSpan = exporter
      .getFinishedSpans()
      .find((s) => s.name === 'echo/echo' && s.kind === SpanKind.CLIENT)!;
    const serverSpan = exporter
      .getFinishedSpans()
      .find((s) => s.name === 'echo/echo' && s.kind === SpanKind.SERVER)!;
    const work = named('echo work');
    expect(clientSpan).toBeDefined();
    expect(serverSpan).toBeDefined();
    expect(clientSpan.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(serverSpan.parentSpanContext?.isRemote).toBe(true);
    expect(work.parentSpanContext?.spanId).toBe(serverSpan.spanContext().spanId);
    const traceIds = new Set([caller, clientSpan, serverSpan, work].map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    expect(serverSpan.attributes).toMatchObject({ 'rpc.service': 'echo', 'rpc.method': 'echo' });
  });

  it('marks both spans failed when the call throws, and the error still crosses as itself', async () => {
    await expect(client.api.missing('x')).rejects.toBeInstanceOf(NotFoundError);
    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'echo/missing');
    expect(spans.map((s) => s.kind).sort()).toEqual([SpanKind.SERVER, SpanKind.CLIENT].sort());
    for (const span of spans) expect(span.status.code).toBe(2); // SpanStatusCode.ERROR
    const [server] = spans.filter((s) => s.kind === SpanKind.SERVER);
    const [callerSide] = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(server!.parentSpanContext?.spanId).toBe(callerSide!.spanContext().spanId);
  });

  it('starts a new trace on the server when the payload carries a malformed context, and still answers', async () => {
    const raw = new ClientTCP({ host: '127.0.0.1', port: Number(new URL(url).port) });
    try {
      const answer = await firstValueFrom(
        raw.send(
          { port: 'echo', method: 'echo' },
          { token: TOKEN, argc: 1, args: { 0: 'raw' }, trace: { traceparent: 'nonsense', extra: 42 } },
        ),
      );
      expect(answer).toEqual({ text: 'raw' });
    } finally {
      raw.close();
    }
    const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER)!;
    expect(server).toBeDefined();
    expect(server.parentSpanContext).toBeUndefined();
  });
});
