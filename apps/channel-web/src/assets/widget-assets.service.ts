import { Injectable } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface WidgetAsset {
  readonly body: Buffer;
  readonly gzipped: Buffer;
}

/** Where `npm run build` (tools/build-widget.mjs) writes the widget: dist/widget under the project root. */
function widgetDirectory(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'apps')))
      return path.join(dir, 'dist', 'widget');
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('channel-web: cannot find the project root to serve the widget from');
    dir = parent;
  }
}

/** The built widget files, read once and kept with their gzip encoding. */
@Injectable()
export class WidgetAssetsService {
  private readonly cache = new Map<string, WidgetAsset>();
  private readonly directory = widgetDirectory();

  /** `widget.js` (the loader) or `panel.js`; throws if the widget was not built. */
  get(name: 'widget.js' | 'panel.js'): WidgetAsset {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const file = path.join(this.directory, name);
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
    const body = readFileSync(file);
    const asset = { body, gzipped: gzipSync(body, { level: 9 }) };
    this.cache.set(name, asset);
    return asset;
  }
}
