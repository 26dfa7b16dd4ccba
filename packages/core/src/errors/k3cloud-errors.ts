import { SyncError, type SyncErrorOptions } from './sync-error';

export interface K3CloudFieldError {
  fieldName: string | null;
  message: string;
  dIndex: number;
}

/** MsgCode 1, 会话信息已丢失，请重新登录. The client re-logs in once; if it still fails this surfaces. */
export class K3CloudSessionLostError extends SyncError {
  readonly disposition = 'transient' as const;
  readonly code = 'k3cloud.session-lost';
  constructor(message = '会话信息已丢失，请重新登录', options?: SyncErrorOptions) {
    super(`k3cloud: session lost: ${message}`, options);
  }
}

/** 网控冲突: another operation holds the bill. Observed transient; retry after a few seconds. */
export class K3CloudNetworkControlError extends SyncError {
  readonly disposition = 'transient' as const;
  readonly code = 'k3cloud.network-control';
  constructor(message: string, options?: SyncErrorOptions) {
    super(`k3cloud: network-control conflict: ${message}`, { retryAfterMs: 3000, ...options });
  }
}

/** MsgCode 14 调用限制. */
export class K3CloudCallLimitError extends SyncError {
  readonly disposition = 'rate-limited' as const;
  readonly code = 'k3cloud.call-limit';
  constructor(message: string, options?: SyncErrorOptions) {
    super(`k3cloud: call limit: ${message}`, { retryAfterMs: 5000, ...options });
  }
}

/** K3Cloud rejected the data (MsgCode 11 验证失败, 9 field missing, 8 bad parameter...). */
export class K3CloudValidationError extends SyncError {
  readonly disposition = 'permanent' as const;
  readonly code = 'k3cloud.validation';
  constructor(
    readonly msgCode: number,
    readonly errors: K3CloudFieldError[],
    options?: SyncErrorOptions,
  ) {
    super(
      `k3cloud: rejected (MsgCode ${msgCode}): ${errors.map((e) => (e.fieldName ? `${e.fieldName}: ` : '') + e.message).join('; ') || 'no message'}`,
      options,
    );
  }
}

/** MsgCode 10 未找到对应数据 or 2 没有权限 and other answers that more attempts cannot change. */
export class K3CloudRejectedError extends SyncError {
  readonly disposition = 'permanent' as const;
  readonly code = 'k3cloud.rejected';
  constructor(
    readonly msgCode: number,
    message: string,
    options?: SyncErrorOptions,
  ) {
    super(`k3cloud: MsgCode ${msgCode}: ${message}`, options);
  }
}

/**
 * The K3Cloud site's request filter (拦截规则) refused the call because of what its parameters carry
 * (docs/apis/k3cloud.md §5.3, §5.5): HTTP 200 with a `showConfirm` action instead of the WebAPI envelope.
 * Nothing was applied, and sending the same payload again is refused again, so it is permanent for
 * this request; the receipt whose text trips the rule must be isolated (its batch's other rows can go).
 * `k3Message` is K3Cloud's text verbatim; `rule` the rule it names (`caller_in_less_Point_Bracket`).
 */
export class K3CloudRequestFilterError extends SyncError {
  readonly disposition = 'permanent' as const;
  readonly code = 'k3cloud.request-filtered';
  constructor(
    readonly rule: string,
    readonly k3Message: string,
    options?: SyncErrorOptions,
  ) {
    super(`k3cloud: refused by the site's request filter (rule ${rule}): ${k3Message}`, options);
  }
}

/**
 * A save was sent and no trustworthy answer came back (connection dropped, timeout, 5xx after
 * sending). It may have been applied. Retrying is safe only through read-before-write.
 */
export class AmbiguousWriteError extends SyncError {
  readonly disposition = 'ambiguous' as const;
  readonly code = 'k3cloud.ambiguous-write';
  constructor(message: string, options?: SyncErrorOptions) {
    super(`k3cloud: outcome unknown: ${message}`, options);
  }
}

