import { z } from 'zod';
import { InvalidInputError } from '@receipt-sync/core';
import { chinaTimeSchema, idSchema } from './validate';

export type WindowStatus = 'open' | 'enqueued' | 'completed' | 'failed';
export const WINDOW_STATUSES = ['open', 'enqueued', 'completed', 'failed'] as const satisfies readonly WindowStatus[];

/** What one producer cycle saw and what became of it; every field optional, merged key by key. */
export interface WindowCounts {
  fetched?: number;
  removed?: number;
  enqueued?: number;
  written?: number;
  unchanged?: number;
  quarantined?: number;
  deadLettered?: number;
}

/** One producer cycle: the China-time window `[start, end]` it read and how it ended. */
export interface WindowRecord {
  id: string;
  start: string;
  end: string;
  status: WindowStatus;
  counts: WindowCounts;
  startedAt: Date;
  finishedAt?: Date;
  error?: string;
}

export interface NewWindow {
  id: string;
  start: string;
  end: string;
  /** @defaultValue now */
  startedAt?: Date;
  counts?: WindowCounts;
}

export interface WindowPatch {
  status?: WindowStatus;
  /** Merged into the stored counts key by key. */
  counts?: WindowCounts;
  finishedAt?: Date;
  error?: string;
}

export interface WindowRepo {
  /** Records a new window with status `open`. Opening an id that exists keeps the stored record. */
  open(window: NewWindow): Promise<void>;
  /**
   * Applies `patch` (counts merged key by key).
   * @throws InvalidInputError when no window has this id.
   */
  update(id: string, patch: WindowPatch): Promise<void>;
  /** The window, or undefined. */
  get(id: string): Promise<WindowRecord | undefined>;
  /** Newest first by `startedAt`; at most `limit` (capped at 1000). */
  latest(limit: number): Promise<WindowRecord[]>;
}

const countsSchema = z
  .object({
    fetched: z.number().int().min(0),
    removed: z.number().int().min(0),
    enqueued: z.number().int().min(0),
    written: z.number().int().min(0),
    unchanged: z.number().int().min(0),
    quarantined: z.number().int().min(0),
    deadLettered: z.number().int().min(0),
  })
  .partial();

export const newWindowSchema = z.object({
  id: idSchema,
  start: chinaTimeSchema,
  end: chinaTimeSchema,
  startedAt: z.date().optional(),
  counts: countsSchema.optional(),
});

export const windowPatchSchema = z.object({
  status: z.enum(WINDOW_STATUSES).optional(),
  counts: countsSchema.optional(),
  finishedAt: z.date().optional(),
  error: z.string().max(4000).optional(),
});

export const windowRecordSchema = z.object({
  id: z.string(),
  start: z.string(),
  end: z.string(),
  status: z.enum(WINDOW_STATUSES),
  counts: countsSchema,
  startedAt: z.coerce.date(),
  finishedAt: z.coerce.date().optional(),
  error: z.string().optional(),
});

/** Windows kept per deployment before the oldest are dropped. */
export const DEFAULT_WINDOW_LIMIT = 10_000;

export function openedWindow(w: z.output<typeof newWindowSchema>, now: Date): WindowRecord {
  return {
    id: w.id,
    start: w.start,
    end: w.end,
    status: 'open',
    counts: w.counts ?? {},
    startedAt: w.startedAt ?? now,
  };
}

/** The window after `patch`; both backends apply patches through this one rule. */
export function patchedWindow(
  current: WindowRecord | undefined,
  id: string,
  patch: z.output<typeof windowPatchSchema>,
): WindowRecord {
  if (!current) throw new InvalidInputError('store window', [`no window with id ${id}`]);
  return {
    ...current,
    ...(patch.status ? { status: patch.status } : {}),
    ...(patch.finishedAt ? { finishedAt: patch.finishedAt } : {}),
    ...(patch.error !== undefined ? { error: patch.error } : {}),
    counts: { ...current.counts, ...patch.counts },
  };
}
