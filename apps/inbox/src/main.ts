import { runHttpService } from '@switchboard/platform';
import { InboxAppConfig } from './inbox-app.config.js';
import { InboxAppModule } from './inbox-app.module.js';

await runHttpService(InboxAppModule, { config: InboxAppConfig });
