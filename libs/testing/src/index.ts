export {
  createTestDatabase,
  dropTestDatabasesOfRun,
  testRunId,
  type TestDatabase,
} from './database/test-database.util.js';
export {
  createMigratedTestDatabase,
  type MigratedTestDatabase,
} from './database/migrated-test-database.util.js';
export { genericPlanIn } from './database/generic-plan.util.js';
export * from './async/wait-for.util.js';
export * from './fixtures/inbound-message.fixture.js';
export * from './process/app-process.util.js';
export * from './twilio/twilio-api-server.util.js';
export * from './twilio/twilio-webhook.fixture.js';
export * from './grpc/grpc-call.util.js';
export * from './fixtures/workspace-event.fixture.js';
export * from './s3/s3-server.util.js';
export { launchChromium } from './browser/chromium.util.js';
export { signInToInbox } from './browser/inbox-sign-in.util.js';
export { conversationIdListed, openConversation } from './browser/inbox-conversation.util.js';
export {
  type AccessibilityViolation,
  type SchemedAccessibilityViolation,
  seriousAccessibilityViolations,
  seriousAccessibilityViolationsInBothSchemes,
} from './browser/accessibility.util.js';
export { InMemoryHistory } from './ports/in-memory-history.double.js';
export { InMemoryRouting } from './ports/in-memory-routing.double.js';
export { unreachablePorts } from './ports/unreachable-ports.util.js';
export { overInternalRpc } from './ports/over-internal-rpc.util.js';
export * from './net/tcp-proxy.util.js';
export * from './meta/graph-api-server.util.js';
export * from './meta/meta-webhook.fixture.js';
export * from './social/social-webhook.fixture.js';
export * from './standalone/standalone-sms.fixture.js';
export * from './telegram/bot-api-server.util.js';
export * from './metrics/prometheus-text.util.js';
export * from './otlp/otlp-receiver.util.js';
export * from './kafka/test-kafka.fixture.js';
export * from './channels/channel-events.fixture.js';
export * from './net/elsewhere-server.util.js';
export * from './fixtures/agent-reply.fixture.js';
export * from './inbox/inbox-session.util.js';
export * from './channels/channel-app.fixture.js';
export * from './standalone/standalone-browser.fixture.js';
export * from './widget/widget-customer.util.js';
export { SettableClock } from './clock/settable-clock.js';
