#!/usr/bin/env node
// @ts-check
/**
 * `npm run helm:check`: the chart in helm/switchboard rendered and linted by real Helm (Helm's Go
 * library from Maven Central, com.marcnuri.helm-java, driven by HelmRunner.java), for the default
 * values and for each helm/switchboard/ci/*-values.yaml; then every rendered object validated
 * against Kubernetes' published schemas (the kubernetes-models package: types, required fields,
 * enums, formats), with unknown fields refused as `kubectl apply`'s strict validation does, and
 * checked for what a schema can't see (selectors that select, probes on declared ports, …).
 *
 * Prints one `helm-check: PASS …` or `helm-check: FAIL …` line per check and ends with
 * `helm-check: N passed, N failed` (.ci/run counts them); exits non-zero on any failure.
 *
 * Library (for test:cluster): `renderChart({ values })` resolves to the parsed objects.
 *
 * Plain JavaScript on purpose, as deploy/local/kafka: it runs before (and without) a build.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import yaml from 'js-yaml';
import { findJava } from '../local/kafka/kafka-broker.mjs';

export const HELM_JAVA_VERSION = '0.0.21';
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CHART_DIR = path.resolve(HERE, '../../helm/switchboard');
const POM = path.join(HERE, 'pom.xml');
const RUNNER = path.join(HERE, 'HelmRunner.java');
const STAMP_FILE = '.pom-sha256';
const require = createRequire(import.meta.url);

/** `${XDG_CACHE_HOME:-~/.cache}/switchboard/helm-java-0.0.21`, shared by every clone. */
function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'switchboard', `helm-java-${HELM_JAVA_VERSION}`);
}

/**
 * Fetches helm-java and its linux-amd64 native library with Maven into the cache unless there;
 * the set appears by an atomic rename, so a concurrent or interrupted fetch leaves no half set.
 * @returns {Promise<string>} the libs directory
 */
export async function ensureHelmJars() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`helm-check runs Helm's linux-amd64 build; this is ${process.platform}-${process.arch}`);
  }
  const root = cacheRoot();
  const libs = path.join(root, 'libs');
  const stamp = createHash('sha256').update(fs.readFileSync(POM)).digest('hex');
  const complete = () => {
    try {
      return fs.readFileSync(path.join(libs, STAMP_FILE), 'utf8') === stamp;
    } catch {
      return false;
    }
  };
  if (complete()) return libs;
  await fsp.mkdir(root, { recursive: true });
  const staging = await fsp.mkdtemp(path.join(root, 'libs.staging-'));
  try {
    process.stderr.write(`helm-check: fetching helm-java ${HELM_JAVA_VERSION} with Maven into ${libs}\n`);
    const args = ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', '-DincludeScope=runtime'];
    const { code, output } = await run('mvn', [...args, `-DoutputDirectory=${staging}`]);
    if (code !== 0) throw new Error(`mvn ${args.join(' ')} failed (exit ${code}):\n${output.slice(-4000)}`);
    fs.writeFileSync(path.join(staging, STAMP_FILE), stamp);
    if (complete()) return libs; // another run finished first
    await fsp.rm(libs, { recursive: true, force: true });
    await fsp.rename(staging, libs);
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
  return libs;
}

/**
 * @param {string} command @param {string[]} args @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<{ code: number | null, output: string }>}
 */
function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Helm's coalescing of a values file over the chart's values.yaml: maps merge, null removes. */
export function mergeValues(base, overlay) {
  if (!isPlainObject(base) || !isPlainObject(overlay)) return overlay;
  const merged = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) delete merged[key];
    else merged[key] = key in base ? mergeValues(base[key], value) : value;
  }
  return merged;
}

/** @param {unknown} value @returns {value is Record<string, any>} */
function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @typedef {object} HelmCase
 * @property {string} name
 * @property {string | undefined} valuesFile  undefined: the chart's own values.yaml
 */

/**
 * @typedef {object} HelmResult
 * @property {string} name
 * @property {string | undefined} manifests   the rendered YAML, undefined when template failed
 * @property {string | undefined} templateError
 * @property {boolean} lintPassed
 * @property {string[]} lintMessages
 */

/**
 * Runs `helm template` and `helm lint --strict` for each case in one JVM. helm-java's lint takes
 * no values file, so a case is linted on a copy of the chart whose values.yaml is the merge Helm
 * itself would make of the chart's values and the case's.
 * @param {HelmCase[]} cases
 * @returns {Promise<HelmResult[]>}
 */
