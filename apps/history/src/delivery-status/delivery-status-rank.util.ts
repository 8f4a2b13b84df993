import type { DeliveryStatus } from '@switchboard/contracts';

/**
 * How far a delivery has got; a status only ever replaces a lower one. Receipts arrive out of
 * order (a late `sent` after `delivered`); failed, undelivered and read are final, and the first
 * final status wins. The same ranks as the SMS channel's (`sms-delivery-status.util.ts`).
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

/** The same ranking as a SQL expression over `column`, so the comparison happens in the UPDATE. */
export function deliveryRankSql(column: string): string {
  const cases = Object.entries(DELIVERY_STATUS_RANK)
    .map(([status, rank]) => `WHEN '${status}' THEN ${rank}`)
    .join(' ');
  return `(CASE ${column} ${cases} ELSE -1 END)`;
}

export function isFailure(status: DeliveryStatus): boolean {
  return status === 'failed' || status === 'undelivered';
}
