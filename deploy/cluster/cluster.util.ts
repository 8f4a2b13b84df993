/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment --
   The rendered manifests are YAML parsed at run time: read field by field, converted where used. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type WriteStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { freeStablePort } from '@switchboard/testing';
import type { ManifestObject } from '../helm-check/helm-check.mjs';

/**
 * A Kubernetes cluster played by processes on this machine, from the chart's rendered manifests:
 * each Deployment's pods run its container's `command` with the environment its `envFrom` and
 * `env` declare (ConfigMaps and Secrets resolved; an existing Secret the caller fills in), probed
 * as the kubelet probes them (startup, then liveness and readiness at the declared paths, periods
 * and thresholds), restarted when they die; each Service is a TCP proxy over its ready endpoints.
 *
 * What a process can't copy, translated the way Kubernetes' network does it, and nothing else:
 * - every pod has its own network namespace, so two replicas both listen on containerPort 3000;
 *   here each pod's declared container ports get host ports of their own, and an environment value
 *   equal to a declared container port number is handed the pod's host port (as a port mapping);
 * - Service DNS names (`http://sb-switchboard-history:3000`) in environment values resolve to the
 *   Service's proxy.
 * A variable the apps don't read, a wrong port or probe path still fails: the app listens
 * elsewhere, or a probe never answers.
 */

