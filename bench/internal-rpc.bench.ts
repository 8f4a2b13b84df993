/**
 * `npm run bench:internal-rpc`: one port method (`getConversation` of the in-memory history double,
 * a ConversationView of 16 fields) through internal RPC as the apps run it when each is alone
 * (ADR 0004: `createInternalRpcClient`, a `ClientProxy` of @nestjs/microservices' TCP transport,
 * against `InternalRpcModule.serve` opened by `listenInternalRpc`), beside the same call in process
 * (what the standalone composition does). Same port, same payload, same run; N sequential calls for
 * latency, then the same calls C at a time for throughput.
 */
import { historyApiPort } from '@switchboard/contracts';
import { InMemoryHistory, overInternalRpc } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { fmt, formatTable, percentile } from './bench.util.js';

const CALLS = Number(process.argv[2] ?? 3_000);
const CONCURRENCY = Number(process.argv[3] ?? 32);

const history = new InMemoryHistory();
const workspace = randomUUID();
const conversation = history.addConversation(workspace, {
  channel: 'sms',
  lastMessagePreview: 'Is it in stock?',
});

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
  // Served as history alone serves it (InternalRpcModule.serve, listenInternalRpc), called as the
  // inbox and the gRPC API call it (createInternalRpcClient).
  const remote = await overInternalRpc(historyApiPort, history);

  const inProcess: Call = () => history.getConversation(workspace, conversation.id);
  const overTcp: Call = () => remote.api.getConversation(workspace, conversation.id);
  // Both answer the same view.
  const [a, b] = await Promise.all([inProcess(), overTcp()]);
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('the two paths answered differently');

  const rows: string[][] = [['path', 'p50 ms', 'p99 ms', `calls/s at ${CONCURRENCY} in flight`]];
  for (const [name, call] of [
    ['in process (standalone)', inProcess],
    ['internal RPC, @nestjs/microservices TCP', overTcp],
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

  await remote.close();
}

await main();
