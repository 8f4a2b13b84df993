// Types for kafka-broker.mjs (plain JS so that it runs without a build), for TypeScript callers.

export const KAFKA_VERSION: string;

export interface RunningBroker {
  /** Bootstrap address, `127.0.0.1:PORT`. */
  brokers: string;
  /** The broker's JVM. */
  pid: number;
  /** The broker's directory: config, data, logs. */
  dir: string;
  /** The broker's log4j log. */
  logFile: string;
  /** SIGTERM, SIGKILL after a grace period, then remove `dir` unless the caller gave it. */
  stop(): Promise<void>;
}

export function startBroker(options?: { dataDir?: string; port?: number }): Promise<RunningBroker>;

/** Fetches the jars into the cache unless there; resolves to the libs directory. */
export function ensureJars(): Promise<string>;

export function cacheRoot(): string;

/** The JVM of the broker this script started on `port` (`start --port`), while it still runs. */
export function runningBrokerPid(port: number): number | undefined;

export function classpath(libsDir: string): string;

export function findJava(): string;

export interface ClusterNode {
  nodeId: number;
  /** This node's bootstrap address. */
  brokers: string;
  /** The node's JVM while it runs. */
  pid(): number | undefined;
  /** `kill -9`, resolved once the JVM is gone. */
  kill(): Promise<void>;
  /** Starts it again on its data (after kill or stop). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface RunningCluster {
  /** Every node's address, comma-separated (KAFKA_BROKERS). */
  brokers: string;
  nodes: ClusterNode[];
  /** Stops every node and removes the cluster's files. */
  stop(): Promise<void>;
}

/** A KRaft cluster of `nodes` (default 3) on loopback: replication factor 3, min.insync.replicas 2. */
export function startCluster(options?: { nodes?: number }): Promise<RunningCluster>;
