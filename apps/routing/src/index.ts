// What the standalone composition needs of routing; nothing else imports an app.
export { RoutingModule } from './routing.module.js';
export { routingVariables } from './routing.config.js';
