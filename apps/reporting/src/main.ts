import { runHttpService } from '@switchboard/platform';
import { ReportingAppConfig } from './reporting-app.config.js';
import { ReportingAppModule } from './reporting-app.module.js';

await runHttpService(ReportingAppModule, { config: ReportingAppConfig });