export interface Probe {
  readonly path: string;
  readonly portName: string | number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

export interface ContainerPlan {
  readonly deployment: string;
  readonly app: string;
  readonly replicas: number;
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly ports: ReadonlyMap<string, number>;
  readonly startup: Probe | undefined;
  readonly liveness: Probe | undefined;
  readonly readiness: Probe | undefined;
}

function probeOf(spec: ManifestObject | undefined): Probe | undefined {
  if (!spec) return undefined;
  if (!spec.httpGet) throw new Error(`only httpGet probes are played here, got ${JSON.stringify(spec)}`);
  return {
    path: String(spec.httpGet.path),
    portName: spec.httpGet.port as string | number,
    periodSeconds: Number(spec.periodSeconds ?? 10),
    timeoutSeconds: Number(spec.timeoutSeconds ?? 1),
    failureThreshold: Number(spec.failureThreshold ?? 3),
  };
}

/**
 * What each Deployment runs, resolved from the manifests. `existingSecrets` holds the Secrets the
 * chart was told exist (`secrets.existingSecret`), as an operator would have created them.
 */
export function planContainers(
  objects: readonly ManifestObject[],
  existingSecrets: Readonly<Record<string, Record<string, string>>> = {},
): ContainerPlan[] {
  const find = (kind: string, name: string): ManifestObject | undefined =>
    objects.find((o) => o.kind === kind && o.metadata?.name === name);
  return objects
    .filter((o) => o.kind === 'Deployment')
    .map((d) => {
      const containers = d.spec.template.spec.containers as ManifestObject[];
      if (containers.length !== 1) throw new Error(`${d.metadata.name}: one container per pod expected`);
      const c = containers[0]!;
      const env: Record<string, string> = {};
      for (const from of (c.envFrom ?? []) as ManifestObject[]) {
        if (from.configMapRef) {
          const map = find('ConfigMap', from.configMapRef.name);
          if (!map)
            throw new Error(`${d.metadata.name}: ConfigMap ${from.configMapRef.name} is not rendered`);
          Object.assign(env, map.data ?? {});
        } else if (from.secretRef) {
          const name = String(from.secretRef.name);
          const secret = find('Secret', name);
          const data = secret
            ? {
                ...Object.fromEntries(
                  Object.entries((secret.data ?? {}) as Record<string, string>).map(([k, v]) => [
                    k,
                    Buffer.from(v, 'base64').toString('utf8'),
                  ]),
                ),
                ...(secret.stringData ?? {}),
              }
            : existingSecrets[name];
          if (!data) throw new Error(`${d.metadata.name}: Secret ${name} is neither rendered nor given`);
          Object.assign(env, data);
        }
      }
      for (const e of (c.env ?? []) as ManifestObject[]) {
        if (e.value === undefined) throw new Error(`${d.metadata.name}: env ${e.name} without a value`);
        env[String(e.name)] = String(e.value);
      }
      const ports = new Map<string, number>(
        ((c.ports ?? []) as ManifestObject[]).map((p) => [String(p.name), Number(p.containerPort)]),
      );
      return {
        deployment: String(d.metadata.name),
        app: String(d.metadata.labels?.['app.kubernetes.io/name'] ?? d.metadata.name),
        replicas: Number(d.spec.replicas ?? 1),
        command: (c.command ?? []) as string[],
        env,
        ports,
        startup: probeOf(c.startupProbe),
        liveness: probeOf(c.livenessProbe),
        readiness: probeOf(c.readinessProbe),
      };
    });
}

interface ServicePlan {
  readonly name: string;
  readonly deployment: string;
  /** Service port → the container port name (or number) it targets. */
  readonly ports: ReadonlyMap<number, string | number>;
}

function planServices(objects: readonly ManifestObject[]): ServicePlan[] {
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  return objects
    .filter((o) => o.kind === 'Service')
    .map((s) => {
      const selector = (s.spec.selector ?? {}) as Record<string, string>;
      const d = deployments.find((dep) =>
        Object.entries(selector).every(([k, v]) => dep.spec.template.metadata.labels?.[k] === v),
      );
      if (!d) throw new Error(`Service ${s.metadata.name} selects no Deployment`);
      return {
        name: String(s.metadata.name),
        deployment: String(d.metadata.name),
        ports: new Map(
          ((s.spec.ports ?? []) as ManifestObject[]).map((p) => [
            Number(p.port),
            (p.targetPort ?? p.port) as string | number,
          ]),
        ),
      };
    });
}

export interface PodEvent {
  readonly at: number;
  readonly pod: string;
  readonly what: 'started' | 'ready' | 'unready' | 'exited' | 'killed' | 'liveness-restart';
  readonly detail?: string;
}

/** One replica: a process, restarted after it dies, as the kubelet does. */
export class Pod {
  child: ChildProcess | undefined;
  ready = false;
  started = false;
  restarts = 0;
  private output = '';
  /** Every line the pod printed, across its restarts (`logDir`), as `kubectl logs --previous` keeps. */
  private logFile: WriteStream | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    readonly name: string,
    readonly plan: ContainerPlan,
    /** Container port → this pod's host port. */
    readonly hostPorts: ReadonlyMap<number, number>,
    private readonly env: Readonly<Record<string, string>>,
    private readonly cluster: Cluster,
    /** The container's working directory (the image's WORKDIR): the repository by default. */
    private readonly cwd: string = process.cwd(),
    logDir?: string,
  ) {
    if (logDir !== undefined) {
      mkdirSync(logDir, { recursive: true });
      this.logFile = createWriteStream(join(logDir, `${name}.log`));
    }
  }

  hostPort(port: string | number): number {
    const containerPort = typeof port === 'number' ? port : this.plan.ports.get(port);
    const host = containerPort === undefined ? undefined : this.hostPorts.get(containerPort);
    if (host === undefined) throw new Error(`${this.name}: no container port ${port}`);
    return host;
  }

  get url(): string {
    return `http://127.0.0.1:${this.hostPort('http')}`;
  }

  logs(): string {
    return this.output;
  }

