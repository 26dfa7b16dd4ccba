import { createAlerter, createAlertRules, type Alerter } from '../src/alerts';
import type { ApiCallRecord } from '@receipt-sync/core';
import { formatChinaTime } from '@receipt-sync/core';
import { startAlertMonitor, type AlertMonitor } from '../src';
import { PushState, StuckReceiptsReport, type WriterLeaseView } from '@receipt-sync/pipeline';
import { createHarness, deadLetterRecord, recordingLogger, seedDeadLetter, waitFor, type Harness } from './harness';

let h: Harness;
let alerter: Alerter;
let monitor: AlertMonitor;

const openKeys = () =>
  alerter
    .openIncidents()
    .map((i) => i.key)
    .sort();
function login(operation: string, outcome: ApiCallRecord['outcome']): ApiCallRecord {
  return {
    system: 'k3cloud',
    operation,
    method: 'POST',
    path: `/k3cloud/${operation}`,
    durationMs: 40,
    attempt: 1,
    outcome,
    at: new Date().toISOString(),
  };
}
let windowSeq = 0;
async function addWindow(status: 'failed' | 'completed'): Promise<void> {
  windowSeq += 1;
  const id = `w${windowSeq}`;
  await h.store.windows.open({
    id,
    start: '2025-04-15 10:00:00',
    end: '2025-04-15 10:05:00',
    startedAt: new Date(Date.now() + windowSeq),
  });
  await h.store.windows.update(id, { status });
}

beforeAll(async () => {
  h = await createHarness();
  alerter = createAlerter({ targets: [], logger: recordingLogger() });
  // A long interval: these tests drive evaluations with tick() so each one is deterministic.
  monitor = startAlertMonitor({
    queues: h.queues,
    store: h.store,
    alerter,
    logger: h.logger,
    intervalMs: 3_600_000,
    rules: createAlertRules({ lagSecondsThreshold: 300, windowFailuresThreshold: 2 }),
  });
});
afterAll(async () => {
  await monitor.stop();
  await h.close();
});

