import { runHttpService } from '@switchboard/platform';
import { RoutingAppConfig } from './routing-app.config.js';
import { RoutingAppModule } from './routing-app.module.js';

await runHttpService(RoutingAppModule, { config: RoutingAppConfig });
