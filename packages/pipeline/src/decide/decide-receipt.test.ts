import { DEFAULT_MAPPING, fieldKinds, mapReceipt } from '@receipt-sync/mapping';
import { generateDataset } from '@receipt-sync/simulators';
import type { LedgerEntry } from '@receipt-sync/store';
import type { RawReceiptJob } from '../queues';
import { rowSlot, type OrdersBefore } from '../writer/existing-rows';
import { decideListed, decideRow, isVerdict, type RowToCheck } from './decide-receipt';

const mapping = DEFAULT_MAPPING;
const kinds = fieldKinds(mapping);
const locator = {
  formId: mapping.formId,
  entity: mapping.entity,
  rowKeyField: mapping.rowKey.targetField,
  orderKeyField: mapping.order.targetField,
  removedField: 'F_PBLH_Removed',
};
const sample = generateDataset({ seed: 3, receipts: 20, orders: 5 }).receipts.find((r) => r.order_id)!;
const receipt = (changes: Record<string, unknown> = {}) =>
  ({ ...sample, update_time: '2025-05-01 10:00:00', ...changes }) as unknown as RawReceiptJob['receipt'];
const orderId = String(sample.order_id);
const no = sample.cash_collection_no;

function before(rows: Array<{ orderId: string; fid: number; entryId?: number; removed?: boolean }> = []): OrdersBefore {
  const out: OrdersBefore = {
    fids: new Map(),
    billNos: new Map(),
    statuses: new Map(),
    existing: new Map(),
    activeRows: new Map(),
    searched: new Set([no]),
  };
  for (const r of rows) {
    out.fids.set(r.orderId, [r.fid]);
    out.billNos.set(r.fid, `XSDD${r.fid}`);
    if (r.entryId === undefined) continue;
    out.existing.set(rowSlot(r.fid, no), [r.entryId]);
    if (!r.removed) out.activeRows.set(no, [...(out.activeRows.get(no) ?? []), { ...r, entryId: r.entryId }]);
  }
  return out;
}

const noRows = { rows: new Map(), orders: new Map() };

function written(changes: Partial<LedgerEntry> = {}): LedgerEntry {
  const row = mapReceipt({ receipt: receipt(), removed: false }, mapping);
  if (!row.ok) throw new Error('sample does not map');
  return {
    receiptId: String(sample.cash_collection_id),
    receiptNo: no,
    orderId,
    sourceVersion: '2025-05-01 10:00:00',
    removed: false,
    status: 'written',
    contentHash: row.row.contentHash,
    k3Fid: 100,
    k3EntryId: 1000,
    attempts: 1,
    updatedAt: new Date(),
    ...changes,
  };
}

async function listed(r: RawReceiptJob['receipt'], ledger?: LedgerEntry, removed = false): Promise<RowToCheck> {
  const v = await decideListed(ledger, { receipt: r, removed }, { mapping });
  if (isVerdict(v)) throw new Error(`expected a row, got ${JSON.stringify(v)}`);
  return v;
}

describe('what a sync would do to one receipt (the pipeline rules, without side effects)', () => {
  it('settles a touch (new update_time, same content) and quarantines a receipt without order', async () => {
    const touch = await decideListed(
      written(),
      { receipt: receipt({ update_time: '2025-05-02 09:00:00' }), removed: false },
      { mapping },
    );
    expect(touch).toMatchObject({ action: 'unchanged', reason: 'content already written' });
    // Unlinked and unknown to the ledger: flagged wherever K3Cloud holds it, quarantined when nowhere.
    const unlinked = await listed(receipt({ order_id: 0 }));
    expect(decideRow(unlinked, undefined, { before: before(), saved: noRows }, locator, kinds)).toMatchObject({
      action: 'quarantine',
      reason: 'receipt has no sales order',
    });
  });

  it('inserts a new row, updates an existing one naming the fields, and waits for a missing order', async () => {
    const row = await listed(receipt());
    expect(
      decideRow(row, undefined, { before: before([{ orderId, fid: 100 }]), saved: noRows }, locator, kinds),
    ).toMatchObject({
      action: 'insert',
      fid: 100,
    });
    const saved = {
      rows: new Map([[rowSlot(100, no), [{ entryId: 1000, values: { ...row.fields, F_PBLH_Remark: 'old' } }]]]),
      orders: new Map(),
    };
    const update = decideRow(
      row,
      undefined,
      { before: before([{ orderId, fid: 100, entryId: 1000 }]), saved },
      locator,
      kinds,
    );
    expect(update.action).toBe('update');
    expect(update.changes).toEqual([{ field: 'F_PBLH_Remark', from: 'old', to: row.fields.F_PBLH_Remark }]);
    expect(decideRow(row, undefined, { before: before(), saved: noRows }, locator, kinds)).toMatchObject({
      action: 'wait',
      reason: expect.stringContaining('sales order not found in K3Cloud'),
    });
  });

  it('moves a receipt re-linked to another order, flagging its row on the old one', async () => {
    const row = await listed(receipt({ order_id: 424242, update_time: '2025-05-02 09:00:00' }), written());
    const view = {
      before: before([
        { orderId, fid: 100, entryId: 1000 },
        { orderId: '424242', fid: 200 },
      ]),
      saved: noRows,
    };
    expect(decideRow(row, written(), view, locator, kinds)).toMatchObject({
      action: 'move',
      orderId: '424242',
      fid: 200,
      movedFrom: [{ orderId, fid: 100 }],
    });
  });

  it('flags a removal where its row is, and leaves a removal with no row alone', async () => {
    const removal = await listed(receipt({ update_time: '2025-05-03 10:00:00' }), written(), true);
    const held = { before: before([{ orderId, fid: 100, entryId: 1000 }]), saved: noRows };
    expect(decideRow(removal, written(), held, locator, kinds)).toMatchObject({ action: 'flag-removed', fid: 100 });
    const empty = { before: before([{ orderId, fid: 100 }]), saved: noRows };
    expect(decideRow(removal, written(), empty, locator, kinds)).toMatchObject({
      action: 'unchanged',
      reason: 'removed in OKKI; K3Cloud holds no row of it to flag',
    });
  });
});
