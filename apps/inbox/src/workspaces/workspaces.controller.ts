import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Patch,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ClientIpConfig,
  type ConfigOf,
  InjectConfig,
  PlatformConfigService,
  clientIp,
} from '@switchboard/platform';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { assertPasswordPolicy } from '../auth/auth.service.js';
import { LoginRateLimiter } from '../auth/login-rate-limiter.service.js';
import { MAX_PASSWORD_LENGTH } from '../auth/password.util.js';
import { CurrentSession, PublicRoute, RequireRole, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { setSessionCookie } from '../auth/session-cookie.util.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { InboxConfig } from '../inbox.config.js';
import { SessionsService } from '../auth/sessions.service.js';
import { businessHoursSchema, timeZoneSchema, workspaceNameSchema } from './workspace.js';
import { WorkspacesService } from './workspaces.service.js';

const signUpSchema = z.strictObject({
  workspaceName: workspaceNameSchema,
  displayName: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  password: z.string().max(MAX_PASSWORD_LENGTH),
  timeZone: timeZoneSchema.optional(),
});
const newWorkspaceSchema = z.strictObject({ name: workspaceNameSchema, timeZone: timeZoneSchema.optional() });
const switchSchema = z.strictObject({ workspaceId: z.uuid() });
const settingsPatchSchema = z.strictObject({
  name: workspaceNameSchema.optional(),
  timeZone: timeZoneSchema.optional(),
  businessHours: businessHoursSchema.nullable().optional(),
});

/**
 * Workspaces in the inbox: sign-up (public, unless INBOX_SIGNUP_ENABLED=false), the signed-in
 * person's workspaces (list, create another, switch), and the workspace's settings for admins.
 */
@Controller('api/inbox')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class WorkspacesController {
  constructor(
    private readonly workspaces: WorkspacesService,
    private readonly sessions: SessionsService,
    @InjectConfig(InboxConfig) private readonly config: ConfigOf<typeof InboxConfig>,
    private readonly limiter: LoginRateLimiter,
    private readonly platformConfig: PlatformConfigService,
  ) {}

  /** Whether the sign-up page is open, for the sign-in page's link. */
  @Get('signup')
  @PublicRoute()
  signUpStatus() {
    return { enabled: this.config.INBOX_SIGNUP_ENABLED };
  }

  /** A new workspace and its admin, signed in at once. */
  @Post('signup')
  @PublicRoute()
  async signUp(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Body() body: unknown,
  ) {
    if (!this.config.INBOX_SIGNUP_ENABLED) throw new NotFoundException('sign-up is switched off here');
    const input = parseInput(signUpSchema, body);
    assertPasswordPolicy(input.password);
    await this.limiter.admitSignUp(
      clientIp(request, this.platformConfig.get(ClientIpConfig).TRUSTED_PROXIES),
    );
    const { workspace, admin } = await this.workspaces.create({
      name: input.workspaceName,
      timeZone: input.timeZone,
      admin: { email: input.email, displayName: input.displayName, password: input.password },
    });
    const session = await this.sessions.issue({ id: admin.id, workspaceId: workspace.id });
    setSessionCookie(request, response, session.token, session.expiresAt, this.secure);
    return { workspace, user: admin, csrfToken: session.csrfToken };
  }

  @Get('workspaces')
  async mine(@CurrentSession() session: SessionContext) {
    return { workspaces: await this.workspaces.memberships(session) };
  }

  /** Another workspace for the signed-in person, who becomes its admin. */
  @Post('workspaces')
  createForMe(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    return this.workspaces.createForMember(session, parseInput(newWorkspaceSchema, body));
  }

  @Post('workspaces/switch')
  @HttpCode(200)
  async switch(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @CurrentSession() session: SessionContext,
    @Body() body: unknown,
  ) {
    const { workspaceId } = parseInput(switchSchema, body);
    const switched = await this.workspaces.switchTo(session, workspaceId);
    setSessionCookie(request, response, switched.session.token, switched.session.expiresAt, this.secure);
    return { user: switched.user, csrfToken: switched.session.csrfToken };
  }

  @Get('admin/workspace')
  @RequireRole('admin')
  settings(@CurrentSession() session: SessionContext) {
    return this.workspaces.get(session.workspaceId);
  }

  @Patch('admin/workspace')
  @RequireRole('admin')
  updateSettings(@CurrentSession() session: SessionContext, @Body() body: unknown) {
    return this.workspaces.update(session.workspaceId, parseInput(settingsPatchSchema, body));
  }

  private get secure(): boolean {
    return this.config.NODE_ENV === 'production';
  }
}
