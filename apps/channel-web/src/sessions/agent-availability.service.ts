import { Inject, Injectable, Optional } from '@nestjs/common';
import { ROUTING_API, type RoutingApi } from '@switchboard/contracts';
import { createLogger } from '@switchboard/platform';
import { isWithinBusinessHours } from '../settings/business-hours.util.js';
import type { WidgetSite } from '../settings/widget-settings.service.js';

const AGENTS_CACHE_MS = 10_000;

/**
 * Whether the widget offers live chat or the offline form: within the workspace's business hours
 * (its time zone) and, when the workspace asks for it, with an agent online according to routing.
 * Without routing in the process (or when it fails), agents count as available: the message
 * reaches the inbox either way.
 */
@Injectable()
export class AgentAvailabilityService {
  private readonly logger = createLogger('channel-web.availability');
  private readonly agentsOnline = new Map<string, { online: boolean; expiresAt: number }>();

  constructor(@Optional() @Inject(ROUTING_API) private readonly routing: RoutingApi | null) {}

  async isOnline(site: WidgetSite, at = new Date()): Promise<boolean> {
    if (!isWithinBusinessHours(site.appearance.businessHours, at)) return false;
    if (!site.appearance.offlineWhenNoAgentOnline || !this.routing) return true;
    const cached = this.agentsOnline.get(site.workspaceId);
    if (cached && cached.expiresAt > Date.now()) return cached.online;
    try {
      const agents = await this.routing.listAgents(site.workspaceId);
      const online = agents.some((agent) => agent.presence === 'online');
      this.agentsOnline.set(site.workspaceId, { online, expiresAt: Date.now() + AGENTS_CACHE_MS });
      return online;
    } catch (error) {
      this.logger.warn({ err: error }, 'routing did not answer; offering live chat');
      return true;
    }
  }
}
