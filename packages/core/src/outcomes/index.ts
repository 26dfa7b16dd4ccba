/**
 * One vocabulary for what became of a receipt version, used by the stages, the ledger, the outcome
 * tracker, the dashboard and the CLI alike.
 */
export const RECEIPT_OUTCOMES = ['written', 'unchanged', 'quarantined', 'dead-lettered'] as const;
/** How one receipt version ended. */
export type ReceiptOutcome = (typeof RECEIPT_OUTCOMES)[number];

/** The outcomes that leave a record where an operator must act: quarantine or the dead-letter queue. */
export const DEAD_LETTER_KINDS = ['dead-lettered', 'quarantined'] as const satisfies readonly ReceiptOutcome[];
export type DeadLetterKind = (typeof DEAD_LETTER_KINDS)[number];

/** A receipt's status in the ledger: `pending` until it has an outcome. */
export const RECEIPT_STATUSES = ['pending', ...RECEIPT_OUTCOMES] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/** What a stage processor reports for one job: a receipt outcome, or `forwarded` to the next stage. */
export type StageOutcome = ReceiptOutcome | 'forwarded';
