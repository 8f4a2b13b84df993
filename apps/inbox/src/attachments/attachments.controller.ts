import {
  Controller,
  Get,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { createLogger, sendStoredFile, readBody, safeDecode } from '@switchboard/platform';
import type { Request, Response } from 'express';
import { CurrentSession, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { MAX_AGENT_ATTACHMENT_BYTES } from './attachment-type.util.js';
import { AttachmentsService, type UploadedAttachment, attachmentTooLarge } from './attachments.service.js';

const log = createLogger('inbox.attachments');

/**
 * Agents' files: `POST /api/inbox/attachments` takes the file as the body (its type as
 * Content-Type, its name URI-encoded in `X-File-Name`), `GET /api/inbox/attachments/:id` serves
 * it back to the workspace's agents, and `GET /api/inbox/attachments/customer?key=` serves them
 * customers' files. Every role may attach; the reply checks who may send.
 */
@Controller('api/inbox/attachments')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post()
  async upload(@CurrentSession() session: SessionContext, @Req() req: Request): Promise<UploadedAttachment> {
    if (Number(req.headers['content-length'] ?? 0) > MAX_AGENT_ATTACHMENT_BYTES) throw attachmentTooLarge();
    const body = await readBody(req, MAX_AGENT_ATTACHMENT_BYTES);
    if (body === null) throw attachmentTooLarge();
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const rawName = req.headers['x-file-name'];
    return this.attachments.upload(
      session,
      contentType,
      typeof rawName === 'string' ? safeDecode(rawName) : null,
      body,
    );
  }

  /**
   * A customer's file in the workspace's messages (`?key=` the storage key the message carries,
   * `&name=` its file name): a web visitor's upload or an MMS. Declared before `:id`.
   */
  @Get('customer')
  async customerFile(
    @CurrentSession() session: SessionContext,
    @Query('key') key: string | undefined,
    @Query('name') name: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const content = key ? await this.attachments.openCustomerFile(session, key, name ?? null) : null;
    if (content === null) throw new NotFoundException('file not found');
    await sendStoredFile(res, content, log, { storageKey: key });
  }

  @Get(':id')
  async download(
    @CurrentSession() session: SessionContext,
    @Param('id') id: string,
    @Res() res: Response,
  ): Promise<void> {
    const content = await this.attachments.open(session, id);
    if (content === null) throw new NotFoundException('attachment not found');
    await sendStoredFile(res, content, log, { attachmentId: id });
  }
}

/** The body, or null as soon as it runs past `limit` (a lying Content-Length is not trusted). */