export async function runHelm(cases) {
  const libs = await ensureHelmJars();
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'switchboard-helm-'));
  try {
    const defaults = yaml.load(fs.readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'));
    const args = [path.join(work, 'out')];
    for (const c of cases) {
      let lintChart = CHART_DIR;
      if (c.valuesFile) {
        lintChart = path.join(work, 'charts', c.name, path.basename(CHART_DIR));
        await fsp.cp(CHART_DIR, lintChart, { recursive: true });
        const overlay = yaml.load(fs.readFileSync(c.valuesFile, 'utf8'));
        await fsp.writeFile(path.join(lintChart, 'values.yaml'), yaml.dump(mergeValues(defaults, overlay)));
      }
      args.push(c.name, CHART_DIR, c.valuesFile ?? '-', lintChart);
    }
    const java = findJava();
    // Source-file mode: java compiles HelmRunner.java in memory; no build step, no class files.
    const { code, output } = await run(java, ['-Xmx256m', '-cp', path.join(libs, '*'), RUNNER, ...args], {
      // Helm's own caches and config go to the temp dir, not the user's home.
      env: { ...process.env, HELM_CACHE_HOME: work, HELM_CONFIG_HOME: work, HELM_DATA_HOME: work },
    });
    const out = path.join(work, 'out');
    if (!fs.existsSync(out)) throw new Error(`HelmRunner failed (exit ${code}):\n${output}`);
    return cases.map((c) => {
      const read = (/** @type {string} */ suffix) => {
        try {
          return fs.readFileSync(path.join(out, c.name + suffix), 'utf8');
        } catch {
          return undefined;
        }
      };
      const lint = read('.lint.txt');
      if (lint === undefined)
        throw new Error(`HelmRunner wrote no lint result for ${c.name} (exit ${code}):\n${output}`);
      const [status, ...messages] = lint.trimEnd().split('\n');
      return {
        name: c.name,
        manifests: read('.yaml'),
        templateError: read('.yaml.error'),
        lintPassed: status === 'PASSED',
        lintMessages: messages.filter(Boolean),
      };
    });
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}

/**
 * The chart rendered by real Helm with the chart's values plus `values` (an object, as a values
 * file would hold), parsed: what test:cluster starts.
 * @param {{ values?: Record<string, unknown> }} [options]
 * @returns {Promise<Record<string, any>[]>}
 */
export async function renderChart({ values } = {}) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'switchboard-values-'));
  try {
    const valuesFile = path.join(dir, 'values.yaml');
    await fsp.writeFile(valuesFile, yaml.dump(values ?? {}));
    const [result] = await runHelm([{ name: 'render', valuesFile }]);
    if (!result?.manifests) throw new Error(`helm template failed: ${result?.templateError}`);
    return parseManifests(result.manifests);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** @param {string} manifests @returns {Record<string, any>[]} */
export function parseManifests(manifests) {
  return /** @type {Record<string, any>[]} */ (yaml.loadAll(manifests).filter((doc) => doc !== null));
}

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

const MODELS_ROOT = path.dirname(require.resolve('kubernetes-models/package.json'));

/**
 * Custom resources the chart may render, by API group: their schemas come from the
 * @kubernetes-models package of the operator that defines them (it exports no package.json, so its
 * folder is found beside kubernetes-models).
 */
const CRD_MODELS_ROOTS = {
  'monitoring.coreos.com/v1': path.join(MODELS_ROOT, '..', '@kubernetes-models', 'prometheus-operator'),
};

/**
 * `apps/v1` + `Deployment` → kubernetes-models/apps/v1/Deployment.js (core: v1/…);
 * `monitoring.coreos.com/v1` + `ServiceMonitor` → @kubernetes-models/prometheus-operator/….
 */
function modelFile(apiVersion, kind) {
  const dir = apiVersion.includes('/') ? apiVersion : `v1`;
  const root = CRD_MODELS_ROOTS[/** @type {keyof typeof CRD_MODELS_ROOTS} */ (apiVersion)] ?? MODELS_ROOT;
  const file = path.join(root, dir, `${kind}.js`);
  return fs.existsSync(file) ? file : undefined;
}

/**
 * Kubernetes' OpenAPI schema as kubernetes-models compiled it: types, required fields, enums and
 * formats. @returns {Promise<string[]>} problems
 */
async function validateAgainstSchema(object) {
  const file = modelFile(String(object.apiVersion), String(object.kind));
  if (!file) return [`no published schema for ${object.apiVersion} ${object.kind}`];
  const module = await import(pathToFileURL(file).href);
  const Model = module[object.kind];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

/** A dependency of kubernetes-models (its packages export no package.json to resolve). */
function packageDir(name) {
  const nested = path.join(MODELS_ROOT, 'node_modules', name);
  return fs.existsSync(nested) ? nested : path.join(MODELS_ROOT, '..', name);
}

/** @type {Map<string, { props: Map<string, string>, imports: Map<string, string> } | undefined>} */
const definitions = new Map();

/**
 * The properties of one interface in kubernetes-models' declaration files (the OpenAPI
 * definitions, with every field listed), and where the types they name are declared.
 * @param {string} dtsFile
 */
function readDefinition(dtsFile) {
  if (definitions.has(dtsFile)) return definitions.get(dtsFile);
  let source;
  try {
    source = fs.readFileSync(dtsFile, 'utf8');
  } catch {
    definitions.set(dtsFile, undefined);
    return undefined;
  }
  /** @type {Map<string, string>} */
  const imports = new Map();
  for (const m of source.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";$/gm)) {
    const target = m[2].startsWith('.')
      ? path.resolve(path.dirname(dtsFile), m[2].replace(/\.js$/, '.d.ts'))
      : path.join(
          packageDir(m[2].split('/').slice(0, 2).join('/')),
          m[2].split('/').slice(2).join('/') + '.d.ts',
        );
    for (const name of m[1].split(',').map((s) => s.trim())) imports.set(name, target);
  }
  const body = /export interface I\w+(?: extends (\w+))? \{([\s\S]*?)\n\}/.exec(source);
  /** @type {Map<string, string>} */
  const props = new Map();
  if (body) {
    if (body[1] === 'TypeMeta') {
      props.set('apiVersion', 'string');
      props.set('kind', 'string');
    }
    // One property per `    "name"?: Type;`, where Type may span lines (`{ [key: string]: T; }`).
    const lines = body[2].split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = /^ {4}"([^"]+)"\??: (.*)$/.exec(lines[i] ?? '');
      if (!m) continue;
      let type = m[2];
      while (!type.endsWith(';') && i + 1 < lines.length) type += ` ${lines[++i]?.trim()}`;
      props.set(m[1], type.slice(0, -1).trim());
    }
  }
  const definition = { props, imports };
  definitions.set(dtsFile, definition);
  return definition;
}

