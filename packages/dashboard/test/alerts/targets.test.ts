import { ConfigError } from '@receipt-sync/core';
import { alertRuleOptionsFromEnv, createAlertRules, describeTarget, parseAlertTargets } from '../../src/alerts';

describe('parseAlertTargets', () => {
  it('reads every kind, keeps "=" inside URLs and gives the DingTalk secret only to dingtalk targets', () => {
    const config = parseAlertTargets({
      ALERT_WEBHOOKS:
        ' dingtalk=https://oapi.dingtalk.com/robot/send?access_token=abc123 , WeCom=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1,' +
        'feishu=https://open.feishu.cn/open-apis/bot/v2/hook/uuid-1,slack=https://hooks.slack.com/services/T/B/X,',
      ALERT_DASHBOARD_URL: 'https://ops.example.com/receipts',
      ALERT_DINGTALK_SECRET: 'SECabc',
    });
    expect(config).toEqual({
      dashboardUrl: 'https://ops.example.com/receipts',
      targets: [
        { kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=abc123', secret: 'SECabc' },
        { kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1' },
        { kind: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/uuid-1' },
        { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/X' },
      ],
    });
  });

  it('treats unset or blank variables as "no targets"', () => {
    expect(parseAlertTargets({})).toEqual({ targets: [] });
    expect(parseAlertTargets({ ALERT_WEBHOOKS: ' ', ALERT_DASHBOARD_URL: '' })).toEqual({ targets: [] });
  });

  it('lists every bad entry, naming the variable, without echoing webhook tokens', () => {
    let error: unknown;
    try {
      parseAlertTargets({
        ALERT_WEBHOOKS:
          'teams=https://x.example/hook?token=SEKRIT1,dingtalk=ftp://y.example/?access_token=SEKRIT2,https://z.example/SEKRIT3',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toEqual([
      expect.stringMatching(
        /^ALERT_WEBHOOKS entry 1: kind "teams" is not supported \(expected one of dingtalk, wecom, feishu, slack\)/,
      ),
      'ALERT_WEBHOOKS entry 2: URL of dingtalk must be an http(s) URL',
      expect.stringMatching(/^ALERT_WEBHOOKS entry 3: must look like kind=url/),
    ]);
    expect((error as Error).message).not.toMatch(/SEKRIT/);
  });

  it('rejects a dashboard URL that is not http(s)', () => {
    expect(() => parseAlertTargets({ ALERT_DASHBOARD_URL: 'ops.example.com' })).toThrow(
      /ALERT_DASHBOARD_URL must be an http\(s\) URL/,
    );
  });

  it('describes a target by kind and host only', () => {
    expect(describeTarget({ kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1' })).toBe(
      'wecom@qyapi.weixin.qq.com',
    );
  });
});

describe('alertRuleOptionsFromEnv', () => {
  it.each([
    [{}, 900],
    [{ SYNC_INTERVAL_SECONDS: '60' }, 180],
    [{ SYNC_INTERVAL_SECONDS: '60', ALERT_LAG_SECONDS: '1000' }, 1000],
    [{ ALERT_LAG_SECONDS: '' }, 900],
  ])('%j gives a lag threshold of %i s', (env, expected) => {
    expect(createAlertRules(alertRuleOptionsFromEnv(env)).thresholds.lagSecondsThreshold).toBe(expected);
  });

  it('names the variable when ALERT_LAG_SECONDS is not a positive whole number', () => {
    expect(() => alertRuleOptionsFromEnv({ ALERT_LAG_SECONDS: 'soon' })).toThrow(/ALERT_LAG_SECONDS must be/);
    expect(() => alertRuleOptionsFromEnv({ ALERT_LAG_SECONDS: '-5' })).toThrow(/ALERT_LAG_SECONDS must be > 0/);
  });
});
