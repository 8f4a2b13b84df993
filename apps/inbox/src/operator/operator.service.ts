import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  HISTORY_API,
  type HistoryApi,
  type Page,
  SMS_CHANNEL_API,
  SOCIAL_CHANNEL_API,
  type SmsChannelApi,
  type SocialChannelApi,
  WEB_CHANNEL_API,
  type WebChannelApi,
} from '@switchboard/contracts';
import type { WorkspaceSummary } from '../workspaces/workspace.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';

/** A row of the operator screen: the workspace, its members, its channels and conversations. */
export interface OperatorWorkspaceView extends WorkspaceSummary {
  /** SMS numbers, social channels, and the web widget once it allows an origin. */
  channels: number;
  conversations: number;
}

/**
 * The installation's operator's view of every workspace (ADR 0059). Counts come from the services
 * that own them, through their ports, each asked about one workspace at a time.
 */
@Injectable()
export class OperatorService {
  constructor(
    private readonly workspaces: WorkspacesService,
    @Inject(HISTORY_API) private readonly history: HistoryApi,
    @Inject(WEB_CHANNEL_API) private readonly web: WebChannelApi,
    @Inject(SMS_CHANNEL_API) private readonly sms: SmsChannelApi,
    // Absent where the social channel does not run (as on the admin screen).
    @Optional() @Inject(SOCIAL_CHANNEL_API) private readonly social: SocialChannelApi | null,
  ) {}

  async listWorkspaces(query: {
    pageSize?: number;
    pageToken?: string;
  }): Promise<Page<OperatorWorkspaceView>> {
    const page = await this.workspaces.listPage(query);
    const items = await Promise.all(page.items.map((workspace) => this.withCounts(workspace)));
    return { items, nextPageToken: page.nextPageToken };
  }

  private async withCounts(workspace: WorkspaceSummary): Promise<OperatorWorkspaceView> {
    const [conversations, numbers, socials, widget] = await Promise.all([
      this.history.countConversations(workspace.id),
      this.sms.listSmsNumbers(workspace.id),
      this.social ? this.social.listSocialChannels(workspace.id) : Promise.resolve([]),
      this.web.getWidgetSettings(workspace.id),
    ]);
    const web = widget.allowedOrigins.length > 0 ? 1 : 0;
    return { ...workspace, channels: numbers.length + socials.length + web, conversations };
  }
}
