import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  type Type,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type ConfigOf, InjectConfig } from '@switchboard/platform';
import type { Request } from 'express';
import { InboxConfig } from '../inbox.config.js';
import { originAllowed } from './origin-check.util.js';
import { type Role, roleAtLeast } from './role.js';
import { secretTokensEqual } from './secret-token.util.js';
import type { SessionContext } from './session-context.js';
import { CSRF_HEADER, SESSION_COOKIE, readCookie } from './session-cookie.util.js';
import { SessionsService } from './sessions.service.js';

const PUBLIC = 'inbox:public';
const ROLE = 'inbox:role';
const OPERATOR = 'inbox:operator';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** No session needed (sign-in, invite acceptance); the Origin check still applies. */
export const PublicRoute = () => SetMetadata(PUBLIC, true);
/** The least role that may call this route (roles nest: admin ⊇ supervisor ⊇ agent). */
export const RequireRole = (role: Role) => SetMetadata(ROLE, role);

/** Only the installation's operator (ADR 0059), whatever their role in the session's workspace. */
export const RequireOperator = () => SetMetadata(OPERATOR, true);

type InboxRequest = Request & { inboxSession?: SessionContext };

/** What the guard reads of a request: express's `header`, `get('host')` and `protocol`. */
export interface GuardedRequest {
  readonly method: string;
  readonly origin: string | undefined;
  readonly host: string | undefined;
  readonly protocol: string;
  readonly cookie: string | undefined;
  readonly csrfToken: string | undefined;
}

/** What a route's decorators ask of its caller: read once per handler, not on every request. */
export interface RouteRule {
  readonly isPublic: boolean;
  readonly role: Role;
  readonly operator: boolean;
}

/** The caller's session, put on the request by `SessionGuard`. */
export const CurrentSession = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const session = context.switchToHttp().getRequest<InboxRequest>().inboxSession;
  if (!session) throw new UnauthorizedException('sign in first');
  return session;
});

/**
 * Every inbox route: Origin check and CSRF token on state-changing requests, the session from the
 * cookie, and the role the route requires. Workspace scoping follows from the session: services
 * are always called with `session.workspaceId`.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  /** By controller class, then handler (a handler inherited by two controllers has a rule in each). */
  private readonly rules = new WeakMap<object, WeakMap<object, RouteRule>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    @InjectConfig(InboxConfig) private readonly config: ConfigOf<typeof InboxConfig>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<InboxRequest>();
    const session = await this.authorize(
      {
        method: request.method,
        origin: request.header('origin'),
        host: request.get('host'),
        protocol: request.protocol,
        cookie: request.header('cookie'),
        csrfToken: request.header(CSRF_HEADER),
      },
      this.ruleFor(context.getClass(), context.getHandler()),
    );
    if (session !== null) request.inboxSession = session;
    return true;
  }

  /**
   * The checks every inbox route gets, on what they read of a request: null for a public route
   * (Origin checked), the caller's session otherwise; throws what the guard refuses with. Also
   * called by the routes served ahead of express (ADR 0150), so both ways in check alike.
   */
  async authorize(request: GuardedRequest, rule: RouteRule): Promise<SessionContext | null> {
    const unsafe = !SAFE_METHODS.has(request.method);
    if (
      unsafe &&
      !originAllowed(request.origin, request.host, request.protocol, this.config.INBOX_ALLOWED_ORIGINS)
    )
      throw new ForbiddenException('cross-origin request refused');
    if (rule.isPublic) return null;

    const token = readCookie(request.cookie, SESSION_COOKIE);
    const session = token ? await this.sessions.authenticate(token) : null;
    if (!session) throw new UnauthorizedException('sign in first');
    if (unsafe && !secretTokensEqual(request.csrfToken ?? '', session.csrfToken))
      throw new ForbiddenException('missing or wrong CSRF token');
    if (!roleAtLeast(session.role, rule.role))
      throw new ForbiddenException(`only a ${rule.role} may do this`);
    if (rule.operator && !session.operator)
      throw new ForbiddenException('only the operator of this installation may do this');
    return session;
  }

  /** What the route (a handler of a controller) asks of its caller, from its decorators. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest's handler type, a key here
  ruleFor(controller: Type<unknown>, handler: Function): RouteRule {
    let ofController = this.rules.get(controller);
    if (ofController === undefined) this.rules.set(controller, (ofController = new WeakMap()));
    let rule = ofController.get(handler);
    if (rule === undefined) {
      const targets = [handler, controller];
      rule = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC, targets) ?? false,
        role: this.reflector.getAllAndOverride<Role | undefined>(ROLE, targets) ?? 'agent',
        operator: this.reflector.getAllAndOverride<boolean>(OPERATOR, targets) ?? false,
      };
      ofController.set(handler, rule);
    }
    return rule;
  }
}
