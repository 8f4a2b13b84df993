import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ClientIpConfig,
  clientIp,
  type ConfigOf,
  InjectConfig,
  PlatformConfigService,
  type TrustedProxies,
} from '@switchboard/platform';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { InboxConfig } from '../inbox.config.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { AuthService } from './auth.service.js';
import { MAX_PASSWORD_LENGTH } from './password.util.js';
import { CurrentSession, PublicRoute, SessionGuard } from './session.guard.js';
import type { SessionContext } from './session-context.js';
import { DEVICE_TRUST_DAYS } from './login-rate-limiter.service.js';
import {
  DEVICE_COOKIE,
  clearSessionCookie,
  readCookie,
  setDeviceCookie,
  setSessionCookie,
} from './session-cookie.util.js';

const loginSchema = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  workspaceId: z.uuid().optional(),
});

const passwordChangeSchema = z.object({
  currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  newPassword: z.string().max(MAX_PASSWORD_LENGTH),
});

/** `/api/inbox/session`: sign in, who am I (with the CSRF token), sign out, change password. */
@Controller('api/inbox/session')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
export class AuthController {
  private readonly trustedProxies: TrustedProxies;

  constructor(
    private readonly auth: AuthService,
    @InjectConfig(InboxConfig) private readonly config: ConfigOf<typeof InboxConfig>,
    platformConfig: PlatformConfigService,
  ) {
    this.trustedProxies = platformConfig.get(ClientIpConfig).TRUSTED_PROXIES;
  }

  @Post()
  @PublicRoute()
  @HttpCode(200)
  async login(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Body() body: unknown,
  ) {
    const input = parseInput(loginSchema, body);
    const { user, session, deviceToken } = await this.auth.login({ ...input, ...this.origin(request) });
    setSessionCookie(request, response, session.token, session.expiresAt, this.secure);
    setDeviceCookie(request, response, deviceToken, DEVICE_TRUST_DAYS, this.secure);
    return { user, csrfToken: session.csrfToken };
  }

  @Get()
  me(@CurrentSession() session: SessionContext) {
    return {
      user: {
        id: session.userId,
        workspaceId: session.workspaceId,
        email: session.email,
        displayName: session.displayName,
        role: session.role,
        operator: session.operator,
      },
      csrfToken: session.csrfToken,
    };
  }

  @Delete()
  @HttpCode(204)
  async logout(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @CurrentSession() session: SessionContext,
  ): Promise<void> {
    await this.auth.logout(session);
    clearSessionCookie(request, response, this.secure);
  }

  @Post('password')
  @HttpCode(200)
  async changePassword(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @CurrentSession() session: SessionContext,
    @Body() body: unknown,
  ) {
    const input = parseInput(passwordChangeSchema, body);
    const issued = await this.auth.changePassword(
      session,
      input.currentPassword,
      input.newPassword,
      this.origin(request),
    );
    setSessionCookie(request, response, issued.token, issued.expiresAt, this.secure);
    return { csrfToken: issued.csrfToken };
  }

  /** Where a password check comes from: the client's address and its trust cookie (ADR 0056). */
  private origin(request: Request) {
    return {
      ip: clientIp(request, this.trustedProxies),
      deviceToken: readCookie(request.header('cookie'), DEVICE_COOKIE),
    };
  }

  private get secure(): boolean {
    return this.config.NODE_ENV === 'production';
  }
}
