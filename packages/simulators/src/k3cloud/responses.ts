/**
 * Response bodies exactly as K3Cloud shapes them (docs/apis/k3cloud.md §5.1 real captures: IsSuccess bool,
 * Id number, ErrorCode 500 on failure and absent on success, MsgCode number, FieldName nullable).
 */
export interface K3CloudError {
  FieldName: string | null;
  Message: string;
  DIndex: number;
}

export interface K3CloudSuccessEntity {
  Id: number;
  Number: string;
  DIndex: number;
}

export const SESSION_LOST_MESSAGE = '会话信息已丢失，请重新登录';
/** ASSUMPTION: no capture of the MsgCode 14 text exists; this mirrors the table's 调用限制 meaning. */
export const CALL_LIMIT_MESSAGE = '接口调用次数超过限制，请稍后再试（调用限制）';

export function responseStatus(opts: {
  errors?: K3CloudError[];
  successes?: K3CloudSuccessEntity[];
  msgCode?: number;
}) {
  const errors = opts.errors ?? [];
  const failed = errors.length > 0;
  return {
    ...(failed ? { ErrorCode: 500 } : {}),
    IsSuccess: !failed,
    Errors: errors,
    SuccessEntitys: opts.successes ?? [],
    SuccessMessages: [],
    MsgCode: opts.msgCode ?? 0,
  };
}

/** `{"Result":{"ResponseStatus":{…}}}` with one error at DIndex 0 (session lost, call limit, ...). */
export function failureResult(msgCode: number, message: string, fieldName: string | null = null) {
  return {
    Result: {
      ResponseStatus: responseStatus({ errors: [{ FieldName: fieldName, Message: message, DIndex: 0 }], msgCode }),
    },
  };
}

export function sessionLostResult() {
  return failureResult(1, SESSION_LOST_MESSAGE);
}

/** Spec §5.3 real capture, MsgCode 0: “demo”使用业务单据：“销售订单”业务操作-“[销售订单-2021-28-修改]”冲突，请稍候再使用。 */
export function networkControlMessage(username: string, formLabel: string, billNo: string): string {
  return `“${username}”使用业务单据：“${formLabel}”业务操作-“[${formLabel}-${billNo}-修改]”冲突，请稍候再使用。`;
}

export function unknownFieldMessage(field: string): string {
  return `元数据中标识为${field}的字段不存在`;
}

/** docs/apis/k3cloud.md §5.3 (S12): a field placed at the wrong level. The text after `！` is an ASSUMPTION. */
export function wrongLevelMessage(entityType: string, field: string): string {
  return `实体不存在此属性！[EntityType：${entityType}，Property：${field}]`;
}

/** docs/apis/k3cloud.md §5.1: the texts K3Cloud uses for bills (`单据编号为“X”的销售订单，单据已经审核！`). */
export function billMessage(formLabel: string, billNo: string, text: string): string {
  return `单据编号为“${billNo}”的${formLabel}，${text}`;
}

/** Body of a server exception (docs/apis/k3cloud.md §1: `response_error:` + KDException JSON). When K3 emits it: UNVERIFIED. */
export function responseErrorBody(message: string): string {
  return `response_error:${JSON.stringify({ Message: message, InnerExWrapper: null, InnerException: null })}`;
}

/** What IIS answers on an unhandled server fault (errorRate). */
export const SERVER_ERROR_HTML =
  "<!DOCTYPE html><html><head><title>Runtime Error</title></head><body><h1>Server Error in '/K3Cloud' Application.</h1>" +
  '<h2><i>Runtime Error</i></h2></body></html>';
