import { runHttpService } from '@switchboard/platform';
import { InboxAppConfig } from './inbox-app.config.js';
import { InboxAppModule } from './inbox-app.module.js';

await runHttpService(InboxAppModule, {
  config: InboxAppConfig,
  // No weak ETag on the API's JSON answers: express hashes every body it sends for one (a resolve,
  // a reply: every agent request), and each is `Cache-Control: no-store`, so no browser ever asks
  // again with it. The SPA's index.html (`no-cache`) revalidates by its Last-Modified instead; its
  // hashed assets are immutable. ADR 0147.
  onListening: (app) => {
    (app.getHttpAdapter().getInstance() as { set(setting: string, value: unknown): void }).set('etag', false);
  },
});
