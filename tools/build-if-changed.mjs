// @ts-check
/**
 * What `npm start` (and `npm install`'s prepare) builds: each step of `npm run build` only when its
 * inputs changed since it last succeeded, so a second start with nothing changed skips straight to
 * the platform. A step's stamp is a SHA-256 over the path, size and modification time of every
 * input file, kept in dist/.build-stamps/<step> once the step succeeded; a step whose outputs are
 * missing runs whatever its stamp says. `npm run build` still builds everything, always.
 *
 *   node tools/build-if-changed.mjs              build what changed
 *   node tools/build-if-changed.mjs --plan       print the steps that would run, as JSON, and exit
 *   node tools/build-if-changed.mjs --mark-built record the current inputs as built (no build)
 *
 * Run from the repository root (npm scripts do); the steps' paths are relative to it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @typedef {{ name: string, inputs: string[], exclude?: string[], ignore?: RegExp, outputs: string[], commands: string[][] }} Step
 * `ignore`: files under the inputs that the step does not read (tests are not compiled into dist).
 */

const SHARED = ['package-lock.json', 'tsconfig.json'];
const WIDGET = 'apps/channel-web/widget';
const INBOX_WEB = 'apps/inbox/web';

/** @type {Step[]} The three parts of `npm run build`, with what each reads and writes. */
export const STEPS = [
  {
    name: 'server',
    inputs: ['apps', 'libs', 'bench', 'tsconfig.build.json', 'tools/write-app-entries.mjs', ...SHARED],
    exclude: [WIDGET, INBOX_WEB],
    // What tsconfig.build.json leaves out: tests and the apps' test folders.
    ignore: /(\.(spec|int-spec|e2e-spec)\.ts$)|(^apps\/[^/]+\/test\/)|(^libs\/[^/]+\/src\/jest\/)/,
    outputs: ['dist/apps/standalone/main.js'],
    commands: [
      ['node_modules/.bin/tsc', '-p', 'tsconfig.build.json'],
      ['node_modules/.bin/tsc-alias', '-p', 'tsconfig.build.json'],
      ['node', 'tools/write-app-entries.mjs'],
    ],
  },
  {
    name: 'widget',
    inputs: [WIDGET, 'tools/build-widget.mjs', ...SHARED],
    outputs: ['dist/widget/widget.js', 'dist/widget/panel.js'],
    commands: [['node', 'tools/build-widget.mjs']],
  },
  {
    name: 'inbox-web',
    // The SPA imports values from the contracts (bundled in).
    inputs: [INBOX_WEB, 'libs/contracts/src', 'tools/build-inbox-web.mjs', ...SHARED],
    outputs: ['dist/inbox-web/index.html'],
    commands: [['node', 'tools/build-inbox-web.mjs']],
  },
];

const STAMPS = 'dist/.build-stamps';
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.data']);

/** Every file under the inputs (recursively), as `path size mtime` lines, hashed. */
export async function stampOf(/** @type {Step} */ step) {
  /** @type {string[]} */
  const lines = [];
  const excluded = (/** @type {string} */ p) =>
    (step.exclude ?? []).some((e) => p === e || p.startsWith(`${e}/`));
  const visit = async (/** @type {string} */ p) => {
    if (excluded(p)) return;
    const info = await stat(p).catch(() => null);
    if (!info) return;
    if (info.isDirectory()) {
      for (const entry of (await readdir(p)).sort()) {
        if (!SKIPPED_DIRS.has(entry)) await visit(`${p}/${entry}`);
      }
    } else if (!step.ignore?.test(p)) {
      lines.push(`${p} ${info.size} ${info.mtimeMs}`);
    }
  };
  for (const input of step.inputs) await visit(input);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** The steps to run now, each with why. */
export async function plan() {
  const due = [];
  for (const step of STEPS) {
    const stamp = await stampOf(step);
    const built = await readFile(path.join(STAMPS, step.name), 'utf8').catch(() => null);
    const missing = step.outputs.filter((o) => !existsSync(o));
    if (missing.length > 0) due.push({ step, stamp, reason: `missing ${missing.join(', ')}` });
    else if (built === null) due.push({ step, stamp, reason: 'never built by this tool' });
    else if (built.trim() !== stamp) due.push({ step, stamp, reason: 'inputs changed' });
  }
  return due;
}

async function record(/** @type {string} */ name, /** @type {string} */ stamp) {
  await mkdir(STAMPS, { recursive: true });
  await writeFile(path.join(STAMPS, name), `${stamp}\n`);
}

async function main(/** @type {string[]} */ args) {
  if (args.includes('--mark-built')) {
    for (const step of STEPS) await record(step.name, await stampOf(step));
    return;
  }
  const due = await plan();
  if (args.includes('--plan')) {
    process.stdout.write(`${JSON.stringify(due.map((d) => ({ step: d.step.name, reason: d.reason })))}\n`);
    return;
  }
  if (due.length === 0) {
    process.stdout.write('Build is up to date (nothing changed since the last build).\n');
    return;
  }
  for (const { step, stamp, reason } of due) {
    process.stdout.write(`Building ${step.name} (${reason})…\n`);
    // The stamp was taken before the step read its inputs: a file edited meanwhile rebuilds next time.
    for (const [command, ...rest] of step.commands)
      execFileSync(command ?? 'node', rest, { stdio: 'inherit' });
    await record(step.name, stamp);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
