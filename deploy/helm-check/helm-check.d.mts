// Types for helm-check.mjs (plain JS so that it runs without a build), for TypeScript callers.

export const HELM_JAVA_VERSION: string;
export const CHART_DIR: string;

/** A rendered Kubernetes object, as parsed from YAML: any shape, read field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ManifestObject = Record<string, any>;

export interface HelmCase {
  name: string;
  /** Undefined: the chart's own values.yaml. */
  valuesFile: string | undefined;
}

export interface HelmResult {
  name: string;
  manifests: string | undefined;
  templateError: string | undefined;
  lintPassed: boolean;
  lintMessages: string[];
}

export function ensureHelmJars(): Promise<string>;
export function mergeValues(base: unknown, overlay: unknown): unknown;
export function runHelm(cases: HelmCase[]): Promise<HelmResult[]>;
/** The chart rendered by real Helm with its values plus `values`, parsed. */
export function renderChart(options?: { values?: Record<string, unknown> }): Promise<ManifestObject[]>;
export function parseManifests(manifests: string): ManifestObject[];
/** Schema problems and unknown fields of one object; empty when valid. */
export function validateObject(object: ManifestObject): Promise<string[]>;
/** What a schema can't see: selectors, probe ports, references between objects. */
export function checkConsistency(objects: ManifestObject[], options?: { existingSecret?: string }): string[];
export function helmCases(): HelmCase[];
