/** The body is not what the provider sends (not JSON, not its shape): 400, nothing published. */
export class MalformedWebhookError extends Error {
  override readonly name = 'MalformedWebhookError';
}
