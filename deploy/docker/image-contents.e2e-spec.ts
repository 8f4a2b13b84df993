import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { builtinModules } from 'node:module';
import { type TestDatabase, createTestDatabase, testRunId } from '@switchboard/testing';
import { renderChart } from '../helm-check/helm-check.mjs';
import { Cluster } from '../cluster/cluster.util.js';

/**
 * The image (deploy/docker/Dockerfile) without a container runtime in CI: the Dockerfile checked
 * by rules that matter for the chart (hadolint is not in Debian), and what its final stage copies
 * staged into a directory of its own, from which every app starts as the chart starts it and gets
 * ready on the real broker and PostgreSQL. An app that reads a file the image lacks, or imports a
 * package `npm prune --omit=dev` removes, fails here. `deploy/docker/build-local-image.sh` builds
 * and runs the real image with podman where a machine allows it.
 */

interface Instruction {
  readonly op: string;
  readonly args: string;
}

function stages(dockerfile: string): Instruction[][] {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const result: Instruction[][] = [];
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    if (op.toUpperCase() === 'FROM') result.push([]);
    result.at(-1)?.push({ op: op.toUpperCase(), args: rest.join(' ') });
  }
  return result;
}

const DOCKERFILE = readFileSync('deploy/docker/Dockerfile', 'utf8');
const STAGES = stages(DOCKERFILE);
const FINAL = STAGES.at(-1)!;

describe('the image: Dockerfile rules', () => {
  it('pins every base by tag, never latest, and builds with npm ci', () => {
    for (const stage of STAGES) {
      const image = stage[0]!.args.split(/\s+/)[0]!;
      expect(image).toMatch(/:[\w.-]+$/);
      expect(image).not.toMatch(/:latest$/);
    }
    const runs = STAGES.flat().filter((i) => i.op === 'RUN');
    expect(runs.some((r) => /npm ci\b/.test(r.args))).toBe(true);
    expect(runs.some((r) => /npm install\b/.test(r.args))).toBe(false);
    expect(runs.some((r) => /--omit=dev/.test(r.args))).toBe(true);
    expect(STAGES.flat().filter((i) => i.op === 'ADD')).toEqual([]);
  });

  it('runs as the non-root user the chart expects, in exec form, exposing the chart’s ports', () => {
    // node images' `node` user is uid 1000: the chart's runAsUser and runAsNonRoot.
    expect(FINAL.filter((i) => i.op === 'USER').map((i) => i.args)).toEqual(['node']);
    const cmd = FINAL.find((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT')!;
    // Exec form: node is PID 1's child-free process and receives SIGTERM (the apps drain on it).
    expect(() => JSON.parse(cmd.args) as unknown).not.toThrow();
    const exposed = FINAL.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(exposed).toEqual(expect.arrayContaining(['3000', '50051']));
    expect(FINAL.find((i) => i.op === 'ENV')?.args).toMatch(/NODE_ENV=production/);
  });
});

describe('the image: what the final stage copies is all the apps need', () => {
  const workdir = FINAL.find((i) => i.op === 'WORKDIR')!.args;
  const copies = FINAL.filter((i) => i.op === 'COPY').map((i) => {
    const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    const dest = parts.pop()!;
    return { sources: parts.map((p) => p.replace(new RegExp(`^${workdir}/`), '')), dest };
  });
  let staged: string;
  let database: TestDatabase;
  let cluster: Cluster | undefined;

  beforeAll(async () => {
    staged = await mkdtemp(join(tmpdir(), 'switchboard-image-'));
    for (const { sources, dest } of copies) {
      for (const source of sources) {
        expect(existsSync(source)).toBe(true);
        const target = resolve(staged, dest.endsWith('/') || sources.length > 1 ? join(dest, source) : dest);
        // node_modules as it is here (the import check below stands in for the prune); the rest
        // copied, so that a file the image lacks is missing here too.
        if (source === 'node_modules') await symlink(resolve(source), target);
        else await cp(source, target, { recursive: true });
      }
    }
    database = await createTestDatabase('image');
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await database?.drop();
    if (staged) await rm(staged, { recursive: true, force: true });
  }, 60_000);

  it('imports no package that `npm prune --omit=dev` removes', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    const devImports = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        // `from '…'` inside a string or comment is prose, not an import.
        if (!/^[@\w.][\w@./:-]*$/.test(spec)) continue;
        if (spec.startsWith('.')) {
          const next = resolve(dirname(file), spec);
          if (existsSync(next)) visit(next);
          continue;
        }
        if (spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        const entry = lock.packages[`node_modules/${name}`];
        if (!entry) devImports.add(`${name} (not in package-lock.json)`);
        else if (entry.dev === true) devImports.add(name);
      }
    };
    for (const app of [
      'history',
      'routing',
      'channel-sms',
      'channel-web',
      'channel-social',
      'inbox',
      'grpc-api',
      'bot',
      'reporting',
      'standalone',
    ]) {
      visit(resolve(staged, 'dist/apps', app, 'main.js'));
    }
    expect(seen.size).toBeGreaterThan(100);
    expect([...devImports]).toEqual([]);
  });

  it('starts every app from the staged image contents, as the chart starts it, and each gets ready', async () => {
    const objects = await renderChart({
      values: {
        config: {
          KAFKA_BROKERS: process.env.KAFKA_BROKERS,
          KAFKA_TOPIC_PREFIX: `${testRunId()}.image-${randomBytes(3).toString('hex')}.`,
          KAFKA_REPLICATION_FACTOR: '1',
          KAFKA_PARTITIONS: '2',
          LOG_LEVEL: 'warn',
          // No bucket in this test: attachments on the pod's disk.
          ATTACHMENT_STORAGE: 'filesystem',
          SWITCHBOARD_DATA_DIR: join(staged, '.data'),
        },
        secrets: {
          DATABASE_URL: database.url,
          SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          INTERNAL_API_TOKEN: randomBytes(32).toString('hex'),
        },
        apps: Object.fromEntries(
          [
            'history',
            'routing',
            'channel-sms',
            'channel-web',
            'channel-social',
            'inbox',
            'grpc-api',
            'bot',
            'reporting',
          ].map((a) => [a, { replicas: 1 }]),
        ),
      },
    });
    await writeFile(join(staged, 'rendered.json'), JSON.stringify(objects));
    cluster = await Cluster.start(objects, { cwd: staged });
    await cluster.waitUntilAllReady(240_000);
    expect(cluster.pods.map((p) => p.plan.app).sort()).toEqual(
      [
        'bot',
        'channel-sms',
        'channel-social',
        'channel-web',
        'grpc-api',
        'history',
        'inbox',
        'reporting',
        'routing',
      ].sort(),
    );
  }, 360_000);
});
