import type { RedisClient } from '@receipt-sync/core';
import type { Config, Logger, Translate } from '@receipt-sync/core';
import type { Mapping } from '@receipt-sync/mapping';
import type { Runtime } from '@receipt-sync/pipeline';
import type { SyncStore } from '@receipt-sync/store';

export type OkkiApi = NonNullable<Runtime['okki']>;
export type K3CloudApi = NonNullable<Runtime['k3']>;
export type RecentReceipt = Awaited<ReturnType<OkkiApi['listReceipts']>>['list'][number];

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the report: what was checked, what was found, and what to do about it. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  message: string;
  /** Plain words on what to change; set on warn and fail. */
  fix?: string;
}

/** What checks share; earlier checks fill it in (a later check `needs` them). */
export interface DoctorContext {
  env: NodeJS.ProcessEnv;
  /** The terminal's language: findings and fixes are said in it (upstream error texts stay as the system sent them). */
  t: Translate;
  logger: Logger;
  /** The parsed environment (config check); OKKI and K3Cloud may still be missing (systems check). */
  config?: Config;
  mapping?: Mapping;
  redis?: RedisClient;
  store?: SyncStore;
  okki?: OkkiApi;
  k3?: K3CloudApi;
  /** Receipts read by the list check, newest first. */
  recent?: RecentReceipt[];
}

/**
 * One check of `doctor`. Adding a check is one file exporting a DoctorCheck plus its line in
 * `checks/index.ts`. `needs`: checks that must not have failed first (else this one is skipped).
 */
export interface DoctorCheck {
  name: string;
  needs?: string[];
  run(ctx: DoctorContext): Promise<CheckResult | CheckResult[]>;
}

export const ok = (name: string, message: string): CheckResult => ({ name, status: 'ok', message });
export const warn = (name: string, message: string, fix: string): CheckResult => ({
  name,
  status: 'warn',
  message,
  fix,
});
export const fail = (name: string, message: string, fix: string): CheckResult => ({
  name,
  status: 'fail',
  message,
  fix,
});
