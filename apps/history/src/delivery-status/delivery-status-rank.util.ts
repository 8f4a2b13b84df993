import { DELIVERY_STATUS_RANK, type DeliveryStatus } from '@switchboard/contracts';

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
