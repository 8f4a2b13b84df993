import { checkConsistency, mergeValues, validateObject, type ManifestObject } from './helm-check.mjs';

function deployment(container: Record<string, unknown> = {}): ManifestObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'sb-history', labels: { 'app.kubernetes.io/name': 'history' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'history' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'history' } },
        spec: {
          containers: [
            {
              name: 'history',
              image: 'switchboard:0.1.0',
              ports: [{ name: 'http', containerPort: 3000 }],
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
              ...container,
            },
          ],
        },
      },
    },
  };
}

const service: ManifestObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'sb-history' },
  spec: {
    selector: { 'app.kubernetes.io/name': 'history' },
    ports: [{ name: 'http', port: 3000, targetPort: 'http' }],
  },
};

describe('helm-check: Kubernetes schemas', () => {
  it('accepts a valid Deployment and Service', async () => {
    expect(await validateObject(deployment())).toEqual([]);
    expect(await validateObject(service)).toEqual([]);
  });

  it('refuses a wrong type (a port as a string of digits)', async () => {
    const problems = await validateObject(deployment({ ports: [{ name: 'http', containerPort: '3000' }] }));
    expect(problems.join('\n')).toMatch(/containerPort must be integer/);
  });

  it('refuses a misspelt field at any depth, as kubectl apply does', async () => {
    const problems = await validateObject(
      deployment({ livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, perodSeconds: 10 } }),
    );
    expect(problems).toEqual(['/spec/template/spec/containers/0/livenessProbe/perodSeconds: unknown field']);
  });

  it('knows map-valued fields (labels, resources) without calling their keys unknown', async () => {
    const problems = await validateObject(deployment({ resources: { requests: { cpu: '1' }, limts: {} } }));
    expect(problems).toEqual(['/spec/template/spec/containers/0/resources/limts: unknown field']);
  });

  it('has no schema for a kind Kubernetes does not publish', async () => {
    expect(
      await validateObject({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } }),
    ).toEqual(['no published schema for apps/v1 Deploymnet']);
  });
});

describe('helm-check: consistency between objects', () => {
  it('passes a Deployment with its Service', () => {
    expect(checkConsistency([deployment(), service])).toEqual([]);
  });

  it('finds a probe on an undeclared port, missing resources and a Service selecting nothing', () => {
    const problems = checkConsistency([
      deployment({ readinessProbe: { httpGet: { path: '/readyz', port: 'web' } }, resources: {} }),
      { ...service, spec: { ...service.spec, selector: { 'app.kubernetes.io/name': 'histroy' } } },
    ]);
    expect(problems).toEqual([
      'Deployment/sb-history: container history lacks cpu/memory requests or a memory limit',
      'Deployment/sb-history: readinessProbe names port web, not declared by container history',
      'Service/sb-history: selects no Deployment',
    ]);
  });

  it('finds a Secret that is read but neither rendered nor named as existing', () => {
    const reading = deployment({ envFrom: [{ secretRef: { name: 'sb-secrets' } }] });
    expect(checkConsistency([reading, service])).toEqual([
      'Deployment/sb-history: reads Secret sb-secrets, which is not rendered',
    ]);
    expect(checkConsistency([reading, service], { existingSecret: 'sb-secrets' })).toEqual([]);
  });
});

describe('helm-check: values merged as Helm merges them', () => {
  it('merges maps, replaces lists and scalars, and drops keys set to null', () => {
    expect(
      mergeValues(
        { config: { A: '1', B: '2' }, tls: [{ a: 1 }], apps: { x: { replicas: 2, env: { K: 'v' } } } },
        { config: { B: '3' }, tls: [], apps: { x: { env: null } } },
      ),
    ).toEqual({ config: { A: '1', B: '3' }, tls: [], apps: { x: { replicas: 2 } } });
  });
});

describe('helm-check: the ServiceMonitor (a prometheus-operator custom resource)', () => {
  const monitor = (endpoint: Record<string, unknown> = {}): ManifestObject => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'sb' },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/part-of': 'switchboard' } },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s', ...endpoint }],
    },
  });
  const labelled: ManifestObject = {
    ...service,
    metadata: { name: 'sb-history', labels: { 'app.kubernetes.io/part-of': 'switchboard' } },
  };

  it('is validated against the operator’s schema, misspelt fields refused', async () => {
    expect(await validateObject(monitor())).toEqual([]);
    expect(await validateObject(monitor({ intervall: '30s' }))).toEqual([
      '/spec/endpoints/0/intervall: unknown field',
    ]);
  });

  it('must select a Service that has the port it scrapes', () => {
    expect(checkConsistency([deployment(), service, monitor()])).toContain(
      'ServiceMonitor/sb: selects no Service',
    );
    expect(checkConsistency([deployment(), labelled, monitor()])).toContain(
      'ServiceMonitor/sb: Service sb-history has no port metrics',
    );
  });
});
