import { nameHttpCall, withoutQuery } from './http-spans';
import { traceIdFromMetadata } from './trace-context';

describe('traceIdFromMetadata (the receipt page’s trace id)', () => {
  it('reads the trace id of a W3C traceparent that bullmq-otel stored, and nothing from anything else', () => {
    const id = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(traceIdFromMetadata(JSON.stringify({ traceparent: `00-${id}-00f067aa0ba902b7-01` }))).toBe(id);
    expect(traceIdFromMetadata(undefined)).toBeUndefined();
    expect(traceIdFromMetadata('not json')).toBeUndefined();
    expect(traceIdFromMetadata('{}')).toBeUndefined();
    // The all-zero id is W3C's "invalid"; a job added outside any trace may carry it.
    expect(traceIdFromMetadata(JSON.stringify({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-00` }))).toBe(
      undefined,
    );
  });
});

describe('nameHttpCall (which calls become client spans, under what name)', () => {
  const systems = [
    { system: 'okki' as const, origin: 'https://open.xiaoman.cn' },
    { system: 'k3cloud' as const, origin: 'http://erp.example:8080/k3cloud/' },
  ];

  it('names OKKI calls by path and K3Cloud calls by operation', () => {
    expect(nameHttpCall(systems, 'https://open.xiaoman.cn', '/v1/invoices/receipt/list?access_token=t')).toEqual({
      system: 'okki',
      operation: 'invoices/receipt/list',
    });
    const batchSave = '/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BatchSave.common.kdsvc';
    expect(nameHttpCall(systems, 'http://erp.example:8080', batchSave)).toEqual({
      system: 'k3cloud',
      operation: 'BatchSave',
    });
  });

  it('leaves every other host alone (alert webhooks carry keys in their URLs)', () => {
    expect(nameHttpCall(systems, 'https://oapi.dingtalk.com', '/robot/send?access_token=secret')).toBeUndefined();
    expect(nameHttpCall(systems, 'http://erp.example:9090', '/k3cloud/x')).toBeUndefined();
  });

  it('drops the query string from the URL a span records', () => {
    expect(withoutQuery('https://open.xiaoman.cn/', '/v1/oauth2/access_token?client_secret=s')).toBe(
      'https://open.xiaoman.cn/v1/oauth2/access_token',
    );
  });
});
