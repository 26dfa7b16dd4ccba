import { getIgnoringCase } from '../case-insensitive';
import { json, type HandlerResult, type SimContext } from '../context';
import { billMessage, failureResult, responseStatus, type K3CloudError, type K3CloudSuccessEntity } from '../responses';
import { FORM_LABELS } from '../store/default-schema';
import { documentStatus, STATUS_FIELD, type DocumentStatus } from '../store/document-status';
import type { Bill, StatusOp } from '../types';
import { parseData } from './save-handler';

/** ASSUMPTION: texts of refusals a tenant's rules may give (docs/apis/k3cloud.md §7 names "已有下游单据" for UnAudit). */
export const DEFAULT_REFUSALS: Record<StatusOp, string> = {
  Submit: '工作流校验未通过，不能提交！',
  Audit: '信用额度检查未通过，不能审核！',
  UnAudit: '已有下游单据，不能反审核！',
};

/** From → to per operation; any other status is refused with the text given (docs/apis/k3cloud.md §5.1 "单据已经审核！"). */
const TRANSITIONS: Record<
  StatusOp,
  { from: DocumentStatus[]; to: DocumentStatus; refusal: (s: DocumentStatus) => string }
> = {
  Submit: {
    from: ['Z', 'A', 'D'],
    to: 'B',
    refusal: (s) => (s === 'C' ? '单据已经审核！' : '单据已经提交！'),
  },
  Audit: { from: ['B'], to: 'C', refusal: (s) => (s === 'C' ? '单据已经审核！' : '单据未提交，不能审核！') },
  UnAudit: { from: ['C'], to: 'D', refusal: () => '单据未审核，不能反审核！' },
};

/**
 * Submit / Audit / UnAudit (docs/apis/k3cloud.md §3): `{"Numbers":["…"]}` and/or `{"Ids":"id1,id2"}`; one
 * SuccessEntitys item per bill changed, one error per bill refused (its status did not allow the
 * step, or the tenant refuses it: `refuse(op, fid)`), nothing applied for a refused bill.
 */
export function handleStatusOp(ctx: SimContext, op: StatusOp, formIdRaw: unknown, dataRaw: unknown): HandlerResult {
  const formId = typeof formIdRaw === 'string' ? formIdRaw.trim() : '';
  if (!formId) return json(failureResult(5, '业务对象标识（formid）为空'));
  if (!ctx.store.hasForm(formId)) return json(failureResult(4, '业务对象不存在'));
  const data = parseData(dataRaw);
  if (!data) return json(failureResult(8, 'data参数不是有效的JSON对象'));
  const targets = targetsOf(ctx, formId, data);
  if (targets.length === 0) return json(failureResult(8, '参数Numbers和Ids不能同时为空'));
  const label = FORM_LABELS[formId] ?? formId;
  const errors: K3CloudError[] = [];
  const successes: K3CloudSuccessEntity[] = [];
  targets.forEach((target, i) => {
    if (!target.bill) {
      errors.push({ FieldName: null, Message: `未找到对应数据：${target.ref}`, DIndex: i });
      return;
    }
    const bill = target.bill;
    const billNo = String(bill.FBillNo ?? bill.FID);
    const status = documentStatus(bill);
    const rule = TRANSITIONS[op];
    const refused = ctx.refusals.get(`${op}:${bill.FID}`);
    if (refused !== undefined || !rule.from.includes(status)) {
      errors.push({ FieldName: null, Message: billMessage(label, billNo, refused ?? rule.refusal(status)), DIndex: i });
      return;
    }
    ctx.store.put(formId, { ...bill, [STATUS_FIELD]: rule.to });
    ctx.stats.statusChanges += 1;
    successes.push({ Id: bill.FID, Number: billNo, DIndex: i });
  });
  return json({ Result: { ResponseStatus: responseStatus({ errors, successes, msgCode: errors.length ? 11 : 0 }) } });
}

function targetsOf(
  ctx: SimContext,
  formId: string,
  data: Record<string, unknown>,
): Array<{ ref: string; bill?: Bill }> {
  const numbers = getIgnoringCase(data, 'Numbers');
  const ids = getIgnoringCase(data, 'Ids');
  const out: Array<{ ref: string; bill?: Bill }> = [];
  for (const n of Array.isArray(numbers) ? numbers : []) {
    out.push({ ref: `单据编号${String(n)}`, bill: ctx.store.findByBillNo(formId, String(n)) });
  }
  const idList = typeof ids === 'string' ? ids.split(',') : Array.isArray(ids) ? ids.map(String) : [];
  for (const id of idList.map((s) => s.trim()).filter(Boolean)) {
    out.push({ ref: `单据内码${id}`, bill: ctx.store.get(formId, Number(id)) });
  }
  return out;
}
