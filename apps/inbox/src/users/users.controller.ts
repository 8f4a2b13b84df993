import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { type ConfigOf, InjectConfig } from '@switchboard/platform';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../auth/password.util.js';
import { roleSchema } from '../auth/role.js';
import { CurrentSession, PublicRoute, RequireRole, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { setSessionCookie } from '../auth/session-cookie.util.js';
import { InboxConfig } from '../inbox.config.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import type { IssuedSession } from '../auth/sessions.service.js';
import { InvitesService } from './invites.service.js';
import type { User } from './user.js';
import { UsersService } from './users.service.js';

const inviteSchema = z.object({
  email: z.email().max(320),
  displayName: z.string().trim().min(1).max(200),
  role: roleSchema,
});
const userPatchSchema = z
  .object({ role: roleSchema, disabled: z.boolean(), displayName: z.string().trim().min(1).max(200) })
  .partial();
const tokenSchema = z.object({ token: z.string().min(10).max(100) });
const acceptSchema = tokenSchema.extend({
  password: z.string().max(MAX_PASSWORD_LENGTH),
  displayName: z.string().trim().max(200).optional(),
});

/** Admins manage the workspace's users and invites; anyone with an invite link can accept it. */
@Controller('api/inbox')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly invites: InvitesService,
    @InjectConfig(InboxConfig) private readonly config: ConfigOf<typeof InboxConfig>,
  ) {}

  /** Every user of the workspace, for assignment pickers (agents) and the admin screen. */
  @Get('users')
  async list(@CurrentSession() session: SessionContext) {
    return { users: await this.users.list(session.workspaceId) };
  }

  @Patch('users/:userId')
  @RequireRole('admin')
  async update(
    @CurrentSession() session: SessionContext,
    @Param('userId') userId: string,
    @Body() body: unknown,
  ) {
    return this.users.update(session.workspaceId, userId, parseInput(userPatchSchema, body));
  }

  @Get('invites')
  @RequireRole('admin')
  async listInvites(@CurrentSession() session: SessionContext) {
    return { invites: await this.invites.list(session.workspaceId) };
  }

  @Post('invites')
  @RequireRole('admin')
  async invite(@Req() request: Request, @CurrentSession() session: SessionContext, @Body() body: unknown) {
    const { invite, token } = await this.invites.create(
      session.workspaceId,
      session.userId,
      parseInput(inviteSchema, body),
    );
    // In the fragment: browsers never send it to servers or in Referer headers.
    const path = `/inbox/#/invite/${token}`;
    return { invite, path, link: `${request.protocol}://${request.get('host') ?? 'localhost'}${path}` };
  }

  @Delete('invites/:inviteId')
  @RequireRole('admin')
  @HttpCode(204)
  async revoke(
    @CurrentSession() session: SessionContext,
    @Param('inviteId') inviteId: string,
  ): Promise<void> {
    await this.invites.revoke(session.workspaceId, inviteId);
  }

  /** POST rather than GET: the token stays out of URLs and access logs. */
  @Post('invites/lookup')
  @PublicRoute()
  @HttpCode(200)
  async lookup(@Body() body: unknown) {
    const invite = await this.invites.peek(parseInput(tokenSchema, body).token);
    return {
      email: invite.email,
      displayName: invite.displayName,
      role: invite.role,
      workspaceName: invite.workspaceName,
      expiresAt: invite.expiresAt,
    };
  }

  /** A signed-in person accepts an invite for their email: linked, and switched to that workspace. */
  @Post('invites/join')
  @HttpCode(200)
  async join(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @CurrentSession() current: SessionContext,
    @Body() body: unknown,
  ) {
    return this.signedIn(
      request,
      response,
      await this.invites.join(current, parseInput(tokenSchema, body).token),
    );
  }

  @Post('invites/accept')
  @PublicRoute()
  @HttpCode(200)
  async accept(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Body() body: unknown,
  ) {
    const input = parseInput(acceptSchema, body);
    return this.signedIn(request, response, await this.invites.accept(input.token, input));
  }

  /** The new session's cookie, and what the SPA keeps: the user and the CSRF token. */
  private signedIn(
    request: Request,
    response: Response,
    { user, session }: { user: User; session: IssuedSession },
  ) {
    setSessionCookie(
      request,
      response,
      session.token,
      session.expiresAt,
      this.config.NODE_ENV === 'production',
    );
    return { user, csrfToken: session.csrfToken };
  }
}