/**
 * Fields the schema does not know, as `kubectl apply --validate=strict` (the default) refuses
 * them: a misspelt `perodSeconds` would otherwise pass every type check and be silently dropped.
 * @param {unknown} value @param {string} dtsFile @param {string} at @param {string[]} problems
 */
function findUnknownFields(value, dtsFile, at, problems) {
  const definition = readDefinition(dtsFile);
  if (!definition || !isPlainObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const type = definition.props.get(key);
    if (type === undefined) {
      problems.push(`${at}/${key}: unknown field`);
      continue;
    }
    const named = /^(?:Array<)?(I\w+)>?$/.exec(type)?.[1];
    const mapOf = /^\{\s*\[key: string\]: (I\w+);?\s*\}$/.exec(type)?.[1];
    const target = named ?? mapOf;
    const file = target && definition.imports.get(target);
    if (!file) continue;
    if (mapOf && isPlainObject(child)) {
      for (const [k, v] of Object.entries(child)) findUnknownFields(v, file, `${at}/${key}/${k}`, problems);
    } else if (type.startsWith('Array<') && Array.isArray(child)) {
      child.forEach((item, i) => findUnknownFields(item, file, `${at}/${key}/${i}`, problems));
    } else {
      findUnknownFields(child, file, `${at}/${key}`, problems);
    }
  }
}

/**
 * Schema and strict-field problems of one object.
 * @param {Record<string, any>} object @returns {Promise<string[]>}
 */
