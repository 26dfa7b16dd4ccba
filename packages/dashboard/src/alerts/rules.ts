import { z } from 'zod';
import {
  configErrorOf,
  configIssuesFromZod,
  duration,
  EnvSchema,
  InvalidInputError,
  nextStep,
  translator,
  type Locale,
} from '@receipt-sync/core';
import type { Alerter } from './alerter';
import type { Incident } from './messages';

export const INCIDENT_KEYS = [
  'dead-letters-growing',
  'window-failing',
  'window-stalled',
  'checkpoint-lag',
  'k3cloud-login',
  'k3cloud-metadata',
  'order-left-unaudited',
  'missed-pushes',
  'no-active-writer',
  'stuck-receipts',
  'duplicate-rows',
] as const;
export type IncidentKey = (typeof INCIDENT_KEYS)[number];

/** What the pipeline measures each evaluation round. */
export interface PipelineSnapshot {
  deadLetterCount: number;
  /** The count at the previous evaluation. */
  previousDeadLetterCount: number;
  consecutiveWindowFailures: number;
  /** Seconds since the newest window was opened (or since monitoring began, before any); undefined = unknown. */
  secondsSinceLastWindow?: number;
  checkpointLagSeconds: number;
  k3LoginFailing: boolean;
  /**
   * With OKKI push configured: receipt versions the polling window saw before any push in the last
   * hour (missed pushes). Omitted or undefined = push not configured; the rule stays quiet.
   */
  missedPushesLastHour?: number;
  /** Mapped K3Cloud keys the tenant's metadata lacks (the writer's last preflight); empty = fine. */
  metadataUnknownKeys?: string[];
  /** Sales orders the writer un-audited (policy unaudit) and could not audit again, e.g. `XSDD000012 (FID 100012)`. */
  unauditedOrders?: string[];
  /**
   * Seconds no writer has held the writer lease while rows wait in `ready` (0 while one holds it or
   * nothing waits); undefined = not known (the rule stays quiet).
   */
  writerVacantSeconds?: number;
  /**
   * The producer's last stuck-receipts sweep: receipt versions seen over SYNC_STUCK_SECONDS ago with
   * no outcome and no job left, how many were re-queued, and a few of them. Undefined = no sweep yet.
   */
  stuckReceipts?: { count: number; redriven: number; stuckSeconds: number; samples: string[] };
  /** Receipts found on two or more rows of one sales order in the last 24 h, e.g. `HK001 on FID 100012 (rows 7, 9)`. */
  duplicateRows?: string[];
  /** Receipts the ledger holds as dead-lettered and as quarantined (receipts, where deadLetterCount counts jobs). */
  deadLetteredReceipts?: number;
  quarantinedReceipts?: number;
  /** The newest cause in error, for the alert's next step. */
  topCause?: { code: string; message: string; orderId?: string; count: number };
}

export interface AlertThresholds {
  /** Checkpoint lag above this opens `checkpoint-lag`. */
  lagSecondsThreshold: number;
  /** This many failed windows in a row opens `window-failing`. */
  windowFailuresThreshold: number;
  /** More missed pushes than this in the last hour opens `missed-pushes`. @defaultValue 10 */
  missedPushesThreshold: number;
  /** No window opened for longer than this opens `window-stalled`. */
  windowStallSeconds: number;
  /** No active writer for longer than this, while rows wait, opens `no-active-writer`. @defaultValue 60 */
  writerVacancySeconds: number;
}

export interface AlertRuleOptions extends Partial<AlertThresholds> {
  /** ALERT_LOCALE: language of titles and details; default zh-CN. */
  locale?: Locale;
  /** Lag and stall thresholds default to 3 windows' worth; SYNC_INTERVAL_SECONDS defaults to 300. */
  syncIntervalSeconds?: number;
}

export interface AlertEvaluation {
  /** Incidents that should be open now, with current titles/details. */
  open: Array<Incident & { key: IncidentKey }>;
  /** Keys that should be closed, with the detail for a recovery message. */
  closed: Array<{ key: IncidentKey; detail: string }>;
}

export interface AlertRules {
  readonly thresholds: AlertThresholds;
  evaluate(snapshot: PipelineSnapshot): AlertEvaluation;
}

const count = z.number().int().min(0);
const SnapshotSchema = z.object({
  deadLetterCount: count,
  previousDeadLetterCount: count,
  consecutiveWindowFailures: count,
  secondsSinceLastWindow: z.number().finite().min(0).optional(),
  checkpointLagSeconds: z.number().finite().min(0),
  k3LoginFailing: z.boolean(),
  missedPushesLastHour: count.optional(),
  metadataUnknownKeys: z.array(z.string()).default([]),
  unauditedOrders: z.array(z.string()).default([]),
  writerVacantSeconds: z.number().finite().min(0).optional(),
  stuckReceipts: z
    .object({ count, redriven: count, stuckSeconds: z.number().finite().min(0), samples: z.array(z.string()) })
    .optional(),
  duplicateRows: z.array(z.string()).default([]),
  deadLetteredReceipts: count.optional(),
  quarantinedReceipts: count.optional(),
  topCause: z.object({ code: z.string(), message: z.string(), orderId: z.string().optional(), count }).optional(),
});

