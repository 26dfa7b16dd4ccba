import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import { DEFAULT_MAPPING } from '@receipt-sync/mapping';
import { generateDataset, type Dataset } from '@receipt-sync/simulators';
import type { RowCensus, SimCommand, SimReply, SimSpec, SimStats, StoredRow } from './sim-protocol';

/**
 * Child process that hosts both simulators for one contender, so their CPU is not billed to the
 * process being measured. Started by sim-client.ts with the spec as argv[2]; answers over IPC.
 */
const FORM = DEFAULT_MAPPING.formId;
const ENTITY = DEFAULT_MAPPING.entity;
const ROW_KEY = DEFAULT_MAPPING.rowKey.targetField;

/** Segment n: ids and numbers no other segment uses (ids grow by < 10^7 per 10k receipts). */
function shiftDataset(d: Dataset, segment: number): Dataset {
  if (segment === 0) return d;
  const shift = segment * 100_000_000;
  return {
    receipts: d.receipts.map((r) => ({
      ...r,
      cash_collection_id: r.cash_collection_id + shift,
      cash_collection_no: `${r.cash_collection_no}S${segment}`,
      order_id: r.order_id ? r.order_id + shift : r.order_id,
    })),
    orders: d.orders.map((o) => ({ ...o, F_Cash_Collection_Id: String(Number(o.F_Cash_Collection_Id) + shift) })),
  };
}

function send(message: SimReply): void {
  process.send?.(message);
}

function rowsOf(bill: Record<string, unknown>): Array<Record<string, unknown>> {
  const rows = bill[ENTITY];
  return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
}

function storedRows(demo: DemoEnvironment, wanted: Set<string>): Record<string, StoredRow[]> {
  const out: Record<string, StoredRow[]> = {};
  const bills = demo.k3.findBills(FORM, (bill) => rowsOf(bill).some((r) => wanted.has(String(r[ROW_KEY]))));
  for (const bill of bills) {
    for (const row of rowsOf(bill)) {
      const no = String(row[ROW_KEY]);
      if (!wanted.has(no)) continue;
      const { FEntryID: _entry, ...fields } = row;
      (out[no] ??= []).push({ fid: bill.FID, fields });
    }
  }
  return out;
}

/** Exactly-once check over the whole dataset: one row per receipt number, no more, no less. */
function census(demo: DemoEnvironment, receiptNos: Set<string>): RowCensus {
  const counts = new Map<string, number>();
  for (const bill of demo.k3.findBills(FORM, () => true)) {
    for (const row of rowsOf(bill)) {
      const no = String(row[ROW_KEY]);
      if (receiptNos.has(no)) counts.set(no, (counts.get(no) ?? 0) + 1);
    }
  }
  let duplicated = 0;
  for (const n of counts.values()) if (n > 1) duplicated += 1;
  return { written: counts.size, duplicated, missing: receiptNos.size - counts.size };
}

function stats(demo: DemoEnvironment): SimStats {
  const o = demo.okki.stats;
  const k = demo.k3.stats;
  return {
    okki: {
      requests: { ...o.requests },
      rateLimited: o.rateLimited,
      maxObservedRps: o.maxObservedRps,
      firstAtMs: o.log[0]?.atMs,
      lastAtMs: o.log[o.log.length - 1]?.atMs,
    },
    k3: {
      calls: { ...k.calls },
      rowsSaved: k.rowsSaved,
      savesApplied: k.savesApplied,
      peakConcurrent: k.peakConcurrent,
      conflicts: k.conflicts,
    },
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as SimSpec;
  // No receipts without an order or with a missing one: every receipt is meant to be written, so
  // receipts/s counts writes and no run waits on the order back-off (noted in every report).
  const generated = generateDataset({
    seed: spec.seed + (spec.segment ?? 0),
    receipts: spec.receipts,
    orders: spec.orders,
    noOrderRate: 0,
    missingOrderRate: 0,
  });
  const dataset = shiftDataset(generated, spec.segment ?? 0);
  const demo = await startDemoEnvironment({
    seed: spec.seed,
    dataset,
    okkiPort: spec.okkiPort,
    k3Port: spec.k3Port,
    okkiFaults: {
      latencyMs: spec.okkiLatencyMs,
      rateLimit: spec.okkiMaxPerSecond ? { maxPerSecond: spec.okkiMaxPerSecond } : null,
    },
    k3Faults: { latencyMs: spec.k3LatencyMs, perRowLatencyMs: spec.k3PerRowMs },
    k3MaxConcurrent: spec.k3Concurrency,
  });
  const receiptNos = new Set(dataset.receipts.map((r) => String(r.cash_collection_no)));
  const distinctOrders = new Set(dataset.receipts.map((r) => String(r.order_id))).size;
  const updates = dataset.receipts.map((r) => String(r.update_time)).sort();
  const closeAndExit = async () => {
    await demo.close();
    process.exit(0);
  };
  process.on('disconnect', () => void closeAndExit());
  process.on('message', (raw: SimCommand) => {
    const reply = (result?: unknown) => send({ type: 'reply', id: raw.id, result });
    try {
      switch (raw.cmd) {
        case 'stats':
          return reply(stats(demo));
        case 'resetStats':
          demo.okki.resetStats();
          demo.k3.resetStats();
          return reply();
        case 'rows':
          return reply(storedRows(demo, new Set(raw.receiptNos)));
        case 'census':
          return reply(census(demo, receiptNos));
        case 'setK3Latency':
          demo.k3.faults.latencyMs = raw.latencyMs;
          demo.k3.faults.perRowLatencyMs = raw.perRowMs;
          return reply();
        case 'close':
          reply();
          return void closeAndExit();
      }
    } catch (error) {
      send({ type: 'reply', id: raw.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  send({
    type: 'ready',
    env: demo.env,
    receipts: dataset.receipts.length,
    orders: dataset.orders.length,
    distinctOrders,
    updateRange: { from: updates[0] ?? '', to: updates[updates.length - 1] ?? '' },
  });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
