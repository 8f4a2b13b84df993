// @ts-check
/**
 * After `tsc`, each app's entry is dist/apps/<app>/src/main.js (tsc keeps the source layout).
 * Deployments and the docs run `node dist/apps/<app>/main.js`: write that one-line entry per app.
 */
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const appsDir = path.resolve('dist/apps');
for (const app of await readdir(appsDir)) {
  if (!existsSync(path.join(appsDir, app, 'src/main.js'))) continue;
  await writeFile(path.join(appsDir, app, 'main.js'), "import './src/main.js';\n");
}
