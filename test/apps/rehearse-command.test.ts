import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { scanKeys } from '@receipt-sync/core';
import { syncOnce } from '@receipt-sync/pipeline';
import { createRng, mutateReceipt, startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import { runCli } from './run-entry';
import { cleanPrefix, envFor, redisUrl } from '../e2e/helpers';

interface Summary {
  receipts: number;
  insert: number;
  update: number;
  unchanged: number;
  flagRemoved: number;
  move: number;
  wait: number;
  quarantine: number;
}

/** K3Cloud calls that change something: a rehearsal makes none. */
const WRITES = ['BatchSave', 'Save', 'UnAudit', 'Submit', 'Audit', 'Delete'];

async function rehearseCli(demo: DemoEnvironment, prefix: string, out: string) {
  demo.k3.resetStats();
  const run = await runCli(['rehearse', '--json', '--out', out], envFor(demo, prefix));
  const lines = run.stdout.trimEnd().split('\n');
  const summary = JSON.parse(lines.pop()!) as Summary;
  const rows = lines.map((l) => JSON.parse(l) as { receiptNo: string; action: string; changes?: unknown[] });
  return { ...run, summary, rows, k3Calls: { ...demo.k3.stats.calls } as Record<string, number> };
}

/** Keys a rehearsal must never leave: queue jobs, ledger entries, checkpoints, windows. */
async function stateKeys(prefix: string): Promise<string[]> {
  const redis = new IORedis(redisUrl);
  try {
    const keys = await scanKeys(redis, `${prefix}*`);
    return keys.filter((k) => !/:audit|-okki|-k3cloud/.test(k));
  } finally {
    await redis.quit();
  }
}

describe('npm run cli -- rehearse (operating contract)', () => {
  it('says per receipt what the next sync:once then does, writing nothing anywhere', async () => {
    const demo = await startDemoEnvironment({ seed: 21, receipts: 120, orders: 30 });
    const prefix = `e2e-rehearse-${randomUUID().slice(0, 8)}`;
    const out = await mkdtemp(path.join(tmpdir(), 'rehearsal-'));
    try {
      const first = await rehearseCli(demo, prefix, out);
      expect(first.code).toBe(0);
      expect(first.summary.receipts).toBe(120);
      expect(first.rows).toHaveLength(120);
      expect(Object.keys(first.summary)).toEqual([
        'receipts',
        'insert',
        'update',
        'unchanged',
        'flagRemoved',
        'move',
        'wait',
        'quarantine',
      ]);
      // Nothing written: no save or status call, no job, ledger entry or checkpoint in Redis.
      for (const op of WRITES) expect(first.k3Calls[op] ?? 0).toBe(0);
      expect(first.k3Calls.ExecuteBillQuery).toBeGreaterThan(0);
      expect(await stateKeys(prefix)).toEqual([]);
      const csv = await readFile(path.join(out, 'rehearsal.csv'), 'utf8');
      expect(csv.charCodeAt(0)).toBe(0xfeff);
      expect(csv.trimEnd().split('\r\n')).toHaveLength(121);
      const html = await readFile(path.join(out, 'rehearsal.html'), 'utf8');
      expect(html).toContain('<table>');

      const sync = await syncOnce(envFor(demo, prefix));
      const s = first.summary;
      expect(sync.written).toBe(s.insert + s.update + s.move + s.flagRemoved);
      expect(sync.unchanged).toBe(s.unchanged);
      expect(sync.quarantined + sync.deadLettered).toBe(s.wait + s.quarantine);
      expect(sync.quarantined).toBe(s.quarantine);

      // Edits and touches (new update_time, same content): update and unchanged, then the sync agrees.
      const rng = createRng(5);
      const written = new Set(
        first.rows.filter((r) => ['insert', 'update'].includes(r.action)).map((r) => r.receiptNo),
      );
      const active = demo.okki.allReceipts({ removed: false }).filter((r) => written.has(r.cash_collection_no));
      const edited = active.slice(0, 6).map((r) => demo.okki.upsertReceipt(mutateReceipt(r, rng)));
      const touched = active.slice(6, 12).map((r) => demo.okki.upsertReceipt(r));
      const second = await rehearseCli(demo, prefix, out);
      expect(second.code).toBe(0);
      for (const op of WRITES) expect(second.k3Calls[op] ?? 0).toBe(0);
      const action = new Map(second.rows.map((r) => [r.receiptNo, r]));
      for (const r of edited) {
        expect(action.get(r.cash_collection_no)?.action).toBe('update');
        expect(action.get(r.cash_collection_no)?.changes?.length).toBeGreaterThan(0);
      }
      for (const r of touched) expect(action.get(r.cash_collection_no)?.action).toBe('unchanged');
      const next = await syncOnce(envFor(demo, prefix));
      const s2 = second.summary;
      expect(next.written).toBe(s2.insert + s2.update + s2.move + s2.flagRemoved);
      expect(next.unchanged).toBe(s2.unchanged);
      expect(next.quarantined + next.deadLettered).toBe(s2.wait + s2.quarantine);
    } finally {
      await demo.close();
      await cleanPrefix(prefix);
      await rm(out, { recursive: true, force: true });
    }
  }, 240_000);

  it('exits 1 when it cannot run (a bad --from)', async () => {
    const demo = await startDemoEnvironment({ seed: 22, receipts: 5, orders: 2 });
    const prefix = `e2e-rehearse-${randomUUID().slice(0, 8)}`;
    try {
      const run = await runCli(['rehearse', '--from', 'yesterday'], envFor(demo, prefix));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/--from must be 'YYYY-MM-DD HH:mm:ss'/);
    } finally {
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 60_000);
});
