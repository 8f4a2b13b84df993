import { Inject, Injectable, Optional } from '@nestjs/common';
import { REPORTING_API, type ReportingApi, type WorkspaceClock } from '@switchboard/contracts';
import { InjectServiceDataSource, createLogger } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import type { WorkspaceRow } from '../workspaces/workspace.js';

/**
 * How long this replica trusts that reporting holds a workspace's clock before it checks again: a
 * hand-over another replica could not make (reporting was down) heals within this (ADR 0103).
 */
export const CLOCK_CHECK_EVERY_MS = 5 * 60_000;

/**
 * Reporting reads figures on the workspace's clock (time zone and business hours), which the inbox
 * owns (ADR 0101). The clock is handed to reporting when an admin changes it, and checked on a
 * workspace's first report in this replica (then every CLOCK_CHECK_EVERY_MS); a report request
 * otherwise costs no round trip for it (ADR 0103).
 */
@Injectable()
export class ReportingClockService {
  private readonly logger = createLogger('inbox.reporting-clock');
  /** Per workspace: the clock reporting was last seen or made to hold, and when. */
  private readonly confirmed = new Map<string, { clock: string; at: number }>();

  constructor(
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    @Optional() @Inject(REPORTING_API) private readonly reporting: ReportingApi | null,
  ) {}

  /** Before a report: makes sure reporting holds the workspace's clock (no I/O when confirmed recently). */
  async ensure(workspaceId: string, now = Date.now()): Promise<void> {
    if (!this.reporting) return;
    const known = this.confirmed.get(workspaceId);
    if (known && now - known.at < CLOCK_CHECK_EVERY_MS) return;
    const ours = await this.clockOf(workspaceId);
    if (!ours) return;
    const held = await this.reporting.getWorkspaceClock(workspaceId);
    if (sameClock(held, ours)) return this.remember(workspaceId, ours, now);
    await this.reporting.setWorkspaceClock(workspaceId, ours);
    this.remember(workspaceId, ours, now);
  }

  /**
   * After an admin changed the time zone or business hours: reporting recomputes the workspace's
   * figures on the new clock. The settings are saved whatever happens here; if reporting cannot
   * be reached the change reaches it at the next check (this replica's next report, any
   * replica's within CLOCK_CHECK_EVERY_MS).
   */
  async handOver(workspaceId: string, clock: WorkspaceClock): Promise<void> {
    if (!this.reporting) return;
    this.confirmed.delete(workspaceId);
    try {
      await this.reporting.setWorkspaceClock(workspaceId, clock);
      this.remember(workspaceId, clock, Date.now());
    } catch (error) {
      this.logger.warn(
        { workspaceId, err: error },
        'reporting did not take the new workspace clock; it is handed over again before the next report',
      );
    }
  }

  private remember(workspaceId: string, clock: WorkspaceClock, at: number): void {
    this.confirmed.set(workspaceId, { clock: clockKey(clock), at });
  }

  private async clockOf(workspaceId: string): Promise<WorkspaceClock | null> {
    const [row] = await this.db.query<Pick<WorkspaceRow, 'time_zone' | 'business_hours'>[]>(
      'SELECT time_zone, business_hours FROM inbox.workspaces WHERE id = $1',
      [workspaceId],
    );
    return row ? { timeZone: row.time_zone, businessHours: row.business_hours } : null;
  }
}

/** The same clock, whatever order the weekdays' keys came in. */
export function sameClock(a: WorkspaceClock, b: WorkspaceClock): boolean {
  return clockKey(a) === clockKey(b);
}

function clockKey(clock: WorkspaceClock): string {
  const hours = clock.businessHours;
  const days =
    hours === null
      ? null
      : Object.keys(hours)
          .sort()
          .map((d) => [d, hours[d as keyof typeof hours]]);
  return JSON.stringify([clock.timeZone, days]);
}
