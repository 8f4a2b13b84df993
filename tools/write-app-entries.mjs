// @ts-check
/**
 * After `tsc`, each app's entry is dist/apps/<app>/src/main.js (tsc keeps the source layout).
 * Deployments and the docs run `node dist/apps/<app>/main.js`: write that entry per app. It starts
 * tracing (when an OTLP endpoint is configured: ADR 0105) before it imports the app, so that the
 * instrumentations' loader hook sees http, pg and gRPC load.
 */
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const appsDir = path.resolve('dist/apps');
for (const app of await readdir(appsDir)) {
  if (!existsSync(path.join(appsDir, app, 'src/main.js'))) continue;
  await writeFile(
    path.join(appsDir, app, 'main.js'),
    [
      "import { startTracing } from '../../libs/platform/src/tracing/start-tracing.util.js';",
      `await startTracing(${JSON.stringify(`switchboard-${app}`)});`,
      "await import('./src/main.js');",
      '',
    ].join('\n'),
  );
}
