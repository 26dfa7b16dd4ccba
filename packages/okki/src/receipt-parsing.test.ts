import { parseReceipt, parseReceiptPage } from './receipt-parsing';
import { interpretEnvelope, interpretToken } from './response-interpreter';
import { parseRetryAfter, delayBeforeRetry, backoffDelay } from './retry-policy';
import {
  HttpStatusError,
  MalformedResponseError,
  OkkiBusinessError,
  RateLimitedError,
  AuthenticationError,
} from '@receipt-sync/core';
import { TokenRejectedError } from './client-errors';

// The official list sample (docs/apis/okki.md §10), verbatim.
const SAMPLE =
  JSON.parse(`{"cash_collection_id":5221565013,"constraint":"","primary":"","create_time":"2025-04-15 17:47:13",
 "update_time":"2025-04-15 17:47:13","order_id":0,"collection_date":"2025-04-16","amount":"201.00",
 "currency":"CNY","exchange_rate":"100.00000","finance_verify":{"date":null,"name":null},"comment":"1",
 "file_list":[],"department_id":[],"opportunity_id":0,"user_id":[],"client_id":351383,"op_user_id":249521383,
 "type":"T/T","cash_collection_no":"HK202504150112","amount_rmb":"201.00","amount_usd":"27.59",
 "exchange_rate_usd":"13.72480","company_id":0,"create_user_id":249521383,"payee":"阿红","collect_status":0,
 "real_amount":"200.00","real_amount_rmb":"200.00","real_amount_usd":"27.45","bank_charge":"1.00",
 "bank_charge_rmb":"1.00","bank_charge_usd":"0.14","trade_no":"",
 "external_field_data_info":{"3564970299":"444","3564970303":3.5,"3574900796":[],"5208992912":"文本框"},
 "company_info":[],"user_info":[],"order_info":[],"opportunity_info":[],
 "create_user_info":{"user_id":"249521383","nickname":"sky","avatar":"https://x/a.jpeg"},
 "op_user_info":{"user_id":"249521383","nickname":"sky","avatar":"https://x/a.jpeg"},"lock_flag":"0"}`) as Record<
    string,
    unknown
  >;

describe('parseReceipt (lenient list items)', () => {
  it('normalises PHP [] to null only where an object belongs', () => {
    const parsed = parseReceipt(SAMPLE);
    if (!parsed.ok) throw new Error('sample must parse');
    const r = parsed.receipt;
    expect(r.company_info).toBeNull();
    expect(r.order_info).toBeNull();
    expect(r.create_user_info).toEqual({ user_id: '249521383', nickname: 'sky', avatar: 'https://x/a.jpeg' });
    // Lists stay lists; custom values stay exactly as sent, [] included.
    expect(r.user_info).toEqual([]);
    expect(r.file_list).toEqual([]);
    expect(r.opportunity_info).toEqual([]);
    expect(r.external_field_data_info).toEqual({
      '3564970299': '444',
      '3564970303': 3.5,
      '3574900796': [],
      '5208992912': '文本框',
    });
  });

  it('keeps money strings exact and every other field, unknown ones included', () => {
    const parsed = parseReceipt({
      ...SAMPLE,
      amount: '0.10',
      bank_charge: '1234567890123.45',
      brand_new_field: { a: 1 },
    });
    if (!parsed.ok) throw new Error('must parse');
    expect(parsed.receipt.amount).toBe('0.10');
    expect(parsed.receipt.bank_charge).toBe('1234567890123.45');
    expect(parsed.receipt.real_amount_usd).toBe('27.45');
    expect(parsed.receipt.exchange_rate_usd).toBe('13.72480');
    expect(parsed.receipt.brand_new_field).toEqual({ a: 1 });
    expect(parsed.receipt.constraint).toBe('');
    const plain = parseReceipt(SAMPLE);
    if (!plain.ok) throw new Error('must parse');
    const { company_info: _a, order_info: _b, ...rest } = plain.receipt;
    const { company_info: _c, order_info: _d, ...sampleRest } = SAMPLE;
    expect(rest).toEqual(sampleRest);
  });

  it('accepts a digit-string id and canonicalises update_time', () => {
    const parsed = parseReceipt({ ...SAMPLE, cash_collection_id: '5221565013', update_time: '2025-04-15T17:47:13' });
    expect(parsed).toMatchObject({
      ok: true,
      receipt: { cash_collection_id: 5221565013, update_time: '2025-04-15 17:47:13' },
    });
  });

  it('reports unusable records with the field and the receipt named', () => {
    const parsed = parseReceipt({ ...SAMPLE, cash_collection_id: null, update_time: 'yesterday' });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.invalid.raw).toMatchObject({ cash_collection_no: 'HK202504150112' });
    expect(parsed.invalid.issues).toHaveLength(2);
    expect(parsed.invalid.issues[0]).toMatch(/^cash_collection_id: .*\(receipt HK202504150112\)$/);
    expect(parsed.invalid.issues[1]).toMatch(/^update_time: not a YYYY-MM-DD HH:mm:ss time/);
    expect(parseReceipt('garbage')).toMatchObject({ ok: false, invalid: { raw: 'garbage' } });
  });

  it('splits a page into valid and invalid items without failing it', () => {
    const page = parseReceiptPage(
      { list: [SAMPLE, { nope: true }, { ...SAMPLE, cash_collection_id: 7 }], totalItem: '3' },
      '2025-04-15 20:04:51',
    );
    expect(page.list.map((r) => r.cash_collection_id)).toEqual([5221565013, 7]);
    expect(page.invalid).toHaveLength(1);
    expect(page.totalItem).toBe(3);
    expect(() => parseReceiptPage({ list: 'x' }, '')).toThrow(MalformedResponseError);
  });
});