  start(): void {
    const [command, ...args] = this.plan.command;
    if (command !== 'node') throw new Error(`${this.name}: command ${command} (only node is played)`);
    // Node's own flags (the chart's `nodeArgs`), then the entry and its arguments.
    const at = args.findIndex((arg) => !arg.startsWith('-'));
    const entry = resolve(this.cwd, args[at] ?? '');
    if (at < 0) throw new Error(`${this.name}: no entry after node's flags in ${args.join(' ')}`);
    if (!existsSync(entry)) throw new Error(`${this.name}: ${args[at]} does not exist (npm run build)`);
    // The image's environment is PATH, NODE_ENV and the container's own; nothing of ours leaks in.
    const child = spawn(process.execPath, [...args.slice(0, at), entry, ...args.slice(at + 1)], {
      cwd: this.cwd,
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.started = false;
    this.ready = false;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-200_000);
      this.logFile?.write(chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.cluster.record(this.name, 'started');
    child.once('exit', (code, signal) => {
      this.ready = false;
      this.clearTimers();
      this.cluster.record(this.name, 'exited', `code ${code} signal ${signal}`);
      this.cluster.endpointsChanged();
      // restartPolicy: Always.
      if (!this.stopped) setTimeout(() => !this.stopped && this.start(), 200).unref();
    });
    this.probeLoop(child);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private schedule(ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  private async probe(p: Probe): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.hostPort(p.portName)}${p.path}`, {
        signal: AbortSignal.timeout(p.timeoutSeconds * 1000),
      });
      await response.arrayBuffer();
      return response.status >= 200 && response.status < 400;
    } catch {
      return false;
    }
  }

  private probeLoop(child: ChildProcess): void {
    const alive = () => this.child === child && child.exitCode === null && child.signalCode === null;
    const { startup, liveness, readiness } = this.plan;
    let startupFailures = 0;
    const runStartup = async () => {
      if (!alive()) return;
      if (!startup || (await this.probe(startup))) {
        this.started = true;
        this.schedule(0, () => void runReadiness());
        if (liveness) this.schedule(liveness.periodSeconds * 1000, () => void runLiveness());
        return;
      }
      if (++startupFailures >= startup.failureThreshold) return this.livenessKill(child, 'startup probe');
      this.schedule(startup.periodSeconds * 1000, () => void runStartup());
    };
    let readinessFailures = 0;
    const runReadiness = async () => {
      if (!alive() || !readiness) return;
      const ok = await this.probe(readiness);
      if (!alive()) return;
      readinessFailures = ok ? 0 : readinessFailures + 1;
      const ready = ok ? true : readinessFailures >= readiness.failureThreshold ? false : this.ready;
      if (ready !== this.ready) {
        this.ready = ready;
        this.cluster.record(this.name, ready ? 'ready' : 'unready');
        this.cluster.endpointsChanged();
      }
      this.schedule(readiness.periodSeconds * 1000, () => void runReadiness());
    };
    let livenessFailures = 0;
    const runLiveness = async () => {
      if (!alive() || !liveness) return;
      livenessFailures = (await this.probe(liveness)) ? 0 : livenessFailures + 1;
      if (livenessFailures >= liveness.failureThreshold) return this.livenessKill(child, 'liveness probe');
      this.schedule(liveness.periodSeconds * 1000, () => void runLiveness());
    };
    // The kubelet probes a starting container every period from the start.
    this.schedule(startup ? 0 : (readiness?.periodSeconds ?? 1) * 1000, () => void runStartup());
  }

  private livenessKill(child: ChildProcess, why: string): void {
    this.restarts += 1;
    this.cluster.record(this.name, 'liveness-restart', why);
    child.kill('SIGKILL');
  }

  /** `kill -9`; the pod comes back as the kubelet restarts it. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.cluster.record(this.name, 'killed');
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await new Promise((r) => (this.logFile ? this.logFile.end(r) : r(undefined)));
  }
}

/** A Service: a TCP proxy on a host port, round-robin over the ready pods, as kube-proxy does. */
class ServiceProxy {
  private next = 0;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  /** Service port → proxy host port. */
  readonly hostPorts = new Map<number, number>();

  constructor(
    readonly plan: ServicePlan,
    private readonly pods: () => readonly Pod[],
  ) {}

  async listen(): Promise<void> {
    for (const [port, target] of this.plan.ports) {
      const server = createServer((client) => this.forward(client, target));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const address = server.address();
      if (typeof address !== 'object' || !address) throw new Error('proxy did not listen');
      this.hostPorts.set(port, address.port);
      this.servers.push(server);
    }
  }

  private forward(client: Socket, target: string | number): void {
    const ready = this.pods().filter((p) => p.ready);
    if (ready.length === 0) {
      client.destroy();
      return;
    }
    const pod = ready[this.next++ % ready.length]!;
    const upstream = connect(pod.hostPort(target), '127.0.0.1');
    this.sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
  }
}

export class Cluster {
  readonly pods: Pod[] = [];
  readonly events: PodEvent[] = [];
  private readonly proxies: ServiceProxy[] = [];
  private readonly listeners = new Set<() => void>();

  private constructor(readonly plans: readonly ContainerPlan[]) {}

  /**
   * Starts every Deployment's replicas and every Service. `extraEnv` is for what the outside
   * world sets on a pod and the chart does not (none in test:cluster; LOG_LEVEL for debugging).
   */
  static async start(
    objects: readonly ManifestObject[],
    options: {
      existingSecrets?: Record<string, Record<string, string>>;
      cwd?: string;
      /** Each pod's output goes to `<logDir>/<pod>.log` as well. */
      logDir?: string;
    } = {},
  ): Promise<Cluster> {
    const plans = planContainers(objects, options.existingSecrets);
    const cluster = new Cluster(plans);
    const services = planServices(objects);
    for (const s of services) {
      const proxy = new ServiceProxy(s, () => cluster.pods.filter((p) => p.plan.deployment === s.deployment));
      await proxy.listen();
      cluster.proxies.push(proxy);
    }
    for (const plan of plans) {
      for (let i = 0; i < plan.replicas; i++) {
        const hostPorts = new Map<number, number>();
        // A killed pod restarts on its ports: none from the ephemeral range (see freeStablePort).
        for (const containerPort of plan.ports.values()) hostPorts.set(containerPort, await freeStablePort());
        const env = cluster.podEnv(plan, hostPorts);
        const pod = new Pod(
          `${plan.deployment}-${i}`,
          plan,
          hostPorts,
          env,
          cluster,
          options.cwd,
          options.logDir,
        );
        cluster.pods.push(pod);
      }
    }
    for (const pod of cluster.pods) pod.start();
    return cluster;
  }

  private podEnv(plan: ContainerPlan, hostPorts: ReadonlyMap<number, number>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(plan.env)) {
      let v = value;
      const asPort = Number(v);
      if (/^\d+$/.test(v) && hostPorts.has(asPort)) v = String(hostPorts.get(asPort));
      for (const proxy of this.proxies) {
        for (const [port, hostPort] of proxy.hostPorts) {
          v = v.split(`//${proxy.plan.name}:${port}`).join(`//127.0.0.1:${hostPort}`);
        }
      }
      env[key] = v;
    }
    return env;
  }

  record(pod: string, what: PodEvent['what'], detail?: string): void {
    this.events.push({ at: Date.now(), pod, what, ...(detail ? { detail } : {}) });
  }

  endpointsChanged(): void {
    for (const l of this.listeners) l();
  }

  podsOf(app: string): Pod[] {
    return this.pods.filter((p) => p.plan.app === app);
  }

  /** `http://127.0.0.1:<proxy>` for the Service of an app, on its `http` port. */
  serviceUrl(app: string, port = 3000): string {
    const plan = this.plans.find((p) => p.app === app);
    const proxy = this.proxies.find((p) => p.plan.deployment === plan?.deployment);
    const hostPort = proxy?.hostPorts.get(port);
    if (hostPort === undefined) throw new Error(`no Service for ${app}:${port}`);
    return `http://127.0.0.1:${hostPort}`;
  }

  async waitUntilAllReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.pods.every((p) => p.ready)) {
      if (Date.now() > deadline) {
        const waiting = this.pods.filter((p) => !p.ready);
        throw new Error(
          `not ready after ${timeoutMs} ms: ${waiting.map((p) => p.name).join(', ')}\n` +
            waiting.map((p) => `--- ${p.name}\n${p.logs().slice(-3000)}`).join('\n'),
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.pods.map((p) => p.stop()));
    await Promise.all(this.proxies.map((p) => p.close()));
  }
}
