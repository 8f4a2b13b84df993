import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import WebSocket from 'ws';

export type KafkaBrokerModule = typeof import('../deploy/local/kafka/kafka-broker.mjs');
export type KafkaPerfModule = typeof import('../deploy/local/kafka/kafka-perf.mjs');

/** deploy/ holds plain JS that tsc does not copy to dist/: load it from the project root. */
export async function loadDeployModule<T>(relative: string): Promise<T> {
  return (await import(pathToFileURL(resolve(relative)).href)) as T;
}

/** How production runs one app: its Node flags and its own variables, from the tree's Helm chart. */
export interface ChartAppSettings {
  /** `apps.<app>.nodeArgs`: Node's flags, before the entry. */
  readonly nodeArgs: readonly string[];
  /** `apps.<app>.env`: the app's own variables, over `config`'s. */
  readonly env: Readonly<Record<string, string>>;
}

interface ChartValues {
  config?: Record<string, unknown>;
  apps?: Record<string, { nodeArgs?: unknown[]; env?: Record<string, unknown> } | undefined>;
}

let chartValuesRead: ChartValues | undefined;
/** The Helm chart's values of the tree the benchmark runs in (helm/switchboard/values.yaml), read once. */
function chartValues(): ChartValues {
  chartValuesRead ??= yaml.load(readFileSync('helm/switchboard/values.yaml', 'utf8')) as ChartValues;
  return chartValuesRead;
}

const asText = (vars: Record<string, unknown> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(vars ?? {}).map(([name, value]) => [name, String(value)]));

/**
 * An app's settings in the chart, so that a benchmark starts it as a pod would: `nodeArgs` before
 * its entry, its own `env` in its environment. Throws for an app the chart does not have.
 */
export function chartAppSettings(app: string): ChartAppSettings {
  const entry = chartValues().apps?.[app];
  if (entry === undefined) throw new Error(`the chart has no app ${app}`);
  return { nodeArgs: (entry.nodeArgs ?? []).map(String), env: asText(entry.env) };
}

/**
 * The chart's `config`: every app's variables, a production cluster's (its brokers, replication
 * factor, timeouts). A benchmark picks what it means to follow, e.g. the default `KAFKA_CLIENT`.
 */
export function chartConfig(): Readonly<Record<string, string>> {
  return asText(chartValues().config);
}

/**
 * A running broker: the one in KAFKA_BROKERS, or a fresh one the benchmark starts and stops. `pid`:
 * its JVM, where it runs on this machine (one started here, or one the broker script started on
 * that loopback port), for the benchmarks that print what it costs the broker.
 */
export async function useBroker(): Promise<{
  brokers: string;
  pid: number | undefined;
  stop: () => Promise<void>;
}> {
  const module = await loadDeployModule<KafkaBrokerModule>('deploy/local/kafka/kafka-broker.mjs');
  // A benchmark is a script at the edge, like main.ts: it may read its environment.
  const configured = process.env.KAFKA_BROKERS;
  if (configured) {
    const port = /^(?:127\.0\.0\.1|localhost):(\d+)$/.exec(configured)?.[1];
    return {
      brokers: configured,
      pid: port === undefined ? undefined : module.runningBrokerPid(Number(port)),
      stop: () => Promise.resolve(),
    };
  }
  process.stdout.write('starting a Kafka broker (KAFKA_BROKERS unset)…\n');
  const broker = await module.startBroker();
  return { brokers: broker.brokers, pid: broker.pid, stop: () => broker.stop() };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => cell.padEnd(widths[col]!)).join('  ')).join('\n');
}

export const fmt = (n: number, digits = 1) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';

/** Linux's clock ticks per second for /proc's CPU times (`getconf CLK_TCK`; 100 on every kernel Node runs on here). */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** The pids of every process whose command name is `name` (e.g. every PostgreSQL backend). */
export function pidsNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * What each process on the path costs: CPU seconds used between `start()` and `take()`, by name.
 * `named` groups sum every process of that command name alive at either end (PostgreSQL's backends
 * come and go); on a shared machine they count other work of that name too.
 */
