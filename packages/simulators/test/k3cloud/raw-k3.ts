import type { K3CloudSimulator } from '../../src/k3cloud';

/** Minimal hand-written K3 calls, so simulator tests do not depend on the client package. */
export interface RawAnswer {
  status: number;
  body: unknown;
  text: string;
  cookies: string[];
}

const AUTH_OPS = new Set(['validateuser', 'loginbyappsecret', 'loginbysign', 'logout']);

export function opUrl(sim: K3CloudSimulator, op: string): string {
  const service = AUTH_OPS.has(op.toLowerCase()) ? 'AuthService' : 'DynamicFormService';
  return `${sim.baseUrl}Kingdee.BOS.WebApi.ServicesStub.${service}.${op}.common.kdsvc`;
}

export async function post(
  sim: K3CloudSimulator,
  op: string,
  body: unknown,
  headers: Record<string, string> = {},
  url = opUrl(sim, op),
): Promise<RawAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, cookies: res.headers.getSetCookie() };
}

/** ValidateUser with the simulator's credentials; returns the Cookie header to send back. */
export async function login(sim: K3CloudSimulator): Promise<string> {
  const c = sim.credentials;
  const answer = await post(sim, 'ValidateUser', { parameters: [c.acctId, c.username, c.password, c.lcid] });
  return answer.cookies.map((line) => line.split(';')[0]).join('; ');
}

type Status = {
  IsSuccess: boolean;
  MsgCode: number;
  Errors: Array<{ FieldName: string | null; Message: string; DIndex: number }>;
  SuccessEntitys: Array<{ Id: number; Number: string; DIndex: number }>;
};

export function statusOf(body: unknown): Status {
  return (body as { Result: { ResponseStatus: Status } }).Result.ResponseStatus;
}

export async function batchSave(
  sim: K3CloudSimulator,
  cookie: string,
  data: Record<string, unknown>,
  formId = 'SAL_SaleOrder',
): Promise<RawAnswer> {
  return post(sim, 'BatchSave', { parameters: [formId, JSON.stringify(data)] }, { Cookie: cookie });
}

export async function query(
  sim: K3CloudSimulator,
  cookie: string,
  data: Record<string, unknown>,
  op = 'ExecuteBillQuery',
): Promise<RawAnswer> {
  return post(sim, op, { parameters: [JSON.stringify({ FormId: 'SAL_SaleOrder', ...data })] }, { Cookie: cookie });
}