/**
 * K3Cloud does not know a field key we sent or asked for: `元数据中标识为X的字段不存在` (MsgCode 9) or
 * `实体不存在此属性` (docs/apis/k3cloud.md §5.3). The mapping does not fit the tenant's metadata; K3Cloud names
 * only the first unknown key, so `fieldKeys` lists what is known so far (the preflight finds all).
 */
export class K3CloudFieldUnknownError extends SyncError {
  readonly disposition = 'misconfigured' as const;
  readonly code = 'k3cloud.field-unknown';
  constructor(
    readonly fieldKeys: string[],
    message: string,
    options?: SyncErrorOptions,
  ) {
    super(`k3cloud: field key unknown to the tenant's metadata: ${fieldKeys.join(', ') || '?'} (${message})`, {
      retryAfterMs: 60_000,
      ...options,
    });
  }
}

/** A sales order's document status (docs/apis/k3cloud.md §7): Z 暂存, A 创建, B 审核中, C 已审核, D 重新审核. */
export type DocumentStatus = 'Z' | 'A' | 'B' | 'C' | 'D';

export const DOCUMENT_STATUS_LABELS: Record<DocumentStatus, string> = {
  Z: 'saved as draft',
  A: 'created',
  B: 'in approval',
  C: 'audited',
  D: 're-audit pending',
};

function lockedPrefix(billNo: string, status: string, label: string | undefined): string {
  return `sales order ${billNo} is locked (status ${status}${label ? ` ${label}` : ''}): `;
}

const REFUSED = 'K3Cloud refused the save: ';

/**
 * A reason that is itself a locked-order message (a refusal re-thrown by a caller that wraps
 * `error.message` again) keeps only its innermost words, so each reason is said once:
 * "…is locked (status C audited): K3Cloud refused the save: <K3Cloud's text>", never twice.
 */
const LOCKED_PREFIX = /^sales order \S+ is locked \(status [^)]*\): /;

function withoutLockedPrefix(reason: string): string {
  let r = reason;
  for (;;) {
    const refused = r.startsWith(REFUSED) ? r.slice(REFUSED.length) : r;
    const m = LOCKED_PREFIX.exec(refused);
    if (!m) return r;
    r = refused.slice(m[0].length);
  }
}

/**
 * K3Cloud would not let us change the sales order: it refused the save, or reported success and
 * kept the locked values (docs/apis/k3cloud.md §7 field locks). The order may be un-audited by a person
 * later, so by default this waits on the long order schedule, then dead-letters naming the order.
 */
export class K3CloudOrderLockedError extends SyncError {
  readonly disposition;
  readonly code = 'k3cloud.order-locked';
  constructor(
    readonly billNo: string,
    readonly status: string,
    reason: string,
    options?: SyncErrorOptions & { permanent?: boolean },
  ) {
    const label = DOCUMENT_STATUS_LABELS[status as DocumentStatus];
    super(`${lockedPrefix(billNo, status, label)}${withoutLockedPrefix(reason)}`, options);
    this.disposition = options?.permanent ? ('permanent' as const) : ('awaiting-dependency' as const);
  }
}

/**
 * BatchSave reported success, yet reading the row back shows K3Cloud does not hold what was sent
 * (and the order is not locked). Never counted as written.
 */
export class K3CloudWriteNotAppliedError extends SyncError {
  readonly disposition = 'permanent' as const;
  readonly code = 'k3cloud.write-not-applied';
  constructor(
    readonly fields: string[],
    reason: string,
    options?: SyncErrorOptions,
  ) {
    super(`k3cloud: write not applied: ${reason}`, options);
  }
}

/**
 * Policy `unaudit` took an audited order through UnAudit → Save, and Submit or Audit then failed:
 * the order is left un-audited. A person must audit it; an alert is raised and the row dead-lettered.
 */
export class K3CloudReauditFailedError extends SyncError {
  readonly disposition = 'permanent' as const;
  readonly code = 'k3cloud.reaudit-failed';
  constructor(
    readonly billNo: string,
    reason: string,
    options?: SyncErrorOptions,
  ) {
    super(
      `sales order ${billNo} was un-audited to write receipt rows and could not be audited again (${reason}); audit it in K3Cloud`,
      options,
    );
  }
}
