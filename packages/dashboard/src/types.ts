import type { Logger } from '@receipt-sync/core';

/** The slice of the pino logger the dashboard uses; tests pass a recorder. */
export type DashboardLogger = Pick<Logger, 'info' | 'warn' | 'error'>;
