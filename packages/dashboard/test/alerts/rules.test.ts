import { createLogger } from '@receipt-sync/core';
import { InvalidInputError } from '@receipt-sync/core';
import { applyRules, createAlerter, createAlertRules, type PipelineSnapshot } from '../../src/alerts';
import { WebhookReceiver } from './webhook-receiver';

const healthy: PipelineSnapshot = {
  deadLetterCount: 4,
  previousDeadLetterCount: 4,
  consecutiveWindowFailures: 0,
  checkpointLagSeconds: 300,
  k3LoginFailing: false,
};

describe('createAlertRules().evaluate', () => {
  const rules = createAlertRules({ locale: 'en' }); // lag threshold 3 × 300 s, 3 window failures

  it.each<[string, Partial<PipelineSnapshot>, string[]]>([
    ['all healthy', {}, []],
    ['dead letters grew', { deadLetterCount: 6 }, ['dead-letters-growing']],
    ['dead letters shrank (retried by hand)', { deadLetterCount: 1 }, []],
    ['2 window failures (below threshold)', { consecutiveWindowFailures: 2 }, []],
    ['3 window failures', { consecutiveWindowFailures: 3 }, ['window-failing']],
    ['last window opened 3 intervals ago', { secondsSinceLastWindow: 900 }, []],
    ['no window opened for over 3 intervals', { secondsSinceLastWindow: 901 }, ['window-stalled']],
    ['lag exactly at threshold', { checkpointLagSeconds: 900 }, []],
    ['lag over threshold', { checkpointLagSeconds: 901 }, ['checkpoint-lag']],
    ['K3Cloud login failing', { k3LoginFailing: true }, ['k3cloud-login']],
    ['mapped keys unknown to K3Cloud', { metadataUnknownKeys: ['F_PBLH_Bank'] }, ['k3cloud-metadata']],
    ['an order left un-audited', { unauditedOrders: ['XSDD000012 (FID 100012)'] }, ['order-left-unaudited']],
    ['10 missed pushes in the last hour (at threshold)', { missedPushesLastHour: 10 }, []],
    ['11 missed pushes in the last hour', { missedPushesLastHour: 11 }, ['missed-pushes']],
    ['no active writer for a minute while rows wait (at threshold)', { writerVacantSeconds: 60 }, []],
    ['no active writer for over a minute while rows wait', { writerVacantSeconds: 61 }, ['no-active-writer']],
    ['a receipt found twice on one order', { duplicateRows: ['HK1 on FID 100 (rows 7, 9)'] }, ['duplicate-rows']],
    [
      'the last sweep found no stuck receipt',
      { stuckReceipts: { count: 0, redriven: 0, stuckSeconds: 900, samples: [] } },
      [],
    ],
    [
      'the last sweep found stuck receipts',
      { stuckReceipts: { count: 3, redriven: 2, stuckSeconds: 900, samples: ['#1 2025-04-15 10:00:00'] } },
      ['stuck-receipts'],
    ],
    [
      'everything wrong',
      { deadLetterCount: 5, consecutiveWindowFailures: 9, checkpointLagSeconds: 7200, k3LoginFailing: true },
      ['dead-letters-growing', 'window-failing', 'checkpoint-lag', 'k3cloud-login'],
    ],
  ])('%s → open %j', (_name, change, expectedOpen) => {
    const evaluation = rules.evaluate({ ...healthy, ...change });
    expect(evaluation.open.map((i) => i.key)).toEqual(expectedOpen);
    // every rule key is either open or closed, never both
    expect([...evaluation.open.map((i) => i.key), ...evaluation.closed.map((c) => c.key)].sort()).toEqual([
      'checkpoint-lag',
      'dead-letters-growing',
      'duplicate-rows',
      'k3cloud-login',
      'k3cloud-metadata',
      'missed-pushes',
      'no-active-writer',
      'order-left-unaudited',
      'stuck-receipts',
      'window-failing',
      'window-stalled',
    ]);
  });

  it('says how many receipts were stuck, how many were re-queued, and what to look at', () => {
    const { open } = rules.evaluate({
      ...healthy,
      stuckReceipts: { count: 3, redriven: 2, stuckSeconds: 900, samples: ['#7001 2025-04-15 10:00:00'] },
    });
    const detail = open.find((i) => i.key === 'stuck-receipts')?.detail ?? '';
    expect(detail).toContain('3 receipt versions were seen more than 15 min ago');
    expect(detail).toContain('re-queued');
    expect(detail).toContain('fetched 2 of them from OKKI again');
    expect(detail).toContain('#7001 2025-04-15 10:00:00');
    expect(detail).toContain('noeviction');
  });

  it('names the unknown keys and the un-audited orders in the alert', () => {
    const { open } = rules.evaluate({
      ...healthy,
      metadataUnknownKeys: ['F_PBLH_Bank', 'F_PBLH_Freight'],
      unauditedOrders: ['XSDD000012 (FID 100012)'],
    });
    expect(open.find((i) => i.key === 'k3cloud-metadata')).toMatchObject({
      severity: 'critical',
      detail: expect.stringContaining('F_PBLH_Bank, F_PBLH_Freight'),
    });
    expect(open.find((i) => i.key === 'order-left-unaudited')?.detail).toContain('XSDD000012 (FID 100012)');
  });

  it('gives details a person can act on, and severities', () => {
    const { open } = rules.evaluate({
      ...healthy,
      deadLetterCount: 7,
      consecutiveWindowFailures: 4,
      checkpointLagSeconds: 3600,
      k3LoginFailing: true,
    });
    const byKey = Object.fromEntries(open.map((i) => [i.key, i]));
    expect(byKey['dead-letters-growing']).toMatchObject({
      severity: 'warning',
      detail: expect.stringMatching(
        /^3 receipt jobs failed for good .*\n\n7 jobs in the dead-letter and quarantine queues/,
      ),
    });
    expect(byKey['window-failing']).toMatchObject({
      severity: 'critical',
      detail: expect.stringContaining('4 sync windows failed in a row (threshold 3)'),
    });
    expect(byKey['checkpoint-lag']).toMatchObject({
      severity: 'warning',
      detail: expect.stringContaining('The checkpoint is 60 min behind now (threshold 15 min).'),
    });
    expect(byKey['k3cloud-login']).toMatchObject({ severity: 'critical', detail: expect.stringContaining('KINGDEE_') });
    const missed = rules.evaluate({ ...healthy, missedPushesLastHour: 25 }).open[0];
    expect(missed).toMatchObject({
      key: 'missed-pushes',
      severity: 'warning',
      detail: expect.stringMatching(/^25 receipt versions in the last hour .* \(threshold 10\).*webhook status/),
    });
  });

  it('uses configured thresholds', () => {
    const strict = createAlertRules({ locale: 'en', lagSecondsThreshold: 60, windowFailuresThreshold: 1 });
    expect(
      strict.evaluate({ ...healthy, checkpointLagSeconds: 61, consecutiveWindowFailures: 1 }).open.map((i) => i.key),
    ).toEqual(['window-failing', 'checkpoint-lag']);
    expect(createAlertRules({ syncIntervalSeconds: 60 }).thresholds).toEqual({
      lagSecondsThreshold: 180,
      windowFailuresThreshold: 3,
      missedPushesThreshold: 10,
      windowStallSeconds: 180,
      writerVacancySeconds: 60,
    });
    expect(
      createAlertRules({ missedPushesThreshold: 2 })
        .evaluate({ ...healthy, missedPushesLastHour: 3 })
        .open.map((i) => i.key),
    ).toEqual(['missed-pushes']);
  });

  it('rejects a snapshot with a missing or negative figure, naming the field', () => {
    expect(() => rules.evaluate({ ...healthy, checkpointLagSeconds: Number.NaN })).toThrow(InvalidInputError);
    expect(() => rules.evaluate({ ...healthy, deadLetterCount: -1 })).toThrow(/deadLetterCount/);
  });
});

