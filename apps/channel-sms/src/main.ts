import type { Server } from 'node:http';
import { HttpConfig, PlatformConfigService, runHttpService } from '@switchboard/platform';
import { ChannelSmsAppConfig } from './channel-sms-app.config.js';
import { ChannelSmsAppModule } from './channel-sms-app.module.js';
import { routeMessageWebhooksFirst } from './webhooks/message-webhook.route.js';
import { TwilioWebhookEndpoint } from './webhooks/twilio-webhook.endpoint.js';

/** Twilio's forms: a webhook's body is at most this (Twilio's are a few KB). */
const FORM_LIMIT_BYTES = 100 * 1024;

// Twilio's forms are read as bytes and parsed once, by the webhook itself (parseTwilioForm): the
// signature is over the parameters as sent, and express's `qs` parse of each was wasted CPU.
await runHttpService(ChannelSmsAppModule, {
  config: ChannelSmsAppConfig,
  rawBodies: { types: ['application/x-www-form-urlencoded'], limit: FORM_LIMIT_BYTES.toString() },
  // Every customer's text, on node:http ahead of express and Nest (ADR 0141); until this runs
  // (just after listen), Nest's route answers them the same way.
  onListening: (app) =>
    routeMessageWebhooksFirst(app.getHttpServer() as Server, app.get(TwilioWebhookEndpoint), {
      limitBytes: FORM_LIMIT_BYTES,
      hsts: app.get(PlatformConfigService).get(HttpConfig).PUBLIC_BASE_URL?.startsWith('https:') ?? false,
    }),
});
