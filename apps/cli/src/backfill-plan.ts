import { addSeconds, formatChinaTime, parseChinaTime } from '@receipt-sync/core';
import { versionTag } from '@receipt-sync/pipeline';
import { UsageError } from './exit-codes';
import { terminalT } from './output';

export interface BackfillWindow {
  /** 1-based position in the whole range (progress "window 3/30"). */
  index: number;
  id: string;
  start: string;
  end: string;
  /** The backfill stream's checkpoint this window advances from (compare-and-set guard). */
  previousCheckpoint?: string;
}

export interface BackfillPlan {
  stream: string;
  total: number;
  /** Sub-windows still to run, in order; empty when the range is already done. */
  remaining: BackfillWindow[];
}

const STAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const MAX_WINDOWS = 100_000;

function stamp(value: string, flag: string): Date {
  const parsed = STAMP.test(value) ? parseChinaTime(value) : undefined;
  if (!parsed) throw new UsageError(terminalT()('terminal.usage.time', { flag, value: JSON.stringify(value) }));
  return parsed;
}

/** Each backfill range has its own checkpoint stream, so it never moves the live one and resumes by itself. */
export function backfillStream(from: string, to: string): string {
  return `backfill:${versionTag(from)}-${versionTag(to)}`;
}

/**
 * Splits `[from, to]` into sub-windows of `stepHours` that do not overlap (update_time has whole
 * seconds, OKKI bounds are inclusive: each ends one second before the next starts). Sub-windows
 * ending at or before `checkpoint` (the stream's last completed window end) are done; a checkpoint
 * off the grid (the step changed between runs) resumes one second after it.
 */
export function planBackfill(from: string, to: string, stepHours: number, checkpoint?: string): BackfillPlan {
  const start = stamp(from, '--from');
  const end = stamp(to, '--to');
  const t = terminalT();
  if (start > end) throw new UsageError(t('terminal.usage.fromAfterTo'));
  if (!Number.isFinite(stepHours) || stepHours <= 0)
    throw new UsageError(t('terminal.usage.stepPositive', { value: stepHours }));
  const stepSeconds = Math.round(stepHours * 3600);
  if (stepSeconds < 1) throw new UsageError(t('terminal.usage.stepSecond'));
  const spanSeconds = (end.getTime() - start.getTime()) / 1000;
  const total = Math.floor(spanSeconds / stepSeconds) + 1;
  if (total > MAX_WINDOWS)
    throw new UsageError(t('terminal.usage.stepTooMany', { step: stepHours, count: total, max: MAX_WINDOWS }));

  const stream = backfillStream(from, to);
  const remaining: BackfillWindow[] = [];
  let previous = checkpoint;
  for (let i = 0; i < total; i++) {
    let winStart = formatChinaTime(addSeconds(start, i * stepSeconds));
    const winEnd = i === total - 1 ? to : formatChinaTime(addSeconds(start, (i + 1) * stepSeconds - 1));
    if (checkpoint !== undefined && winEnd <= checkpoint) continue;
    if (checkpoint !== undefined && winStart <= checkpoint)
      winStart = formatChinaTime(addSeconds(parseChinaTime(checkpoint)!, 1));
    remaining.push({
      index: i + 1,
      id: `b${versionTag(winStart)}-${versionTag(winEnd)}`,
      start: winStart,
      end: winEnd,
      previousCheckpoint: previous,
    });
    previous = winEnd;
  }
  return { stream, total, remaining };
}