describe('interpretEnvelope / interpretToken', () => {
  const raw = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers,
    text: typeof body === 'string' ? body : JSON.stringify(body),
  });

  it('accepts code 200 and code 0 as success', () => {
    expect(interpretEnvelope(raw(200, { code: 200, message: 'success', now: 'n', data: 1 }), '/p', 10)).toEqual({
      data: 1,
      now: 'n',
    });
    expect(interpretEnvelope(raw(200, { code: 0, msg: 'success', data: 2 }), '/p', 10)).toEqual({ data: 2, now: '' });
  });

  it("turns other codes into OkkiBusinessError with OKKI's message, code 429 into RateLimitedError", () => {
    const notFound = (() => {
      try {
        interpretEnvelope(
          raw(200, { code: 404, message: 'Not Found Resource', now: 'n' }),
          '/v1/invoices/receipt/info',
          10,
        );
      } catch (e) {
        return e;
      }
    })() as OkkiBusinessError;
    expect(notFound).toBeInstanceOf(OkkiBusinessError);
    expect(notFound.isNotFound).toBe(true);
    expect(notFound.okkiMessage).toBe('Not Found Resource');
    expect(() => interpretEnvelope(raw(200, { code: 429, message: 'slow down' }), '/p', 10)).toThrow(RateLimitedError);
  });

  it('maps 429, 401/access_denied, 5xx HTML and non-JSON bodies to typed errors', () => {
    try {
      interpretEnvelope(raw(429, { code: 429 }, { 'retry-after': '3' }), '/p', 10);
    } catch (e) {
      expect(e).toBeInstanceOf(RateLimitedError);
      expect((e as RateLimitedError).retryAfterMs).toBe(3000);
    }
    expect(() => interpretEnvelope(raw(401, { error: 'access_denied' }), '/p', 10)).toThrow(TokenRejectedError);
    expect(() => interpretEnvelope(raw(200, { error: 'access_denied' }), '/p', 10)).toThrow(TokenRejectedError);
    expect(() => interpretEnvelope(raw(502, '<html>Bad Gateway</html>'), '/p', 10)).toThrow(HttpStatusError);
    expect(() => interpretEnvelope(raw(200, '{"code":200,"da'), '/p', 10)).toThrow(MalformedResponseError);
    expect(() => interpretEnvelope(raw(200, { list: [] }), '/p', 10)).toThrow(MalformedResponseError);
  });

  it('reads tokens with or without expires_in and refuses OAuth errors without quoting the body', () => {
    expect(interpretToken(raw(200, { token_type: 'Bearer', expires_in: 28799, access_token: 'abc' }), 10)).toEqual({
      accessToken: 'abc',
      expiresIn: 28799,
    });
    expect(interpretToken(raw(200, { access_token: 'abc' }), 10)).toEqual({ accessToken: 'abc', expiresIn: undefined });
    expect(() =>
      interpretToken(raw(400, { error: 'invalid_client', error_description: 'Client authentication failed' }), 10),
    ).toThrow(AuthenticationError);
    expect(() => interpretToken(raw(200, { token_type: 'Bearer' }), 10)).toThrow(MalformedResponseError);
  });
});

describe('retry policy', () => {
  it('reads Retry-After as seconds or an HTTP-date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('waits at least Retry-After and otherwise jitters within an exponential cap', () => {
    const retry = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(delayBeforeRetry(new RateLimitedError('okki', 1500), retry, 1, () => 0.99)).toBe(1500);
    expect(backoffDelay(retry, 3, () => 0.999)).toBe(399);
    expect(backoffDelay(retry, 10, () => 0.999)).toBe(999);
    expect(backoffDelay(retry, 1, () => 0)).toBe(0);
  });
});
