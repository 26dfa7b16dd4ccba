import { createHmac } from 'node:crypto';
import { createLogger } from '@receipt-sync/core';
import { createAlerter, type AlertTarget, type Incident } from '../../src/alerts';
import { WebhookReceiver } from './webhook-receiver';

const DINGTALK_SECRET = 'SEC0123456789abcdef';

function capturingLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'alerts-test',
    level: 'info',
    destination: { write: (s: string) => void lines.push(s) },
  });
  return { logger, lines, text: () => lines.join('') };
}

const lagIncident: Incident = {
  key: 'checkpoint-lag',
  title: 'Sync checkpoint is lagging',
  detail: 'The checkpoint is 20 min behind now (threshold 15 min).',
  severity: 'warning',
};

describe('createAlerter against a local webhook receiver', () => {
  const receiver = new WebhookReceiver();
  let targets: Record<AlertTarget['kind'], AlertTarget>;

  beforeAll(async () => {
    await receiver.start();
    targets = {
      dingtalk: {
        kind: 'dingtalk',
        url: `${receiver.origin}/robot/send?access_token=dt-token-123456`,
        secret: DINGTALK_SECRET,
      },
      wecom: { kind: 'wecom', url: `${receiver.origin}/cgi-bin/webhook/send?key=wecom-key-123456` },
      feishu: { kind: 'feishu', url: `${receiver.origin}/open-apis/bot/v2/hook/feishu-hook-123456` },
      slack: { kind: 'slack', url: `${receiver.origin}/services/T0/B0/slack-token-123456` },
    };
  });
  afterEach(() => receiver.reset());
  afterAll(() => receiver.stop());

  const alerter = (over: Partial<Parameters<typeof createAlerter>[0]> = {}) =>
    createAlerter({
      locale: 'en',
      targets: Object.values(targets),
      dashboardUrl: 'https://ops.example.com/dash',
      logger: capturingLogger().logger,
      retryDelayMs: 5,
      ...over,
    });

  it('posts the body shape each platform expects, with title, detail and dashboard link', async () => {
    await alerter().raise({ ...lagIncident, severity: 'critical' });
    expect(receiver.requests).toHaveLength(4);
    const byPath = (p: string) => receiver.requests.find((r) => r.path.startsWith(p))!;
    for (const r of receiver.requests) {
      expect(r.method).toBe('POST');
      expect(r.contentType).toMatch(/^application\/json/);
    }

    const ding = byPath('/robot/send').body as { msgtype: string; markdown: { title: string; text: string } };
    expect(Object.keys(ding).sort()).toEqual(['markdown', 'msgtype']);
    expect(ding.msgtype).toBe('markdown');
    expect(ding.markdown.title).toBe('[receipt-sync] CRITICAL: Sync checkpoint is lagging');
    expect(ding.markdown.text).toContain('The checkpoint is 20 min behind now');
    expect(ding.markdown.text).toContain('[Open the dashboard](https://ops.example.com/dash)');
    expect(ding.markdown.text).toContain('incident: checkpoint-lag');

    const wecom = byPath('/cgi-bin/webhook/send').body as { msgtype: string; markdown: { content: string } };
    expect(wecom).toEqual({
      msgtype: 'markdown',
      markdown: { content: expect.stringContaining('Sync checkpoint is lagging') },
    });
    expect(wecom.markdown.content).toContain('https://ops.example.com/dash');

    const feishu = byPath('/open-apis/bot/v2/hook').body as { msg_type: string; content: { text: string } };
    expect(feishu).toEqual({
      msg_type: 'text',
      content: { text: expect.stringContaining('CRITICAL: Sync checkpoint is lagging') },
    });
    expect(feishu.content.text).toContain('Open the dashboard: https://ops.example.com/dash');

    const slack = byPath('/services/').body as { text: string };
    expect(Object.keys(slack)).toEqual(['text']);
    expect(slack.text).toContain('The checkpoint is 20 min behind now');
  });

  it('signs DingTalk requests so the receiver can verify them', async () => {
    const before = Date.now();
    await alerter({ targets: [targets.dingtalk] }).raise(lagIncident);
    const [req] = receiver.requests;
    expect(req!.query.get('access_token')).toBe('dt-token-123456');
    const timestamp = req!.query.get('timestamp')!;
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(Date.now());
    // URLSearchParams has already URL-decoded the sign, as DingTalk's server does.
    const expected = createHmac('sha256', DINGTALK_SECRET).update(`${timestamp}\n${DINGTALK_SECRET}`).digest('base64');
    expect(req!.query.get('sign')).toBe(expected);
    const other = createHmac('sha256', 'SECwrong').update(`${timestamp}\nSECwrong`).digest('base64');
    expect(req!.query.get('sign')).not.toBe(other);
  });

  it('sends one message per open incident and one recovery, and nothing for keys that are not open', async () => {
    const a = alerter({ targets: [targets.slack] });
    await a.raise(lagIncident);
    await a.raise({ ...lagIncident, detail: 'The checkpoint is 25 min behind now (threshold 15 min).' });
    await Promise.all([a.raise(lagIncident), a.raise(lagIncident)]);
    expect(receiver.requests).toHaveLength(1);
    expect(a.openIncidents().map((i) => i.key)).toEqual(['checkpoint-lag']);

    await a.resolve('checkpoint-lag', 'Checkpoint lag is back to 40 s.');
    await a.resolve('checkpoint-lag');
    await a.resolve('never-opened');
    expect(receiver.requests).toHaveLength(2);
    const recovery = (receiver.requests[1]!.body as { text: string }).text;
    expect(recovery).toContain('RESOLVED: Sync checkpoint is lagging');
    expect(recovery).toContain('Checkpoint lag is back to 40 s.');
    expect(a.openIncidents()).toEqual([]);

    await a.raise(lagIncident); // bad again: a new incident, a new message
    expect(receiver.requests).toHaveLength(3);
    expect((receiver.requests[2]!.body as { text: string }).text).toContain('WARNING: Sync checkpoint is lagging');
  });

  it('reminds about a still-open incident only after minRepeatMs', async () => {
    let clock = Date.parse('2025-04-15T00:00:00Z');
    const a = alerter({ targets: [targets.wecom], minRepeatMs: 60 * 60_000, now: () => new Date(clock) });
    await a.raise(lagIncident);
    clock += 59 * 60_000;
    await a.raise(lagIncident);
    expect(receiver.requests).toHaveLength(1);
    clock += 60_000;
    await a.raise({ ...lagIncident, detail: 'The checkpoint is 80 min behind now.' });
    expect(receiver.requests).toHaveLength(2);
    const reminder = (receiver.requests[1]!.body as { markdown: { content: string } }).markdown.content;
    expect(reminder).toContain('WARNING, still open: Sync checkpoint is lagging');
    expect(reminder).toContain('The checkpoint is 80 min behind now.');
    expect(reminder).toContain('open for: 60 min');
    clock += 10 * 60_000;
    await a.raise(lagIncident);
    expect(receiver.requests).toHaveLength(2);
  });

  it('retries a 500 from the webhook and delivers on the third attempt', async () => {
    const log = capturingLogger();
    receiver.replyWith({ status: 500 }, { status: 502 });
    await alerter({ targets: [targets.feishu], logger: log.logger }).raise(lagIncident);
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.requests.map((r) => r.body)).toEqual([
      receiver.requests[0]!.body,
      receiver.requests[0]!.body,
      receiver.requests[0]!.body,
    ]);
    expect(log.text()).toContain('alert delivery failed, retrying');
    expect(log.text()).toContain('"delivered":["feishu@127.0.0.1');
  });

  it('gives up after 2 retries without throwing, and logs kind and host but never the webhook token', async () => {
    const log = capturingLogger();
    receiver.replyWith({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await expect(
      alerter({ targets: [targets.dingtalk], logger: log.logger }).raise(lagIncident),
    ).resolves.toBeUndefined();
    expect(receiver.requests).toHaveLength(3);
    expect(log.text()).toContain('"target":"dingtalk@127.0.0.1');
    expect(log.text()).toContain('alert delivery failed"');
    expect(log.text()).not.toContain('dt-token-123456');
    expect(log.text()).not.toContain(DINGTALK_SECRET);
    expect(log.text()).not.toContain('/robot/send');
  });

  it('does not retry a webhook that rejects the message in its body (bad sign, keyword) or a 4xx', async () => {
    const log = capturingLogger();
    receiver.replyWith({ status: 200, body: { errcode: 310000, errmsg: 'sign not match' } }, { status: 404 });
    await alerter({ targets: [targets.dingtalk, targets.slack], logger: log.logger, retries: 2 }).raise(lagIncident);
    expect(receiver.requests).toHaveLength(2);
    expect(log.text()).toContain('rejected (errcode 310000: sign not match)');
    expect(log.text()).toContain('HTTP 404');
    expect(log.text()).toContain('"delivered":[]');
  });

  it('times out a webhook that never answers and still returns to the caller', async () => {
    const log = capturingLogger();
    receiver.replyWith({ status: 0, hang: true });
    const started = Date.now();
    await alerter({ targets: [targets.wecom], logger: log.logger, timeoutMs: 200, retries: 0 }).raise(lagIncident);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(log.text()).toMatch(/"reason":"[^"]*(Timeout|Abort)/i);
    expect(log.text()).not.toContain('wecom-key-123456');
  });

  it('keeps incident state with no targets configured and rejects a malformed incident', async () => {
    const a = alerter({ targets: [] });
    await a.raise(lagIncident);
    expect(a.openIncidents()).toEqual([
      expect.objectContaining({ key: 'checkpoint-lag', severity: 'warning', openedAt: expect.any(Date) }),
    ]);
    await expect(a.raise({ ...lagIncident, key: '' })).rejects.toThrow(/alert incident: key/);
  });
});