export function createAlertRules(options: AlertRuleOptions = {}): AlertRules {
  const thresholds: AlertThresholds = {
    lagSecondsThreshold: options.lagSecondsThreshold ?? 3 * (options.syncIntervalSeconds ?? 300),
    windowFailuresThreshold: options.windowFailuresThreshold ?? 3,
    missedPushesThreshold: options.missedPushesThreshold ?? 10,
    windowStallSeconds: options.windowStallSeconds ?? 3 * (options.syncIntervalSeconds ?? 300),
    writerVacancySeconds: options.writerVacancySeconds ?? 60,
  };
  const { lagSecondsThreshold, windowFailuresThreshold, windowStallSeconds } = thresholds;
  const t = translator(options.locale ?? 'zh-CN');
  const human = (seconds: number) => duration(seconds, t);
  if (!(lagSecondsThreshold > 0) || !(windowFailuresThreshold >= 1) || !(windowStallSeconds > 0)) {
    throw new InvalidInputError('alert thresholds', [
      'lagSecondsThreshold and windowStallSeconds must be > 0 and windowFailuresThreshold >= 1',
    ]);
  }

  function evaluate(input: PipelineSnapshot): AlertEvaluation {
    const parsed = SnapshotSchema.safeParse(input);
    if (!parsed.success) {
      throw new InvalidInputError(
        'alert snapshot',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      );
    }
    const s = parsed.data;
    const out: AlertEvaluation = { open: [], closed: [] };
    const rule = (
      key: IncidentKey,
      firing: boolean,
      incident: () => Omit<Incident, 'key'>,
      recovered: () => string,
    ) => {
      if (firing) out.open.push({ key, ...incident() });
      else out.closed.push({ key, detail: recovered() });
    };

    const newDead = s.deadLetterCount - s.previousDeadLetterCount;
    const step = s.topCause ? nextStep(s.topCause, t) : undefined;
    rule(
      'dead-letters-growing',
      newDead > 0,
      () => ({
        severity: 'warning',
        title: t('alerts.rules.deadLetters.title'),
        detail: [
          t('alerts.rules.deadLetters.new', { count: newDead }),
          s.deadLetteredReceipts !== undefined
            ? t('alerts.rules.deadLetters.receipts', {
                dead: s.deadLetteredReceipts,
                quarantined: s.quarantinedReceipts ?? 0,
                jobs: s.deadLetterCount,
              })
            : t('alerts.rules.deadLetters.jobs', { count: s.deadLetterCount }),
          s.topCause && step
            ? t('alerts.rules.deadLetters.cause', {
                code: s.topCause.code,
                count: s.topCause.count,
                where: t(`where.${step.where}`),
                step: step.text,
              })
            : t('alerts.rules.deadLetters.step'),
        ].join('\n\n'),
      }),
      () => t('alerts.rules.deadLetters.resolved', { count: s.deadLetterCount }),
    );

    rule(
      'window-failing',
      s.consecutiveWindowFailures >= thresholds.windowFailuresThreshold,
      () => ({
        severity: 'critical',
        title: t('alerts.rules.windowFailing.title'),
        detail: t('alerts.rules.windowFailing.detail', {
          count: s.consecutiveWindowFailures,
          threshold: thresholds.windowFailuresThreshold,
        }),
      }),
      () => t('alerts.rules.windowFailing.resolved'),
    );

    const sinceWindow = s.secondsSinceLastWindow;
    rule(
      'window-stalled',
      sinceWindow !== undefined && sinceWindow > thresholds.windowStallSeconds,
      () => ({
        severity: 'critical',
        title: t('alerts.rules.windowStalled.title'),
        detail: t('alerts.rules.windowStalled.detail', {
          duration: human(sinceWindow ?? 0),
          threshold: human(thresholds.windowStallSeconds),
        }),
      }),
      () => t('alerts.rules.windowStalled.resolved'),
    );

    rule(
      'checkpoint-lag',
      s.checkpointLagSeconds > thresholds.lagSecondsThreshold,
      () => ({
        severity: 'warning',
        title: t('alerts.rules.lag.title'),
        detail: t('alerts.rules.lag.detail', {
          duration: human(s.checkpointLagSeconds),
          threshold: human(thresholds.lagSecondsThreshold),
        }),
      }),
      () => t('alerts.rules.lag.resolved', { duration: human(s.checkpointLagSeconds) }),
    );

    rule(
      'k3cloud-login',
      s.k3LoginFailing,
      () => ({
        severity: 'critical',
        title: t('alerts.rules.login.title'),
        detail: t('alerts.rules.login.detail'),
      }),
      () => t('alerts.rules.login.resolved'),
    );

    rule(
      'k3cloud-metadata',
      s.metadataUnknownKeys.length > 0,
      () => ({
        severity: 'critical',
        title: t('alerts.rules.metadata.title'),
        detail: t('alerts.rules.metadata.detail', { keys: s.metadataUnknownKeys.join(', ') }),
      }),
      () => t('alerts.rules.metadata.resolved'),
    );

    rule(
      'order-left-unaudited',
      s.unauditedOrders.length > 0,
      () => ({
        severity: 'critical',
        title: t('alerts.rules.unaudited.title'),
        detail: t('alerts.rules.unaudited.detail', { orders: s.unauditedOrders.join(', ') }),
      }),
      () => t('alerts.rules.unaudited.resolved'),
    );

    const missed = s.missedPushesLastHour ?? 0;
    rule(
      'missed-pushes',
      missed > thresholds.missedPushesThreshold,
      () => ({
        severity: 'warning',
        title: t('alerts.rules.missedPushes.title'),
        detail: t('alerts.rules.missedPushes.detail', { count: missed, threshold: thresholds.missedPushesThreshold }),
      }),
      () => t('alerts.rules.missedPushes.resolved', { count: missed }),
    );

    const vacant = s.writerVacantSeconds ?? 0;
    rule(
      'no-active-writer',
      vacant > thresholds.writerVacancySeconds,
      () => ({
        severity: 'critical',
        title: t('alerts.rules.noWriter.title'),
        detail: t('alerts.rules.noWriter.detail', { duration: human(vacant) }),
      }),
      () => t('alerts.rules.noWriter.resolved'),
    );

    const stuck = s.stuckReceipts;
    rule(
      'stuck-receipts',
      (stuck?.count ?? 0) > 0,
      () => ({
        severity: 'warning',
        title: t('alerts.rules.stuckReceipts.title'),
        detail: t('alerts.rules.stuckReceipts.detail', {
          count: stuck?.count ?? 0,
          duration: human(stuck?.stuckSeconds ?? 0),
          redriven: stuck?.redriven ?? 0,
          samples: stuck?.samples.length ? stuck.samples.join(', ') : '–',
        }),
      }),
      () => t('alerts.rules.stuckReceipts.resolved'),
    );

    rule(
      'duplicate-rows',
      s.duplicateRows.length > 0,
      () => ({
        severity: 'critical',
        title: t('alerts.rules.duplicateRows.title'),
        detail: t('alerts.rules.duplicateRows.detail', { rows: s.duplicateRows.join(', ') }),
      }),
      () => t('alerts.rules.duplicateRows.resolved'),
    );

    return out;
  }

  return { thresholds, evaluate };
}

