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
