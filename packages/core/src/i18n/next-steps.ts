import type { Translate } from './translate';

/** Where the fix is made: in K3Cloud, in OKKI, on this dashboard, or by IT (configuration, network). */
export type FixPlace = 'k3cloud' | 'okki' | 'here' | 'it';

/**
 * Whether replaying the receipt can succeed: `now` (nothing must change first), `after-fix` (only
 * once the fix is made; the button says which), `never` (the fix reaches us as a new OKKI version).
 */
export type ReplayAdvice = 'now' | 'after-fix' | 'never';

export interface NextStep {
  where: FixPlace;
  /** What to do, in the reader's language, naming the order or receipt. */
  text: string;
  replay: ReplayAdvice;
}

/**
 * A text a page or terminal says in its own language: a catalogue key and its values. A
 * data-quality problem (`quality.details.*`, with `field`, `target`, the receipt's `no` and `id`),
 * a reconcile reason (`reconcileReasons.*`); the English text travels beside it for logs and JSON.
 */
export interface ProblemWhy {
  key: string;
  params: Record<string, string | number>;
}

export interface CauseFacts {
  code: string;
  /** The error text (names the locked order's FBillNo). */
  message?: string;
  /** OKKI order_id (= the sales order's F_Cash_Collection_Id). */
  orderId?: string;
  /** A quarantine's data-quality problems as catalogue keys (`quality.details.*`) and values. */
  why?: readonly ProblemWhy[];
}

/** The no-order data-quality rule's text (mapping `NO_ORDER_MESSAGE`). */
const NO_ORDER = /receipt has no sales order/;
const LOCKED_BILL = /sales order (\S+) is locked/;

const PLAN: Record<string, { where: FixPlace; replay: ReplayAdvice }> = {
  'k3cloud.order-locked': { where: 'k3cloud', replay: 'after-fix' },
  'k3cloud.order-not-found': { where: 'k3cloud', replay: 'after-fix' },
  'k3cloud.reaudit-failed': { where: 'k3cloud', replay: 'never' },
  'k3cloud.write-not-applied': { where: 'k3cloud', replay: 'after-fix' },
  'k3cloud.validation': { where: 'k3cloud', replay: 'after-fix' },
  'k3cloud.rejected': { where: 'k3cloud', replay: 'after-fix' },
  'k3cloud.field-unknown': { where: 'it', replay: 'after-fix' },
  'k3cloud.ambiguous-write': { where: 'here', replay: 'after-fix' },
  'receipt.quarantined': { where: 'okki', replay: 'never' },
  'receipt.no-order': { where: 'okki', replay: 'never' },
  'input.invalid': { where: 'it', replay: 'after-fix' },
  'auth.rejected': { where: 'it', replay: 'after-fix' },
  'config.invalid': { where: 'it', replay: 'after-fix' },
  'okki.business': { where: 'okki', replay: 'after-fix' },
};

/** Codes of passing trouble (network, limits, sessions): replay works once the systems answer. */
const TRANSIENT = { where: 'here' as const, replay: 'now' as const };

/** The step key of a cause: its code, or `receipt.no-order` for the quarantine rule that only OKKI can fix. */
export function stepKey(cause: CauseFacts): string {
  if (cause.code === 'receipt.quarantined' && NO_ORDER.test(cause.message ?? '')) return 'receipt.no-order';
  return PLAN[cause.code] ? cause.code : 'transient';
}

/** What a person does about a cause, where, and whether replaying can work now. */
export function nextStep(cause: CauseFacts, t: Translate): NextStep {
  const key = stepKey(cause);
  const plan = PLAN[key] ?? TRANSIENT;
  const billNo = LOCKED_BILL.exec(cause.message ?? '')?.[1];
  const params = { billNo: billNo && billNo !== '?' ? billNo : cause.orderId || '?', orderId: cause.orderId || '?' };
  // i18next reads dots as nesting: a code's dots become the catalogue's levels (steps.k3cloud.order-locked).
  return { ...plan, text: t(`steps.${key}.do`, params) };
}

/** "Replay" or "Replay (after un-auditing XSDD000110)": what must change first, on the button itself. */
export function replayLabel(cause: CauseFacts, t: Translate): string {
  const key = stepKey(cause);
  const plan = PLAN[key] ?? TRANSIENT;
  if (plan.replay !== 'after-fix') return t('actions.replay');
  const billNo = LOCKED_BILL.exec(cause.message ?? '')?.[1];
  return t(`steps.${key}.replayAfter`, { billNo: billNo ?? cause.orderId ?? '?', orderId: cause.orderId || '?' });
}

/** A reason in the reader's language: our words translated, the other system's own text kept verbatim (once). */
export interface ReasonText {
  text: string;
  /** K3Cloud's or OKKI's words, or our untranslated error text for causes without a translation. */
  upstream?: string;
}

const LOCKED = /^sales order (\S+) is locked \(status (\w|\?)[^)]*\): (?:K3Cloud refused the save: )?([\s\S]*)$/;
const NOT_FOUND = /^sales order not found in K3Cloud/;

export function reasonText(cause: CauseFacts, t: Translate): ReasonText {
  const message = cause.message ?? '';
  const locked = LOCKED.exec(message);
  if (cause.code === 'k3cloud.order-locked' && locked) {
    const [, billNo, status, rest] = locked;
    // Reasons stored before the wrapping was fixed at its source carry the prefix twice: said once here.
    let upstream = rest ?? '';
    for (let again = LOCKED.exec(upstream); again; again = LOCKED.exec(upstream)) upstream = again[3] ?? '';
    const statusText = ['B', 'C'].includes(status!) ? t(`docStatusShort.${status}`) : status!;
    return { text: t('reasons.orderLocked', { billNo, status: statusText }), upstream: upstream || undefined };
  }
  if (cause.code === 'k3cloud.order-not-found' && NOT_FOUND.test(message))
    return { text: t('reasons.orderNotFound', { orderId: cause.orderId ?? '?' }) };
  if (stepKey(cause) === 'receipt.no-order') return { text: t('reasons.noOrder') };
  if (cause.why?.length)
    return { text: cause.why.map((why) => qualityProblemText({ message, why }, t)).join(t('quality.separator')) };
  return { text: '', upstream: message };
}

/** A reconcile finding's (or fix's) reason in the reader's language; its English `reason` when it carries no key. */
export function reconcileReason(item: { reason: string; why?: ProblemWhy }, t: Translate): string {
  return item.why ? t(`reconcileReasons.${item.why.key}`, item.why.params) : item.reason;
}

/** A receipt named by its number and id ('' when unknown) in the reader's language. */
export function receiptName(who: { no?: string | number; id?: string | number }, t: Translate): string {
  if (who.no && who.id) return t('quality.receipt.noAndId', who);
  if (who.no) return t('quality.receipt.no', who);
  return who.id ? t('quality.receipt.id', who) : t('quality.receipt.unknown');
}

/**
 * A mapping data-quality problem in the reader's language, from its `why` (a `quality.details.*`
 * key, the field, its K3Cloud target and the receipt); its English `message` when it carries none.
 */
export function qualityProblemText(problem: { message: string; why?: ProblemWhy }, t: Translate): string {
  const why = problem.why;
  if (!why) return problem.message;
  if (why.key === 'noOrder') return t('reasons.noOrder');
  const detail = t(`quality.details.${why.key}`, why.params);
  if (why.key === 'notAnObject') return detail;
  const { field, target } = why.params;
  return t('quality.line', {
    field,
    target: target ? t('quality.target', { target }) : '',
    receipt: receiptName(why.params, t),
    detail,
  });
}
