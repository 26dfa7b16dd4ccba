import { randomUUID } from 'node:crypto';
import { json, type HandlerResult } from '../context';
import type { K3CloudCredentials, K3CloudSimulatorStats } from '../types';
import { safeEqual, loginSign } from './signature';
import { sessionCookies, sessionIdOf, type Session, type SessionStore } from './sessions';

export type AuthOp = 'ValidateUser' | 'LoginByAppSecret' | 'LoginBySign' | 'Logout';

export interface AuthDeps {
  sessions: SessionStore;
  credentials: K3CloudCredentials;
  stats: K3CloudSimulatorStats;
}

/** Shaped like the real ValidateUser capture (docs/apis/k3cloud.md §2.1, S10). */
function loginSuccess(session: Session, c: K3CloudCredentials) {
  return {
    Message: null,
    MessageCode: 'CheckPasswordPolicy',
    LoginResultType: 1,
    Context: {
      UserLocale: 'zh-CN',
      DBid: c.acctId,
      DatabaseType: 3,
      SessionId: session.aspId,
      UserId: 100008,
      UserName: c.username,
      DisplayVersion: '9.0.553.10',
      UserToken: randomUUID(),
      CurrentOrganizationInfo: { ID: 1, AcctOrgType: '1', Name: 'Simulated Org', FunctionIds: [101, 102] },
      ClientType: 32,
      Gsid: randomUUID().replace(/-/g, '').slice(0, 19),
      DataCenterNumber: c.acctId,
      ContextResultType: 0,
      TenantId: '',
      IsDeployAsPublicCloud: false,
    },
    KDSVCSessionId: session.id,
    FormId: null,
    RedirectFormParam: null,
    FormInputObject: null,
    ErrorStackTrace: null,
    Lcid: 0,
    AccessToken: null,
    CustomParam: {},
    KdAccessResult: null,
    IsSuccessByAPI: true,
  };
}

/** LoginResultType 0 PWError / −1 Failure (docs/apis/k3cloud.md §2.1 enum). Message texts: ASSUMPTION. */
function loginFailure(type: number, message: string) {
  return {
    Message: message,
    MessageCode: null,
    LoginResultType: type,
    Context: null,
    KDSVCSessionId: null,
    IsSuccessByAPI: false,
  };
}

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export function handleAuth(
  deps: AuthDeps,
  op: AuthOp,
  param: (index: number, name: string) => unknown,
  headers: Record<string, string | string[] | undefined>,
): HandlerResult {
  const c = deps.credentials;
  if (op === 'Logout') {
    const id = sessionIdOf(headers);
    if (id) deps.sessions.expire(id);
    return json(true); // ASSUMPTION: Logout answers `true`.
  }
  const acctId = text(param(0, 'acctID'));
  const username = text(param(1, 'username'));
  if (acctId !== c.acctId) return json(loginFailure(-1, `数据中心“${acctId}”不存在`));
  let ok = false;
  let failure = loginFailure(0, '用户名或密码错误！');
  if (op === 'ValidateUser') {
    ok = username === c.username && safeEqual(text(param(2, 'password')), c.password);
  } else if (op === 'LoginByAppSecret') {
    ok =
      username === c.username &&
      text(param(2, 'appId')) === c.appId &&
      safeEqual(text(param(3, 'appSecret')), c.appSecret);
    failure = loginFailure(-1, '第三方系统登录授权验证失败，请检查应用ID和应用密钥');
  } else {
    const timestamp = text(param(3, 'timestamp'));
    const expected = loginSign([acctId, username, c.appId, c.appSecret, timestamp]);
    ok =
      username === c.username &&
      text(param(2, 'appId')) === c.appId &&
      safeEqual(text(param(4, 'sign')).toLowerCase(), expected);
    failure = loginFailure(-1, '第三方系统登录授权验证失败，签名不正确');
  }
  if (!ok) return json(failure);
  deps.stats.logins += 1;
  const session = deps.sessions.create(username);
  return json(loginSuccess(session, c), sessionCookies(session));
}
