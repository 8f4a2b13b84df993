// @ts-check
/**
 * Bundles the web chat widget (apps/channel-web/widget) with esbuild into dist/widget: the loader
 * (widget.js, what sites embed) and the panel (panel.js, loaded when the chat is opened). The
 * loader names the panel by its content hash, so the panel can be cached for good. Fails the build
 * when a budget is exceeded: loader ≤ 5 KB gzipped, both together ≤ 40 KB gzipped.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const LOADER_BUDGET = 5 * 1024;
const TOTAL_BUDGET = 40 * 1024;
const source = path.resolve('apps/channel-web/widget');
const out = path.resolve('dist/widget');

/** @param {string} entry @param {Record<string, string>} define */
async function bundle(entry, define = {}) {
  const result = await build({
    entryPoints: [path.join(source, entry)],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    write: false,
    legalComments: 'none',
    define,
  });
  return result.outputFiles[0].contents;
}

const panel = await bundle('panel.ts');
const version = createHash('sha256').update(panel).digest('hex').slice(0, 12);
const loader = await bundle('loader.ts', { PANEL_VERSION: JSON.stringify(version) });
await mkdir(out, { recursive: true });
await writeFile(path.join(out, 'panel.js'), panel);
await writeFile(path.join(out, 'widget.js'), loader);

const gz = (/** @type {Uint8Array} */ bytes) => gzipSync(bytes, { level: 9 }).length;
const sizes = { loader: gz(loader), panel: gz(panel) };
const total = sizes.loader + sizes.panel;
if (process.argv.includes('--report'))
  process.stdout.write(
    `${JSON.stringify({ loaderGzip: sizes.loader, panelGzip: sizes.panel, totalGzip: total, loaderRaw: loader.length, panelRaw: panel.length })}\n`,
  );
if (sizes.loader > LOADER_BUDGET)
  throw new Error(`widget loader is ${sizes.loader} B gzipped; the budget is ${LOADER_BUDGET}`);
if (total > TOTAL_BUDGET)
  throw new Error(`widget is ${total} B gzipped in all; the budget is ${TOTAL_BUDGET}`);
