import { startK3CloudSimulator, type K3CloudSimulator } from '../../src/k3cloud';
import { opUrl, post, statusOf } from './raw-k3';

const SESSION_LOST = '会话信息已丢失，请重新登录';

describe('session authentication (docs/apis/k3cloud.md §2.1, §2.2)', () => {
  let sim: K3CloudSimulator;
  let clock = 1_000_000;

  beforeAll(async () => {
    sim = await startK3CloudSimulator({ sessionTtlMs: 1_000, now: () => clock });
  });
  afterAll(() => sim.close());

  const loginBody = () => [sim.credentials.acctId, sim.credentials.username, sim.credentials.password, 2052];
  const cookieOf = (cookies: string[]) => cookies.map((c) => c.split(';')[0]).join('; ');
  const queryWith = (headers: Record<string, string>) =>
    post(sim, 'ExecuteBillQuery', { parameters: [{ FormId: 'SAL_SaleOrder', FieldKeys: 'FID' }] }, headers);

  it('ValidateUser answers a LoginResult and sets kdservice-sessionid and ASP.NET_SessionId', async () => {
    const answer = await post(sim, 'ValidateUser', { parameters: loginBody() });
    const body = answer.body as {
      LoginResultType: number;
      KDSVCSessionId: string;
      IsSuccessByAPI: boolean;
      Context: { SessionId: string };
    };
    expect(body.LoginResultType).toBe(1);
    expect(body.IsSuccessByAPI).toBe(true);
    expect(answer.cookies[0]).toBe(`kdservice-sessionid=${body.KDSVCSessionId}; path=/`);
    expect(answer.cookies[1]).toMatch(new RegExp(`^ASP\\.NET_SessionId=${body.Context.SessionId}; path=/`));
    expect(body.Context.SessionId).toHaveLength(24);
    expect(await queryWith({ Cookie: cookieOf(answer.cookies) })).toMatchObject({ body: [] });
  });

  it('binds named parameters case-insensitively and accepts the session as a header', async () => {
    const c = sim.credentials;
    const answer = await post(sim, 'validateuser', {
      acctid: c.acctId,
      USERNAME: c.username,
      password: c.password,
      lcid: 2052,
    });
    const id = (answer.body as { KDSVCSessionId: string }).KDSVCSessionId;
    expect(await queryWith({ 'kdservice-sessionid': id })).toMatchObject({ body: [] });
  });

  it('refuses a wrong password with LoginResultType 0 and no cookie', async () => {
    const c = sim.credentials;
    const answer = await post(sim, 'ValidateUser', { parameters: [c.acctId, c.username, 'wrong', 2052] });
    expect(answer.body).toMatchObject({ LoginResultType: 0, IsSuccessByAPI: false, KDSVCSessionId: null });
    expect(answer.cookies).toEqual([]);
  });

  it('LoginByAppSecret and LoginBySign (sha256) log in; a sha1 sign is refused', async () => {
    const c = sim.credentials;
    const byApp = await post(sim, 'LoginByAppSecret', {
      parameters: [c.acctId, c.username, c.appId, c.appSecret, 2052],
    });
    expect(byApp.body).toMatchObject({ LoginResultType: 1 });
    const { createHash } = await import('node:crypto');
    const ts = '1700000000';
    const sign = (alg: string) =>
      createHash(alg).update([c.acctId, c.username, c.appId, c.appSecret, ts].sort().join('')).digest('hex');
    const bySign = await post(sim, 'LoginBySign', {
      acctID: c.acctId,
      username: c.username,
      appId: c.appId,
      timestamp: ts,
      sign: sign('sha256'),
      lcid: 2052,
    });
    expect(bySign.body).toMatchObject({ LoginResultType: 1 });
    const bySha1 = await post(sim, 'LoginBySign', {
      acctID: c.acctId,
      username: c.username,
      appId: c.appId,
      timestamp: ts,
      sign: sign('sha1'),
      lcid: 2052,
    });
    expect(bySha1.body).toMatchObject({ LoginResultType: -1 });
  });

  it('answers MsgCode 1 without a session: bare for saves, [[…]] for ExecuteBillQuery', async () => {
    const save = await post(sim, 'BatchSave', { parameters: ['SAL_SaleOrder', '{"Model":[{}]}'] });
    expect(save.body).toEqual({
      Result: {
        ResponseStatus: {
          ErrorCode: 500,
          IsSuccess: false,
          Errors: [{ FieldName: null, Message: SESSION_LOST, DIndex: 0 }],
          SuccessEntitys: [],
          SuccessMessages: [],
          MsgCode: 1,
        },
      },
    });
    const queried = await queryWith({});
    expect(statusOf((queried.body as unknown[][])[0]?.[0])).toMatchObject({ MsgCode: 1 });
    expect(sim.allBills('SAL_SaleOrder')).toEqual([]);
  });

  it('keeps a session alive while it is used (sliding) and drops it after the idle lifetime', async () => {
    const cookie = cookieOf((await post(sim, 'ValidateUser', { parameters: loginBody() })).cookies);
    clock += 900;
    expect((await queryWith({ Cookie: cookie })).body).toEqual([]);
    clock += 900; // 1800 ms after login, 900 ms after last use
    expect((await queryWith({ Cookie: cookie })).body).toEqual([]);
    clock += 1_001;
    expect(statusOf(((await queryWith({ Cookie: cookie })).body as unknown[][])[0]?.[0]).MsgCode).toBe(1);
  });

  it('Logout and expireSessions end sessions', async () => {
    const a = cookieOf((await post(sim, 'ValidateUser', { parameters: loginBody() })).cookies);
    const b = cookieOf((await post(sim, 'ValidateUser', { parameters: loginBody() })).cookies);
    expect((await post(sim, 'Logout', { parameters: [] }, { Cookie: a })).body).toBe(true);
    expect(statusOf(((await queryWith({ Cookie: a })).body as unknown[][])[0]?.[0]).MsgCode).toBe(1);
    expect((await queryWith({ Cookie: b })).body).toEqual([]);
    sim.expireSessions();
    expect(statusOf(((await queryWith({ Cookie: b })).body as unknown[][])[0]?.[0]).MsgCode).toBe(1);
  });

  it('routes case-insensitively and answers unknown operations with response_error', async () => {
    const cookie = cookieOf((await post(sim, 'ValidateUser', { parameters: loginBody() })).cookies);
    const lower = opUrl(sim, 'ExecuteBillQuery').replace(
      /Kingdee\..*$/,
      'kingdee.bos.webapi.servicesstub.dynamicformservice.executebillquery.common.kdsvc',
    );
    expect(
      (await post(sim, 'x', { data: { FormId: 'SAL_SaleOrder', FieldKeys: 'FID' } }, { Cookie: cookie }, lower)).body,
    ).toEqual([]);
    const unknown = await post(sim, 'Frobnicate', { parameters: [] }, { Cookie: cookie });
    expect(unknown.text).toMatch(/^response_error:\{"Message":/);
  });
});

/** The signed-header test vector of docs/apis/k3cloud.md §2.3, as literal strings (not recomputed here). */
const VECTOR = {
  acctId: '5f1234567890ab',
  username: 'apiuser',
  appId: '123456_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX',
  appSecret: '0123456789abcdef0123456789abcdef',
  headers: {
    'X-Api-ClientID': '123456',
    'X-Api-Auth-Version': '2.0',
    'x-api-timestamp': '1700000000',
    'x-api-nonce': '1700000000',
    'x-api-signheaders': 'x-api-timestamp,x-api-nonce',
    'X-Api-Signature': 'NzI2MjZlOGJiNjBiYTJkYzM3NTU3NTI0ZGE3YWY4MDhmMDNhMmZmOTc0ZGI4ZWJiYjg0NWFiYWFiNzIwZTczNg==',
    'X-Kd-Appkey': '123456_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX',
    'X-Kd-Appdata': 'NWYxMjM0NTY3ODkwYWIsYXBpdXNlciwyMDUyLDA=',
    'X-Kd-Signature': 'ZDg3M2E0OTY2ODI1ZThkMGUxMDY3ODAwOTIxZWQ5ZDBhY2I2NzVkZjg4MzEyZjIzMGNiZDE4MjhlMGRmMTY0NQ==',
  },
  javaMsSignature: 'MjliOWIwNzRiYzFiYmU4MmJkMWFlM2RiMzE1NGE0OGZiN2U3ZGJkODk2ODU2ZWI2OWY4NmVmMTFlMjA1YWVlNw==',
};

describe('signed-header mode (docs/apis/k3cloud.md §2.3)', () => {
  let sim: K3CloudSimulator;

  beforeAll(async () => {
    sim = await startK3CloudSimulator({
      acctId: VECTOR.acctId,
      username: VECTOR.username,
      appId: VECTOR.appId,
      appSecret: VECTOR.appSecret,
      sitePath: '/k3cloud/',
    });
  });
  afterAll(() => sim.close());

  const signedSave = (headers: Record<string, string>) =>
    post(
      sim,
      'Save',
      { parameters: ['SAL_SaleOrder', JSON.stringify({ Model: { F_Cash_Collection_Id: 'signed' } })] },
      headers,
    );

  it('serves a call carrying exactly the spec vector headers and sets a session cookie', async () => {
    const answer = await signedSave(VECTOR.headers);
    expect(statusOf(answer.body).IsSuccess).toBe(true);
    expect(answer.cookies[0]).toMatch(/^kdservice-sessionid=[0-9a-f-]{36}; path=\/$/);
  });

  it('accepts the Java millisecond variant', async () => {
    const answer = await signedSave({
      ...VECTOR.headers,
      'x-api-timestamp': '1700000000000',
      'x-api-nonce': '1700000000000',
      'X-Api-Signature': VECTOR.javaMsSignature,
    });
    expect(statusOf(answer.body).IsSuccess).toBe(true);
  });

  it.each([
    ['X-Kd-Signature', VECTOR.headers['X-Kd-Signature'].replace('ZDg3', 'ZDg4')],
    ['X-Api-Signature', VECTOR.headers['X-Api-Signature'].replace('NzI2', 'NzI3')],
    ['x-api-nonce', '1700000001'],
    ['X-Kd-Appdata', Buffer.from('5f1234567890ab,someoneelse,2052,0').toString('base64')],
  ])('refuses the call when %s is altered', async (name, value) => {
    const before = sim.allBills('SAL_SaleOrder').length;
    const answer = await signedSave({ ...VECTOR.headers, [name]: value });
    expect(statusOf(answer.body)).toMatchObject({ IsSuccess: false, MsgCode: 1 });
    expect(sim.allBills('SAL_SaleOrder')).toHaveLength(before);
  });

  it('checks timestamp freshness when configured', async () => {
    const strict = await startK3CloudSimulator({
      acctId: VECTOR.acctId,
      username: VECTOR.username,
      appId: VECTOR.appId,
      appSecret: VECTOR.appSecret,
      signatureMaxSkewMs: 60_000,
    });
    try {
      const answer = await post(strict, 'Save', { parameters: ['SAL_SaleOrder', '{"Model":{}}'] }, VECTOR.headers);
      expect(statusOf(answer.body).Errors[0]?.Message).toMatch(/timestamp/);
    } finally {
      await strict.close();
    }
  });
});