describe('startAlertMonitor', () => {
  it('opens nothing on a quiet pipeline', async () => {
    const snapshot = await monitor.tick();
    expect(snapshot).toEqual({
      deadLetterCount: 0,
      previousDeadLetterCount: 0,
      consecutiveWindowFailures: 0,
      secondsSinceLastWindow: 0,
      checkpointLagSeconds: 0,
      k3LoginFailing: false,
      metadataUnknownKeys: [],
      unauditedOrders: [],
      duplicateRows: [],
      deadLetteredReceipts: 0,
      quarantinedReceipts: 0,
    });
    expect(openKeys()).toEqual([]);
  });

  it('alerts when dead letters grow, and calms down when they stop growing', async () => {
    await seedDeadLetter(h.queues, deadLetterRecord());
    await seedDeadLetter(h.queues, deadLetterRecord({ kind: 'quarantined' }), 'quarantine');
    expect(await monitor.tick()).toMatchObject({ deadLetterCount: 2, previousDeadLetterCount: 0 });
    expect(openKeys()).toEqual(['dead-letters-growing']);
    expect(await monitor.tick()).toMatchObject({ deadLetterCount: 2, previousDeadLetterCount: 2 });
    expect(openKeys()).toEqual([]);
  });

  it('alerts on failing windows, checkpoint lag and a failing K3Cloud login, and resolves each on recovery', async () => {
    await addWindow('completed');
    await addWindow('failed');
    await addWindow('failed');
    await h.store.checkpoints.advance('receipts', formatChinaTime(new Date(Date.now() - 3_600_000)), undefined);
    await h.store.audit.append([login('LoginByAppSecret', 'business-error'), login('BatchSave', 'session-lost')]);

    const bad = await monitor.tick();
    expect(bad).toMatchObject({ consecutiveWindowFailures: 2, k3LoginFailing: true });
    expect(bad.checkpointLagSeconds).toBeGreaterThanOrEqual(3600);
    expect(openKeys()).toEqual(['checkpoint-lag', 'k3cloud-login', 'window-failing']);

    // No login attempt since: the last verdict stands rather than flapping to "fixed".
    expect((await monitor.tick()).k3LoginFailing).toBe(true);

    await addWindow('completed');
    const current = (await h.store.checkpoints.get('receipts'))!.windowEnd;
    await h.store.checkpoints.advance('receipts', formatChinaTime(new Date()), current);
    await h.store.audit.append([login('ValidateUser', 'ok')]);
    expect(await monitor.tick()).toMatchObject({ consecutiveWindowFailures: 0, k3LoginFailing: false });
    expect(openKeys()).toEqual([]);
  });

  it('counts a checkpoint that vanished (Redis restarted empty) as lag from the last one seen, not 0', async () => {
    const current = (await h.store.checkpoints.get('receipts'))!.windowEnd;
    const hourAgo = formatChinaTime(new Date(Date.now() - 3_600_000));
    await h.connection.del(...(await h.connection.keys(`${h.prefix}:*checkpoint*`)));
    await h.store.checkpoints.advance('receipts', hourAgo, undefined);
    expect((await monitor.tick()).checkpointLagSeconds).toBeGreaterThanOrEqual(3600);
    expect(openKeys()).toContain('checkpoint-lag');

    const keys = await h.connection.keys(`${h.prefix}:*checkpoint*`);
    expect(keys.length).toBeGreaterThan(0);
    await h.connection.del(...keys);
    expect(await h.store.checkpoints.get('receipts')).toBeUndefined();
    expect((await monitor.tick()).checkpointLagSeconds).toBeGreaterThanOrEqual(3600);
    expect(openKeys()).toContain('checkpoint-lag');
    expect(h.logger.lines.some((l) => /checkpoint is gone/.test(l.msg ?? ''))).toBe(true);

    await h.store.checkpoints.advance('receipts', current, undefined);
    expect((await monitor.tick()).checkpointLagSeconds).toBeLessThan(300);
    expect(openKeys()).not.toContain('checkpoint-lag');
  });

  it('alerts when no window opened for 3 intervals, also after the windows vanished from Redis, and resolves', async () => {
    let clock = new Date(Date.now() + 1000);
    const stallAlerter = createAlerter({ targets: [], logger: recordingLogger() });
    const stall = startAlertMonitor({
      queues: h.queues,
      store: h.store,
      alerter: stallAlerter,
      logger: h.logger,
      intervalMs: 3_600_000,
      now: () => clock,
      rules: createAlertRules({ locale: 'en', syncIntervalSeconds: 200 }),
    });
    const stalled = () => stallAlerter.openIncidents().some((i) => i.key === 'window-stalled');
    try {
      await addWindow('completed');
      expect((await stall.tick()).secondsSinceLastWindow).toBeLessThan(60);
      expect(stalled()).toBe(false);

      clock = new Date(clock.getTime() + 601_000);
      expect((await stall.tick()).secondsSinceLastWindow).toBeGreaterThan(600);
      expect(stallAlerter.openIncidents().find((i) => i.key === 'window-stalled')?.detail).toMatch(/producer/);

      await h.connection.del(...(await h.connection.keys(`${h.prefix}:*window*`)));
      expect(await h.store.windows.latest(5)).toEqual([]);
      expect((await stall.tick()).secondsSinceLastWindow).toBeGreaterThan(600);
      expect(stalled()).toBe(true);

      await h.store.windows.open({
        id: 'after-stall',
        start: '2025-04-15 11:00:00',
        end: '2025-04-15 11:05:00',
        startedAt: clock,
      });
      expect((await stall.tick()).secondsSinceLastWindow).toBe(0);
      expect(stalled()).toBe(false);
    } finally {
      await stall.stop();
    }
  });

  it('evaluates on its own every interval', async () => {
    let resolves = 0;
    const counting = { raise: async () => undefined, resolve: async () => void (resolves += 1) };
    const fast = startAlertMonitor({
      queues: h.queues,
      store: h.store,
      alerter: counting,
      logger: h.logger,
      intervalMs: 50,
      rules: createAlertRules(),
    });
    // Each quiet evaluation resolves all four rules: three rounds = first run + two timer runs.
    await waitFor('three evaluations', async () => (resolves >= 12 ? true : undefined));
    await fast.stop();
  });
});

