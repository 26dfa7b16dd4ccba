import { randomUUID } from 'node:crypto';
import { loadConfig, createLogger } from '@receipt-sync/core';
import { createRng, mutateReceipt, startDemoEnvironment } from '@receipt-sync/simulators';
import {
  createRuntime,
  startProducerStage,
  startPushReceiver,
  startPushStage,
  startTransformerStage,
  startWriterStage,
  syncOnce,
} from '@receipt-sync/pipeline';
import { assertExactlyOnce, expectedOutcome, snapshotK3 } from './expectations';
import { cleanPrefix, envFor, waitFor } from './helpers';

const SECRET = Buffer.alloc(32, 5).toString('base64');
const RECEIPT_EVENTS = ['create', 'update', 'delete'].map((e) => `xiaoman.crm.cash_collection.${e}`);

/**
 * docs/apis/okki.md §12.6: OKKI drops a message for good after its retries, so push alone is not
 * complete. With 20 % of pushes dropped, every edit must still reach K3Cloud exactly once: the
 * pushed ones through the push worker, the dropped ones through the polling window (the sweeper).
 */
describe('OKKI push with the polling window as the sweeper', () => {
  it('delivers every edit exactly once when 20 % of the pushes are dropped', async () => {
    const demo = await startDemoEnvironment({
      seed: 11,
      receipts: 120,
      orders: 30,
      okkiPush: { securityConfig: SECRET, retryDelaysMs: [200, 400, 800] },
      okkiPushFaults: { dropRate: 0.2, duplicateRate: 0.2, reorderMs: 300 },
    });
    const prefix = `e2e-push-${randomUUID().slice(0, 8)}`;
    const env = envFor(demo, prefix, { XIAOMAN_WEBHOOK_SECRET: SECRET, SYNC_INTERVAL_SECONDS: '2' });
    const stops: Array<() => Promise<unknown>> = [];
    try {
      const initial = await syncOnce(env); // the initial load, before anything is edited
      const first = { windowId: `w${initial.windowStart.replace(/\D/g, '')}-${initial.windowEnd.replace(/\D/g, '')}` };
      const rt = await createRuntime(loadConfig(env), {
        name: 'push-e2e',
        needsOkki: true,
        needsK3: true,
        logger: createLogger({ name: 'push-e2e', level: 'silent' }),
      });
      stops.push(() => rt.close());
      const receiver = await startPushReceiver(rt, 0);
      stops.unshift(() => receiver.close());
      for (const stage of [
        await startPushStage(rt),
        await startTransformerStage(rt),
        await startWriterStage(rt),
        await startProducerStage(rt),
      ])
        stops.unshift(() => stage.close());
      // The scheduler's first tick fires at once; edits start after its window, as in steady state.
      await waitFor(
        async () => (await rt.store.windows.latest(5)).some((w) => w.status !== 'open' && w.id !== first.windowId),
        20_000,
        'the first scheduled window',
      );
      demo.okki.push.register(`${receiver.url}/okki/webhook`);
      demo.okki.push.subscribe(RECEIPT_EVENTS);

      // 40 edits of 40 written receipts, ten a second: one new version each.
      const expected = expectedOutcome(demo);
      const rng = createRng(5);
      const targets = demo.okki
        .allReceipts({ removed: false })
        .filter((r) => expected.written.has(r.cash_collection_no))
        .slice(0, 40);
      const edited = [];
      for (const [i, r] of targets.entries()) {
        edited.push(demo.okki.upsertReceipt(mutateReceipt(r, rng)));
        if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const versionOf = (r: { cash_collection_id: number; update_time: string }) =>
        `${r.cash_collection_id}-${r.update_time.replace(/\D/g, '')}-active`;
      const wanted = new Set(edited.map(versionOf));

      await waitFor(
        async () => {
          const samples = await rt.push.freshness(0);
          return [...wanted].every((v) => samples.some((s) => s.versionKey === v));
        },
        60_000,
        'every edited version to be written to K3Cloud',
      );
      await demo.okki.push.idle();
      const samples = (await rt.push.freshness(0)).filter((s) => wanted.has(s.versionKey));
      // Exactly once: one confirmed write per edited version, none twice.
      expect(samples).toHaveLength(40);
      expect(new Set(samples.map((s) => s.versionKey)).size).toBe(40);
      assertExactlyOnce(demo, snapshotK3(demo), expectedOutcome(demo));

      const log = demo.okki.push.log.filter((e) => e.bizType.endsWith('.update'));
      const dropped = new Set(log.filter((e) => e.dropped).map((e) => e.receiptId));
      expect(dropped.size).toBeGreaterThan(0);
      expect(dropped.size).toBeLessThan(20);
      const sourceOf = new Map(samples.map((s) => [Number(s.versionKey.split('-')[0]), s.source]));
      // A dropped push never arrived: the sweeper wrote those. Most of the others came by push.
      for (const id of dropped) expect(sourceOf.get(id!)).toBe('window');
      const pushed = [...sourceOf.values()].filter((s) => s === 'push').length;
      // A polling tick landing between an edit and its push (~0.2 s) legitimately wins that race.
      expect(pushed).toBeGreaterThanOrEqual((40 - dropped.size) / 2);
      // The receipt page's history says how each pushed version arrived.
      const pushedId = [...sourceOf.entries()].find(([, source]) => source === 'push')![0];
      const versions = await rt.store.history.list(String(pushedId));
      expect(versions.some((v) => v.source === 'push')).toBe(true);
      const summary = await rt.push.summary();
      expect(summary.firstSeen.poll).toBeGreaterThanOrEqual(dropped.size);
      expect(summary.firstSeen.push).toBeGreaterThanOrEqual(pushed);
      expect(summary.lastMessageAt).toBeDefined();
    } finally {
      for (const stop of stops) await stop().catch(() => undefined);
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 120_000);
});
