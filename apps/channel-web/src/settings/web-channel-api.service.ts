import { Injectable } from '@nestjs/common';
import type { WebChannelApi, WidgetSettingsPatch, WidgetSettingsView } from '@switchboard/contracts';
import { WidgetSettingsService } from './widget-settings.service.js';

/**
 * WebChannelApi over the widget settings (provided under WEB_CHANNEL_API, served over internal RPC
 * by channel-web alone). WidgetSettingsService validates the patch and names the bad fields; its
 * views are the port's, field for field, which the `satisfies` checks keep true.
 */
@Injectable()
export class WebChannelApiService implements WebChannelApi {
  constructor(private readonly settings: WidgetSettingsService) {}

  async getWidgetSettings(workspaceId: string): Promise<WidgetSettingsView> {
    return (await this.settings.get(workspaceId)) satisfies WidgetSettingsView;
  }

  async updateWidgetSettings(workspaceId: string, patch: WidgetSettingsPatch): Promise<WidgetSettingsView> {
    return (await this.settings.update(workspaceId, patch)) satisfies WidgetSettingsView;
  }

  async rotateWidgetIdentitySecret(workspaceId: string): Promise<WidgetSettingsView> {
    return (await this.settings.rotateIdentitySecret(workspaceId)) satisfies WidgetSettingsView;
  }
}
