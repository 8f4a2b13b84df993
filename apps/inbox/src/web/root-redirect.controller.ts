import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';

/**
 * `GET /` takes a person to the inbox: whoever opens the host's root in a browser after
 * `npm start` (or at the inbox's own host) lands where they can sign in, not on a JSON 404.
 */
@Controller()
export class RootRedirectController {
  @Get()
  root(@Res() response: Response): void {
    response.setHeader('Cache-Control', 'no-cache');
    response.redirect(302, '/inbox/');
  }
}
