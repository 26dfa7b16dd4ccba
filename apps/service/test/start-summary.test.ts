import { translator } from '@receipt-sync/core';
import type { WindowRecord } from '@receipt-sync/store';
import { printStartSummary, windowLine } from '../src/start-summary';

/** `npm start` without LOG_FORMAT: a few lines a person reads, not JSON (issue 17, problem 9). */
describe('npm start summary', () => {
  it('says where the dashboard is, what runs, and how to reach the demo from a shell', () => {
    let out = '';
    printStartSummary(
      {
        dashboardUrl: 'http://127.0.0.1:3000',
        localOnly: true,
        queuePrefix: 'rsync-demo',
        push: true,
        webhookPort: '3200',
        demo: {
          okki: 'http://127.0.0.1:4010',
          k3cloud: 'http://127.0.0.1:4020/k3cloud/',
          env: { XIAOMAN_CLIENT_ID: 'demo' },
        },
      },
      translator('zh-CN'),
      (s) => (out += s),
    );
    expect(out).toContain('receipt-sync 已以演示模式启动');
    expect(out).toContain('监控面板：http://127.0.0.1:3000/ （仅本机访问，无需登录）');
    expect(out).toContain('OKKI 推送接收端口 3200');
    expect(out).toContain('QUEUE_PREFIX=rsync-demo npm run cli -- status');
    expect(out).toContain("env XIAOMAN_CLIENT_ID='demo' QUEUE_PREFIX='rsync-demo' npm run cli -- doctor");
    expect(out).not.toMatch(/^\{/m);
  });

  it('prints one line per window: China time, its range, fetched, and the receipts so far', () => {
    const w: WindowRecord = {
      id: 'w-1',
      start: '2025-04-15 09:58:00',
      end: '2025-04-15 10:04:55',
      status: 'enqueued',
      counts: { fetched: 42 },
      startedAt: new Date('2025-04-15T02:05:00Z'),
      finishedAt: new Date('2025-04-15T02:05:03Z'),
    } as WindowRecord;
    const ledger = { written: 400, unchanged: 20, 'dead-lettered': 91, quarantined: 22 };
    expect(windowLine(w, ledger, translator('en'))).toBe(
      '2025-04-15 10:05:03 window 09:58:00–10:04:55: 42 receipt versions fetched · so far written 400, unchanged 20, failed 91, quarantined 22',
    );
    expect(windowLine(w, ledger, translator('zh-CN'))).toContain('窗口 09:58:00–10:04:55：拉取 42 个回款单版本');
  });
});
