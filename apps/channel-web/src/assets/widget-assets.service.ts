import { Injectable } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface WidgetAsset {
  readonly body: Buffer;
  readonly gzipped: Buffer;
}

/**
 * Where `npm run build` (tools/build-widget.mjs) puts the widget (`dist/widget`): found from the
 * compiled file (dist/apps/channel-web/src/assets → dist), which is all the Docker image holds, or,
 * when running from sources (tests), from the repository root. `from` is this module's URL.
 */
export function widgetDirectory(from: string = import.meta.url): string | null {
  const up = new URL('../../../../', from);
  for (const candidate of [new URL('widget/', up), new URL('dist/widget/', up)]) {
    const directory = fileURLToPath(candidate);
    if (existsSync(path.join(directory, 'widget.js'))) return directory;
  }
  return null;
}

/** The built widget files, found on first use, read once and kept with their gzip encoding. */
@Injectable()
export class WidgetAssetsService {
  private readonly cache = new Map<string, WidgetAsset>();

  /** `widget.js` (the loader) or `panel.js`; throws if the widget was not built. */
  get(name: 'widget.js' | 'panel.js'): WidgetAsset {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const directory = widgetDirectory();
    if (!directory) throw new Error('channel-web: dist/widget is missing: run npm run build');
    const file = path.join(directory, name);
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
    const body = readFileSync(file);
    const asset = { body, gzipped: gzipSync(body, { level: 9 }) };
    this.cache.set(name, asset);
    return asset;
  }
}
