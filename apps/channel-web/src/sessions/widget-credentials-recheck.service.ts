import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createLogger } from '@switchboard/platform';
import { isValidUserHash } from '../contacts/identity-verification.util.js';
import { WidgetSettingsService } from '../settings/widget-settings.service.js';
import { isOriginAllowed } from './origin.util.js';
import { SessionRegistryService } from './session-registry.service.js';
import { CLOSE_IDENTITY_INVALID, CLOSE_ORIGIN_REFUSED, CLOSE_UNKNOWN_WIDGET } from './widget-protocol.js';
import type { WidgetSession } from './widget-session.js';

/**
 * How often open sockets are held against their site's current settings. With the settings
 * cache's 5 s, a rotated identity secret or a removed origin ends the sockets it no longer
 * admits within 10 s on every replica.
 */
export const CREDENTIALS_RECHECK_MS = 3_000;

/**
 * A socket is admitted once, when it opens (origin) and says hello (identity hash); it lasts as
 * long as the tab. An admin who rotates the identity secret (it leaked: anyone could sign in as
 * anyone) or takes an origin off the list must not leave those sockets open: each is checked
 * again against the site as it is now, and closed as a new one would be refused.
 */
@Injectable()
export class WidgetCredentialsRecheckService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('channel-web.sessions');
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private failing = false;

  constructor(
    private readonly registry: SessionRegistryService,
    private readonly settings: WidgetSettingsService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.recheck(), CREDENTIALS_RECHECK_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async recheck(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      // Appended in place: copying the site's list for every socket made each round quadratic
      // (50 million copies, every 3 s, for 10,000 sockets of one site).
      const bySite = new Map<string, WidgetSession[]>();
      for (const session of this.registry.sessions()) {
        if (session.closed || session.site === null) continue;
        const key = session.site.widgetKey;
        const sessions = bySite.get(key);
        if (sessions) sessions.push(session);
        else bySite.set(key, [session]);
      }
      for (const [widgetKey, sessions] of bySite) {
        // One lookup per site (cached for seconds); while the database is unreachable nothing closes.
        const site = await this.settings.findSite(widgetKey).catch((error: unknown) => {
          // Said once per outage, not every few seconds.
          if (!this.failing) this.logger.warn({ err: error }, 'could not recheck open widget sockets');
          this.failing = true;
          return undefined;
        });
        if (site === undefined) continue;
        this.failing = false;
        // Most of a site's sockets share a few origins: each pair is judged once a round.
        const originAllowed = new Map<string, boolean>();
        const allowed = (session: WidgetSession, origins: readonly string[]): boolean => {
          // Headers hold no line break or NUL (an absent one is NUL): one string, not an array per socket.
          const key = `${session.origin ?? '\0'}\n${session.host ?? '\0'}`;
          let verdict = originAllowed.get(key);
          if (verdict === undefined)
            originAllowed.set(key, (verdict = isOriginAllowed(session.origin, session.host, origins)));
          return verdict;
        };
        for (const session of sessions) {
          if (site === null) session.close(CLOSE_UNKNOWN_WIDGET, 'unknown widget key');
          else if (!allowed(session, site.allowedOrigins))
            session.close(CLOSE_ORIGIN_REFUSED, 'origin no longer allowed');
          else if (
            session.identity !== null &&
            !isValidUserHash(site.identitySecret, session.identity, session.identity.hash)
          )
            session.close(CLOSE_IDENTITY_INVALID, 'identity no longer verified');
          // Still admitted: later hellos and uploads see the settings as they are now.
          else session.site = site;
        }
      }
    } finally {
      this.checking = false;
    }
  }
}
