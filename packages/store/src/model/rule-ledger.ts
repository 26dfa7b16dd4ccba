import {
  outcomeSchema,
  touchSchema,
  writtenSchema,
  type LedgerEntry,
  type OutcomePatch,
  type TouchRecord,
  type WrittenRecord,
} from './ledger';
import { applyAttempt, applyOutcome, applyReindex, applyTouch, applyWritten } from './ledger-rules';
import { idSchema, parseOrThrow } from './validate';

export type LedgerRule = (current: LedgerEntry | undefined) => LedgerEntry | undefined;

/**
 * The ledger writes both backends share: validate the input, then apply the rule from
 * ledger-rules through the backend's own compare-and-set (`update`). Keeping this in one place is
 * what keeps the untested MongoDB backend on the same rules as the tested Redis one.
 */
export abstract class RuleLedger {
  /** Read → rule → compare-and-set; resolves to the entry written, or undefined when the rule changed nothing. */
  protected abstract update(receiptId: string, rule: LedgerRule): Promise<LedgerEntry | undefined>;
  /** Entries ordered by receiptId after the cursor (the backend's `list`). */
  abstract list(filter?: { limit?: number; after?: string }): Promise<LedgerEntry[]>;

  async reindex(onProgress?: (done: number) => void): Promise<number> {
    let done = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.list({ limit: 500, after });
      for (const e of page) await this.update(e.receiptId, (current) => applyReindex(current, new Date()));
      done += page.length;
      onProgress?.(done);
      if (page.length < 500) return done;
      after = page[page.length - 1]!.receiptId;
    }
  }

  async recordWritten(entry: WrittenRecord): Promise<void> {
    const w = parseOrThrow(writtenSchema, entry, `store ledger write ${entry.receiptId}`);
    await this.update(w.receiptId, (current) => applyWritten(current, w, new Date()));
  }

  async recordOutcome(receiptId: string, patch: OutcomePatch): Promise<void> {
    const id = parseOrThrow(idSchema, receiptId, 'store ledger receiptId');
    const p = parseOrThrow(outcomeSchema, patch, `store ledger outcome ${receiptId}`);
    await this.update(id, (current) => applyOutcome(current, id, p, new Date()));
  }

  async settleUnchanged(receiptId: string, touch: TouchRecord): Promise<boolean> {
    const id = parseOrThrow(idSchema, receiptId, 'store ledger receiptId');
    const t = parseOrThrow(touchSchema, touch, `store ledger touch ${receiptId}`);
    return (await this.update(id, (current) => applyTouch(current, t, new Date()))) !== undefined;
  }

  async incrementAttempts(receiptId: string): Promise<number> {
    const id = parseOrThrow(idSchema, receiptId, 'store ledger receiptId');
    const next = await this.update(id, (current) => applyAttempt(current, id, new Date()));
    return next?.attempts ?? 0;
  }
}
