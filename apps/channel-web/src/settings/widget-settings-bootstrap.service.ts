import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { createLogger } from '@switchboard/platform';
import { WidgetSettingsService } from './widget-settings.service.js';

/** The default workspace has a widget from the first start (defaults, a fresh key and secret): /demo works at once. */
@Injectable()
export class WidgetSettingsBootstrapService implements OnApplicationBootstrap {
  private readonly logger = createLogger('channel-web.settings');

  constructor(private readonly settings: WidgetSettingsService) {}

  async onApplicationBootstrap(): Promise<void> {
    const { widgetKey } = await this.settings.get(DEFAULT_WORKSPACE_ID);
    this.logger.info({ widgetKey }, 'web chat widget ready: see /demo, embed /widget.js with data-workspace');
  }
}
