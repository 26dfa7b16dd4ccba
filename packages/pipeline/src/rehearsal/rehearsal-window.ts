import { InvalidInputError, parseChinaTime, type Config } from '@receipt-sync/core';
import type { CheckpointRepo } from '@receipt-sync/store';
import { nextWindow, RECEIPT_STREAM } from '../producer';
import type { RehearsalWindow } from './run-rehearsal';

const STAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/**
 * The rehearsal's window: `from` and `to` as given, each defaulting to the window the next
 * `sync:once` would read (`[checkpoint − lookback, now − lag]`, from SYNC_START_TIME when no
 * checkpoint exists). Undefined when that window would be empty. Bad stamps are refused naming the option.
 */
export async function rehearsalWindow(
  checkpoints: Pick<CheckpointRepo, 'get'>,
  sync: Config['sync'],
  given: { from?: string; to?: string },
  now = new Date(),
): Promise<RehearsalWindow | undefined> {
  const issues: string[] = [];
  for (const [name, value] of [
    ['--from', given.from],
    ['--to', given.to],
  ] as const) {
    if (value !== undefined && (!STAMP.test(value) || !parseChinaTime(value)))
      issues.push(`${name} must be 'YYYY-MM-DD HH:mm:ss' (Asia/Shanghai), got ${JSON.stringify(value)}`);
  }
  if (issues.length > 0) throw new InvalidInputError('rehearsal window', issues);
  const needsDefault = given.from === undefined || given.to === undefined;
  const next = needsDefault ? nextWindow((await checkpoints.get(RECEIPT_STREAM))?.windowEnd, now, sync) : undefined;
  const start = given.from ?? next?.start;
  const end = given.to ?? next?.end;
  if (start === undefined || end === undefined) return undefined;
  if (start > end) throw new InvalidInputError('rehearsal window', ['--from must not be after --to']);
  return { start, end };
}
