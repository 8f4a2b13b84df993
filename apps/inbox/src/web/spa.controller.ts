import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SPA_CONTENT_SECURITY_POLICY, spaDirectory } from './spa-files.util.js';

/** Serves the built single-page app at `/inbox/`; hashed assets are cached for a year. */
@Controller('inbox')
export class SpaController {
  private readonly root = spaDirectory();

  /** `/inbox` and `/inbox/` alike (express routing is not strict about the slash). */
  @Get()
  index(@Res() response: Response): void {
    this.sendIndex(response);
  }

  @Get('assets/*path')
  asset(@Param('path') path: string[] | string, @Res() response: Response): void {
    const root = this.requireRoot();
    const relative = Array.isArray(path) ? path.join('/') : path;
    response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    // `root` makes express refuse any path that climbs out of the assets folder.
    response.sendFile(relative, { root: `${root}assets/`, dotfiles: 'deny' }, (error) => {
      if (error && !response.headersSent) response.status(404).end();
    });
  }

  private sendIndex(response: Response): void {
    const root = this.requireRoot();
    response.setHeader('Content-Security-Policy', SPA_CONTENT_SECURITY_POLICY);
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.sendFile('index.html', { root });
  }

  private requireRoot(): string {
    if (this.root === null)
      throw new NotFoundException('the inbox web app is not built: run `npm run build`');
    return this.root;
  }
}
