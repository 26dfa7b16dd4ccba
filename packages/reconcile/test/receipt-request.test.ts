import { DEFAULT_MAPPING } from '@receipt-sync/mapping';
import type { ReconcileRequest } from '@receipt-sync/pipeline';
import { reconcileReceipt, type FixDeps } from '../src';
import { fakeK3, k3Record, ledger, source } from './fakes';
import { FID, ORDER_ID, WINDOW, ledgerEntry, receipt } from './fixtures';

const A = receipt();
const B = receipt({ cash_collection_id: 5221565014, cash_collection_no: 'HK202504150113' });
const C = receipt({ cash_collection_id: 5221565015, cash_collection_no: 'HK202504150114' });

/** Both A's and B's rows were edited in K3Cloud; C's row is as written. */
function deps() {
  const { k3 } = fakeK3([
    {
      fid: FID,
      orderId: ORDER_ID,
      rows: [k3Record(A, 7, { F_PBLH_Decimal: 1 }), k3Record(B, 8, { F_PBLH_Decimal: 2 }), k3Record(C, 9)],
    },
  ]);
  const entries = [
    ledgerEntry(A, { k3EntryId: 7 }),
    ledgerEntry(B, { k3EntryId: 8 }),
    ledgerEntry(C, { k3EntryId: 9 }),
  ];
  const added: string[] = [];
  const fix: FixDeps = {
    queues: {
      raw: { add: async (_name, _data, opts) => void added.push(opts.jobId) },
      ready: { getJob: async () => undefined },
    },
    ledger: {
      get: async (id) => entries.find((e) => e.receiptId === id),
      recordOutcome: async () => undefined,
    },
  };
  const reconcile = { source: source([A, B, C]), k3, ledger: ledger(entries), mapping: DEFAULT_MAPPING };
  return { deps: { reconcile, fix }, added };
}

const request = (r: Record<string, unknown>, fix: boolean): ReconcileRequest => ({
  receiptId: String(r.cash_collection_id),
  receiptNo: String(r.cash_collection_no),
  window: WINDOW,
  fix,
  requestedAt: new Date().toISOString(),
});

describe('reconcileReceipt', () => {
  it('reports only the asked receipt’s findings, without the OKKI payload, and changes nothing without fix', async () => {
    const { deps: d, added } = deps();
    const result = await reconcileReceipt(d, request(A, false));
    expect(result.clean).toBe(false);
    expect(result.findings).toEqual([
      expect.objectContaining({
        category: 'stale',
        receiptNo: 'HK202504150112',
        fid: FID,
        entryId: 7,
        fields: [expect.objectContaining({ field: 'F_PBLH_Decimal' })],
      }),
    ]);
    expect(result.findings[0]).not.toHaveProperty('source');
    expect(result.fix).toBeUndefined();
    expect(result.scanned).toEqual({ okkiReceipts: 3, rows: 3, ordersFound: 1 });
    expect(added).toEqual([]);
  });

  it('with fix re-sends only the asked receipt; another stale receipt of the window is left alone', async () => {
    const { deps: d, added } = deps();
    const result = await reconcileReceipt(d, request(B, true));
    expect(result.findings.map((f) => [f.category, f.receiptNo])).toEqual([['stale', 'HK202504150113']]);
    expect(result.fix).toEqual({
      enqueued: [
        { receiptNo: 'HK202504150113', jobId: expect.stringMatching(/^raw-5221565014-/), categories: ['stale'] },
      ],
      skipped: [],
      leftForHumans: 0,
    });
    expect(added).toEqual([result.fix!.enqueued[0]!.jobId]);
  });

  it('answers clean for a receipt K3Cloud holds as written, and fixes nothing', async () => {
    const { deps: d, added } = deps();
    const result = await reconcileReceipt(d, request(C, true));
    expect(result).toMatchObject({ clean: true, findings: [], window: WINDOW });
    expect(result.fix).toBeUndefined();
    expect(added).toEqual([]);
  });

  it('compares the version OKKI holds now when it is newer than the one the ledger knew', async () => {
    const { deps: d } = deps();
    const asked: string[] = [];
    const newer = '2099-01-01 00:00:00';
    const result = await reconcileReceipt(
      { ...d, currentVersion: async (id) => (asked.push(id), newer) },
      request(C, false),
    );
    expect(asked).toEqual([String(C.cash_collection_id)]);
    expect(result.window).toEqual({ from: newer, to: newer });
  });

  it('keeps the ledger’s window when OKKI no longer returns the receipt', async () => {
    const { deps: d } = deps();
    const result = await reconcileReceipt({ ...d, currentVersion: async () => undefined }, request(A, false));
    expect(result.window).toEqual(WINDOW);
    expect(result.findings.map((f) => f.category)).toEqual(['stale']);
  });
});
