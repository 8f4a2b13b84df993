import { runHttpService } from '@switchboard/platform';
import { routeStatusChangesFirst } from './conversations/conversation-status.route.js';
import { InboxAppConfig } from './inbox-app.config.js';
import { InboxAppModule } from './inbox-app.module.js';

await runHttpService(InboxAppModule, {
  config: InboxAppConfig,
  onListening: (app) => {
    // No weak ETag on the API's JSON answers: express hashes every body it sends for one (a resolve,
    // a reply: every agent request), and each is `Cache-Control: no-store`, so no browser ever asks
    // again with it. The SPA's index.html (`no-cache`) revalidates by its Last-Modified instead; its
    // hashed assets are immutable. ADR 0147.
    (app.getHttpAdapter().getInstance() as { set(setting: string, value: unknown): void }).set('etag', false);
    // Every resolve, on node:http ahead of express and Nest (ADR 0150); until this runs (just after
    // listen), Nest's route answers them the same way.
    routeStatusChangesFirst(app);
  },
});
