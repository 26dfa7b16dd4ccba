import fc from 'fast-check';
import { isSyncError } from '@receipt-sync/core';
import { K3CloudClient } from '@receipt-sync/k3cloud';
import { OkkiClient } from '@receipt-sync/okki';
import { hostileAnswer } from './arbitraries';
import { startHostileServer } from './hostile-server';

const runs = { numRuns: 120, seed: 20261125 };

/** The only acceptable outcomes: a parsed answer, or a classified error that names what went wrong. */
async function settle<T>(call: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('malformed upstream responses never crash, hang or vanish', () => {
  it('OKKI: every list answer becomes a page (invalid rows surfaced) or a classified error', async () => {
    const server = await startHostileServer((req) =>
      req.url?.startsWith('/v1/oauth2/access_token')
        ? {
            status: 200,
            contentType: 'application/json',
            body: JSON.stringify({ token_type: 'Bearer', expires_in: 28800, access_token: 'tok-123456789' }),
          }
        : undefined,
    );
    const client = new OkkiClient({
      baseUrl: server.url,
      clientId: 'c',
      clientSecret: 'secret-xyz',
      timeoutMs: 2000,
      maxRps: 1000,
      // One try, and a 429 is not waited out: each hostile answer is judged as it comes.
      retry: { attempts: 1, rateLimitedWaits: 0 },
    });
    const valid = fc.constantFrom(
      JSON.stringify({
        code: 200,
        message: 'success',
        now: '2025-04-15 20:04:51',
        data: {
          list: [{ cash_collection_id: 1, update_time: '2025-04-15 17:47:13' }, { cash_collection_id: 'x' }],
          totalItem: 2,
        },
      }),
      JSON.stringify({ code: 404, message: 'Not Found Resource', now: '2025-04-15 20:04:51' }),
      JSON.stringify({ error: 'access_denied', message: 'denied' }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(hostileAnswer(valid), async (answer) => {
          server.answerWith(answer);
          const outcome = await settle(client.listReceipts({ page: 1, count: 20 }));
          if (outcome.ok) {
            const page = outcome.value;
            expect(Array.isArray(page.list) && Array.isArray(page.invalid)).toBe(true);
            for (const r of page.list) expect(Number.isInteger(r.cash_collection_id)).toBe(true);
          } else {
            expect(isSyncError(outcome.error)).toBe(true);
          }
        }),
        runs,
      );
    } finally {
      await client.close();
      await server.close();
    }
  }, 120_000);

  it('K3Cloud: every BatchSave answer gives one result per model or a classified error; queries give rows or an error', async () => {
    const loginBody = JSON.stringify({
      LoginResultType: 1,
      KDSVCSessionId: 'sess-1',
      IsSuccessByAPI: true,
      Context: { SessionId: 's' },
    });
    const server = await startHostileServer((req) =>
      /AuthService/i.test(req.url ?? '')
        ? { status: 200, contentType: 'application/json', body: loginBody }
        : undefined,
    );
    const client = new K3CloudClient({
      baseUrl: `${server.url}/k3cloud/`,
      acctId: 'a',
      username: 'u',
      password: 'pw-secret',
      timeoutMs: 2000,
      maxConcurrency: 4,
      readAttempts: 1,
    });
    const valid = fc.constantFrom(
      JSON.stringify({
        Result: {
          ResponseStatus: {
            IsSuccess: true,
            Errors: [],
            SuccessEntitys: [{ Id: 1, Number: 'X', DIndex: 0 }],
            SuccessMessages: [],
            MsgCode: 0,
          },
          NeedReturnData: [{}],
        },
      }),
      JSON.stringify({
        Result: {
          ResponseStatus: {
            ErrorCode: 500,
            IsSuccess: false,
            Errors: [{ FieldName: 'F', Message: 'bad', DIndex: 1 }],
            SuccessEntitys: [{ Id: 1, Number: 'X', DIndex: 0 }],
            SuccessMessages: [],
            MsgCode: 11,
          },
        },
      }),
      JSON.stringify([
        [1, 'a'],
        [2, 'b'],
      ]),
      JSON.stringify([
        [
          {
            Result: {
              ResponseStatus: {
                ErrorCode: 500,
                IsSuccess: false,
                Errors: [{ FieldName: null, Message: '会话信息已丢失，请重新登录', DIndex: 0 }],
                MsgCode: 1,
              },
            },
          },
        ],
      ]),
    );
    try {
      await fc.assert(
        fc.asyncProperty(hostileAnswer(valid), async (answer) => {
          server.answerWith(answer);
          const saved = await settle(
            client.batchSave('SAL_SaleOrder', [{ FID: 1 }, { FID: 2 }], { isDeleteEntry: false }),
          );
          if (saved.ok) {
            expect(saved.value.results.map((r) => r.dIndex).sort()).toEqual([0, 1]);
            for (const r of saved.value.results)
              if (!r.ok) expect(r.errors.length > 0 || r.error !== undefined).toBe(true);
          } else {
            expect(isSyncError(saved.error)).toBe(true);
          }
          const queried = await settle(
            client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', filterString: 'FID = 1' }),
          );
          if (queried.ok) for (const row of queried.value) expect(Array.isArray(row)).toBe(true);
          else expect(isSyncError(queried.error)).toBe(true);
        }),
        runs,
      );
    } finally {
      await client.close();
      await server.close();
    }
  }, 120_000);
});
