import type { IncomingHttpHeaders } from 'node:http';
import { handleAuth, type AuthOp } from '../auth/login-handlers';
import { sessionCookies, sessionIdOf, type SessionStore } from '../auth/sessions';
import { isSignedRequest, verifySignedHeaders } from '../auth/signature';
import { json, type HandlerResult, type SimContext } from '../context';
import { queryFailure, handleQuery, type QueryOp } from '../query/query-handler';
import {
  CALL_LIMIT_MESSAGE,
  failureResult,
  responseErrorBody,
  SERVER_ERROR_HTML,
  SESSION_LOST_MESSAGE,
} from '../responses';
import { handleSave, type SaveOp } from '../save/save-handler';
import { handleStatusOp } from '../save/status-ops';
import type { StatusOp } from '../types';
import { paramReader } from './request-params';
import { requestFilterAnswer, tripsRequestFilter } from './request-filter';
import type { Route } from './route';

export interface DispatchDeps {
  ctx: SimContext;
  sessions: SessionStore;
  signatureMaxSkewMs?: number;
  now: () => number;
}

const isQuery = (op: string): op is QueryOp => op === 'ExecuteBillQuery' || op === 'BillQuery';
const isSave = (op: string): op is SaveOp => op === 'Save' || op === 'BatchSave';
const isStatusOp = (op: string): op is StatusOp => op === 'Submit' || op === 'Audit' || op === 'UnAudit';

/** A business failure in the envelope the operation uses (queries wrap theirs, docs/apis/k3cloud.md §5.3/§6). */
function failureFor(op: string, msgCode: number, message: string): HandlerResult {
  return isQuery(op) ? queryFailure(op, msgCode, message) : json(failureResult(msgCode, message));
}

export async function dispatch(
  deps: DispatchDeps,
  route: Route,
  body: unknown,
  path: string,
  headers: IncomingHttpHeaders,
): Promise<HandlerResult> {
  const { ctx } = deps;
  ctx.stats.calls[route.op] = (ctx.stats.calls[route.op] ?? 0) + 1;
  // ASSUMPTION: an operation the server lacks answers as a server exception.
  if (!route.known)
    return {
      kind: 'text',
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: responseErrorBody(`未找到服务方法：${route.op}`),
    };
  // The site's filter looks at the parameters before any service runs (ASSUMPTION: logins included).
  if (tripsRequestFilter(ctx.tenant.requestFilter, body)) {
    await ctx.delay(ctx.faults.latencyMs);
    ctx.stats.requestsFiltered += 1;
    return requestFilterAnswer();
  }
  const param = paramReader(body);
  if (route.service === 'AuthService') {
    await ctx.delay(ctx.faults.latencyMs);
    return handleAuth(
      { sessions: deps.sessions, credentials: ctx.credentials, stats: ctx.stats },
      route.op as AuthOp,
      param,
      headers,
    );
  }
  const op = route.op;
  const faultLatency = () => ctx.delay(ctx.faults.latencyMs);
  if (ctx.fault('error', ctx.faults.errorRate)) {
    await faultLatency();
    ctx.stats.httpErrors += 1;
    return { kind: 'text', status: 500, contentType: 'text/html; charset=utf-8', body: SERVER_ERROR_HTML };
  }
  if (ctx.fault('malformed', ctx.faults.malformedRate)) {
    await faultLatency();
    ctx.stats.malformed += 1;
    return { kind: 'text', status: 200, contentType: 'text/html; charset=utf-8', body: SERVER_ERROR_HTML };
  }
  const auth = authenticate(deps, path, headers);
  if (!auth.ok) {
    await faultLatency();
    ctx.stats.sessionLost += 1;
    return failureFor(op, 1, auth.message);
  }
  if (ctx.fault('sessionExpiry', ctx.faults.sessionExpiryRate)) {
    deps.sessions.expire(auth.sessionId);
    await faultLatency();
    ctx.stats.sessionLost += 1;
    return failureFor(op, 1, SESSION_LOST_MESSAGE);
  }
  if (ctx.fault('callLimit', ctx.faults.callLimitRate)) {
    await faultLatency();
    ctx.stats.callLimits += 1;
    return failureFor(op, 14, CALL_LIMIT_MESSAGE);
  }
  let result: HandlerResult;
  if (isSave(op) && ctx.fault('lateSave', ctx.faults.lateSaveRate)) {
    ctx.stats.lateSavesQueued += 1;
    const { lateSaveAnswer: answer, lateSaveApplyAfterMs: applyAfterMs } = ctx.faults;
    return {
      kind: 'late',
      answer,
      applyAfterMs,
      apply: () => handleSave(ctx, op, param(0, 'formid'), param(1, 'data')),
    };
  }
  if (isSave(op)) {
    result = await handleSave(ctx, op, param(0, 'formid'), param(1, 'data'));
  } else if (isStatusOp(op)) {
    await ctx.delay(ctx.faults.latencyMs);
    result = handleStatusOp(ctx, op, param(0, 'formid'), param(1, 'data'));
  } else if (isQuery(op)) {
    await ctx.delay(ctx.faults.latencyMs);
    result = handleQuery(ctx, op, param(0, 'data'));
  } else {
    result = {
      kind: 'text',
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: responseErrorBody(`未找到服务方法：${op}`),
    };
  }
  if (auth.setCookies && result.kind === 'json')
    result = { ...result, setCookies: [...auth.setCookies, ...(result.setCookies ?? [])] };
  return result;
}

type AuthOutcome = { ok: true; sessionId: string; setCookies?: string[] } | { ok: false; message: string };

/**
 * Session mode: a live session from cookie or header (docs/apis/k3cloud.md §2.1). Signed-header mode: the
 * signature must verify (docs/apis/k3cloud.md §2.3); the server then serves the call and sets a session cookie.
 * ASSUMPTION: a failed signature answers MsgCode 1 with the reason as message.
 */
function authenticate(deps: DispatchDeps, path: string, headers: IncomingHttpHeaders): AuthOutcome {
  const c = deps.ctx.credentials;
  if (isSignedRequest(headers)) {
    const reason = verifySignedHeaders(
      headers,
      decodePath(path),
      { appId: c.appId, appSecret: c.appSecret, acctId: c.acctId, username: c.username },
      deps.now(),
      deps.signatureMaxSkewMs,
    );
    if (reason) return { ok: false, message: reason };
    const existing = deps.sessions.touch(sessionIdOf(headers));
    if (existing) return { ok: true, sessionId: existing.id };
    const session = deps.sessions.create(c.username);
    return { ok: true, sessionId: session.id, setCookies: sessionCookies(session) };
  }
  const session = deps.sessions.touch(sessionIdOf(headers));
  return session ? { ok: true, sessionId: session.id } : { ok: false, message: SESSION_LOST_MESSAGE };
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
