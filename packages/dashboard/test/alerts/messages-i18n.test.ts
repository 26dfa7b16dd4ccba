import { createAlertRules, renderPayload, type AlertMessage } from '../../src/alerts';
import type { PipelineSnapshot } from '../../src/alerts';

/**
 * What an operator reads in each chat, in each language: what happened, how many receipts, since
 * when, the next step and the link (issue 17: alerts in Chinese by default, ALERT_LOCALE to choose).
 */
const snapshot: PipelineSnapshot = {
  deadLetterCount: 120,
  previousDeadLetterCount: 100,
  consecutiveWindowFailures: 0,
  checkpointLagSeconds: 30,
  k3LoginFailing: false,
  deadLetteredReceipts: 91,
  quarantinedReceipts: 22,
  topCause: {
    code: 'k3cloud.order-locked',
    message:
      'sales order XSDD000110 is locked (status C audited): K3Cloud refused the save: 单据编号为“XSDD000110”的销售订单，已审核',
    orderId: '4900000148',
    count: 18,
  },
};

function message(locale: 'zh-CN' | 'en' | undefined): AlertMessage {
  const [incident] = createAlertRules(locale ? { locale } : {}).evaluate(snapshot).open;
  return {
    phase: 'firing',
    incident: incident!,
    openedAt: new Date('2025-04-15T02:00:00Z'),
    at: new Date('2025-04-15T02:05:00Z'),
    dashboardUrl: 'https://ops.example.cn/',
    source: 'receipt-sync',
    ...(locale ? { locale } : {}),
  };
}

const textOf = (body: Record<string, unknown>): string => JSON.stringify(body);

describe.each(['dingtalk', 'wecom', 'feishu'] as const)('%s alert', (kind) => {
  it('is Chinese by default: what happened, how many receipts, since when, the next step and the link', () => {
    const text = textOf(renderPayload(kind, message(undefined)));
    expect(text).toContain('有回款单无法写入 K3Cloud');
    expect(text).toContain('自上次检查以来新增 20 个最终失败的回款单任务');
    expect(text).toContain('目前 91 张回款单写入失败，22 张已隔离（两个队列中共 120 个任务');
    expect(text).toContain('开始于：2025-04-15 10:00:00（北京时间，UTC+8）');
    expect(text).toContain('在 K3Cloud 中反审核销售订单 XSDD000110，然后重放');
    expect(text).toContain('https://ops.example.cn/');
    expect(text).toContain('打开监控面板');
    expect(text).not.toMatch(/\b(receipt jobs|since the last|Open the dashboard)\b/);
  });

  it('is English with ALERT_LOCALE=en', () => {
    const text = textOf(renderPayload(kind, message('en')));
    expect(text).toContain('Receipts are failing to reach K3Cloud');
    expect(text).toContain('Now 91 receipts failed writing (dead letters) and 22 are quarantined (120 jobs');
    expect(text).toContain('since: 2025-04-15 10:00:00 (China time, UTC+8)');
    expect(text).toContain('Un-audit sales order XSDD000110 in K3Cloud');
    expect(text).toContain('Open the dashboard');
  });
});
