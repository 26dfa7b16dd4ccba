import { z } from 'zod';
import { chinaTimeSchema } from './validate';

/** A closed interval of China time, both ends `YYYY-MM-DD HH:mm:ss`. */
export interface TimeInterval {
  start: string;
  end: string;
}

/** Progress of one stream (today only `receipts`). */
export interface Checkpoint {
  stream: string;
  /** Signpost of the last window whose every page was enqueued (docs/operations.md#checkpoints). */
  windowEnd: string;
  updatedAt: Date;
  /** Merged list of windows known to be complete (docs/operations.md#checkpoints). */
  completedIntervals?: TimeInterval[];
}

export interface CheckpointRepo {
  /** The stream's checkpoint, or undefined before the first advance. */
  get(stream: string): Promise<Checkpoint | undefined>;
  /**
   * Compare-and-set: moves the stream's `windowEnd` to `windowEnd` only if it currently equals
   * `expectedPrevious` (undefined = no checkpoint yet) and the move is not backwards. Two producers
   * advancing from the same previous value: exactly one gets `true`.
   *
   * @param completed - the window just finished; merged into `completedIntervals`.
   * @returns false when someone else moved it first or `windowEnd` is older than the current one.
   * @throws InvalidInputError when a stamp is not `YYYY-MM-DD HH:mm:ss`.
   */
  advance(
    stream: string,
    windowEnd: string,
    expectedPrevious: string | undefined,
    completed?: TimeInterval,
  ): Promise<boolean>;
}

/** Completed intervals kept per stream; older ones are dropped (they only explain history). */
export const MAX_COMPLETED_INTERVALS = 100;

export const intervalSchema = z
  .object({ start: chinaTimeSchema, end: chinaTimeSchema })
  .refine((i) => i.start <= i.end, 'start must not be after end');

export const checkpointSchema = z.object({
  stream: z.string(),
  windowEnd: z.string(),
  updatedAt: z.coerce.date(),
  completedIntervals: z.array(z.object({ start: z.string(), end: z.string() })).optional(),
});

export const advanceSchema = z.object({
  stream: z.string().min(1).max(100),
  windowEnd: chinaTimeSchema,
  expectedPrevious: chinaTimeSchema.optional(),
  completed: intervalSchema.optional(),
});

/** Sorts, then merges overlapping or touching intervals; keeps the newest MAX_COMPLETED_INTERVALS. */
export function mergeIntervals(list: readonly TimeInterval[], add?: TimeInterval): TimeInterval[] {
  const all = [...list, ...(add ? [add] : [])].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const merged: TimeInterval[] = [];
  for (const next of all) {
    const last = merged[merged.length - 1];
    if (last && next.start <= last.end) {
      if (next.end > last.end) last.end = next.end;
    } else {
      merged.push({ start: next.start, end: next.end });
    }
  }
  return merged.slice(-MAX_COMPLETED_INTERVALS);
}

/**
 * The checkpoint after a successful advance, or undefined when the advance must be refused
 * (someone else moved it, or it would go backwards). Both backends decide through this one rule.
 */
export function nextCheckpoint(
  current: Checkpoint | undefined,
  input: z.output<typeof advanceSchema>,
  now: Date,
): Checkpoint | undefined {
  if (current?.windowEnd !== input.expectedPrevious) return undefined;
  if (current && input.windowEnd < current.windowEnd) return undefined;
  const intervals = mergeIntervals(current?.completedIntervals ?? [], input.completed);
  return {
    stream: input.stream,
    windowEnd: input.windowEnd,
    updatedAt: now,
    ...(intervals.length ? { completedIntervals: intervals } : {}),
  };
}
