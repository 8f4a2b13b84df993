import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const TOOL = path.resolve('tools/build-if-changed.mjs');

/**
 * `npm start` builds only what changed (issue 17, item 3): the tool that runs before the platform
 * plans each step of the build from its inputs' stamps. Run here with `--plan` on a small tree of
 * the same shape, so no real build is needed to see what it would do.
 */
describe('npm start: the build runs only when its inputs changed', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sb-build-stamps-'));
    const files: Record<string, string> = {
      'package-lock.json': '{}',
      'tsconfig.json': '{}',
      'tsconfig.build.json': '{}',
      'tools/write-app-entries.mjs': '',
      'tools/build-widget.mjs': '',
      'tools/build-inbox-web.mjs': '',
      'apps/history/src/main.ts': 'export {};',
      'apps/channel-web/widget/panel.ts': 'export {};',
      'apps/inbox/web/src/App.tsx': 'export {};',
      'libs/contracts/src/index.ts': 'export {};',
      // What the steps write: present, as after a build.
      'dist/apps/standalone/main.js': '',
      'dist/widget/widget.js': '',
      'dist/widget/panel.js': '',
      'dist/inbox-web/index.html': '',
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    }
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  const run = (...args: string[]) => execFileSync('node', [TOOL, ...args], { cwd: root, encoding: 'utf8' });
  const planned = () => (JSON.parse(run('--plan')) as { step: string; reason: string }[]).map((d) => d.step);
  const touch = (file: string) => {
    const later = new Date(Date.now() + 5_000);
    return utimes(path.join(root, file), later, later);
  };

  it('builds everything the first time, nothing once built, and only the step whose inputs changed', async () => {
    expect(planned()).toEqual(['server', 'widget', 'inbox-web']);
    run('--mark-built');
    expect(planned()).toEqual([]);
    expect(run()).toContain('Build is up to date');

    await touch('apps/channel-web/widget/panel.ts');
    expect(planned()).toEqual(['widget']);
    run('--mark-built');

    await touch('apps/inbox/web/src/App.tsx');
    expect(planned()).toEqual(['inbox-web']);
    run('--mark-built');

    // The contracts are compiled into the server and bundled into the SPA.
    await writeFile(path.join(root, 'libs/contracts/src/index.ts'), 'export const changed = 1;');
    expect(planned()).toEqual(['server', 'inbox-web']);
    run('--mark-built');

    await writeFile(path.join(root, 'apps/history/src/new-file.ts'), 'export {};');
    expect(planned()).toEqual(['server']);
    run('--mark-built');

    // Tests are not built: editing one rebuilds nothing.
    await mkdir(path.join(root, 'apps/history/test'), { recursive: true });
    await writeFile(path.join(root, 'apps/history/test/history.int-spec.ts'), 'export {};');
    await writeFile(path.join(root, 'apps/history/src/history.spec.ts'), 'export {};');
    expect(planned()).toEqual([]);

    // Outputs gone (dist deleted by hand): built again whatever the stamps say.
    await rm(path.join(root, 'dist/widget'), { recursive: true });
    expect(planned()).toEqual(['widget']);
  });
});
