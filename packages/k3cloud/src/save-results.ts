import {
  AmbiguousWriteError,
  MalformedResponseError,
  type K3CloudFieldError,
  type SyncError,
} from '@receipt-sync/core';
import { fieldErrorsOf, k3ErrorFor, statusError } from './k3-errors';
import { parseBody, snippet } from './response-body';
import { saveResponseSchema, type ResponseStatus } from './response-schemas';

export interface ModelSaveResult {
  /** Position of the model in the `models` array given to batchSave (0 for save). */
  dIndex: number;
  ok: boolean;
  /** FID of the saved bill. */
  id?: number;
  /** FBillNo of the saved bill. */
  number?: string;
  /** K3's field errors for this model (dIndex rewritten to the model's position). */
  errors: K3CloudFieldError[];
  /** Typed error for a failed model: K3CloudNetworkControlError, K3CloudValidationError, K3CloudRejectedError... */
  error?: SyncError;
}

export interface BatchSaveOutcome {
  results: ModelSaveResult[];
  needReturnData: unknown[];
}

/** Spec §4: with BatchCount in effect DIndex counts within each batch; batches assumed contiguous. */
export function batchSizeFor(models: number, batchCount: number | undefined): number {
  return batchCount !== undefined && batchCount > 1 && models > batchCount ? Math.ceil(models / batchCount) : models;
}

/** What identifies a model in an answer: an update's FID comes back as `Id`, a given FBillNo as `Number`. */
export interface ModelKey {
  fid?: number;
  billNo?: string;
}

/** Positions a DIndex may denote: itself without batching, its slot in every batch with it. */
function candidates(dIndex: number, size: number, total: number): number[] {
  if (size >= total) return dIndex >= 0 && dIndex < total ? [dIndex] : [];
  if (dIndex < 0 || dIndex >= size) return [];
  const out: number[] = [];
  for (let p = dIndex; p < total; p += size) out.push(p);
  return out;
}

/**
 * One result per model (docs/apis/k3cloud.md §5.1). A model in SuccessEntitys is ok; one with Errors fails with its
 * own typed error; a model in neither gets the call's outcome (ok if IsSuccess, else the call-level
 * error). Partial success — some saved, some rejected in one call — is reported per model.
 *
 * With BatchCount in effect DIndex repeats in every batch (docs/apis/k3cloud.md §4). A success is credited to a model
 * only when it can be pinned (unique slot, or Id = the model's FID, or Number = its FBillNo); if not,
 * every candidate gets AmbiguousWriteError (never a false "ok"). An error that cannot be pinned is
 * attached to every candidate without a success.
 */
export function mapSaveResults(status: ResponseStatus, models: ModelKey[], batchCount?: number): ModelSaveResult[] {
  const total = models.length;
  const size = batchSizeFor(total, batchCount);
  const saved = new Map<number, { Id?: string | number | null; Number?: string | null }>();
  const unsure = new Set<number>();
  const pending: Array<{ entity: (typeof successList)[number]; slots: number[] }> = [];
  const successList = status.SuccessEntitys ?? [];
  for (const entity of successList) {
    const slots = candidates(entity.DIndex, size, total).filter((p) => !saved.has(p));
    const pinned = slots.filter((p) => {
      const key = models[p];
      return (
        (key?.fid !== undefined && key.fid === Number(entity.Id)) ||
        (key?.billNo !== undefined && key.billNo === entity.Number)
      );
    });
    const only = pinned.length === 1 ? pinned[0] : slots.length === 1 ? slots[0] : undefined;
    if (only !== undefined) saved.set(only, entity);
    else pending.push({ entity, slots });
  }
  for (const { entity, slots } of pending) {
    const open = slots.filter((p) => !saved.has(p));
    if (open.length === 1 && open[0] !== undefined) saved.set(open[0], entity);
    else open.forEach((p) => unsure.add(p));
  }
  const allErrors = fieldErrorsOf(status);
  const errorsAt = new Map<number, K3CloudFieldError[]>();
  for (const e of allErrors) {
    for (const p of candidates(e.dIndex, size, total).filter((q) => !saved.has(q)))
      errorsAt.set(p, [...(errorsAt.get(p) ?? []), { ...e, dIndex: p }]);
  }
  return models.map((_key, i): ModelSaveResult => {
    const entity = saved.get(i);
    if (entity) {
      const id = Number(entity.Id);
      return {
        dIndex: i,
        ok: true,
        id: Number.isFinite(id) && id > 0 ? id : undefined,
        number: entity.Number ?? undefined,
        errors: [],
      };
    }
    const own = errorsAt.get(i) ?? [];
    if (unsure.has(i)) {
      return {
        dIndex: i,
        ok: false,
        errors: own,
        error: new AmbiguousWriteError(
          `BatchSave result for model ${i} cannot be told apart from another batch's (BatchCount)`,
        ),
      };
    }
    if (own.length) return { dIndex: i, ok: false, errors: own, error: k3ErrorFor(status.MsgCode, own) };
    if (status.IsSuccess) return { dIndex: i, ok: true, errors: [] };
    return { dIndex: i, ok: false, errors: allErrors, error: statusError(status) };
  });
}

/** Parses a Save/BatchSave answer; throws what concerns the whole call (session lost, call limit). */
export function readSaveResponse(text: string, models: ModelKey[], batchCount?: number): BatchSaveOutcome {
  const body = parseBody(text);
  const parsed = saveResponseSchema.safeParse(body);
  if (!parsed.success) throw new MalformedResponseError('k3cloud', `save envelope expected: ${snippet(text)}`);
  const status = parsed.data.Result.ResponseStatus;
  if (!status.IsSuccess && (status.MsgCode === 1 || status.MsgCode === 14)) throw statusError(status);
  return {
    results: mapSaveResults(status, models, batchCount),
    needReturnData: parsed.data.Result.NeedReturnData ?? [],
  };
}
