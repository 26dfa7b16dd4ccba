import { MalformedResponseError, type K3FieldError, type SyncError } from '@receipt-sync/errors';
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
  errors: K3FieldError[];
  /** Typed error for a failed model: K3NetworkControlError, K3ValidationError, K3RejectedError... */
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

/**
 * Global model positions for a list of per-model entries. Without batching DIndex is the position.
 * With batching, entries are listed batch by batch, so a DIndex lower than the previous one starts
 * the next batch (an inference: two consecutive entries with the same DIndex stay in one batch).
 */
function positions(dIndexes: number[], size: number, total: number): number[] {
  let batch = 0;
  let previous = -1;
  return dIndexes.map((d) => {
    if (size < total && d < previous) batch += 1;
    previous = d;
    return size < total ? batch * size + d : d;
  });
}

/**
 * One result per model (spec §5.1). A model in SuccessEntitys is ok; one with Errors fails with its
 * own typed error; a model in neither gets the call's outcome (ok if IsSuccess, else the call-level
 * error). Partial success — some saved, some rejected in one call — is reported per model.
 */
export function mapSaveResults(status: ResponseStatus, modelFids: Array<number | undefined>, batchCount?: number): ModelSaveResult[] {
  const total = modelFids.length;
  const size = batchSizeFor(total, batchCount);
  const successes = status.SuccessEntitys ?? [];
  const successAt = new Map<number, (typeof successes)[number]>();
  const fidOwners = new Map<number, number>();
  modelFids.forEach((fid, i) => {
    if (fid && fid > 0) fidOwners.set(fid, fidOwners.has(fid) ? -1 : i);
  });
  positions(successes.map((s) => s.DIndex), size, total).forEach((pos, k) => {
    const entity = successes[k];
    if (!entity) return;
    // An update's Id is its FID: when unique among the models it pins the position exactly.
    const owner = fidOwners.get(Number(entity.Id));
    successAt.set(owner !== undefined && owner >= 0 ? owner : pos, entity);
  });
  const allErrors = fieldErrorsOf(status);
  const errorsAt = new Map<number, K3FieldError[]>();
  positions(allErrors.map((e) => e.dIndex), size, total).forEach((pos, k) => {
    const e = allErrors[k];
    if (e) errorsAt.set(pos, [...(errorsAt.get(pos) ?? []), { ...e, dIndex: pos }]);
  });
  return modelFids.map((_fid, i): ModelSaveResult => {
    const saved = successAt.get(i);
    if (saved) {
      const id = Number(saved.Id);
      return { dIndex: i, ok: true, id: Number.isFinite(id) && id > 0 ? id : undefined, number: saved.Number ?? undefined, errors: [] };
    }
    const own = errorsAt.get(i);
    if (own) return { dIndex: i, ok: false, errors: own, error: k3ErrorFor(status.MsgCode, own) };
    if (status.IsSuccess) return { dIndex: i, ok: true, errors: [] };
    return { dIndex: i, ok: false, errors: allErrors, error: statusError(status) };
  });
}

/** Parses a Save/BatchSave answer; throws what concerns the whole call (session lost, call limit). */
export function readSaveResponse(text: string, modelFids: Array<number | undefined>, batchCount?: number): BatchSaveOutcome {
  const body = parseBody(text);
  const parsed = saveResponseSchema.safeParse(body);
  if (!parsed.success) throw new MalformedResponseError('k3cloud', `save envelope expected: ${snippet(text)}`);
  const status = parsed.data.Result.ResponseStatus;
  if (!status.IsSuccess && (status.MsgCode === 1 || status.MsgCode === 14)) throw statusError(status);
  return { results: mapSaveResults(status, modelFids, batchCount), needReturnData: parsed.data.Result.NeedReturnData ?? [] };
}
