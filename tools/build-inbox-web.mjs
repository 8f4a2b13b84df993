// @ts-check
/**
 * Builds the inbox SPA (apps/inbox/web) into dist/inbox-web, where the inbox app serves it at
 * /inbox/, and prints the gzipped size of the JavaScript the first load fetches. Fails above the
 * 200 KB budget of issue 7, so the budget can't creep.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

export const FIRST_LOAD_BUDGET_BYTES = 200 * 1024;
const root = path.resolve('apps/inbox/web');
const outDir = path.resolve('dist/inbox-web');

await build({
  root,
  base: '/inbox/',
  logLevel: 'warn',
  // JSX through vite's built-in oxc transform, React 19's automatic runtime.
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir, emptyOutDir: true, sourcemap: false, target: 'es2022' },
});

// The first load is index.html and every script it references (module preloads included).
const html = await readFile(path.join(outDir, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/(?:src|href)="\/inbox\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
let gzipped = 0;
for (const script of scripts) gzipped += gzipSync(await readFile(path.join(outDir, script))).length;
const assets = await readdir(path.join(outDir, 'assets'));
process.stdout.write(
  `inbox web: ${scripts.length} script(s) on first load, ${(gzipped / 1024).toFixed(1)} KB gzipped ` +
    `(budget ${FIRST_LOAD_BUDGET_BYTES / 1024} KB); ${assets.length} asset file(s) in dist/inbox-web\n`,
);
if (scripts.length === 0 || gzipped > FIRST_LOAD_BUDGET_BYTES) {
  process.stderr.write('inbox web: first-load JavaScript over budget (or none found)\n');
  process.exit(1);
}
