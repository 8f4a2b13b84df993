/**
 * `npm run bench:internal-rpc`: one port method (`getConversation` of the in-memory history double,
 * a ConversationView of 16 fields) called across processes' worth of transport, in one process:
 * today's internal RPC (HTTP + JSON, `createInternalRpcClient` against `InternalRpcModule.serve`)
 * beside @nestjs/microservices' TCP transport (a `ClientProxy` sending a message pattern to a
 * `@MessagePattern` handler, the token in the payload). Same port, same payload, same run; N
 * sequential calls for latency, then the same calls C at a time for throughput. What ADR 0004
 * weighs when it decides the transport.
 */
import { Controller, Module, type INestApplication, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientProxyFactory,
  MessagePattern,
  Payload,
  RpcException,
  Transport,
  type ClientProxy,
} from '@nestjs/microservices';
import { HISTORY_API, type HistoryApi, historyApiPort } from '@switchboard/contracts';
import {
  createInternalRpcClient,
  defineConfig,
  InternalRpcModule,
  internalRpcVariables,
  PlatformConfigModule,
} from '@switchboard/platform';
import { InMemoryHistory } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, timeout } from 'rxjs';
import { fmt, formatTable, percentile } from './bench.util.js';

const CALLS = Number(process.argv[2] ?? 3_000);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const TOKEN = 'a-bench-token-that-is-at-least-32-characters-long';
const BenchConfig = defineConfig(internalRpcVariables, 'BenchConfig');

const history = new InMemoryHistory();
const workspace = randomUUID();
const conversation = history.addConversation(workspace, {
  channel: 'sms',
  lastMessagePreview: 'Is it in stock?',
});

@Module({ providers: [{ provide: HISTORY_API, useValue: history }], exports: [HISTORY_API] })
class HistoryDoubleModule {}

@Controller()
class TcpHistoryController {
  @MessagePattern({ port: 'history', method: 'getConversation' })
  async getConversation(@Payload() data: { token: string; args: [string, string] }) {
    if (data.token !== TOKEN) throw new RpcException({ code: 'PERMISSION_DENIED', message: 'token' });
    return history.getConversation(...data.args);
  }
}

@Module({ controllers: [TcpHistoryController] })
class TcpHistoryModule {}

type Call = () => Promise<unknown>;

async function measure(call: Call): Promise<{ sequential: number[]; perSecond: number }> {
  for (let i = 0; i < 200; i++) await call();
  const sequential: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await call();
    sequential.push(performance.now() - started);
  }
  sequential.sort((a, b) => a - b);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < CALLS) await call();
    }),
  );
  return { sequential, perSecond: CALLS / ((performance.now() - started) / 1000) };
}

async function main(): Promise<void> {
  const http: INestApplication = await NestFactory.create(
    {
      module: class HttpBenchModule {},
      imports: [
        PlatformConfigModule.forRoot(BenchConfig, { overrides: { INTERNAL_API_TOKEN: TOKEN } }),
        InternalRpcModule.serve(historyApiPort, [HistoryDoubleModule]),
      ],
    },
    { logger: false },
  );
  await http.listen(0, '127.0.0.1');
  const httpPort = ((http.getHttpServer() as import('node:http').Server).address() as AddressInfo).port;
  const httpClient: HistoryApi = createInternalRpcClient(historyApiPort, {
    baseUrl: `http://127.0.0.1:${httpPort}`,
    token: TOKEN,
  });

  const tcp: INestMicroservice = await NestFactory.createMicroservice(TcpHistoryModule, {
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port: 0 },
    logger: false,
  });
  await tcp.listen();
  const tcpAddress = (tcp.unwrap<import('node:net').Server>().address() as AddressInfo).port;
  const tcpClient: ClientProxy = ClientProxyFactory.create({
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port: tcpAddress },
  });
  await tcpClient.connect();

  const viaHttp: Call = () => httpClient.getConversation(workspace, conversation.id);
  const viaTcp: Call = () =>
    firstValueFrom(
      tcpClient
        .send(
          { port: 'history', method: 'getConversation' },
          { token: TOKEN, args: [workspace, conversation.id] },
        )
        .pipe(timeout(10_000)),
    );
  // Both answer the same view.
  const [a, b] = await Promise.all([viaHttp(), viaTcp()]);
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('the transports answered differently');

  const rows: string[][] = [['transport', 'p50 ms', 'p99 ms', `calls/s at ${CONCURRENCY} in flight`]];
  for (const [name, call] of [
    ['HTTP + JSON (today)', viaHttp],
    ['@nestjs/microservices TCP', viaTcp],
  ] as const) {
    const { sequential, perSecond } = await measure(call);
    rows.push([
      name,
      fmt(percentile(sequential, 50), 3),
      fmt(percentile(sequential, 99), 3),
      fmt(perSecond, 0),
    ]);
  }
  console.log(`internal RPC, ${CALLS} calls of HistoryApi.getConversation each, one process:`);
  console.log(formatTable(rows));

  tcpClient.close();
  await tcp.close();
  await http.close();
}

await main();
