import { Writable } from 'node:stream';
import { createLogger, redact, registerSecret, REDACTED } from '.';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: createLogger({ name: 'test', level: 'trace', pretty: false, destination }) };
}

describe('logger redaction', () => {
  const secrets = {
    clientSecret: 'okki-client-secret-123',
    password: 'k3-password-456',
    appSecret: '0123456789abcdef0123456789abcdef',
    accessToken: 'eyJhbGciOiJIUzI1NiJ9.payload.sig',
    sessionId: '2c6dfa6c-039b-4b65-b52f-898d3c7c522a',
  };

  it('removes secrets by key at any depth and by value in free text', () => {
    registerSecret(secrets.clientSecret);
    registerSecret(secrets.password);
    const { lines, logger } = capture();
    logger.info(
      {
        config: {
          XIAOMAN_CLIENT_SECRET: secrets.clientSecret,
          KINGDEE_PASSWORD: secrets.password,
          KINGDEE_APP_SECRET: secrets.appSecret,
        },
        request: {
          headers: {
            Authorization: `Bearer ${secrets.accessToken}`,
            cookie: `kdservice-sessionid=${secrets.sessionId}`,
          },
        },
        body: { access_token: secrets.accessToken, refresh_token: 'def502abcdef', KDSVCSessionId: secrets.sessionId },
        nested: [{ deeper: { 'x-kd-signature': 'c2lnbmF0dXJl' } }],
      },
      `login as user with password ${secrets.password}`,
    );
    logger.error(
      { err: new Error(`upstream said Bearer ${secrets.accessToken} and secret ${secrets.clientSecret}`) },
      'failed',
    );
    logger.warn(`cookie kdservice-sessionid=${secrets.sessionId}; path=/`);
    const out = lines.join('');
    expect(lines).toHaveLength(3);
    for (const value of Object.values(secrets)) expect(out).not.toContain(value);
    expect(out).not.toContain('def502abcdef');
    expect(out).not.toContain('c2lnbmF0dXJl');
    expect(out).toContain(REDACTED);
    expect(out).toContain('login as user with password');
  });

  it('keeps ordinary fields intact', () => {
    expect(redact({ receiptNo: 'HK1', amount: '201.00', tokenCount: undefined })).toEqual({
      receiptNo: 'HK1',
      amount: '201.00',
      tokenCount: undefined,
    });
  });
});
