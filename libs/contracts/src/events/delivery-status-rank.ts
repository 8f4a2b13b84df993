import type { DeliveryStatus } from './delivery-status-changed.event.js';

/**
 * How far a delivery has got; a status only ever replaces a lower one. Providers' receipts arrive
 * out of order (a late `sent` after `delivered`); failed, undelivered and read are final, and the
 * first final status wins. One ranking for every holder of a delivery's status: the channels that
 * record receipts and history, which shows them.
 */
export const DELIVERY_STATUS_RANK: Readonly<Record<DeliveryStatus, number>> = {
  pending: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  undelivered: 4,
  failed: 4,
  read: 4,
};
