import { SyncError, type SyncErrorOptions } from './sync-error';

/** Input that fails its schema at an edge: env, API response field, job payload, mapping file. */
export class InvalidInputError extends SyncError {
  readonly disposition = 'permanent' as const;
  readonly code = 'input.invalid';
  constructor(
    readonly source: string,
    readonly issues: string[],
    options?: SyncErrorOptions,
  ) {
    super(`${source}: ${issues.join('; ')}`, options);
  }
}

/** A receipt that cannot be mapped as it is (data-quality rule). Quarantined, never retried. */
export class QuarantineError extends SyncError {
  readonly disposition = 'permanent' as const;
  readonly code = 'receipt.quarantined';
  constructor(
    readonly receiptNo: string,
    readonly reasons: string[],
    options?: SyncErrorOptions,
  ) {
    super(`receipt ${receiptNo}: ${reasons.join('; ')}`, options);
  }
}

/** No K3Cloud sales order carries F_Cash_Collection_Id = order_id (yet). */
export class SalesOrderNotFoundError extends SyncError {
  readonly disposition = 'awaiting-dependency' as const;
  readonly code = 'k3cloud.order-not-found';
  constructor(
    readonly orderId: string,
    options?: SyncErrorOptions,
  ) {
    super(`sales order not found in K3Cloud (F_Cash_Collection_Id = ${orderId})`, options);
  }
}

/** A configuration value is missing or wrong. Start-up stops with this message. */
/**
 * One bad variable, for the reader's language: `problem` is a key under the catalogues' `config.problems`
 * (`config.problems.other` carries a text of its own in `params.message`).
 */
export interface ConfigIssue {
  variable: string;
  problem: string;
  params?: Record<string, unknown>;
}

export class ConfigError extends SyncError {
  readonly disposition = 'permanent' as const;
  readonly code = 'config.invalid';
  /** The same issues, structured, when the raiser knows them (loadConfig, the dashboard's settings). */
  readonly configIssues?: ConfigIssue[];
  constructor(
    readonly issues: string[],
    options?: SyncErrorOptions & { configIssues?: ConfigIssue[] },
  ) {
    super(`invalid configuration:\n  - ${issues.join('\n  - ')}`, options);
    this.configIssues = options?.configIssues;
  }
}

/** An earlier version of the receipt is still on its way to K3Cloud; this one must wait for it. */
export class EarlierVersionInFlightError extends SyncError {
  readonly disposition = 'transient' as const;
  readonly code = 'receipt.earlier-version-in-flight';
  constructor(
    readonly receiptNo: string,
    options?: SyncErrorOptions,
  ) {
    super(`receipt ${receiptNo}: an earlier version is still being written`, options);
  }
}

/**
 * This writer process is not (or no longer) the active writer: it lost or gave up the writer lease
 * (docs/scaling.md#one-active-writer). The row waits, without spending an attempt, for the writer
 * that holds the lease now.
 */
export class WriterNotActiveError extends SyncError {
  readonly disposition = 'rate-limited' as const;
  readonly code = 'writer.not-active';
  constructor(reason: string, options?: SyncErrorOptions) {
    super(`this writer is not the active writer (${reason}); the row waits for the one that is`, {
      retryAfterMs: 1_000,
      ...options,
    });
  }
}

/**
 * A receipt re-linked in OKKI to another sales order was written on the new order, but its row on
 * the previous order is not flagged removed yet (that order refused or was not saved): the payment
 * would count twice. The row is not counted as written; it is saved again (an update now) together
 * with the flag.
 */
export class MovedReceiptNotFlaggedError extends SyncError {
  readonly disposition = 'transient' as const;
  readonly code = 'receipt.move-not-flagged';
  constructor(
    readonly receiptNo: string,
    readonly previousOrderId: string,
    options?: SyncErrorOptions,
  ) {
    super(
      `receipt ${receiptNo} moved to another sales order; its row on the previous order (F_Cash_Collection_Id = ${previousOrderId}) is not flagged removed yet`,
      options,
    );
  }
}

/**
 * A save of this row went out and no answer came back (timeout, lost connection, a lost writer
 * lease): K3Cloud may still apply it, since it queues WebAPI calls and does not cancel one whose
 * client gave up. Until KINGDEE_LATE_WRITE_SECONDS have passed the row is not sent again unless a
 * read shows it applied; it waits, spending no attempt, so no second row is appended.
 */
export class LateWriteWaitError extends SyncError {
  readonly disposition = 'rate-limited' as const;
  readonly code = 'k3cloud.save-may-still-land';
  constructor(
    readonly receiptNo: string,
    readonly untilMs: number,
    options?: SyncErrorOptions,
  ) {
    super(
      `receipt ${receiptNo}: a save without an answer may still land in K3Cloud; not sent again before ${new Date(untilMs).toISOString()} unless a read finds it`,
      { retryAfterMs: Math.max(1_000, Math.min(30_000, untilMs - Date.now())), ...options },
    );
  }
}

/**
 * The read after a save found the receipt on more than one active row of its sales order (a save
 * K3Cloud applied after it was sent again, or a row added by hand). Not counted written: the next
 * save updates the first row and flags the others removed, so the payment counts once.
 */
export class DuplicateRowsError extends SyncError {
  readonly disposition = 'transient' as const;
  readonly code = 'k3cloud.duplicate-rows';
  constructor(
    readonly receiptNo: string,
    readonly fid: number,
    readonly entryIds: number[],
    options?: SyncErrorOptions,
  ) {
    super(
      `receipt ${receiptNo} is on ${entryIds.length} rows of sales order FID ${fid} (FEntryID ${entryIds.join(', ')}); the next save flags all but the first removed`,
      options,
    );
  }
}
