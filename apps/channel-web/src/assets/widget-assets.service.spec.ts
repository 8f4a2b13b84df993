import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { widgetDirectory } from './widget-assets.service.js';

describe('widgetDirectory', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'widget-dir-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const compiledModule = (): string =>
    pathToFileURL(path.join(root, 'dist/apps/channel-web/src/assets/widget-assets.service.js')).href;

  it('finds dist/widget from the compiled file in an image that holds only package.json, node_modules and dist', () => {
    mkdirSync(path.join(root, 'dist/widget'), { recursive: true });
    writeFileSync(path.join(root, 'dist/widget/widget.js'), '/* loader */');
    writeFileSync(path.join(root, 'package.json'), '{}');

    expect(widgetDirectory(compiledModule())).toBe(path.join(root, 'dist/widget') + path.sep);
  });

  it('finds dist/widget from the sources when running the tests', () => {
    mkdirSync(path.join(root, 'dist/widget'), { recursive: true });
    writeFileSync(path.join(root, 'dist/widget/widget.js'), '/* loader */');
    const sourceModule = pathToFileURL(
      path.join(root, 'apps/channel-web/src/assets/widget-assets.service.ts'),
    ).href;

    expect(widgetDirectory(sourceModule)).toBe(path.join(root, 'dist/widget') + path.sep);
  });

  it('answers null when the widget was not built', () => {
    expect(widgetDirectory(compiledModule())).toBeNull();
  });
});