export async function validateObject(object) {
  const problems = await validateAgainstSchema(object);
  const file = modelFile(String(object.apiVersion), String(object.kind));
  if (file) findUnknownFields(object, file.replace(/\.js$/, '.d.ts'), '', problems);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// What a schema can't see
// ---------------------------------------------------------------------------------------------

/**
 * Cross-object checks: each Deployment's selector matches its pods, each container has
 * resources, probes on a declared port, and an image; each Service selects a Deployment and
 * targets a declared port; PDBs and HPAs point at something; the Ingress' backends exist; every
 * ConfigMap and Secret a pod reads is rendered (unless it is the named existing Secret).
 * @param {Record<string, any>[]} objects @param {{ existingSecret?: string }} [options]
 * @returns {string[]} problems
 */
export function checkConsistency(objects, { existingSecret } = {}) {
  /** @type {string[]} */
  const problems = [];
  const byKind = (/** @type {string} */ kind) => objects.filter((o) => o.kind === kind);
  const names = new Set(objects.map((o) => `${o.kind}/${o.metadata?.name}`));
  const deployments = byKind('Deployment');
  const labelsMatch = (selector, labels) =>
    Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v) &&
    Object.keys(selector ?? {}).length > 0;
  const seen = new Set();
  for (const o of objects) {
    const key = `${o.kind}/${o.metadata?.name}`;
    if (seen.has(key)) problems.push(`${key}: rendered twice`);
    seen.add(key);
  }
  for (const d of deployments) {
    const id = `Deployment/${d.metadata.name}`;
    const podLabels = d.spec?.template?.metadata?.labels;
    if (!labelsMatch(d.spec?.selector?.matchLabels, podLabels))
      problems.push(`${id}: selector does not match its pods`);
    for (const c of d.spec?.template?.spec?.containers ?? []) {
      const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
      if (!c.image || /:$/.test(c.image)) problems.push(`${id}: container ${c.name} has no image tag`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) {
        problems.push(`${id}: container ${c.name} lacks cpu/memory requests or a memory limit`);
      }
      for (const probe of ['livenessProbe', 'readinessProbe']) {
        const get = c[probe]?.httpGet;
        if (!get) problems.push(`${id}: container ${c.name} has no HTTP ${probe}`);
        else if (typeof get.port === 'string' && !ports.has(get.port)) {
          problems.push(`${id}: ${probe} names port ${get.port}, not declared by container ${c.name}`);
        }
      }
      for (const from of c.envFrom ?? []) {
        const ref = from.configMapRef ?? from.secretRef;
        const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
        if (ref?.optional) continue;
        if (kind === 'Secret' && ref?.name === existingSecret) continue;
        if (!names.has(`${kind}/${ref?.name}`))
          problems.push(`${id}: reads ${kind} ${ref?.name}, which is not rendered`);
      }
    }
  }
  const deploymentFor = (selector) =>
    deployments.find((d) => labelsMatch(selector, d.spec?.template?.metadata?.labels));
  for (const s of byKind('Service')) {
    const d = deploymentFor(s.spec?.selector);
    if (!d) {
      problems.push(`Service/${s.metadata.name}: selects no Deployment`);
      continue;
    }
    const declared = new Set(
      d.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)),
    );
    for (const p of s.spec.ports ?? []) {
      if (typeof p.targetPort === 'string' && !declared.has(p.targetPort)) {
        problems.push(`Service/${s.metadata.name}: targetPort ${p.targetPort} is not a container port`);
      }
    }
  }
  for (const pdb of byKind('PodDisruptionBudget')) {
    const d = deploymentFor(pdb.spec?.selector?.matchLabels);
    if (!d) problems.push(`PodDisruptionBudget/${pdb.metadata.name}: selects no Deployment`);
  }
  for (const hpa of byKind('HorizontalPodAutoscaler')) {
    const ref = hpa.spec?.scaleTargetRef;
    if (!names.has(`${ref?.kind}/${ref?.name}`))
      problems.push(`HorizontalPodAutoscaler/${hpa.metadata.name}: targets nothing`);
    if (hpa.spec?.minReplicas > hpa.spec?.maxReplicas)
      problems.push(`HorizontalPodAutoscaler/${hpa.metadata.name}: min > max`);
  }
  const services = new Map(byKind('Service').map((s) => [s.metadata.name, s]));
  for (const sm of byKind('ServiceMonitor')) {
    const wanted = Object.entries(sm.spec?.selector?.matchLabels ?? {});
    const selected = byKind('Service').filter((s) => wanted.every(([k, v]) => s.metadata?.labels?.[k] === v));
    if (selected.length === 0) problems.push(`ServiceMonitor/${sm.metadata.name}: selects no Service`);
    for (const e of sm.spec?.endpoints ?? []) {
      for (const s of selected) {
        if (!(s.spec.ports ?? []).some((p) => p.name === e.port))
          problems.push(
            `ServiceMonitor/${sm.metadata.name}: Service ${s.metadata.name} has no port ${e.port}`,
          );
      }
    }
  }
  for (const ing of byKind('Ingress')) {
    const backends = (ing.spec?.rules ?? []).flatMap((r) =>
      (r.http?.paths ?? []).map((p) => p.backend?.service),
    );
    for (const b of backends) {
      const s = services.get(b?.name);
      // Metrics stay inside the cluster (ADR 0100).
      const metricsPort = (s?.spec.ports ?? []).find((p) => p.name === 'metrics');
      if (metricsPort && (b?.port?.name === 'metrics' || b?.port?.number === metricsPort.port))
        problems.push(`Ingress/${ing.metadata.name}: routes to ${b.name}'s metrics port`);
      if (!s) problems.push(`Ingress/${ing.metadata.name}: backend ${b?.name} is not a Service`);
      else if (b.port?.name && !(s.spec.ports ?? []).some((p) => p.name === b.port.name)) {
        problems.push(`Ingress/${ing.metadata.name}: Service ${b.name} has no port ${b.port.name}`);
      }
    }
    const hosts = new Set((ing.spec?.rules ?? []).map((r) => r.host));
    for (const t of ing.spec?.tls ?? []) {
      for (const h of t.hosts ?? [])
        if (!hosts.has(h)) problems.push(`Ingress/${ing.metadata.name}: TLS host ${h} has no rule`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

/** The chart's values plus every helm/switchboard/ci/*-values.yaml (Helm's chart-testing layout). */
export function helmCases() {
  const ciDir = path.join(CHART_DIR, 'ci');
  const files = fs.existsSync(ciDir)
    ? fs
        .readdirSync(ciDir)
        .filter((f) => f.endsWith('-values.yaml'))
        .sort()
    : [];
  return [
    { name: 'default', valuesFile: undefined },
    ...files.map((f) => ({ name: f.replace(/-values\.yaml$/, ''), valuesFile: path.join(ciDir, f) })),
  ];
}

async function main() {
  let passed = 0;
  let failed = 0;
  const report = (
    /** @type {boolean} */ ok,
    /** @type {string} */ what,
    /** @type {string[]} */ details = [],
  ) => {
    if (ok) passed++;
    else failed++;
    process.stdout.write(`helm-check: ${ok ? 'PASS' : 'FAIL'} ${what}\n`);
    for (const d of details) process.stdout.write(`    ${d}\n`);
  };
  const outDir = process.argv[2];
  const cases = helmCases();
  const results = await runHelm(cases);
  for (const [i, result] of results.entries()) {
    report(result.lintPassed, `helm lint --strict (${result.name} values)`, result.lintMessages);
    report(
      result.manifests !== undefined,
      `helm template (${result.name} values)`,
      result.templateError ? [result.templateError] : [],
    );
    if (result.manifests === undefined) continue;
    if (outDir) {
      await fsp.mkdir(outDir, { recursive: true });
      await fsp.writeFile(path.join(outDir, `${result.name}.yaml`), result.manifests);
    }
    const objects = parseManifests(result.manifests);
    /** @type {string[]} */
    const schemaProblems = [];
    for (const o of objects) {
      for (const p of await validateObject(o)) schemaProblems.push(`${o.kind}/${o.metadata?.name}: ${p}`);
    }
    report(
      schemaProblems.length === 0,
      `${objects.length} objects valid against Kubernetes' schemas (${result.name} values)`,
      schemaProblems,
    );
    const caseValues = cases[i]?.valuesFile
      ? yaml.load(fs.readFileSync(/** @type {string} */ (cases[i]?.valuesFile), 'utf8'))
      : {};
    const existingSecret = /** @type {any} */ (caseValues)?.secrets?.existingSecret || undefined;
    const consistency = checkConsistency(objects, { existingSecret });
    report(
      consistency.length === 0,
      `objects consistent with each other (${result.name} values)`,
      consistency,
    );
  }
  process.stdout.write(`helm-check: ${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stdout.write(`helm-check: FAIL ${error instanceof Error ? error.message : String(error)}\n`);
      process.stdout.write('helm-check: 0 passed, 1 failed\n');
      process.exit(1);
    },
  );
}