export function cpuMeter(processes: Record<string, number>, named: Record<string, string> = {}) {
  const read = () => {
    const by = new Map<string, Map<number, number>>();
    for (const [label, pid] of Object.entries(processes))
      by.set(label, new Map([[pid, processCpuSeconds(pid)]]));
    for (const [label, name] of Object.entries(named))
      by.set(label, new Map(pidsNamed(name).map((pid) => [pid, processCpuSeconds(pid)])));
    by.set('this benchmark', new Map([[process.pid, processCpuSeconds(process.pid)]]));
    return by;
  };
  let before = read();
  return {
    start: () => void (before = read()),
    /** CPU seconds by label since `start()`. */
    take: (): Map<string, number> => {
      const after = read();
      const used = new Map<string, number>();
      for (const [label, pids] of after) {
        let seconds = 0;
        for (const [pid, now] of pids) seconds += now - (before.get(label)?.get(pid) ?? 0);
        used.set(label, Math.max(0, seconds));
      }
      before = after;
      return used;
    },
  };
}

/**
 * How busy the whole machine was between `start()` and `take()`: the share of all its cores' time
 * not idle (nor waiting on I/O), from /proc/stat. Near 100 %, every process on the path waits for a
 * core and latencies are the machine's queue.
 */
export function machineMeter(procStat: () => string = () => readFileSync('/proc/stat', 'utf8')) {
  const read = () => {
    // The first line sums every core: user nice system idle iowait irq softirq steal …
    const ticks = procStat().split('\n', 1)[0]!.split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((sum, n) => sum + n, 0);
    return { total, idle: ticks[3]! + ticks[4]! };
  };
  let before = read();
  return {
    start: () => void (before = read()),
    /** The share (0–1) of the machine's core time that was busy since `start()`. */
    take: (): number => {
      const after = read();
      const total = after.total - before.total;
      const busy = total - (after.idle - before.idle);
      before = after;
      return total > 0 ? busy / total : Number.NaN;
    },
  };
}

/**
 * An app's memory live after a full garbage collection (V8's heap and Buffers' memory outside it),
 * through its inspector (`--inspect` on loopback, its address read from the app's output):
 * resident size alone counts garbage the next collection would free. With `snapshotFile`, a heap
 * snapshot is written there after the collection.
 */
export async function liveMemoryAfterCollection(appOutput: string, snapshotFile?: string): Promise<number> {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(appOutput)?.[1];
  if (url === undefined) throw new Error("the app's inspector address was not printed");
  const inspector = new WebSocket(url);
  await new Promise((resolve, reject) => inspector.once('open', resolve).once('error', reject));
  const chunks: string[] = [];
  inspector.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as { method?: string; params?: { chunk?: string } };
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(message.params?.chunk ?? '');
  });
  let next = 0;
  const call = (method: string, params: object = {}) =>
    new Promise<{ result?: { value?: string } }>((resolve) => {
      const id = ++next;
      const onMessage = (data: Buffer) => {
        const reply = JSON.parse(data.toString('utf8')) as {
          id?: number;
          result?: { result?: { value?: string } };
        };
        if (reply.id !== id) return;
        inspector.off('message', onMessage);
        resolve(reply.result ?? {});
      };
      inspector.on('message', onMessage);
      inspector.send(JSON.stringify({ id, method, params }));
    });
  try {
    // Twice: what the first one's finalizers released goes in the second.
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const { result } = await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    const usage = JSON.parse(result?.value ?? '{}') as { heapUsed: number; external: number };
    if (snapshotFile !== undefined) {
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      writeFileSync(snapshotFile, chunks.join(''));
    }
    return usage.heapUsed + usage.external;
  } finally {
    inspector.close();
  }
}