describe('startAlertMonitor with OKKI push configured', () => {
  it('alerts when more versions than the threshold reached us by polling first in the last hour', async () => {
    const state = new PushState(h.connection, h.prefix);
    const pushAlerter = createAlerter({ targets: [], logger: recordingLogger() });
    const pushMonitor = startAlertMonitor({
      queues: h.queues,
      store: h.store,
      alerter: pushAlerter,
      logger: h.logger,
      intervalMs: 3_600_000,
      rules: createAlertRules({ missedPushesThreshold: 3 }),
      push: { state, configured: true },
    });
    try {
      // Versions saved before push went live are never missed pushes; these are after it.
      await state.markConfigured(new Date('2025-04-15T00:00:00Z'));
      expect(await state.recordFirstSeen(['0-20250101100000-active'], 'poll')).toBe(0);
      await state.recordFirstSeen(['1-20250415100000-active', '2-20250415100000-active'], 'push');
      await state.recordFirstSeen(['3-20250415100000-active', '4-20250415100000-active'], 'poll');
      expect(await pushMonitor.tick()).toMatchObject({ missedPushesLastHour: 2 });
      expect(pushAlerter.openIncidents().map((i) => i.key)).not.toContain('missed-pushes');
      await state.recordFirstSeen(['5-20250415100000-active', '6-20250415100000-active'], 'poll');
      expect(await pushMonitor.tick()).toMatchObject({ missedPushesLastHour: 4 });
      expect(pushAlerter.openIncidents().map((i) => i.key)).toContain('missed-pushes');
    } finally {
      await pushMonitor.stop();
    }
  });
});

describe('startAlertMonitor watching the writer lease', () => {
  it('alerts when no writer has held the lease for over a minute while rows wait in ready, and closes once one does', async () => {
    const writerAlerter = createAlerter({ targets: [], logger: recordingLogger() });
    const t0 = Date.parse('2025-04-16T02:00:00Z');
    let view: WriterLeaseView = { standbys: 0, lastHeldMs: t0, nowMs: t0 + 90_000 };
    const writerMonitor = startAlertMonitor({
      queues: h.queues,
      store: h.store,
      alerter: writerAlerter,
      logger: h.logger,
      intervalMs: 3_600_000,
      rules: createAlertRules(),
      writer: async () => view,
    });
    const keys = () => writerAlerter.openIncidents().map((i) => i.key);
    try {
      // Nothing waits in ready: a writer that is gone harms nobody yet.
      expect(await writerMonitor.tick()).toMatchObject({ writerVacantSeconds: 0 });
      expect(keys()).not.toContain('no-active-writer');
      await h.queues.ready.add('row', { waiting: true } as never, { jobId: 'writer-vacancy-row' });
      expect(await writerMonitor.tick()).toMatchObject({ writerVacantSeconds: 90 });
      expect(keys()).toContain('no-active-writer');
      const holder = { id: 'w', process: 'writer', host: 'h', pid: 1, epoch: 2, sinceMs: t0 + 95_000 };
      view = { holder, standbys: 1, lastHeldMs: t0 + 95_000, nowMs: t0 + 100_000 };
      expect(await writerMonitor.tick()).toMatchObject({ writerVacantSeconds: 0 });
      expect(keys()).not.toContain('no-active-writer');
    } finally {
      await (await h.queues.ready.getJob('writer-vacancy-row'))?.remove();
      await writerMonitor.stop();
    }
  });
});

describe('startAlertMonitor watching the stuck-receipts sweeper', () => {
  it('opens stuck-receipts while the last sweep found stuck receipts, and closes after a clean sweep', async () => {
    const stuckAlerter = createAlerter({ targets: [], logger: recordingLogger() });
    const report = new StuckReceiptsReport(h.connection, h.prefix);
    const stuckMonitor = startAlertMonitor({
      queues: h.queues,
      store: h.store,
      alerter: stuckAlerter,
      logger: h.logger,
      intervalMs: 3_600_000,
      rules: createAlertRules({ locale: 'en' }),
      stuck: report,
    });
    const open = () => stuckAlerter.openIncidents().find((i) => i.key === 'stuck-receipts');
    try {
      // Before any sweep there is nothing to say.
      expect((await stuckMonitor.tick()).stuckReceipts).toBeUndefined();
      const sample = { receiptId: '7001', version: '2025-04-15 10:00:00', removed: false, result: 'redriven' as const };
      await report.save({ at: new Date().toISOString(), stuckSeconds: 900, stuck: 2, redriven: 1, samples: [sample] });
      await stuckMonitor.tick();
      expect(open()?.detail).toContain('2 receipt versions');
      expect(open()?.detail).toContain('#7001 2025-04-15 10:00:00');
      await report.save({ at: new Date().toISOString(), stuckSeconds: 900, stuck: 0, redriven: 0, samples: [] });
      await stuckMonitor.tick();
      expect(open()).toBeUndefined();
    } finally {
      await stuckMonitor.stop();
    }
  });
});
