import { addSeconds, formatChinaTime, parseChinaTime } from '@receipt-sync/core';
import { ConfigError, configErrorOf } from '@receipt-sync/core';
import { versionTag } from '../queues';

export const RECEIPT_STREAM = 'receipts';

export interface WindowSettings {
  /** SYNC_START_TIME: first window start when no checkpoint exists. */
  startTime?: string;
  lookbackSeconds: number;
  safetyLagSeconds: number;
  /** SYNC_LANES: false puts every receipt in the live lane (one first-come-first-served lane). */
  lanes?: boolean;
}

export interface WindowBounds {
  id: string;
  start: string;
  end: string;
  /** The checkpoint this window was opened from; the advance is a compare-and-set against it. */
  previousCheckpoint?: string;
}

/**
 * `[checkpoint − lookback, now − lag]` (docs/operations.md#checkpoints). The end is fixed before any page is
 * read (Singer "signpost"): a receipt edited while we page gets update_time > end and is caught by
 * the next window instead of shifting this one. The lookback re-reads late commits and clock skew;
 * the idempotent writer absorbs the re-reads. Returns undefined when the window would be empty.
 */
export function nextWindow(
  checkpoint: string | undefined,
  now: Date,
  settings: WindowSettings,
): WindowBounds | undefined {
  let start: string;
  if (checkpoint) {
    const cp = parseChinaTime(checkpoint);
    if (!cp) throw new ConfigError([`stored checkpoint is not a China time: ${JSON.stringify(checkpoint)}`]);
    start = formatChinaTime(addSeconds(cp, -settings.lookbackSeconds));
  } else if (settings.startTime) {
    start = settings.startTime;
  } else {
    throw configErrorOf([{ variable: 'SYNC_START_TIME', problem: 'firstWindow' }]);
  }
  const end = formatChinaTime(addSeconds(now, -settings.safetyLagSeconds));
  if (end < start) return undefined;
  return { id: `w${versionTag(start)}-${versionTag(end)}`, start, end, previousCheckpoint: checkpoint };
}