/** Raises every incident that should be open (the alerter sends only for new ones) and resolves the rest. */
export async function applyRules(
  alerter: Pick<Alerter, 'raise' | 'resolve'>,
  evaluation: AlertEvaluation,
): Promise<void> {
  await Promise.all([
    ...evaluation.open.map((incident) => alerter.raise(incident)),
    ...evaluation.closed.map(({ key, detail }) => alerter.resolve(key, detail)),
  ]);
}

/** ALERT_LAG_SECONDS, else 3 × SYNC_INTERVAL_SECONDS (default 300); ALERT_LOCALE (default zh-CN). */
export function alertRuleOptionsFromEnv(env: Record<string, string | undefined>): AlertRuleOptions {
  const parsed = EnvSchema.pick({
    ALERT_LAG_SECONDS: true,
    SYNC_INTERVAL_SECONDS: true,
    ALERT_MISSED_PUSHES: true,
    ALERT_LOCALE: true,
  }).safeParse(env);
  if (!parsed.success) throw configErrorOf(configIssuesFromZod(parsed.error, env));
  const { ALERT_LAG_SECONDS, SYNC_INTERVAL_SECONDS, ALERT_MISSED_PUSHES, ALERT_LOCALE } = parsed.data;

  return {
    locale: ALERT_LOCALE,
    ...(ALERT_MISSED_PUSHES !== undefined ? { missedPushesThreshold: ALERT_MISSED_PUSHES } : {}),
    ...(ALERT_LAG_SECONDS !== undefined ? { lagSecondsThreshold: ALERT_LAG_SECONDS } : {}),
    syncIntervalSeconds: SYNC_INTERVAL_SECONDS,
  };
}
