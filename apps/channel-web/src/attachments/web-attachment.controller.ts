import {
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  NotFoundException,
  Options,
  Param,
  ParseUUIDPipe,
  PayloadTooLargeException,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
  UnprocessableEntityException,
} from '@nestjs/common';
import {
  ClientIpConfig,
  clientIp,
  createLogger,
  PlatformConfigService,
  sendStoredFile,
  type TrustedProxies,
  readBody,
  safeDecode,
} from '@switchboard/platform';
import type { Request, Response } from 'express';
import { WidgetCorsService } from '../assets/widget-cors.service.js';
import { type RateLimit, SharedRateLimitsService } from '../sessions/shared-rate-limits.service.js';
import type { TranscriptAttachment } from '../transcript/transcript-item.js';
import { MAX_ATTACHMENT_BYTES } from './attachment-type.util.js';
import { AttachmentRejectedError, WebAttachmentService } from './web-attachment.service.js';
import { WidgetRequestAuthService } from './widget-request-auth.service.js';

// Uploads are stored whether or not they are ever sent, so they are limited like messages: per
// contact a burst of 10, then one every 6 s; per IP (many visitors behind one NAT) a burst of 30,
// then one a second. Shared across replicas.
const uploadsPerContact = (id: string): RateLimit => ({ key: `upload:c:${id}`, burst: 10, perSecond: 1 / 6 });
const uploadsPerIp = (ip: string): RateLimit => ({ key: `upload:ip:${ip}`, burst: 30, perSecond: 1 });

/**
 * `POST /widget/attachments?key=…` (the file as the body, its type as Content-Type, its name in
 * X-File-Name) and `GET /widget/attachments/:id?key=…`, both for the contact named by
 * X-Visitor-Token or X-User-Id + X-User-Hash; from allowed origins only.
 */
@Controller('widget/attachments')
export class WebAttachmentController {
  private readonly trustedProxies: TrustedProxies;

  constructor(
    private readonly attachments: WebAttachmentService,
    private readonly auth: WidgetRequestAuthService,
    private readonly cors: WidgetCorsService,
    private readonly limits: SharedRateLimitsService,
    config: PlatformConfigService,
  ) {
    this.trustedProxies = config.get(ClientIpConfig).TRUSTED_PROXIES;
  }

  @Options(['', ':id'])
  @HttpCode(204)
  async preflight(
    @Query('key') key: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.cors.allow(key, req, res);
  }

  @Post()
  async upload(
    @Query('key') key: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TranscriptAttachment> {
    const site = await this.cors.allow(key, req, res);
    const contact = await this.auth.contactOf(site, req.headers);
    if (contact === null) throw new UnauthorizedException('unknown visitor or unverified user');
    const wait = await this.limits.take([
      uploadsPerContact(contact.id),
      uploadsPerIp(clientIp(req, this.trustedProxies)),
    ]);
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      throw new HttpException('too many uploads: try again shortly', HttpStatus.TOO_MANY_REQUESTS);
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_ATTACHMENT_BYTES)
      throw new PayloadTooLargeException('attachments are limited to 10 MB');
    const body = await readBody(req, MAX_ATTACHMENT_BYTES);
    if (body === null) throw new PayloadTooLargeException('attachments are limited to 10 MB');
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const rawName = req.headers['x-file-name'];
    const fileName = typeof rawName === 'string' ? safeDecode(rawName) : null;
    try {
      return await this.attachments.store(contact, contentType, fileName, body);
    } catch (error) {
      if (error instanceof AttachmentRejectedError) throw new UnprocessableEntityException(error.message);
      throw error;
    }
  }

  @Get(':id')
  async download(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('key') key: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const site = await this.cors.allow(key, req, res);
    const contact = await this.auth.contactOf(site, req.headers);
    if (contact === null) throw new ForbiddenException('not yours');
    const content = await this.attachments.openForContact(contact, id);
    if (content === null) throw new NotFoundException('attachment not found');
    await sendStoredFile(res, content, log, { attachmentId: id });
  }
}

const log = createLogger('web-attachments');
