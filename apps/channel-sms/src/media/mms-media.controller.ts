import { Controller, Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { createLogger, setStoredFileHeaders } from '@switchboard/platform';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { MMS_MEDIA_PATH, MmsMediaService } from './mms-media.service.js';

const log = createLogger('channel-sms.mms-media');

/**
 * The media of agents' MMS, for Twilio to fetch: `GET` (and the `HEAD` Twilio sends first to check
 * the type) `/sms/media/:token`. No session: the sealed, expiring token is the permission; a
 * forged, expired or foreign one reads as not found, whatever the reason.
 */
@Controller(MMS_MEDIA_PATH.slice(1))
export class MmsMediaController {
  constructor(private readonly media: MmsMediaService) {}

  @Get(':token')
  async serve(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const content = await this.media.open(token);
    if (content === null) throw new NotFoundException('media not found');
    // Twilio refuses media whose Content-Type differs from the file; this is the checked type.
    setStoredFileHeaders(res, content);
    // Twilio's advice: the name recipients see comes from here (already limited to [A-Za-z0-9._-]).
    if (content.fileName !== null)
      res.setHeader('Content-Disposition', `inline; filename="${content.fileName}"`);
    if (req.method === 'HEAD') {
      content.body.destroy();
      res.end();
      return;
    }
    await pipeline(content.body, res).catch((error: unknown) =>
      log.warn({ err: error }, 'MMS media download cut short'),
    );
  }
}
