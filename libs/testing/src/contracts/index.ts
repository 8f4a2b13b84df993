// Contract suites (they call jest's describe/it): imported by test files only, through
// `@switchboard/testing/contracts`, and never built into dist.
export { describeHistoryApiContract, type HistoryApiUnderTest } from './history-api.contract.js';
export { describeRoutingApiContract, type RoutingApiUnderTest } from './routing-api.contract.js';
export {
  describeWebhookOutage,
  type ProviderMessage,
  type WebhookOutageScenario,
} from './webhook-outage.contract.js';