describe('applyRules', () => {
  const receiver = new WebhookReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('announces a problem once while it lasts and once when it clears', async () => {
    const alerter = createAlerter({
      locale: 'en',
      targets: [{ kind: 'slack', url: `${receiver.origin}/hook` }],
      logger: createLogger({ name: 'rules-test', level: 'silent' }),
      retryDelayMs: 5,
    });
    const rules = createAlertRules({ locale: 'en' });
    const texts = () => receiver.requests.map((r) => (r.body as { text: string }).text);

    await applyRules(alerter, rules.evaluate(healthy));
    expect(receiver.requests).toHaveLength(0);

    await applyRules(alerter, rules.evaluate({ ...healthy, checkpointLagSeconds: 1200, k3LoginFailing: true }));
    await applyRules(alerter, rules.evaluate({ ...healthy, checkpointLagSeconds: 1500, k3LoginFailing: true }));
    expect(texts()).toHaveLength(2);
    expect(texts().some((t) => t.includes('CRITICAL: K3Cloud login is failing'))).toBe(true);
    expect(texts().some((t) => t.includes('WARNING: Sync checkpoint is lagging'))).toBe(true);

    await applyRules(alerter, rules.evaluate({ ...healthy, checkpointLagSeconds: 90, k3LoginFailing: true }));
    expect(texts()).toHaveLength(3);
    expect(texts()[2]).toContain('RESOLVED: Sync checkpoint is lagging');
    expect(texts()[2]).toContain('Checkpoint lag is back to 90 s.');
    expect(alerter.openIncidents().map((i) => i.key)).toEqual(['k3cloud-login']);
  });
});
