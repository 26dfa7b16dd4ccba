import { getIgnoringCase, isPlainObject } from '../case-insensitive';
import { json, type HandlerResult, type SimContext } from '../context';
import {
  billMessage,
  failureResult,
  networkControlMessage,
  responseStatus,
  type K3CloudError,
  type K3CloudSuccessEntity,
} from '../responses';
import { FORM_LABELS } from '../store/default-schema';
import { documentStatus, isLockedStatus, STATUS_LABELS } from '../store/document-status';
import { applyModel, type ModelOutcome } from './apply-model';
import { needReturnData } from './need-return-data';
import { countModelRows, targetFid } from './parse-model';
import { parseSaveOptions } from './save-options';

export type SaveOp = 'Save' | 'BatchSave';

/** Parses `data` given as a JSON string or an object (docs/apis/k3cloud.md §1.1). */
export function parseData(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw === 'string') {
    try {
      const parsed: unknown = JSON.parse(raw);
      return isPlainObject(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return isPlainObject(raw) ? raw : undefined;
}

/** Spec §4: with BatchCount, DIndex is the index within each batch; batches are contiguous (ASSUMPTION). */
export function batchSizeFor(models: number, batchCount: number): number {
  return batchCount > 1 && models > batchCount ? Math.ceil(models / batchCount) : models;
}

export async function handleSave(
  ctx: SimContext,
  op: SaveOp,
  formIdRaw: unknown,
  dataRaw: unknown,
): Promise<HandlerResult> {
  const formId = typeof formIdRaw === 'string' ? formIdRaw.trim() : '';
  if (!formId) return json(failureResult(5, '业务对象标识（formid）为空'));
  if (!ctx.store.hasForm(formId)) return json(failureResult(4, '业务对象不存在')); // MsgCode: ASSUMPTION
  const data = parseData(dataRaw);
  if (!data) return json(failureResult(8, 'data参数不是有效的JSON对象'));
  const options = parseSaveOptions(data);
  if (!options.ok) return json(failureResult(8, options.message));
  const modelRaw = getIgnoringCase(data, 'Model');
  const models = op === 'BatchSave' ? modelRaw : isPlainObject(modelRaw) ? [modelRaw] : undefined;
  if (!Array.isArray(models) || models.length === 0)
    return json(failureResult(8, op === 'BatchSave' ? '参数Model必须是非空数组' : '参数Model必须是JSON对象'));

  const user = ctx.credentials.username;
  const outcomes: Array<ModelOutcome | undefined> = models.map(() => undefined);
  const held: string[] = [];
  let rows = 0;
  models.forEach((model, i) => {
    const fid = targetFid(model);
    const key = `${formId}:${fid}`;
    const holder = fid > 0 && !held.includes(key) ? ctx.locks.holder(key) : undefined;
    if ((holder && ctx.faults.networkControlOnOverlap) || ctx.fault('networkControl', ctx.faults.networkControlRate)) {
      ctx.stats.conflicts += 1;
      const billNo = String(ctx.store.get(formId, fid)?.FBillNo ?? fid);
      outcomes[i] = {
        ok: false,
        msgCode: 0,
        errors: [
          { FieldName: null, Message: networkControlMessage(holder ?? user, FORM_LABELS[formId] ?? formId, billNo) },
        ],
      };
    } else if (ctx.fault('validation', ctx.faults.validationErrorRate)) {
      ctx.stats.validationErrors += 1;
      outcomes[i] = { ok: false, msgCode: 11, errors: [{ FieldName: 'FCustId', Message: '字段"客户"是必填项' }] };
    } else {
      if (fid > 0 && !held.includes(key)) {
        ctx.locks.take(key, user);
        held.push(key);
      }
      rows += countModelRows(model);
    }
  });
  try {
    await ctx.delay(ctx.faults.latencyMs + ctx.faults.perRowLatencyMs * rows);
    models.forEach((model, i) => {
      if (outcomes[i]) return;
      const locked = lockedOutcome(ctx, formId, targetFid(model));
      if (locked) {
        outcomes[i] = locked;
        return;
      }
      const outcome = applyModel(ctx.store, formId, model, options.value);
      outcomes[i] = outcome;
      if (outcome.ok) {
        ctx.stats.savesApplied += 1;
        ctx.stats.rowsSaved += outcome.rowsWritten;
      }
    });
  } finally {
    for (const key of held) ctx.locks.release(key);
  }
  if (ctx.fault('ambiguous', ctx.faults.ambiguousRate)) {
    await ctx.delay(ctx.faults.ambiguousAfterApplyDelayMs);
    ctx.stats.ambiguousDrops += 1;
    return { kind: 'drop' };
  }
  return json(
    saveResponse(ctx, op, formId, outcomes as ModelOutcome[], options.value.batchCount, options.value.needReturnFields),
  );
}

/**
 * A save on a B/C bill under the tenant's field locks (docs/apis/k3cloud.md §7): `reject` refuses it naming the bill
 * and its status (text ASSUMPTION, modelled on "单据已经审核！"); `ignore` answers success and keeps
 * the bill as it was (no field changed, no row added). `allow` and unlocked bills → undefined.
 */
function lockedOutcome(ctx: SimContext, formId: string, fid: number): ModelOutcome | undefined {
  const bill = fid > 0 ? ctx.store.get(formId, fid) : undefined;
  if (!bill || ctx.tenant.lockedSave === 'allow') return undefined;
  const status = documentStatus(bill);
  if (!isLockedStatus(status)) return undefined;
  if (ctx.tenant.lockedSave === 'ignore') {
    ctx.stats.lockedSavesIgnored += 1;
    return { ok: true, bill, rowsWritten: 0 };
  }
  ctx.stats.lockedSavesRejected += 1;
  const text = `单据状态为“${STATUS_LABELS[status]}”，不允许修改！`;
  return {
    ok: false,
    msgCode: 11,
    errors: [
      { FieldName: null, Message: billMessage(FORM_LABELS[formId] ?? formId, String(bill.FBillNo ?? fid), text) },
    ],
  };
}

function saveResponse(
  ctx: SimContext,
  op: SaveOp,
  formId: string,
  outcomes: ModelOutcome[],
  batchCount: number,
  returnFields: string[],
) {
  const size = batchSizeFor(outcomes.length, batchCount);
  const schema = ctx.store.schema(formId);
  const errors: K3CloudError[] = [];
  const successes: K3CloudSuccessEntity[] = [];
  const returned: unknown[] = [];
  let msgCode = 0;
  outcomes.forEach((outcome, i) => {
    const dIndex = i % size;
    if (outcome.ok) {
      successes.push({ Id: outcome.bill.FID, Number: String(outcome.bill.FBillNo ?? ''), DIndex: dIndex });
      returned.push(needReturnData(schema, outcome.bill, returnFields));
    } else {
      for (const e of outcome.errors) errors.push({ ...e, DIndex: dIndex });
      if (msgCode === 0) msgCode = outcome.msgCode;
    }
  });
  const status = responseStatus({ errors, successes, msgCode });
  if (op === 'BatchSave') return { Result: { ResponseStatus: status, NeedReturnData: returned } };
  const saved = successes[0];
  // Failed Saves carry only ResponseStatus (docs/apis/k3cloud.md §5.1 captures).
  return saved
    ? { Result: { ResponseStatus: status, Id: saved.Id, Number: saved.Number, NeedReturnData: returned } }
    : { Result: { ResponseStatus: status } };
}
